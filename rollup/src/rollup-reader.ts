// Reads rollup points back as answers: per value of a dimension over a range of
// whole hours, events and page views summed and unique sketches merged (so a
// visitor seen in many hours counts once). The range is read from the coarsest
// buckets that fit (cover.ts): 30 days are about 30 day points, not 720 hours.
// Shared by the dashboard and the tests.
import {
  ALL_DIMENSION,
  ROLLUP_FIELD,
  ROLLUP_MEASUREMENTS,
  ROLLUP_TAG,
  type Audience,
  type Dimension,
} from '@eventline/contract';
import { HyperLogLog } from '@eventline/kit/hyperloglog';
import { coverRange, type Segment } from './cover.ts';
import { ident, type InfluxQL } from './influxql.ts';

export interface ValueTotals {
  events: number;
  pageviews: number;
  visitors: HyperLogLog;
  sessions: HyperLogLog;
}

type AnyDimension = Dimension | typeof ALL_DIMENSION;

/** Groups a point (or a raw event) of `dimension`'s `value` in the rollup bucket starting at `start` into a key. */
export type KeyOf = (value: string, start: number, dimension: AnyDimension) => string;

export interface RollupQuery {
  site: string;
  audience: Audience;
  /** One dimension, or several read at once (keyOf then tells them apart). */
  dimension: AnyDimension | readonly AnyDimension[];
  /** Inclusive, epoch ms, the start of an hour. */
  from: number;
  /** Exclusive, epoch ms, the start of an hour. */
  to: number;
  /**
   * Where the answer's buckets start (whole hours): no rollup bucket across one is read, so `keyOf` sees each
   * point inside one answer bucket. Default: none (the range is one bucket)
   */
  cuts?: readonly number[];
  /**
   * The metrics to read; the others are answered as 0 (or an empty sketch). A sketch is up to 16 KiB a point, so a
   * count over months reads far less without them. Default: all four
   */
  fields?: readonly (keyof typeof ROLLUP_FIELD)[];
}

/**
 * Totals per key, by default the value; `keyOf` groups otherwise (by local day, say) and is given the start of each
 * rollup bucket read. Values whose rollups all hold zero (overwritten when they moved into (other)) are left out.
 */
export async function readRollup(
  influxql: InfluxQL,
  rollupPolicy: string,
  query: RollupQuery,
  keyOf: KeyOf = (value) => value,
): Promise<Map<string, ValueTotals>> {
  const f = ROLLUP_FIELD;
  const dimensions = dimensionsOf(query);
  // `events` is always read: a value whose events are 0 was overwritten and is left out.
  const fields = new Set([f.events, ...(query.fields ?? [f.pageviews, f.visitors, f.sessions]).map((k) => f[k])]);
  const statement = (segment: Segment) => `SELECT ${[...fields].map(ident).join(',')}
    FROM ${ident(influxql.database)}.${ident(rollupPolicy)}.${ident(ROLLUP_MEASUREMENTS[segment.grain])}
    WHERE ${ident(ROLLUP_TAG.site)} = $site AND ${ident(ROLLUP_TAG.audience)} = $audience
      AND (${dimensions.map((_, i) => `${ident(ROLLUP_TAG.dimension)} = $dimension${i}`).join(' OR ')})
      AND time >= $from AND time < $to
    GROUP BY ${ident(ROLLUP_TAG.dimension)}, ${ident(ROLLUP_TAG.value)}`;
  const totals = new Map<string, ValueTotals>();
  const readSegment = async (segment: Segment) => {
    const params = {
      site: query.site,
      audience: query.audience,
      ...Object.fromEntries(dimensions.map((dimension, i) => [`dimension${i}`, dimension])),
      from: new Date(segment.from).toISOString(),
      to: new Date(segment.to).toISOString(),
    };
    for await (const chunk of influxql.rows(statement(segment), params)) {
      for (const row of chunk) {
        const events = Number(row[f.events]);
        if (!(events > 0)) continue;
        const dimension = String(row[ROLLUP_TAG.dimension]) as AnyDimension;
        const key = keyOf(String(row[ROLLUP_TAG.value]), Number(row['time']), dimension);
        let total = totals.get(key);
        if (!total) {
          total = { events: 0, pageviews: 0, visitors: new HyperLogLog(), sessions: new HyperLogLog() };
          totals.set(key, total);
        }
        total.events += events;
        if (fields.has(f.pageviews)) total.pageviews += Number(row[f.pageviews]);
        if (fields.has(f.visitors)) total.visitors.merge(HyperLogLog.deserialize(String(row[f.visitors])));
        if (fields.has(f.sessions)) total.sessions.merge(HyperLogLog.deserialize(String(row[f.sessions])));
      }
    }
  };
  await Promise.all(coverRange(query.from, query.to, query.cuts).map(readSegment));
  return totals;
}

export const dimensionsOf = (query: Pick<RollupQuery, 'dimension'>): readonly AnyDimension[] =>
  typeof query.dimension === 'string' ? [query.dimension] : query.dimension;

/** `read`'s totals per value, for each of several dimensions read at once. */
export async function totalsByDimension<D extends AnyDimension>(
  dimensions: readonly D[],
  read: (keyOf: KeyOf) => Promise<Map<string, ValueTotals>>,
): Promise<Map<D, Map<string, ValueTotals>>> {
  const byDimension = new Map<D, Map<string, ValueTotals>>(dimensions.map((d) => [d, new Map()]));
  const flat = await read((value, _start, dimension) => JSON.stringify([dimension, value]));
  for (const [key, totals] of flat) {
    const [dimension, value] = JSON.parse(key) as [D, string];
    byDimension.get(dimension)?.set(value, totals);
  }
  return byDimension;
}
