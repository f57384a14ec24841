// What one set of touched hours costs to roll up, in order: each hour from its
// raw events, then each day those hours fall in from its hours, then each month
// from its days. Coarser buckets come after the finer ones they are merged
// from, so a day never reads an hour older than the one just written.
import { bucketStart, touchedHourId, type TouchedHour } from '@eventline/contract';
import { mergeBucket } from './merge-bucket.ts';
import { recomputeHour, type RecomputeOptions, type RecomputeResult } from './recompute-hour.ts';
import type { RollupBucket } from './write-bucket.ts';

export type { RecomputeOptions, RecomputeResult } from './recompute-hour.ts';
export type { RollupBucket } from './write-bucket.ts';

/** The distinct buckets to recompute for `touched`: hours, then days, then months, each in first-touched order. */
export function planBuckets(touched: Iterable<TouchedHour>): RollupBucket[] {
  const plan = { hour: new Map<string, RollupBucket>(), day: new Map(), month: new Map() };
  for (const { site, hour } of touched)
    for (const grain of ['hour', 'day', 'month'] as const) {
      const start = bucketStart(grain, hour);
      plan[grain].set(touchedHourId({ site, hour: start }), { site, grain, start });
    }
  return [...plan.hour.values(), ...plan.day.values(), ...plan.month.values()];
}

export function recomputeBucket(options: RecomputeOptions, bucket: RollupBucket): Promise<RecomputeResult> {
  return bucket.grain === 'hour'
    ? recomputeHour(options, bucket.site, bucket.start)
    : mergeBucket(options, { ...bucket, grain: bucket.grain });
}

/** Every bucket of `touched`, one after the other: what the worker does for one Kafka batch. */
export async function rollUp(options: RecomputeOptions, touched: Iterable<TouchedHour>): Promise<void> {
  for (const bucket of planBuckets(touched)) await recomputeBucket(options, bucket);
}
