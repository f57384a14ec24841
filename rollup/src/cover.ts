// Which rollup buckets answer a range: the coarsest that fit. A range of whole
// hours is covered by UTC months where whole months fit, days where whole days
// fit, and hours at the edges. A bucket is never used across a cut (the start of
// an answer's bucket, a local day or month, say), so every point read belongs to
// exactly one bucket of the answer.
import { bucketEnd, bucketStart, type RollupGrain } from '@eventline/contract';

/** A time range of one grain's buckets: [from, to) in epoch ms, aligned to the grain. */
export interface Segment {
  grain: RollupGrain;
  from: number;
  to: number;
}

const COARSEST_FIRST: readonly RollupGrain[] = ['month', 'day', 'hour'];

/** The first bucket start of `grain` at or after `ms`. */
function ceilTo(grain: RollupGrain, ms: number): number {
  const start = bucketStart(grain, ms);
  return start === ms ? ms : bucketEnd(grain, start);
}

function coverPiece(from: number, to: number, grains: readonly RollupGrain[], into: Segment[]): void {
  if (from >= to) return;
  const [grain, ...finer] = grains;
  if (!grain) throw new RangeError(`range ${from}..${to} is not aligned to whole hours`);
  if (finer.length === 0) {
    if (bucketStart(grain, from) !== from || bucketStart(grain, to) !== to)
      throw new RangeError(`range ${from}..${to} is not aligned to whole hours`);
    into.push({ grain, from, to });
    return;
  }
  const first = ceilTo(grain, from);
  const last = bucketStart(grain, to);
  if (first >= last) {
    coverPiece(from, to, finer, into);
    return;
  }
  coverPiece(from, first, finer, into);
  into.push({ grain, from: first, to: last });
  coverPiece(last, to, finer, into);
}

/**
 * Segments covering [from, to) (both whole UTC hours) without crossing any of `cuts`, coarsest grain first where it
 * fits; adjacent segments of one grain are joined, so each grain is usually one or a few reads.
 */
export function coverRange(from: number, to: number, cuts: readonly number[] = []): Segment[] {
  const bounds = [from, ...[...new Set(cuts)].filter((cut) => cut > from && cut < to).sort((a, b) => a - b), to];
  const pieces: Segment[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) coverPiece(bounds[i]!, bounds[i + 1]!, COARSEST_FIRST, pieces);
  const joined: Segment[] = [];
  for (const segment of pieces) {
    const previous = joined.findLast((s) => s.grain === segment.grain);
    if (previous && previous.to === segment.from) previous.to = segment.to;
    else joined.push({ ...segment });
  }
  return joined;
}
