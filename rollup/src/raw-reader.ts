// Answers with filters, from the raw events: rollups are kept per single
// dimension, so "path = /pricing and browser = Firefox" cannot be read from
// them. The raw events of the range are scanned once (the `type` filter is
// pushed into the bound InfluxQL; the others are compared here, on values read
// exactly as the rollups store them) and tallied like rollups, per key, with
// the same sketches, so a filtered answer has the shape of an unfiltered one.
import {
  ALL_DIMENSION,
  ALL_VALUE,
  DIMENSION_COLUMNS,
  hourOf,
  MEASUREMENT,
  NONE_VALUE,
  TAG,
  type Dimension,
} from '@eventline/contract';
import { hashOf, HyperLogLog } from '@eventline/kit/hyperloglog';
import { ident, type InfluxQL, type Params, type Row } from './influxql.ts';
import type { RollupRow } from './bucket-aggregate.ts';
import { RAW_COLUMNS, toRollupRow } from './hour-tally.ts';
import { dimensionsOf, type KeyOf, type RollupQuery, type ValueTotals } from './rollup-reader.ts';

/** Events whose `dimension` is `value` (NONE_VALUE: events without one). */
export interface DimensionFilter {
  dimension: Dimension;
  value: string;
}

function passes(values: RollupRow['values'], filters: readonly DimensionFilter[]): boolean {
  return filters.every(({ dimension, value }) => (values[dimension] || NONE_VALUE) === value);
}

/** Whether the raw row has every filter's value, as the rollups would store it. */
export function rowMatches(row: Row, filters: readonly DimensionFilter[]): boolean {
  return filters.length === 0 || passes(toRollupRow(row).values, filters);
}

/** The raw columns `rowMatches` reads for `filters`. */
export function filterColumns(filters: readonly DimensionFilter[]): string[] {
  return [...new Set(filters.map(({ dimension }) => DIMENSION_COLUMNS[dimension]))];
}

/**
 * The WHERE clause over raw events of `site` in [from, to) with the `type` filters pushed down (as bound
 * parameters); the other filters are for `rowMatches`.
 */
export function rawWhere(
  query: { site: string; from: number; to: number },
  filters: readonly DimensionFilter[],
): { where: string; params: Params } {
  const params: Params = {
    site: query.site,
    from: new Date(query.from).toISOString(),
    to: new Date(query.to).toISOString(),
  };
  const clauses = [`${ident(TAG.site)} = $site`, 'time >= $from', 'time < $to'];
  filters.forEach(({ dimension, value }, i) => {
    if (dimension !== 'type') return;
    params[`filter${i}`] = value;
    clauses.push(`${ident(TAG.type)} = $filter${i}`);
  });
  return { where: clauses.join(' AND '), params };
}

/** readRollup's answer computed from the raw events that pass `filters`: totals per key, by default the value. */
export async function readRaw(
  influxql: InfluxQL,
  rawPolicy: string,
  query: RollupQuery & { filters: readonly DimensionFilter[] },
  keyOf: KeyOf = (value) => value,
): Promise<Map<string, ValueTotals>> {
  const dimensions = dimensionsOf(query);
  const { where, params } = rawWhere(query, query.filters);
  const statement = `SELECT ${RAW_COLUMNS.map(ident).join(',')}
    FROM ${ident(influxql.database)}.${ident(rawPolicy)}.${ident(MEASUREMENT)} WHERE ${where}`;
  const bots = query.audience === 'bots';
  const totals = new Map<string, ValueTotals>();
  for await (const chunk of influxql.rows(statement, params)) {
    for (const raw of chunk) {
      const row = toRollupRow(raw);
      if (row.bot !== bots) continue;
      if (!passes(row.values, query.filters)) continue;
      const time = Number(raw['time']);
      const visitor = hashOf(row.anonymousId);
      const session = row.sessionId ? hashOf(row.sessionId) : undefined;
      for (const dimension of dimensions) {
        const value = dimension === ALL_DIMENSION ? ALL_VALUE : row.values[dimension] || NONE_VALUE;
        const key = keyOf(value, hourOf(time), dimension);
        let total = totals.get(key);
        if (!total) {
          total = { events: 0, pageviews: 0, visitors: new HyperLogLog(), sessions: new HyperLogLog() };
          totals.set(key, total);
        }
        total.events++;
        if (row.type === 'pageview') total.pageviews++;
        total.visitors.add(visitor);
        if (session) total.sessions.add(session);
      }
    }
  }
  return totals;
}
