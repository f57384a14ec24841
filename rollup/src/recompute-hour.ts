// Recomputes one (site, hour) bucket from the raw events and overwrites its
// rollup points. Reading the raw events (not adding to a counter) is what makes
// it exact: a redelivered or resent event is one point in raw storage, a late
// one is counted in its own hour whenever it arrives, and running this twice
// writes the same points twice.
import {
  DIMENSION_COLUMNS,
  DIMENSIONS,
  FIELD,
  MEASUREMENT,
  ROLLUP_BUCKET_MS,
  ROLLUP_FIELD,
  ROLLUP_MEASUREMENT,
  ROLLUP_TAG,
  TAG,
  type Dimension,
  type RollupCounts,
} from '@eventline/contract';
import { HyperLogLog } from '@eventline/kit/hyperloglog';
import { createHourAggregate, type RollupRow } from './hour-aggregate.ts';
import { ident, type InfluxQL, type Row } from './influxql.ts';
import { rollupLine, storedTagValue } from './line-protocol.ts';

export interface RecomputeOptions {
  influxql: InfluxQL;
  /** Retention policy of the raw events. */
  rawPolicy: string;
  /** Retention policy of the rollups. */
  rollupPolicy: string;
  /** Most values listed per (site, dimension, hour). */
  maxValues: number;
}

export interface RecomputeResult {
  events: number;
  points: number;
}

/** The raw columns a rollup reads: who, bot or not, and every dimension. */
export const RAW_COLUMNS = [
  FIELD.anonymousId,
  FIELD.sessionId,
  FIELD.bot,
  TAG.type,
  ...new Set(Object.values(DIMENSION_COLUMNS).filter((column) => column !== TAG.type)),
];

const EMPTY: RollupCounts = [0, 0, new HyperLogLog().serialize(), new HyperLogLog().serialize()];

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** A raw row as the rollups see it: its dimension values as their tags will read back. */
export function toRollupRow(row: Row): RollupRow {
  const values: Partial<Record<Dimension, string>> = {};
  for (const dimension of DIMENSIONS) {
    const value = text(row[DIMENSION_COLUMNS[dimension]]);
    // As the tag will read back, so a value written now is recognised among those written before.
    if (value !== undefined) values[dimension] = storedTagValue(value);
  }
  return {
    anonymousId: String(row[FIELD.anonymousId] ?? ''),
    sessionId: text(row[FIELD.sessionId]),
    bot: row[FIELD.bot] === true,
    type: String(row[TAG.type] ?? ''),
    values,
  };
}

export async function recomputeHour(options: RecomputeOptions, site: string, hour: number): Promise<RecomputeResult> {
  const { influxql } = options;
  const range = { site, from: hour, to: hour + ROLLUP_BUCKET_MS };
  const db = ident(influxql.database);
  // Extra tags on raw points (a shard tag, say) are further columns this ignores.
  const raw = `SELECT ${RAW_COLUMNS.map(ident).join(',')} FROM ${db}.${ident(options.rawPolicy)}.${ident(MEASUREMENT)}
    WHERE ${ident(TAG.site)} = $site AND time >= $from AND time < $to`;
  const aggregate = createHourAggregate({ maxValues: options.maxValues });
  let events = 0;
  for await (const chunk of influxql.rows(raw, msParams(range))) {
    for (const row of chunk) aggregate.add(toRollupRow(row));
    events += chunk.length;
  }

  const lines: string[] = [];
  const written = new Set<string>();
  for (const point of aggregate.points()) {
    for (const [value, counts] of Object.entries(point.values)) {
      written.add(`${point.audience}\u0000${point.dimension}\u0000${value}`);
      lines.push(rollupLine({ site, audience: point.audience, dimension: point.dimension, value, hour }, counts));
    }
  }
  // A value listed before but not now (it fell into (other)) is overwritten with zeros, so it is not counted twice.
  const before = `SELECT ${ident(ROLLUP_FIELD.events)} FROM ${db}.${ident(options.rollupPolicy)}.${ident(ROLLUP_MEASUREMENT)}
    WHERE ${ident(ROLLUP_TAG.site)} = $site AND time >= $from AND time < $to
    GROUP BY ${ident(ROLLUP_TAG.audience)}, ${ident(ROLLUP_TAG.dimension)}, ${ident(ROLLUP_TAG.value)}`;
  for await (const chunk of influxql.rows(before, msParams({ site, from: hour, to: hour + 1 }))) {
    for (const row of chunk) {
      const key = { audience: String(row[ROLLUP_TAG.audience]), dimension: String(row[ROLLUP_TAG.dimension]) };
      const value = String(row[ROLLUP_TAG.value]);
      if (!written.has(`${key.audience}\u0000${key.dimension}\u0000${value}`) && Number(row[ROLLUP_FIELD.events]) > 0)
        lines.push(rollupLine({ site, ...key, value, hour }, EMPTY));
    }
  }
  await influxql.write(lines, options.rollupPolicy);
  return { events, points: lines.length };
}

/** Time bounds as RFC 3339 strings, which InfluxQL compares `time` with when bound as parameters. */
function msParams(range: { site: string; from: number; to: number }): Record<string, string> {
  return { site: range.site, from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() };
}
