// Reads the sequence rollups of a range back (sequence-runs.ts), and says when
// they cannot answer for it: an hour the rollups counted events in has no
// sequence rollup when it was rolled up before these existed (until a backfill
// recomputes it), and then only the raw events can.
//
// With a cache, only the parts' revisions (numbers) are read for the whole
// range; an hour kept decoded with the same revisions is taken from memory, and
// only the others' text is read and decoded (the latest hour, as events arrive).
import { ALL_DIMENSION, bucketEnd, ROLLUP_FIELD, ROLLUP_TAG, SEQUENCE_ROLLUP } from '@eventline/contract';
import { ident, type InfluxQL, type Row } from './influxql.ts';
import type { RollupCache } from './rollup-cache.ts';
import { IN_RANGE, rollupSelect } from './rollup-select.ts';
import { decodePart, partRevision, type SequenceEntry } from './sequence-runs.ts';
import { timeParams } from './write-bucket.ts';

/** One hour's entries. */
export interface SequenceHour {
  /** Start of the UTC hour, epoch ms. */
  hour: number;
  entries: readonly SequenceEntry[];
}

const { measurement, tag, field } = SEQUENCE_ROLLUP;

/** An hour's stored parts: how many part 0 says there are, and what each index holds. */
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
  columns: readonly string[],
  params: Record<string, string>,
  pick: (row: Row) => T,
): Promise<Map<number, StoredHour<T>>> {
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

/** True when every hour with rolled-up events in the range has sequence parts. */
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
 * has no sequence rollup or lacks one of its parts.
 */
export async function readSequenceHours(
  influxql: InfluxQL,
  rollupPolicy: string,
  query: { site: string; from: number; to: number },
  cache?: RollupCache,
): Promise<SequenceHour[] | undefined> {
  const params = timeParams(query.site, query.from, query.to);
  const revision = (row: Row) =>
    typeof row[field.revision] === 'number' ? (row[field.revision] as number) : undefined;
  const listed = await readParts(influxql, rollupPolicy, [field.parts, field.revision], params, revision);
  if (!(await covered(influxql, rollupPolicy, params, (hour) => listed.get(hour)?.parts ?? 0))) return undefined;

  const hours: SequenceHour[] = [];
  const unread: number[] = [];
  for (const [hour, stored] of listed) {
    const revisions = inOrder(stored);
    if (!revisions) return undefined;
    const fingerprint = fingerprintOf(revisions);
    const kept = fingerprint === undefined ? undefined : cache?.getSequences(query.site, hour, fingerprint);
    if (kept) hours.push({ hour, entries: kept });
    else unread.push(hour);
  }
  if (unread.length === 0) return hours;

  // One read from the first hour to the last not kept: as events arrive, the latest hour alone.
  const span = timeParams(query.site, Math.min(...unread), bucketEnd('hour', Math.max(...unread)));
  const wanted = new Set(unread);
  const texts = await readParts(influxql, rollupPolicy, [field.parts, field.runs], span, (row) =>
    String(row[field.runs] ?? ''),
  );
  for (const [hour, stored] of texts) {
    if (!wanted.delete(hour)) continue;
    const parts = inOrder(stored);
    if (!parts) return undefined;
    const entries = parts.flatMap(decodePart);
    // Kept under the revisions of the text decoded, so a recompute between the two reads is read again next time.
    cache?.setSequences(query.site, hour, { fingerprint: fingerprintOf(parts.map(partRevision))!, entries });
    hours.push({ hour, entries });
  }
  // An hour listed and gone in between (its points rewritten with fewer parts, or expired) has no answer to give.
  return wanted.size === 0 ? hours : undefined;
}
