// Overwrites one bucket's rollup points with a recompute's: every listed value
// is rewritten (same series, same time), and a value stored before but not
// listed now (it fell into (other)) is overwritten with zeros, so nothing is
// ever counted twice and writing the same points again changes nothing.
import { ROLLUP_FIELD, ROLLUP_TAG, bucketEnd, type RollupCounts, type RollupGrain } from '@eventline/contract';
import { HyperLogLog } from '@eventline/kit/hyperloglog';
import type { RollupPoint } from './bucket-aggregate.ts';
import { ident, type InfluxQL } from './influxql.ts';
import { rollupLine } from './line-protocol.ts';
import { IN_RANGE, rollupSelect } from './rollup-select.ts';

/** One rollup bucket of a site: a UTC hour, day or month. */
export interface RollupBucket {
  site: string;
  grain: RollupGrain;
  /** Start of the UTC bucket, epoch ms. */
  start: number;
}

const EMPTY: RollupCounts = [0, 0, new HyperLogLog().serialize(), new HyperLogLog().serialize()];

/** Time bounds as RFC 3339 strings, which InfluxQL compares `time` with when bound as parameters. */
export function timeParams(site: string, from: number, to: number): Record<string, string> {
  return { site, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** The bucket's stored points in [start, end) of `grain`'s measurement, per (audience, dimension, value). */
export function bucketStatement(
  influxql: InfluxQL,
  rollupPolicy: string,
  grain: RollupGrain,
  fields: readonly string[],
): string {
  return rollupSelect(influxql, {
    rollupPolicy,
    grain,
    fields,
    where: [`${ident(ROLLUP_TAG.site)} = $site`, IN_RANGE],
    groupBy: [ROLLUP_TAG.audience, ROLLUP_TAG.dimension, ROLLUP_TAG.value],
  });
}

/**
 * Writes `points` as the bucket's rollups, with `also` (other lines of the bucket) in the same request; answers how
 * many lines were written.
 */
export async function writeBucket(
  influxql: InfluxQL,
  rollupPolicy: string,
  bucket: RollupBucket,
  points: readonly RollupPoint[],
  also: readonly string[] = [],
): Promise<number> {
  const lines: string[] = [...also];
  const written = new Set<string>();
  const key = (audience: string, dimension: string, value: string) => `${audience}\u0000${dimension}\u0000${value}`;
  for (const point of points) {
    for (const [value, counts] of Object.entries(point.values)) {
      written.add(key(point.audience, point.dimension, value));
      lines.push(rollupLine({ ...bucket, audience: point.audience, dimension: point.dimension, value }, counts));
    }
  }
  const before = bucketStatement(influxql, rollupPolicy, bucket.grain, [ROLLUP_FIELD.events]);
  // Only the bucket's own time: the points of one bucket all sit at its start.
  for await (const chunk of influxql.rows(before, timeParams(bucket.site, bucket.start, bucket.start + 1))) {
    for (const row of chunk) {
      const [audience, dimension, value] = [ROLLUP_TAG.audience, ROLLUP_TAG.dimension, ROLLUP_TAG.value].map((tag) =>
        String(row[tag]),
      ) as [string, string, string];
      if (!written.has(key(audience, dimension, value)) && Number(row[ROLLUP_FIELD.events]) > 0)
        lines.push(rollupLine({ ...bucket, audience, dimension, value }, EMPTY));
    }
  }
  await influxql.write(lines, rollupPolicy);
  return lines.length;
}

/** The end (exclusive) of a bucket. */
export const endOf = (bucket: RollupBucket): number => bucketEnd(bucket.grain, bucket.start);
