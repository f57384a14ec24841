// What each session did in an hour, in order, kept so a funnel over weeks is
// read from rollups instead of scanning every raw event. Every event becomes a
// funnel action, `kind:value` as funnel steps name them (`pageview:/pricing`,
// `click:Buy`, `toggle_on:Terms`, `custom:signup`), with its time; an hour's
// entry holds one session's (of one visitor, bot or not) actions in storage's
// order: by time, and within a millisecond by the slot storage gave each event
// (its sequence number, for the events of one session).
//
// Stored form (in parts, hour-parts.ts), each part standing alone: the number
// of distinct actions, each as its UTF-8 length and bytes; then entries: the
// session's and the visitor's 64-bit hashes, flags (bot; no session), the
// number of events, and per event its distance in ms from the previous one (the
// first's from the start of the hour) and its action's index, as unsigned
// LEB128 varints. A session with more events than a part holds continues in an
// entry of the next part.
import { FIELD, JOURNEY_ROLLUP, TAG } from '@eventline/contract';
import {
  idKey,
  PART_BYTES,
  PartReader,
  readHours,
  writeVarint,
  type DecodedHour,
  type HourPartsKind,
} from './hour-parts.ts';
import type { InfluxQL, Row } from './influxql.ts';
import type { RollupCache } from './rollup-cache.ts';

/** The raw columns an event's funnel action is made of. */
export const ACTION_COLUMNS = [TAG.type, FIELD.pagePath, FIELD.label, FIELD.name, FIELD.elementChecked] as const;

const textOf = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A raw row's element checked state: true or false for a checkbox or radio, undefined for anything else. */
export function checkedOf(row: Row): boolean | undefined {
  const checked = row[FIELD.elementChecked];
  return typeof checked === 'boolean' ? checked : undefined;
}

/** How a raw event (a row of ACTION_COLUMNS) is named as a funnel action: what a PM writes as a step, and what next actions list. */
export function actionOf(row: Row): string {
  const type = textOf(row[TAG.type]);
  switch (type) {
    case 'pageview':
      return `pageview:${textOf(row[FIELD.pagePath])}`;
    case 'custom':
      return `custom:${textOf(row[FIELD.name])}`;
    case 'change': {
      const checked = checkedOf(row);
      if (checked !== undefined) return `${checked ? 'toggle_on' : 'toggle_off'}:${textOf(row[FIELD.label])}`;
      return `change:${textOf(row[FIELD.label])}`;
    }
    default:
      return `${type}:${textOf(row[FIELD.label])}`;
  }
}

/** Events as parallel arrays: their times and their actions. */
export interface TimedActions {
  /** Event times, epoch ms, in storage's order (ascending once in time order). */
  times: number[];
  /** Each event's action, `kind:value`. */
  actions: string[];
}

/** One session's actions in an hour (or the part of them one stored part holds). */
export interface JourneyEntry extends TimedActions {
  /** The session's key (8 bytes of its hash, latin1); '' for events outside any session. */
  session: string;
  /** The visitor's key, as the session's. */
  visitor: string;
  bot: boolean;
}

/** `trail` itself when its times ascend, else a copy sorted by time, stably (order within a millisecond kept). */
export function inTimeOrder<T extends TimedActions>(trail: T): T {
  const { times, actions } = trail;
  if (times.every((time, i) => i === 0 || times[i - 1]! <= time)) return trail;
  const order = times.map((_, i) => i).sort((a, b) => times[a]! - times[b]!);
  return { ...trail, times: order.map((i) => times[i]!), actions: order.map((i) => actions[i]!) };
}

const NO_SESSION = '\0'.repeat(8);

/** An entry being collected: its events' order keys beside their times and actions. */
interface CollectedEntry extends JourneyEntry {
  /** Each event's place in the hour: its point's nanoseconds since the hour (unique within a raw series). */
  orders: number[];
}

/** Collects an hour's events, in any order: each entry is put in order when listed. */
export class HourJourneys {
  private readonly entries = new Map<string, CollectedEntry>();
  /** One string per distinct action, shared by its events. */
  private readonly actions = new Map<string, string>();

  add(event: {
    sessionId?: string | undefined;
    anonymousId: string;
    bot: boolean;
    time: number;
    /** The event's place in the hour: its point's nanoseconds since the hour. */
    order: number;
    action: string;
  }): void {
    // Keyed by the ids themselves (the session's length first, so no two pairs of ids read alike): hashed once per
    // entry, not per event.
    const session = event.sessionId ?? '';
    const id = `${session.length}:${session}${event.anonymousId}${event.bot ? 1 : 0}`;
    let entry = this.entries.get(id);
    if (!entry) {
      const visitor = idKey(event.anonymousId);
      entry = { session: session && idKey(session), visitor, bot: event.bot, times: [], actions: [], orders: [] };
      this.entries.set(id, entry);
    }
    let action = this.actions.get(event.action);
    if (action === undefined) this.actions.set(event.action, (action = event.action));
    entry.times.push(event.time);
    entry.actions.push(action);
    entry.orders.push(event.order);
  }

  /**
   * Every entry, its events in the order of their points (time, then within a millisecond the slot storage gave
   * each; equal points of two raw series by action), whatever order they were added in.
   */
  list(): JourneyEntry[] {
    return [...this.entries.values()].map((entry) => {
      const { times, actions, orders } = entry;
      const before = (a: number, b: number) =>
        orders[a]! - orders[b]! || (actions[a]! < actions[b]! ? -1 : actions[a]! > actions[b]! ? 1 : 0);
      if (!orders.every((_, i) => i === 0 || before(i - 1, i) <= 0)) {
        const order = orders.map((_, i) => i).sort(before);
        // Kept in order: the next list() of the hour finds most of it sorted.
        const sorted = { times: order.map((i) => times[i]!), actions: order.map((i) => actions[i]!) };
        entry.times = sorted.times;
        entry.actions = sorted.actions;
        entry.orders = order.map((i) => orders[i]!);
      }
      return {
        session: entry.session,
        visitor: entry.visitor,
        bot: entry.bot,
        times: entry.times,
        actions: entry.actions,
      };
    });
  }
}

const varintBytes = (value: number): number => {
  let bytes = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) bytes++;
  return bytes;
};

/** Keys, flags and the count of events, at most. */
const ENTRY_HEADER_BYTES = 8 + 8 + 1 + 5;

/** Builds parts of at most PART_BYTES bytes, each with its own dictionary of actions. */
class PartsWriter {
  readonly parts: string[] = [];
  private dictionary = new Map<string, number>();
  private dictionaryBytes: number[] = [];
  private body: number[] = [];

  /** Bytes so far, the count of actions taken as its largest (a part holds fewer than 2²¹). */
  private get size(): number {
    return 3 + this.dictionaryBytes.length + this.body.length;
  }

  get empty(): boolean {
    return this.body.length === 0;
  }

  flush(): void {
    const count: number[] = [];
    if (!this.empty) writeVarint(count, this.dictionary.size);
    this.parts.push(Buffer.from([...count, ...this.dictionaryBytes, ...this.body]).toString('base64'));
    this.dictionary = new Map();
    this.dictionaryBytes = [];
    this.body = [];
  }

  /**
   * Writes the entry's events from `start` on, as many as fit (at least one into an empty part), as one entry;
   * answers how many.
   */
  write(entry: JourneyEntry, start: number, hour: number): number {
    let size = this.size + ENTRY_HEADER_BYTES;
    /** Actions this entry adds to the part's dictionary, with their indexes. */
    const added = new Map<string, number>();
    const indexes: number[] = [];
    const deltas: number[] = [];
    let previous = hour;
    for (let i = start; i < entry.times.length; i++) {
      const action = entry.actions[i]!;
      let index = this.dictionary.get(action) ?? added.get(action);
      let cost = 0;
      if (index === undefined) {
        const length = Buffer.byteLength(action);
        cost += varintBytes(length) + length;
        index = this.dictionary.size + added.size;
      }
      const delta = entry.times[i]! - previous;
      cost += varintBytes(delta) + varintBytes(index);
      if (size + cost > PART_BYTES && !(this.empty && i === start)) break;
      size += cost;
      if (!added.has(action) && !this.dictionary.has(action)) added.set(action, index);
      indexes.push(index);
      deltas.push(delta);
      previous = entry.times[i]!;
    }
    if (indexes.length === 0) return 0;
    for (const [action, index] of added) {
      const bytes = Buffer.from(action);
      this.dictionary.set(action, index);
      writeVarint(this.dictionaryBytes, bytes.length);
      for (const byte of bytes) this.dictionaryBytes.push(byte);
    }
    const { body } = this;
    for (const key of [entry.session || NO_SESSION, entry.visitor])
      for (let i = 0; i < 8; i++) body.push(key.charCodeAt(i));
    writeVarint(body, (entry.bot ? 1 : 0) | (entry.session ? 0 : 2));
    writeVarint(body, indexes.length);
    indexes.forEach((index, i) => {
      writeVarint(body, deltas[i]!);
      writeVarint(body, index);
    });
    return indexes.length;
  }
}

/** The hour's entries as stored parts (at least one, possibly empty), each at most PART_CHARS long. */
export function encodeJourneyParts(entries: readonly JourneyEntry[], hour: number): string[] {
  const writer = new PartsWriter();
  for (const entry of entries)
    for (let start = 0; start < entry.times.length;) {
      const written = writer.write(entry, start, hour);
      if (written === 0) writer.flush();
      start += written;
    }
  writer.flush();
  return writer.parts;
}

/** The entries of one stored part of the hour starting at `hour`. Throws on a part that is not one. */
export function decodeJourneyPart(part: string, hour: number): JourneyEntry[] {
  const reader = new PartReader(part, 'a journey rollup');
  if (reader.done) return [];
  const dictionary: string[] = [];
  for (let count = reader.varint(); count > 0; count--)
    dictionary.push(reader.text(reader.varint(), 'utf8', 'an action'));
  const entries: JourneyEntry[] = [];
  while (!reader.done) {
    const session = reader.text(8, 'latin1', 'a key');
    const visitor = reader.text(8, 'latin1', 'a key');
    const flags = reader.varint();
    const times: number[] = [];
    const actions: string[] = [];
    let time = hour;
    for (let count = reader.varint(); count > 0; count--) {
      time += reader.varint();
      const action = dictionary[reader.varint()];
      if (action === undefined) throw new Error('a journey rollup part names an action it does not list');
      times.push(time);
      actions.push(action);
    }
    entries.push({ session: flags & 2 ? '' : session, visitor, bot: (flags & 1) === 1, times, actions });
  }
  return entries;
}

/** One hour's entries. */
export type JourneyHour = DecodedHour<readonly JourneyEntry[]>;

/** Journey rollups as hour-parts reads and keeps them. */
export const JOURNEYS: HourPartsKind<readonly JourneyEntry[]> = {
  rollup: JOURNEY_ROLLUP,
  decode: (parts, hour) => parts.flatMap((part) => decodeJourneyPart(part, hour)),
  bytes: (entries) => entries.reduce((bytes, { times }) => bytes + 160 + 16 * times.length, 200),
};

/**
 * The entries of every hour of `site` in [from, to) (whole hours), or undefined when an hour with rolled-up events
 * has no journey rollup or lacks one of its parts.
 */
export function readJourneyHours(
  influxql: InfluxQL,
  rollupPolicy: string,
  query: { site: string; from: number; to: number },
  cache?: RollupCache,
): Promise<JourneyHour[] | undefined> {
  return readHours(influxql, rollupPolicy, JOURNEYS, query, cache);
}
