// What one set of touched hours costs to roll up, in order: each hour from its
// raw events, then each day those hours fall in from its hours, then each month
// from its days. Coarser buckets come after the finer ones they are merged
// from, so a day never reads an hour older than the one just written.
import { bucketStart, ROLLUP_GRAINS, touchedHourId, type RollupGrain, type TouchedHour } from '@eventline/contract';
import { mergeBucket } from './merge-bucket.ts';
import { recomputeHour, type RecomputeOptions, type RecomputeResult } from './recompute-hour.ts';
import type { RollupBucket } from './write-bucket.ts';

export type { RecomputeOptions, RecomputeResult } from './recompute-hour.ts';
export type { RollupBucket } from './write-bucket.ts';

/** The distinct buckets to recompute for `touched`: hours, then days, then months, each in first-touched order. */
export function planBuckets(touched: Iterable<TouchedHour>): RollupBucket[] {
  const plan = new Map<RollupGrain, Map<string, RollupBucket>>(ROLLUP_GRAINS.map((grain) => [grain, new Map()]));
  for (const { site, hour } of touched)
    for (const grain of ROLLUP_GRAINS) {
      const start = bucketStart(grain, hour);
      plan.get(grain)!.set(touchedHourId({ site, hour: start }), { site, grain, start });
    }
  return [...plan.values()].flatMap((buckets) => [...buckets.values()]);
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
