// What hours rolled up by an earlier version lack: days and months (every
// stored hour bucket of every site, or of one range, is planned as the worker
// plans a batch, and its days and months are merged from the stored hours), and
// sequence and journey rollups (written from the hour's raw events while they
// are kept).
// Idempotent, so it can be run again at any time; the hours' rollups of
// dimensions are not touched.
import {
  ALL_DIMENSION,
  JOURNEY_ROLLUP,
  ROLLUP_FIELD,
  ROLLUP_TAG,
  SEQUENCE_ROLLUP,
  touchedHourId,
  type PartedRollup,
  type TouchedHour,
} from '@eventline/contract';
import { ident } from './influxql.ts';
import { IN_RANGE, rollupSelect } from './rollup-select.ts';
import { planBuckets, recomputeBucket, type RecomputeOptions, type RollupBucket } from './recompute.ts';
import { recomputeHourParts } from './recompute-hour.ts';

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

/** The (site, hour) ids that have a first part of `rollup` in the range. */
async function hoursWith(
  options: RecomputeOptions,
  rollup: PartedRollup,
  params: Record<string, string>,
): Promise<Set<string>> {
  const { measurement, tag, field } = rollup;
  const statement = `SELECT ${ident(field.parts)}
    FROM ${ident(options.influxql.database)}.${ident(options.rollupPolicy)}.${ident(measurement)}
    WHERE ${ident(tag.part)} = '0' AND ${IN_RANGE} GROUP BY ${ident(tag.site)}`;
  const found = new Set<string>();
  for await (const chunk of options.influxql.rows(statement, params))
    for (const row of chunk) found.add(touchedHourId({ site: String(row[tag.site]), hour: Number(row['time']) }));
  return found;
}

/**
 * Sequence and journey rollups for the stored hours that lack either; hours whose raw events are gone are left
 * without.
 */
export async function backfillHourParts(
  options: RecomputeOptions,
  range = { from: 0, to: Date.now() + 3_600_000 },
): Promise<{ hours: number; written: number }> {
  const params = { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() };
  const [sequences, journeys] = await Promise.all(
    [SEQUENCE_ROLLUP, JOURNEY_ROLLUP].map((rollup) => hoursWith(options, rollup, params)),
  );
  const missing = (await storedHours(options, range)).filter(
    (hour) => !sequences!.has(touchedHourId(hour)) || !journeys!.has(touchedHourId(hour)),
  );
  let written = 0;
  for (const { site, hour } of missing) if ((await recomputeHourParts(options, site, hour)) > 0) written++;
  return { hours: missing.length, written };
}
