// Days and months for hours rolled up before those grains existed: every stored
// hour bucket of every site (or of one range) is planned as the worker plans a
// batch, and its days and months are merged from the stored hours. Idempotent,
// so it can be run again at any time; the hours themselves are not touched.
import { ALL_DIMENSION, ROLLUP_FIELD, ROLLUP_TAG, type TouchedHour } from '@eventline/contract';
import { ident } from './influxql.ts';
import { IN_RANGE, rollupSelect } from './rollup-select.ts';
import { planBuckets, recomputeBucket, type RecomputeOptions, type RollupBucket } from './recompute.ts';

export interface BackfillResult {
  hours: number;
  buckets: number;
}

/** Every (site, hour) holding a rollup, read from the hours' totals. */
async function storedHours(options: RecomputeOptions, range: { from: number; to: number }): Promise<TouchedHour[]> {
  const statement = rollupSelect(options.influxql, {
    rollupPolicy: options.rollupPolicy,
    grain: 'hour',
    fields: [ROLLUP_FIELD.events],
    where: [`${ident(ROLLUP_TAG.dimension)} = $dimension`, IN_RANGE],
    groupBy: [ROLLUP_TAG.site],
  });
  const params = {
    dimension: ALL_DIMENSION,
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
  };
  const hours: TouchedHour[] = [];
  for await (const chunk of options.influxql.rows(statement, params))
    for (const row of chunk) hours.push({ site: String(row[ROLLUP_TAG.site]), hour: Number(row['time']) });
  return hours;
}

export async function backfillCoarse(
  options: RecomputeOptions,
  range = { from: 0, to: Date.now() + 3_600_000 },
  onBucket: (bucket: RollupBucket) => void = () => {},
): Promise<BackfillResult> {
  const hours = await storedHours(options, range);
  const coarse = planBuckets(hours).filter((bucket) => bucket.grain !== 'hour');
  for (const bucket of coarse) {
    await recomputeBucket(options, bucket);
    onBucket(bucket);
  }
  return { hours: hours.length, buckets: coarse.length };
}
