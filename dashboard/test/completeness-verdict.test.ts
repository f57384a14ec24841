import { describe, expect, it } from 'vitest';
import type { BucketCompletenessResponse, CompletenessFigures } from '../src/ui/api.ts';
import { chartCompleteness, chartCompletenessNote, completenessVerdict } from '../src/ui/completeness-verdict.ts';

const figures = (overrides: Partial<CompletenessFigures>): CompletenessFigures => ({
  sessions: 3,
  received: 20,
  expected: 20,
  missing: 0,
  duplicates: 0,
  reusedSeqs: 0,
  sessionsWithGaps: 0,
  completeness: 1,
  ...overrides,
});

describe('completeness verdict', () => {
  it('says counts are exact when nothing is missing, doubled or renumbered', () => {
    expect(completenessVerdict(figures({}))).toMatchObject({ tone: 'good', headline: 'Complete' });
  });

  it('says how far counts may be low when events are missing', () => {
    const verdict = completenessVerdict(
      figures({ missing: 5, expected: 20, received: 15, completeness: 0.75, sessionsWithGaps: 1 }),
    );
    expect(verdict.tone).toBe('warn');
    expect(verdict.headline).toBe('5 events missing (75.0 % complete)');
    expect(verdict.detail).toContain('may be low by up to 5 events, from 1 session with gaps');
  });

  it('explains received above expected as overlapping numbers, not as loss or as 100 % in alarm colours', () => {
    const verdict = completenessVerdict(figures({ received: 17, expected: 11, reusedSeqs: 6 }));
    expect(verdict.tone).toBe('note');
    expect(verdict.headline).toBe('No missing events seen, but the numbering overlaps');
    expect(verdict.detail).toContain('17 events arrived where the numbers call for 11');
    expect(verdict.detail).toContain('6 sequence numbers were used by two different events');
  });

  it('puts events stored twice first, since then counts are too high', () => {
    const verdict = completenessVerdict(figures({ duplicates: 1, missing: 2, reusedSeqs: 1 }));
    expect(verdict.tone).toBe('bad');
    expect(verdict.headline).toBe('1 event stored twice');
    expect(verdict.detail).toContain('1 sequence number was used by two different events');
  });
});

describe('completeness on the chart', () => {
  const answer = (buckets: [string, number, number][]): BucketCompletenessResponse => ({
    range: { from: '2026-11-02T00:00:00.000Z', to: '2026-11-02T03:00:00.000Z' },
    timezone: 'UTC',
    interval: 'hour',
    buckets: buckets.map(([bucket, received, missing]) => ({
      bucket,
      received,
      missing,
      expected: received + missing,
      completeness: received + missing === 0 ? null : received / (received + missing),
    })),
  });
  const hours = ['2026-11-02T00', '2026-11-02T01', '2026-11-02T02', '2026-11-02T03'];

  it('marks the buckets below 99 % and leaves those it was not told about unknown', () => {
    const chart = chartCompleteness(
      hours,
      answer([
        ['2026-11-02T00', 100, 0],
        ['2026-11-02T01', 99, 1],
        ['2026-11-02T02', 2, 2],
      ]),
    );
    expect(chart.ratios).toEqual([1, 0.99, 0.5, null]);
    expect(chart.incomplete).toEqual([2]);
    expect(chart.missing).toBe(2);
  });

  it('says in words what a shaded bucket means, and nothing when none is shaded', () => {
    const shaded = chartCompleteness(hours, answer([['2026-11-02T02', 2, 2]]));
    expect(chartCompletenessNote(shaded, 'hour')).toBe(
      'Shaded: 1 hour where 2 events never arrived (lowest 50.0 % complete). Figures there are too low: a dip in a ' +
        'shaded hour is lost data (blocked requests, tabs closed offline, an outage), not fewer people.',
    );
    expect(chartCompletenessNote(chartCompleteness(hours, answer([['2026-11-02T00', 5, 0]])), 'hour')).toBeUndefined();
    expect(chartCompletenessNote(chartCompleteness(hours, undefined), 'hour')).toBeUndefined();
  });
});
