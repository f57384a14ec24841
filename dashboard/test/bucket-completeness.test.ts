import { describe, expect, it } from 'vitest';
import { createBucketCompletenessTally, type TimedSeq } from '../src/server/bucket-completeness.ts';

const HOUR = 3_600_000;
/** Buckets are whole hours named by their index: 0, 1, 2. */
const bucketOf = (time: number) => String(Math.floor(time / HOUR));
const BUCKETS = ['0', '1', '2'];

function tally(rows: TimedSeq[]) {
  const t = createBucketCompletenessTally(bucketOf);
  for (const row of rows) t.add(row);
  return t.finish(BUCKETS);
}

const at = (sequence: string, seq: number, time: number): TimedSeq => ({ sequence, seq, time });

describe('completeness per bucket', () => {
  it('marks the bucket where a sequence skips numbers, and only that bucket', () => {
    // Numbers 2 and 3 never arrived: they were captured after 1, in hour 0.
    const buckets = tally([at('a', 0, 0), at('a', 1, 10), at('a', 4, HOUR + 5), at('a', 5, HOUR + 6)]);
    expect(buckets).toEqual([
      { bucket: '0', received: 2, expected: 4, missing: 2, completeness: 0.5 },
      { bucket: '1', received: 2, expected: 2, missing: 0, completeness: 1 },
      { bucket: '2', received: 0, expected: 0, missing: 0, completeness: null },
    ]);
  });

  it('keeps sequences apart: the end of one and the start of the next are no gap', () => {
    const buckets = tally([at('a', 7, 1), at('a', 8, 2), at('b', 0, 3), at('b', 1, 4)]);
    expect(buckets[0]).toMatchObject({ received: 4, missing: 0, completeness: 1 });
  });

  it('counts a number stored twice or reused once, so a bucket is never more than complete', () => {
    // The 17 / 11 the old panel showed: numbers reused by two senders on one page load.
    const buckets = tally([at('a', 0, 0), at('a', 0, 1), at('a', 1, 2), at('a', 1, HOUR), at('a', 2, HOUR + 1)]);
    expect(buckets.map((b) => [b.received, b.expected, b.completeness])).toEqual([
      [2, 2, 1],
      [1, 1, 1],
      [0, 0, null],
    ]);
  });

  it('reads rows of a sequence in any order', () => {
    const buckets = tally([at('a', 3, 2 * HOUR), at('a', 0, 0), at('a', 2, HOUR)]);
    expect(buckets.map((b) => b.missing)).toEqual([1, 0, 0]);
  });

  it('leaves out events in no listed bucket', () => {
    expect(tally([at('a', 0, 5 * HOUR)]).every((b) => b.expected === 0)).toBe(true);
  });
});
