// One (site, hour) bucket being counted from its raw events: its counts and
// sketches per dimension value, its sequence numbers and its journeys, and the
// identity of every raw point already counted. Raw storage within an hour only
// grows (a point's identity is its series and time, and a resent or redelivered
// event is written to the same point with the same content), so a tally that is
// kept can be brought up to date by reading again only a span of the hour
// (the span a stored chunk announced) and adding the points it has not counted:
// the result is the tally of a read of the whole hour.
import {
  DIMENSION_COLUMNS,
  DIMENSIONS,
  FIELD,
  JOURNEY_ROLLUP,
  SEQUENCE_ROLLUP,
  TAG,
  type Dimension,
} from '@eventline/contract';
import { createBucketAggregate, type BucketAggregate, type RollupPoint, type RollupRow } from './bucket-aggregate.ts';
import { partLines } from './hour-parts.ts';
import type { Row } from './influxql.ts';
import { ACTION_COLUMNS, actionOf, encodeJourneyParts, HourJourneys } from './journeys.ts';
import { storedTagValue } from './line-protocol.ts';
import { encodeParts, HourSequences } from './sequence-runs.ts';

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** The raw columns a rollup reads: who, bot or not, and every dimension. */
export const RAW_COLUMNS = [
  FIELD.anonymousId,
  FIELD.sessionId,
  FIELD.bot,
  TAG.type,
  ...new Set(Object.values(DIMENSION_COLUMNS).filter((column) => column !== TAG.type)),
];

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

/** Every raw column a tally reads: the point's series, its dimensions, its sequence number and its journey step. */
export const TALLY_COLUMNS = [
  ...new Set([...RAW_COLUMNS, ...SEQUENCE_COLUMNS, TAG.shard, FIELD.anonymousId, FIELD.bot, ...ACTION_COLUMNS]),
];

/** The second a time of RFC 3339 text starts with, parsed once for the rows of that second (rows come in time order). */
let lastSecond = { text: '', ms: NaN };

/**
 * A raw point's time as InfluxDB writes it in RFC 3339 (`2026-12-07T18:05:01.123456789Z`, trailing zeros of the
 * fraction dropped): epoch ms, and nanoseconds since `hour` (exact: an hour is 3.6 · 10¹² ns).
 */
export function pointTime(time: string, hour: number): { ms: number; nsInHour: number } {
  const dot = time.indexOf('.');
  const secondText = dot < 0 ? time : time.slice(0, dot);
  if (secondText !== lastSecond.text)
    lastSecond = { text: secondText, ms: Date.parse(dot < 0 ? time : `${secondText}Z`) };
  const seconds = lastSecond.ms;
  const nanos = dot < 0 ? 0 : Number(time.slice(dot + 1, -1).padEnd(9, '0'));
  if (!Number.isFinite(seconds) || !Number.isInteger(nanos)) throw new Error(`not an RFC 3339 UTC time: ${time}`);
  return { ms: seconds + Math.floor(nanos / 1e6), nsInHour: (seconds - hour) * 1e6 + nanos };
}

/** A set of integers from 0 to 2⁵³ − 1 in one typed array (open addressing): no object per member. */
export class IntegerSet {
  private slots = new Float64Array(64).fill(-1);
  size = 0;

  /** Adds `value`; answers whether it was not there. */
  add(value: number): boolean {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    if (!place(this.slots, value)) return false;
    this.size++;
    return true;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2).fill(-1);
    for (const value of old) if (value >= 0) place(this.slots, value);
  }
}

/** Puts `value` in the first free slot from its hash on; false when it is there already. */
function place(slots: Float64Array, value: number): boolean {
  const mask = slots.length - 1;
  // Both 32-bit halves mixed (the low half alone repeats every 4.3 s of nanoseconds).
  let i = Math.imul((value >>> 0) ^ Math.imul(Math.floor(value / 2 ** 32), 0x9e3779b1), 0x85ebca6b) & mask;
  for (let slot = slots[i]!; slot !== -1; slot = slots[i]!) {
    if (slot === value) return false;
    i = (i + 1) & mask;
  }
  slots[i] = value;
  return true;
}

/** Rough bytes a kept tally holds per counted event: its identity, its journey step, its sequence number. */
const BYTES_PER_EVENT = 120;
/** Rough bytes per tracked value of a dimension (its counts and two sketches while small). */
const BYTES_PER_VALUE = 600;

export class HourTally {
  private readonly aggregate: BucketAggregate;
  private readonly sequences = new HourSequences();
  private readonly journeys = new HourJourneys();
  /** Nanoseconds since the hour of every counted point, per raw series (type, then shard). */
  private readonly counted = new Map<unknown, Map<unknown, IntegerSet>>();
  /** Events counted. */
  events = 0;

  constructor(
    readonly site: string,
    readonly hour: number,
    maxValues: number,
  ) {
    this.aggregate = createBucketAggregate({ maxValues });
  }

  /**
   * Counts each row of the hour (read with `times: 'rfc3339'`) whose point it has not counted yet; answers how many
   * it counted.
   */
  add(rows: readonly Row[]): number {
    let added = 0;
    for (const row of rows) {
      const { ms, nsInHour } = pointTime(String(row['time']), this.hour);
      let byShard = this.counted.get(row[TAG.type]);
      if (!byShard) this.counted.set(row[TAG.type], (byShard = new Map()));
      let counted = byShard.get(row[TAG.shard]);
      if (!counted) byShard.set(row[TAG.shard], (counted = new IntegerSet()));
      if (!counted.add(nsInHour)) continue;
      this.aggregate.add(toRollupRow(row));
      const [sessionId, tabId, seq] = SEQUENCE_COLUMNS.map((column) => row[column]);
      const session = text(sessionId);
      // Events without a session or a number (sent by a server, say) have no sequence.
      if (session !== undefined && typeof seq === 'number') this.sequences.add(session, text(tabId), seq);
      this.journeys.add({
        sessionId: session,
        anonymousId: String(row[FIELD.anonymousId] ?? ''),
        bot: row[FIELD.bot] === true,
        time: ms,
        order: nsInHour,
        action: actionOf(row),
      });
      added++;
    }
    this.events += added;
    return added;
  }

  /** The hour's rollup points per (audience, dimension). */
  points(): RollupPoint[] {
    return this.aggregate.points();
  }

  /** The hour's sequence and journey rollups as line protocol. */
  partLines(): string[] {
    return [
      ...partLines(SEQUENCE_ROLLUP, this.site, this.hour, encodeParts(this.sequences.entries())),
      ...partLines(JOURNEY_ROLLUP, this.site, this.hour, encodeJourneyParts(this.journeys.list(), this.hour)),
    ];
  }

  /** Roughly what keeping it costs, bytes. */
  get bytes(): number {
    return this.events * BYTES_PER_EVENT + this.aggregate.values * BYTES_PER_VALUE;
  }
}
