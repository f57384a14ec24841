import { bucketEnd, bucketStart } from '@eventline/contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coverRange, type Segment } from '../src/cover.ts';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

/** Every rollup bucket a cover reads, as [start, end), in time order. */
function bucketsOf(segments: Segment[]): [number, number][] {
  const out: [number, number][] = [];
  for (const segment of segments)
    for (let start = segment.from; start < segment.to; start = bucketEnd(segment.grain, start)) {
      expect(bucketStart(segment.grain, start), `${segment.grain} bucket at ${start}`).toBe(start);
      out.push([start, bucketEnd(segment.grain, start)]);
    }
  return out.sort((a, b) => a[0] - b[0]);
}

describe('coverRange', () => {
  it('reads 30 days as whole UTC days, with hours at the edges', () => {
    expect(coverRange(at('2026-11-01T05:00Z'), at('2026-12-01T05:00Z'))).toEqual([
      { grain: 'hour', from: at('2026-11-01T05:00Z'), to: at('2026-11-02T00:00Z') },
      { grain: 'day', from: at('2026-11-02T00:00Z'), to: at('2026-12-01T00:00Z') },
      { grain: 'hour', from: at('2026-12-01T00:00Z'), to: at('2026-12-01T05:00Z') },
    ]);
  });

  it('reads whole months as months, and joins them into one read', () => {
    expect(coverRange(at('2025-12-01T00:00Z'), at('2026-12-06T10:00Z'))).toEqual([
      { grain: 'month', from: at('2025-12-01T00:00Z'), to: at('2026-12-01T00:00Z') },
      { grain: 'day', from: at('2026-12-01T00:00Z'), to: at('2026-12-06T00:00Z') },
      { grain: 'hour', from: at('2026-12-06T00:00Z'), to: at('2026-12-06T10:00Z') },
    ]);
  });

  it('never reads a UTC day across a cut: local days an hour off UTC are read as hours', () => {
    const cuts = [at('2026-11-02T23:00Z'), at('2026-11-03T23:00Z')];
    expect(coverRange(at('2026-11-01T23:00Z'), at('2026-11-04T23:00Z'), cuts)).toEqual([
      { grain: 'hour', from: at('2026-11-01T23:00Z'), to: at('2026-11-04T23:00Z') },
    ]);
  });

  it('covers any range of whole hours exactly once, and no bucket it reads crosses a cut', () => {
    const start = at('2025-01-01T00:00Z');
    const hours = fc.integer({ min: 0, max: 2 * 366 * 24 });
    fc.assert(
      fc.property(hours, hours, fc.array(hours, { maxLength: 20 }), (a, b, cutHours) => {
        const [from, to] = [start + Math.min(a, b) * HOUR, start + Math.max(a, b) * HOUR];
        const cuts = cutHours.map((h) => start + h * HOUR);
        const read = bucketsOf(coverRange(from, to, cuts));
        let next = from;
        for (const [bucketFrom, bucketTo] of read) {
          expect(bucketFrom).toBe(next);
          expect(cuts.some((cut) => cut > bucketFrom && cut < bucketTo)).toBe(false);
          next = bucketTo;
        }
        expect(next).toBe(to);
      }),
      { seed: 20261206, numRuns: 300 },
    );
  });

  it('refuses a range that is not whole hours', () => {
    expect(() => coverRange(at('2026-11-01T05:30Z'), at('2026-11-02T05:00Z'))).toThrow(RangeError);
  });
});
