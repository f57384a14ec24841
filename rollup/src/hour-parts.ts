// Hour rollups kept as text (sequences, journeys): an hour's entries are
// encoded as bytes, base64, split into parts of at most PART_CHARS characters
// (InfluxDB 1.8 keeps a string field up to 64 KiB), one point per part, each
// saying how many parts the hour has and carrying its revision (a hash of its
// text). They are read back here, and the reader says when they cannot answer
// for a range: an hour the rollups counted events in has no parts when it was
// rolled up before these existed (until a backfill recomputes it), and then
// only the raw events can.
//
// With a cache, only the parts' revisions (numbers) are read for the whole
// range; an hour kept decoded with the same revisions is taken from memory, and
// only the others' text is read and decoded (the latest hour, as events arrive).
import { createHash } from 'node:crypto';
import { ALL_DIMENSION, bucketEnd, ROLLUP_FIELD, ROLLUP_TAG, type PartedRollup } from '@eventline/contract';
import { hashOf } from '@eventline/kit/hyperloglog';
import { ident, type InfluxQL, type Row } from './influxql.ts';
import { stringField, escapeTag } from './line-protocol.ts';
import type { RollupCache } from './rollup-cache.ts';
import { IN_RANGE, rollupSelect } from './rollup-select.ts';
import { timeParams } from './write-bucket.ts';

/** Characters of one stored part at most. 48 KiB */
export const PART_CHARS = 48 * 1024;
/** Bytes of one part before base64: 3 bytes become 4 characters. */
export const PART_BYTES = (PART_CHARS / 4) * 3;

/** An id (a session, a visitor, a sequence) as parts store it: 64 bits of its hash, 8 bytes as latin1. */
export function idKey(id: string): string {
  const [high, low] = hashOf(id);
  const key = Buffer.alloc(8);
  key.writeUInt32BE(high, 0);
  key.writeUInt32BE(low, 4);
  return key.toString('latin1');
}

/** A stored part's revision: 48 bits of the MD5 of its text. */
export function partRevision(part: string): number {
  return createHash('md5').update(part).digest().readUIntBE(0, 6);
}

/** An hour's points, one per part, each saying how many parts there are. */
export function partLines(rollup: PartedRollup, site: string, hour: number, parts: readonly string[]): string[] {
  const { measurement, tag, field } = rollup;
  return parts.map(
    (part, i) =>
      `${measurement},${tag.part}=${i},${tag.site}=${escapeTag(site)} ` +
      `${field.parts}=${parts.length}i,${field.revision}=${partRevision(part)}i,${field.text}=${stringField(part)} ${hour}`,
  );
}

export function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** Reads a stored part's bytes in order; throws, naming `what`, on a part that ends too soon. */
export class PartReader {
  private readonly bytes: Buffer;
  private at = 0;

  constructor(
    part: string,
    private readonly what: string,
  ) {
    this.bytes = Buffer.from(part, 'base64');
  }

  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.at >= this.bytes.length || scale > 2 ** 49) throw new Error(`${this.what} part ends inside a number`);
      const byte = this.bytes[this.at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  }

  /** The next 4 bytes as an unsigned big-endian number; `name` says what they are when they are not all there. */
  uint32(name: string): number {
    if (this.at + 4 > this.bytes.length) throw new Error(`${this.what} part ends inside ${name}`);
    const value = this.bytes.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }

  /** The next `length` bytes as `encoding`; `name` says what they are (`a key`) when they are not all there. */
  text(length: number, encoding: 'latin1' | 'utf8', name: string): string {
    if (this.at + length > this.bytes.length) throw new Error(`${this.what} part ends inside ${name}`);
    const text = this.bytes.toString(encoding, this.at, this.at + length);
    this.at += length;
    return text;
  }
}

/** One hour's decoded entries. */
export interface DecodedHour<T> {
  /** Start of the UTC hour, epoch ms. */
  hour: number;
  entries: T;
}

/** How one kind of hour rollup is read back and kept. */
export interface HourPartsKind<T> {
  rollup: PartedRollup;
  /** The entries of the stored parts (in order) of the hour starting at `hour`. Never mutated once made. */
  decode(parts: readonly string[], hour: number): T;
  /** Approximate heap bytes of an hour's entries, for the cache's bound. */
  bytes(entries: T): number;
}

/** An hour's parts: how many part 0 says there are, and what each index holds. */
interface StoredHour<T> {
  parts: number;
  stored: Map<number, T>;
}

/** The hour's parts in order, or undefined when one is not there (its write still under way). */
function inOrder<T>({ parts, stored }: StoredHour<T>): T[] | undefined {
  const found = Array.from({ length: parts }, (_, i) => stored.get(i));
  return found.some((part) => part === undefined) ? undefined : (found as T[]);
}

/** Per hour, what `pick` takes of each stored part. */
async function readParts<T>(
  influxql: InfluxQL,
  rollupPolicy: string,
  rollup: PartedRollup,
  columns: readonly string[],
  params: Record<string, string>,
  pick: (row: Row) => T,
): Promise<Map<number, StoredHour<T>>> {
  const { measurement, tag, field } = rollup;
  const statement = `SELECT ${columns.map(ident).join(',')}
    FROM ${ident(influxql.database)}.${ident(rollupPolicy)}.${ident(measurement)}
    WHERE ${ident(tag.site)} = $site AND ${IN_RANGE} GROUP BY ${ident(tag.part)}`;
  const hours = new Map<number, StoredHour<T>>();
  for await (const chunk of influxql.rows(statement, params))
    for (const row of chunk) {
      const hour = Number(row['time']);
      let stored = hours.get(hour);
      if (!stored) hours.set(hour, (stored = { parts: 0, stored: new Map() }));
      const index = Number(row[tag.part]);
      // Every part says how many the hour has; the first is rewritten by each recompute, so it is the one to believe.
      if (index === 0) stored.parts = Number(row[field.parts]);
      stored.stored.set(index, pick(row));
    }
  return hours;
}

/** True when every hour with rolled-up events in the range has parts. */
async function covered(
  influxql: InfluxQL,
  rollupPolicy: string,
  params: Record<string, string>,
  parts: (hour: number) => number,
): Promise<boolean> {
  const counted = rollupSelect(influxql, {
    rollupPolicy,
    grain: 'hour',
    fields: [ROLLUP_FIELD.events],
    where: [`${ident(ROLLUP_TAG.site)} = $site`, `${ident(ROLLUP_TAG.dimension)} = $all`, IN_RANGE],
    groupBy: [ROLLUP_TAG.audience],
  });
  for await (const chunk of influxql.rows(counted, { ...params, all: ALL_DIMENSION }))
    for (const row of chunk) if (Number(row[ROLLUP_FIELD.events]) > 0 && !parts(Number(row['time']))) return false;
  return true;
}

const fingerprintOf = (revisions: readonly (number | undefined)[]): string | undefined =>
  revisions.some((revision) => revision === undefined) ? undefined : revisions.join(',');

/**
 * The entries of every hour of `site` in [from, to) (whole hours), or undefined when an hour with rolled-up events
 * has no parts of this kind or lacks one of them.
 */
export async function readHours<T>(
  influxql: InfluxQL,
  rollupPolicy: string,
  kind: HourPartsKind<T>,
  query: { site: string; from: number; to: number },
  cache?: RollupCache,
): Promise<DecodedHour<T>[] | undefined> {
  const { rollup } = kind;
  const { field } = rollup;
  const params = timeParams(query.site, query.from, query.to);
  const revision = (row: Row) =>
    typeof row[field.revision] === 'number' ? (row[field.revision] as number) : undefined;
  const listed = await readParts(influxql, rollupPolicy, rollup, [field.parts, field.revision], params, revision);
  if (!(await covered(influxql, rollupPolicy, params, (hour) => listed.get(hour)?.parts ?? 0))) return undefined;

  const hours: DecodedHour<T>[] = [];
  const unread: number[] = [];
  for (const [hour, stored] of listed) {
    const revisions = inOrder(stored);
    if (!revisions) return undefined;
    const fingerprint = fingerprintOf(revisions);
    const kept = fingerprint === undefined ? undefined : cache?.getHour<T>(rollup, query.site, hour, fingerprint);
    if (kept) hours.push({ hour, entries: kept });
    else unread.push(hour);
  }
  if (unread.length === 0) return hours;

  // One read from the first hour to the last not kept: as events arrive, the latest hour alone.
  const span = timeParams(query.site, Math.min(...unread), bucketEnd('hour', Math.max(...unread)));
  const wanted = new Set(unread);
  const texts = await readParts(influxql, rollupPolicy, rollup, [field.parts, field.text], span, (row) =>
    String(row[field.text] ?? ''),
  );
  for (const [hour, stored] of texts) {
    if (!wanted.delete(hour)) continue;
    const parts = inOrder(stored);
    if (!parts) return undefined;
    const entries = kind.decode(parts, hour);
    // Kept under the revisions of the text decoded, so a recompute between the two reads is read again next time.
    cache?.setHour(rollup, query.site, hour, {
      fingerprint: fingerprintOf(parts.map(partRevision))!,
      entries,
      bytes: kind.bytes(entries),
    });
    hours.push({ hour, entries });
  }
  // An hour listed and gone in between (its points rewritten with fewer parts, or expired) has no answer to give.
  return wanted.size === 0 ? hours : undefined;
}
