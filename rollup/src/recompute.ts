// What one set of touched hours costs to roll up, in order: each hour from its
// raw events, then each day those hours fall in from its hours, then each month
// from its days. Coarser buckets come after the finer ones they are merged
// from, so a day never reads an hour older than the one just written.
import {
  bucketStart,
  ROLLUP_GRAINS,
  touchedHourId,
  type RollupGrain,
  type TimeSpan,
  type TouchedHour,
} from '@eventline/contract';
import type { KeptHours } from './kept-hours.ts';
import { mergeBucket } from './merge-bucket.ts';
import { recomputeHour, type RecomputeOptions, type RecomputeResult } from './recompute-hour.ts';
import type { RollupBucket } from './write-bucket.ts';

export type { RecomputeOptions, RecomputeResult } from './recompute-hour.ts';
export type { RollupBucket } from './write-bucket.ts';

/** A bucket to recompute. */
export interface PlannedBucket extends RollupBucket {
  /** An hour's announced spans of event times; undefined when an announcement named the whole hour (and for days and months). */
  spans: TimeSpan[] | undefined;
}

/** The distinct buckets to recompute for `touched`: hours, then days, then months, each in first-touched order. */
export function planBuckets(touched: Iterable<TouchedHour>): PlannedBucket[] {
  const plan = new Map<RollupGrain, Map<string, PlannedBucket>>(ROLLUP_GRAINS.map((grain) => [grain, new Map()]));
  for (const { site, hour, span } of touched)
    for (const grain of ROLLUP_GRAINS) {
      const start = bucketStart(grain, hour);
      const buckets = plan.get(grain)!;
      const id = touchedHourId({ site, hour: start });
      const planned = buckets.get(id);
      const spans = grain === 'hour' && span ? [span] : undefined;
      if (!planned) buckets.set(id, { site, grain, start, spans });
      else if (planned.spans && span) planned.spans.push(span);
      else planned.spans = undefined;
    }
  return [...plan.values()].flatMap((buckets) => [...buckets.values()]);
}

/** Recomputes `bucket`; an hour reads only its spans when `kept` holds its tally, and is kept there after. */
export function recomputeBucket(
  options: RecomputeOptions,
  bucket: PlannedBucket,
  kept?: KeptHours,
): Promise<RecomputeResult> {
  return bucket.grain === 'hour'
    ? recomputeHour(options, bucket.site, bucket.start, kept && { kept, spans: bucket.spans })
    : mergeBucket(options, { ...bucket, grain: bucket.grain });
}

/** Every bucket of `touched`, one after the other: what the worker does for one Kafka batch. */
export async function rollUp(
  options: RecomputeOptions,
  touched: Iterable<TouchedHour>,
  kept?: KeptHours,
): Promise<void> {
  for (const bucket of planBuckets(touched)) await recomputeBucket(options, bucket, kept);
}
