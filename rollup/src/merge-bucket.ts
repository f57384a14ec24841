// Recomputes a day from its hours, or a month from its days: the finer
// bucket's stored points are read once, per (audience, dimension, value), their
// counts added and their sketches merged, and the result is bounded and written
// like an hour. Exact as its hours are: the same points always merge to the same
// day, so a recompute after a late event or a replay changes only what changed.
import {
  ALL_DIMENSION,
  AUDIENCES,
  DIMENSIONS,
  ROLLUP_FIELD,
  ROLLUP_TAG,
  type Audience,
  type Dimension,
} from '@eventline/contract';
import { HyperLogLog } from '@eventline/kit/hyperloglog';
import { createBucketAggregate } from './bucket-aggregate.ts';
import type { RecomputeOptions, RecomputeResult } from './recompute-hour.ts';
import { bucketStatement, endOf, timeParams, writeBucket, type RollupBucket } from './write-bucket.ts';

/** The grain each coarser grain is merged from. */
export const FINER = { day: 'hour', month: 'day' } as const;

const audiences = new Set<string>(AUDIENCES);
const dimensions = new Set<string>([ALL_DIMENSION, ...DIMENSIONS]);

export async function mergeBucket(
  options: RecomputeOptions,
  bucket: RollupBucket & { grain: keyof typeof FINER },
): Promise<RecomputeResult> {
  const { influxql } = options;
  const f = ROLLUP_FIELD;
  const statement = bucketStatement(influxql, options.rollupPolicy, FINER[bucket.grain], [
    f.events,
    f.pageviews,
    f.visitors,
    f.sessions,
  ]);
  const aggregate = createBucketAggregate({ maxValues: options.maxValues });
  let events = 0;
  for await (const chunk of influxql.rows(statement, timeParams(bucket.site, bucket.start, endOf(bucket)))) {
    for (const row of chunk) {
      const count = Number(row[f.events]);
      const audience = String(row[ROLLUP_TAG.audience]);
      const dimension = String(row[ROLLUP_TAG.dimension]);
      // Zeros are values overwritten when they moved into (other): nothing to add.
      if (!(count > 0) || !audiences.has(audience) || !dimensions.has(dimension)) continue;
      if (dimension === ALL_DIMENSION) events += count;
      aggregate.merge(audience as Audience, dimension as Dimension, String(row[ROLLUP_TAG.value]), {
        events: count,
        pageviews: Number(row[f.pageviews]),
        visitors: HyperLogLog.deserialize(String(row[f.visitors])),
        sessions: HyperLogLog.deserialize(String(row[f.sessions])),
      });
    }
  }
  const points = await writeBucket(influxql, options.rollupPolicy, bucket, aggregate.points());
  return { events, points };
}
