// Completeness per chart bucket, from the same sequence numbers as the
// completeness report: each sequence (a session's tab) numbers its events
// without gaps, so a gap between two received numbers is events that never
// arrived. The missing events of a gap belong to the bucket of the event just
// before it (they were captured after it). A number is received once however
// often it arrives, so a bucket is never more than 100 % complete. Streaming:
// it holds one sequence at a time.
import type { BucketCompleteness } from '@eventline/contract/read-api';

/** One stored event of a sequence: its number and when it happened (ms). */
export interface TimedSeq {
  /** The sequence it belongs to (session and tab); rows of one sequence arrive together. */
  sequence: string;
  seq: number;
  time: number;
}

export interface BucketCompletenessTally {
  add(row: TimedSeq): void;
  /** The figures of `buckets`, in their order; events in no listed bucket are left out. */
  finish(buckets: readonly string[]): BucketCompleteness[];
}

export function createBucketCompletenessTally(bucketOf: (time: number) => string): BucketCompletenessTally {
  const received = new Map<string, number>();
  const missing = new Map<string, number>();
  const bump = (counts: Map<string, number>, bucket: string, by: number) =>
    counts.set(bucket, (counts.get(bucket) ?? 0) + by);
  let current: { sequence: string; timeBySeq: Map<number, number> } | undefined;

  function closeSequence(): void {
    if (!current) return;
    const seqs = [...current.timeBySeq].sort(([a], [b]) => a - b);
    seqs.forEach(([seq, time], i) => {
      const bucket = bucketOf(time);
      bump(received, bucket, 1);
      const next = seqs[i + 1];
      if (next && next[0] > seq + 1) bump(missing, bucket, next[0] - seq - 1);
    });
    current = undefined;
  }

  return {
    add(row) {
      if (current && current.sequence !== row.sequence) closeSequence();
      current ??= { sequence: row.sequence, timeBySeq: new Map() };
      const known = current.timeBySeq.get(row.seq);
      // A copy or a reuse of a number counts once, at its earliest time.
      if (known === undefined || row.time < known) current.timeBySeq.set(row.seq, row.time);
    },
    finish(buckets) {
      closeSequence();
      return bucketCompleteness(buckets, received, missing);
    },
  };
}

/** The figures of `buckets`, in their order, from numbers received and missing per bucket. */
export function bucketCompleteness(
  buckets: readonly string[],
  received: ReadonlyMap<string, number>,
  missing: ReadonlyMap<string, number>,
): BucketCompleteness[] {
  return buckets.map((bucket) => {
    const got = received.get(bucket) ?? 0;
    const lost = missing.get(bucket) ?? 0;
    const expected = got + lost;
    return { bucket, received: got, expected, missing: lost, completeness: expected === 0 ? null : got / expected };
  });
}
