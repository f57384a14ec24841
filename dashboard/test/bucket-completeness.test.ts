import { describe, expect, it } from 'vitest';
import { encodeParts, HourSequenceRuns, HourSequences, mergeSequenceHours } from '@eventline/rollup/sequence-runs';
import { bucketCompleteness, createBucketCompletenessTally, type TimedSeq } from '../src/server/bucket-completeness.ts';

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

describe('completeness from the sequence rollups', () => {
  /** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
  }

  /**
   * Sequences over six hours with gaps, copies, numbers reused hours later and events out of time order; half of them
   * quick enough to lie within one hour, as most do.
   */
  function randomRows(next: () => number): { session: string; tab: string | undefined; seq: number; time: number }[] {
    const rows = [];
    for (let s = 0; s < 1 + Math.floor(next() * 12); s++) {
      const session = `session-${Math.floor(next() * 4)}`;
      const tab = next() < 0.3 ? undefined : `tab-${s}`;
      let time = Math.floor(next() * 5 * HOUR);
      const pace = next() < 0.5 ? HOUR * 0.3 : 30_000;
      for (let seq = Math.floor(next() * 3); seq < 40; seq++) {
        time += Math.floor(next() * pace);
        if (next() < 0.15) continue; // never arrived
        rows.push({ session, tab, seq, time });
        if (next() < 0.1) rows.push({ session, tab, seq, time: time + Math.floor(next() * 2 * HOUR) }); // copy or reuse
        if (next() < 0.05) seq += Math.floor(next() * 5); // a jump
      }
    }
    return rows;
  }

  it('equals the scan of the raw events, through the stored form, on random sequences', () => {
    const buckets = ['0', '1', '2', '3', '4', '5', '6'];
    for (let trial = 0; trial < 300; trial++) {
      const rows = randomRows(random(trial));
      const key = (row: (typeof rows)[number]) => `${row.session}\n${row.tab ?? ''}`;
      const scan = createBucketCompletenessTally(bucketOf);
      // The raw scan reads the rows of a sequence together.
      for (const row of [...rows].sort((a, b) => key(a).localeCompare(key(b))))
        scan.add({ sequence: key(row), seq: row.seq, time: row.time });

      const byHour = new Map<number, HourSequences>();
      for (const row of rows) {
        const hour = Math.floor(row.time / HOUR) * HOUR;
        if (!byHour.has(hour)) byHour.set(hour, new HourSequences());
        byHour.get(hour)!.add(row.session, row.tab, row.seq);
      }
      const hours = [...byHour].map(([hour, sequences]) => ({
        hour,
        entries: HourSequenceRuns.decode(encodeParts(sequences.entries())),
      }));
      const { received, missing } = mergeSequenceHours(hours, bucketOf);

      expect(bucketCompleteness(buckets, received, missing), `trial ${trial}`).toEqual(scan.finish(buckets));
    }
  });
});
