import { describe, expect, it } from 'vitest';
import { ratioText, summaryMarkdown, type BenchResult } from '../src/bench-report.ts';

const result: BenchResult = {
  name: 'sdk-main-thread',
  description: 'main-thread time per event',
  figures: [
    { metric: 'click median', unit: 'µs', value: 15, baseline: 5, baselineLabel: 'no-op listener' },
    { metric: 'blur median', unit: 'µs', value: 10, baseline: 0, baselineLabel: 'no-op listener' },
    { metric: 'blur p99', unit: 'µs', value: 20, baseline: 0, baselineLabel: 'no-op listener', resolution: 5 },
    { metric: 'lag p50', unit: 'messages', value: 120 },
  ],
};

describe('benchmark summary', () => {
  it('gives the ratio to the baseline when there is one', () => {
    expect(ratioText({ metric: 'p50', unit: 'ms', value: 15, baseline: 5 })).toBe('3.00');
  });

  it('says a baseline of 0 was below the timer instead of leaving the ratio blank or infinite', () => {
    expect(ratioText({ metric: 'blur median', unit: 'µs', value: 10, baseline: 0 })).toBe(
      "n/a: baseline measured 0 µs (below the timer's resolution)",
    );
    expect(ratioText({ metric: 'blur median', unit: 'µs', value: 10, baseline: 0, resolution: 5 })).toBe(
      'n/a: baseline below the 5 µs timer resolution',
    );
    expect(ratioText({ metric: 'errors', unit: 'requests', value: 3, baseline: 0 })).toBe('n/a: baseline is 0');
  });

  it('marks figures that have no baseline', () => {
    expect(ratioText({ metric: 'lag p50', unit: 'messages', value: 120 })).toBe('no baseline');
  });

  it('fills every cell of the Markdown table', () => {
    const table = summaryMarkdown([result], '2 × CPU', new Date('2026-11-25T10:00:00Z'));
    expect(table.split('\n')).toEqual([
      'Measured 2026-11-25 on 2 × CPU.',
      '',
      '| benchmark | figure | value | baseline (same run) | ratio |',
      '|---|---|---|---|---|',
      '| sdk-main-thread | click median | 15 µs | 5 µs (no-op listener) | 3.00 |',
      "| sdk-main-thread | blur median | 10 µs | 0 µs (no-op listener) | n/a: baseline measured 0 µs (below the timer's resolution) |",
      '| sdk-main-thread | blur p99 | 20 µs | 0 µs (no-op listener) | n/a: baseline below the 5 µs timer resolution |',
      '| sdk-main-thread | lag p50 | 120 messages | — | no baseline |',
      '',
    ]);
  });
});
