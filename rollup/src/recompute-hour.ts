// Recomputes one (site, hour) bucket from the raw events and overwrites its
// rollup points (days and months are merged from hours: recompute.ts).
// Reading the raw events (not adding to a counter) is what makes it exact: a redelivered or resent event is one point in raw storage, a late
// one is counted in its own hour whenever it arrives, and running this twice
// writes the same points twice.
import {
  DIMENSION_COLUMNS,
  DIMENSIONS,
  FIELD,
  JOURNEY_ROLLUP,
  MEASUREMENT,
  SEQUENCE_ROLLUP,
  TAG,
  type Dimension,
} from '@eventline/contract';
import { createBucketAggregate, type RollupRow } from './bucket-aggregate.ts';
import { partLines } from './hour-parts.ts';
import { ident, type InfluxQL, type Row } from './influxql.ts';
import { ACTION_COLUMNS, actionOf, encodeJourneyParts, HourJourneys } from './journeys.ts';
import { storedTagValue } from './line-protocol.ts';
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
/** The raw columns of an hour's sequences and journeys. */
const PART_COLUMNS = [...new Set([...SEQUENCE_COLUMNS, FIELD.anonymousId, FIELD.bot, ...ACTION_COLUMNS])];

/** An hour's rollups kept as text: its sequence numbers and its journeys, fed raw rows in storage's order. */
class HourParts {
  private readonly sequences = new HourSequences();
  private readonly journeys = new HourJourneys();

  add(row: Row): void {
    const [sessionId, tabId, seq] = SEQUENCE_COLUMNS.map((column) => row[column]);
    const session = text(sessionId);
    // Events without a session or a number (sent by a server, say) have no sequence.
    if (session !== undefined && typeof seq === 'number') this.sequences.add(session, text(tabId), seq);
    this.journeys.add({
      sessionId: session,
      anonymousId: String(row[FIELD.anonymousId] ?? ''),
      bot: row[FIELD.bot] === true,
      time: Number(row['time']),
      action: actionOf(row),
    });
  }

  lines(site: string, hour: number): string[] {
    return [
      ...partLines(SEQUENCE_ROLLUP, site, hour, encodeParts(this.sequences.entries())),
      ...partLines(JOURNEY_ROLLUP, site, hour, encodeJourneyParts(this.journeys.list(), hour)),
    ];
  }
}

/** The raw events of `site` in the hour, `columns` of them, chunk by chunk, in storage's order. */
function rawHour(options: RecomputeOptions, columns: readonly string[], site: string, hour: number) {
  const { influxql } = options;
  const statement = `SELECT ${columns.map(ident).join(',')}
    FROM ${ident(influxql.database)}.${ident(options.rawPolicy)}.${ident(MEASUREMENT)}
    WHERE ${ident(TAG.site)} = $site AND time >= $from AND time < $to`;
  return influxql.rows(statement, timeParams(site, hour, endOf({ site, grain: 'hour', start: hour })));
}

/**
 * Writes an hour's sequence and journey rollups alone, from its raw events (for hours rolled up before these
 * existed); writes nothing when the hour has no raw events left (past their retention). Answers how many points
 * were written.
 */
export async function recomputeHourParts(options: RecomputeOptions, site: string, hour: number): Promise<number> {
  const parts = new HourParts();
  let events = 0;
  for await (const chunk of rawHour(options, PART_COLUMNS, site, hour)) {
    for (const row of chunk) parts.add(row);
    events += chunk.length;
  }
  if (events === 0) return 0;
  const lines = parts.lines(site, hour);
  await options.influxql.write(lines, options.rollupPolicy);
  return lines.length;
}

export async function recomputeHour(options: RecomputeOptions, site: string, hour: number): Promise<RecomputeResult> {
  const { influxql } = options;
  const bucket = { site, grain: 'hour', start: hour } as const;
  // Extra tags on raw points (a shard tag, say) are further columns this ignores.
  const columns = [...new Set([...RAW_COLUMNS, ...PART_COLUMNS])];
  const aggregate = createBucketAggregate({ maxValues: options.maxValues });
  const parts = new HourParts();
  let events = 0;
  for await (const chunk of rawHour(options, columns, site, hour)) {
    for (const row of chunk) {
      aggregate.add(toRollupRow(row));
      parts.add(row);
    }
    events += chunk.length;
  }
  // The hour's sequences and journeys in the same write, so a reader never finds its counts without them.
  return {
    events,
    points: await writeBucket(influxql, options.rollupPolicy, bucket, aggregate.points(), parts.lines(site, hour)),
  };
}
