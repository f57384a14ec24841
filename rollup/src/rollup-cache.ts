// Rollup buckets kept in memory by a reader, so an answer over a month does not
// read a month of sketches from InfluxDB each time: only the points' revisions
// (numbers, a hash of each point's fields) are read, and a bucket whose revisions
// match the ones it was kept with is taken from here. A bucket recomputed since
// (a late event, a replay that changed it) has other revisions and is read
// again, so a kept bucket is never served stale. Bounded in bytes, least
// recently used first out. Hours of rollups kept as text (sequences, journeys)
// are kept decoded the same way, under their parts' revisions (hour-parts.ts),
// in the same bound, and so are kept buckets merged into one for an answer.
import type { Audience, PartedRollup, RollupGrain } from '@eventline/contract';
import { LRUCache } from 'lru-cache';
import type { ValueTotals } from './rollup-reader.ts';

/** One (site, audience, grain, dimension) bucket's points, every field read. */
export interface KeptBucket {
  /** Its points' values and revisions, zeros included, in a canonical order. */
  fingerprint: string;
  /** Counts per value, values holding zero left out. Never mutated once kept. */
  values: ReadonlyMap<string, ValueTotals>;
}

export interface BucketKey {
  site: string;
  audience: Audience;
  grain: RollupGrain;
  dimension: string;
  /** Start of the bucket, epoch ms. */
  start: number;
}

/** One hour of a site's rollup kept as text, decoded. */
export interface KeptHour<T = unknown> {
  /** Its parts' revisions, in part order. */
  fingerprint: string;
  /** Never mutated once kept. */
  entries: T;
  /** Approximate heap bytes of the entries. */
  bytes: number;
}

export interface RollupCache {
  /** The bucket kept with `fingerprint`, if any. */
  get(key: BucketKey, fingerprint: string): KeptBucket | undefined;
  set(key: BucketKey, bucket: KeptBucket): void;
  /** The hour's entries of `rollup` kept with `fingerprint`, if any. */
  getHour<T>(rollup: PartedRollup, site: string, hour: number, fingerprint: string): T | undefined;
  setHour<T>(rollup: PartedRollup, site: string, hour: number, kept: KeptHour<T>): void;
  /**
   * Kept buckets merged into one (rollup-reader.ts), under a key naming the buckets kept: a bucket read again is
   * another object, so another key, and an entry no answer asks for ages out.
   */
  getMerged(key: string): ReadonlyMap<string, ValueTotals> | undefined;
  setMerged(key: string, values: ReadonlyMap<string, ValueTotals>): void;
  /** Buckets and hours answered from memory and read from InfluxDB since the cache was made (merged ones apart). */
  readonly stats: { hits: number; misses: number; bytes: number };
}

/** A bucket's fingerprint: its points' (value, revision) pairs in a canonical order. */
export function fingerprintOf(points: Iterable<[value: string, revision: number]>): string {
  return JSON.stringify([...points].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const keyOf = ({ site, audience, grain, dimension, start }: BucketKey) =>
  JSON.stringify([site, audience, grain, dimension, start]);

const hourKeyOf = (rollup: PartedRollup, site: string, hour: number) =>
  JSON.stringify([site, rollup.measurement, hour]);

const mergedKeyOf = (key: string) => `merged ${key}`;

/** Approximate heap bytes of a kept bucket or hour, for the bound. */
function sizeOf(kept: KeptBucket | KeptHour): number {
  if ('entries' in kept) return 200 + kept.fingerprint.length + kept.bytes;
  const bucket = kept;
  let bytes = 200 + bucket.fingerprint.length;
  for (const [value, totals] of bucket.values)
    bytes += 100 + 2 * value.length + totals.visitors.heapBytes() + totals.sessions.heapBytes();
  return bytes;
}

export function createRollupCache(options: { maxBytes: number }): RollupCache {
  const kept = new LRUCache<string, KeptBucket | KeptHour>({
    maxSize: options.maxBytes,
    sizeCalculation: sizeOf,
  });
  const stats = { hits: 0, misses: 0, bytes: 0 };
  const find = <T extends KeptBucket | KeptHour>(key: string, fingerprint: string): T | undefined => {
    const found = kept.get(key);
    const fits = found?.fingerprint === fingerprint;
    if (fits) stats.hits++;
    else stats.misses++;
    return fits ? (found as T) : undefined;
  };
  const keep = (key: string, value: KeptBucket | KeptHour) => {
    // A value larger than the whole bound is not kept (lru-cache refuses it).
    if (sizeOf(value) <= options.maxBytes) kept.set(key, value);
    stats.bytes = kept.calculatedSize;
  };
  return {
    get: (key, fingerprint) => find<KeptBucket>(keyOf(key), fingerprint),
    set: (key, bucket) => keep(keyOf(key), bucket),
    getHour: <T>(rollup: PartedRollup, site: string, hour: number, fingerprint: string) =>
      find<KeptHour<T>>(hourKeyOf(rollup, site, hour), fingerprint)?.entries,
    setHour: (rollup, site, hour, kept) => keep(hourKeyOf(rollup, site, hour), kept),
    getMerged: (key) => (kept.get(mergedKeyOf(key)) as KeptBucket | undefined)?.values,
    setMerged: (key, values) => keep(mergedKeyOf(key), { fingerprint: key, values }),
    stats,
  };
}
