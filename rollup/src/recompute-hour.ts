// Recomputes one (site, hour) bucket from the raw events and overwrites its
// rollup points (days and months are merged from hours: recompute.ts).
// Reading the raw events (not adding to a counter) is what makes it exact: a
// redelivered or resent event is one point in raw storage, a late one is
// counted in its own hour whenever it arrives, and running this twice writes
// the same points twice. An hour's tally can be kept (kept-hours.ts): then only
// the spans the consumer announced are read again and their points not yet
// counted are added, which gives what a read of the whole hour gives.
import { MEASUREMENT, TAG, type TimeSpan } from '@eventline/contract';
import { HourTally, TALLY_COLUMNS } from './hour-tally.ts';
import { ident, type InfluxQL } from './influxql.ts';
import type { KeptHours } from './kept-hours.ts';
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
  /** Events the bucket holds (people and bots). */
  events: number;
  /** Points written: 0 when nothing changed (a kept hour's spans held no point it had not counted). */
  points: number;
}

/** The raw events of `site` in [from, to), every column a tally reads, chunk by chunk, times in RFC 3339. */
function rawSpan(options: RecomputeOptions, site: string, from: number, to: number) {
  const { influxql } = options;
  const statement = `SELECT ${TALLY_COLUMNS.map(ident).join(',')}
    FROM ${ident(influxql.database)}.${ident(options.rawPolicy)}.${ident(MEASUREMENT)}
    WHERE ${ident(TAG.site)} = $site AND time >= $from AND time < $to`;
  return influxql.rows(statement, timeParams(site, from, to), { times: 'rfc3339' });
}

/** Adds the points of [from, to) of the hour that `tally` has not counted; answers how many. */
async function readInto(options: RecomputeOptions, tally: HourTally, from: number, to: number): Promise<number> {
  let added = 0;
  for await (const chunk of rawSpan(options, tally.site, from, to)) added += tally.add(chunk);
  return added;
}

/** The hour counted from all its raw events. */
async function wholeHour(options: RecomputeOptions, site: string, hour: number): Promise<HourTally> {
  const tally = new HourTally(site, hour, options.maxValues);
  await readInto(options, tally, hour, endOf({ site, grain: 'hour', start: hour }));
  return tally;
}

/**
 * Writes an hour's sequence and journey rollups alone, from its raw events (for hours rolled up before these
 * existed); writes nothing when the hour has no raw events left (past their retention). Answers how many points
 * were written.
 */
export async function recomputeHourParts(options: RecomputeOptions, site: string, hour: number): Promise<number> {
  const tally = await wholeHour(options, site, hour);
  if (tally.events === 0) return 0;
  const lines = tally.partLines();
  await options.influxql.write(lines, options.rollupPolicy);
  return lines.length;
}

/** Where recomputeHour may keep the hour's tally, and what of the hour changed. */
export interface IncrementalRecompute {
  kept: KeptHours;
  /** The spans of event times stored since the hour was last recomputed; undefined: any part of the hour. */
  spans: readonly TimeSpan[] | undefined;
}

export async function recomputeHour(
  options: RecomputeOptions,
  site: string,
  hour: number,
  incremental?: IncrementalRecompute,
): Promise<RecomputeResult> {
  const bucket = { site, grain: 'hour', start: hour } as const;
  const spans = incremental?.spans;
  const kept = spans && incremental.kept.take(site, hour);
  let tally: HourTally;
  if (kept) {
    let added = 0;
    for (const span of coalesce(spans)) added += await readInto(options, kept, span.first, span.last + 1);
    // Nothing new: the points written when the tally was kept are this hour's.
    if (added === 0) {
      incremental.kept.keep(kept);
      return { events: kept.events, points: 0 };
    }
    tally = kept;
  } else tally = await wholeHour(options, site, hour);
  // The hour's sequences and journeys in the same write, so a reader never finds its counts without them.
  const points = await writeBucket(options.influxql, options.rollupPolicy, bucket, tally.points(), tally.partLines());
  incremental?.kept.keep(tally);
  return { events: tally.events, points };
}

/** Spans apart by less than this are read as one. */
const SPAN_GAP_MS = 60_000;

/** The spans sorted, those that overlap or nearly touch merged: one query each. */
export function coalesce(spans: readonly TimeSpan[]): TimeSpan[] {
  const merged: TimeSpan[] = [];
  for (const { first, last } of [...spans].sort((a, b) => a.first - b.first)) {
    const previous = merged[merged.length - 1];
    if (previous && first - previous.last <= SPAN_GAP_MS) previous.last = Math.max(previous.last, last);
    else merged.push({ first, last });
  }
  return merged;
}
