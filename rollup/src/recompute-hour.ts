// Recomputes one (site, hour) bucket from the raw events and overwrites its
// rollup points (days and months are merged from hours: recompute.ts).
// Reading the raw events (not adding to a counter) is what makes it exact: a redelivered or resent event is one point in raw storage, a late
// one is counted in its own hour whenever it arrives, and running this twice
// writes the same points twice.
import { DIMENSION_COLUMNS, DIMENSIONS, FIELD, MEASUREMENT, TAG, type Dimension } from '@eventline/contract';
import { createBucketAggregate, type RollupRow } from './bucket-aggregate.ts';
import { ident, type InfluxQL, type Row } from './influxql.ts';
import { sequenceLines, storedTagValue } from './line-protocol.ts';
import { encodeParts, HourSequences } from './sequence-runs.ts';
import { endOf, timeParams, writeBucket } from './write-bucket.ts';

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

const SEQUENCE_COLUMNS = [FIELD.sessionId, FIELD.tabId, FIELD.seq];

/** Adds a raw row's sequence number; events without a session or a number (sent by a server, say) have none. */
function addSequence(sequences: HourSequences, row: Row): void {
  const [sessionId, tabId, seq] = SEQUENCE_COLUMNS.map((column) => row[column]);
  if (typeof sessionId === 'string' && sessionId !== '' && typeof seq === 'number')
    sequences.add(sessionId, text(tabId), seq);
}

/** The raw events of `site` in the hour, `columns` of them, chunk by chunk. */
function rawHour(options: RecomputeOptions, columns: readonly string[], site: string, hour: number) {
  const { influxql } = options;
  const statement = `SELECT ${columns.map(ident).join(',')}
    FROM ${ident(influxql.database)}.${ident(options.rawPolicy)}.${ident(MEASUREMENT)}
    WHERE ${ident(TAG.site)} = $site AND time >= $from AND time < $to`;
  return influxql.rows(statement, timeParams(site, hour, endOf({ site, grain: 'hour', start: hour })));
}

/**
 * Writes an hour's sequence rollup alone, from its raw events (for hours rolled up before these existed); writes
 * nothing when the hour has no raw events left (past their retention). Answers how many points were written.
 */
export async function recomputeSequences(options: RecomputeOptions, site: string, hour: number): Promise<number> {
  const sequences = new HourSequences();
  let events = 0;
  for await (const chunk of rawHour(options, SEQUENCE_COLUMNS, site, hour)) {
    for (const row of chunk) addSequence(sequences, row);
    events += chunk.length;
  }
  if (events === 0) return 0;
  const lines = sequenceLines(site, hour, encodeParts(sequences.entries()));
  await options.influxql.write(lines, options.rollupPolicy);
  return lines.length;
}

export async function recomputeHour(options: RecomputeOptions, site: string, hour: number): Promise<RecomputeResult> {
  const { influxql } = options;
  const bucket = { site, grain: 'hour', start: hour } as const;
  // Extra tags on raw points (a shard tag, say) are further columns this ignores.
  const columns = [...new Set([...RAW_COLUMNS, ...SEQUENCE_COLUMNS])];
  const aggregate = createBucketAggregate({ maxValues: options.maxValues });
  const sequences = new HourSequences();
  let events = 0;
  for await (const chunk of rawHour(options, columns, site, hour)) {
    for (const row of chunk) {
      aggregate.add(toRollupRow(row));
      addSequence(sequences, row);
    }
    events += chunk.length;
  }
  // The hour's sequence rollup in the same write, so a reader never finds its counts without its sequence numbers.
  const sequenceRollup = sequenceLines(site, hour, encodeParts(sequences.entries()));
  return {
    events,
    points: await writeBucket(influxql, options.rollupPolicy, bucket, aggregate.points(), sequenceRollup),
  };
}
