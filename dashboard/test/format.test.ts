import { describe, expect, it } from 'vitest';
import { bucketTime, localTime, percentComplete } from '../src/ui/format.ts';

describe('completeness percentage', () => {
  it('never rounds an incomplete ratio up to 100 %', () => {
    expect(percentComplete(1)).toBe('100 %');
    expect(percentComplete(0.99999)).toBe('99.9 %');
    expect(percentComplete(19 / 22)).toBe('86.3 %');
    expect(percentComplete(0)).toBe('0.0 %');
  });

  it('shows a dash when nothing is expected', () => {
    expect(percentComplete(null)).toBe('—');
  });
});

describe('chart hover time', () => {
  it('shows the bucket in the viewer zone and in UTC', () => {
    const ms = Date.UTC(2026, 10, 25, 8, 5, 30);
    expect(bucketTime(ms)).toBe(`${localTime('2026-11-25T08:05:30.000Z')} (2026-11-25 08:05:30 UTC)`);
  });
});
