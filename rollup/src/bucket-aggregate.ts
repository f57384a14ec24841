// Counts one (site, bucket) into its rollup points: per audience (people, bots)
// and per dimension, each value's events, page views and unique-visitor and
// session sketches. An hour adds raw events; a day or a month merges the points
// of its hours or days. Pure; memory is bounded by the tracked values
// (maxValues × TRACKED_FACTOR per dimension), not by the events or points, which
// are visited once each.
import {
  ALL_DIMENSION,
  ALL_VALUE,
  AUDIENCES,
  DIMENSIONS,
  NONE_VALUE,
  OTHER_VALUE,
  type Audience,
  type Dimension,
  type RollupCounts,
} from '@eventline/contract';
import { hashOf, HyperLogLog } from '@eventline/kit/hyperloglog';

/**
 * Distinct values counted one by one per dimension, as a multiple of the values
 * a point lists: values first seen after that are counted under (other) at
 * once. A bucket rarely has more distinct values than that; if it does, a value
 * that only becomes frequent late in the bucket may be counted under (other).
 */
export const TRACKED_FACTOR = 4;

/** One raw event, as far as rollups are concerned: the dimension values it has (absent = none). */
export interface RollupRow {
  anonymousId: string;
  /** Absent for events outside a session (server-side ones): they count no session. */
  sessionId?: string;
  bot: boolean;
  type: string;
  values: Partial<Record<Dimension, string>>;
}

/** One value's counts in a bucket, sketches deserialized. */
export interface Tally {
  events: number;
  pageviews: number;
  visitors: HyperLogLog;
  sessions: HyperLogLog;
}

export interface RollupPoint {
  audience: Audience;
  /** A dimension, or ALL_DIMENSION for the totals. */
  dimension: Dimension | typeof ALL_DIMENSION;
  values: Record<string, RollupCounts>;
}

export interface BucketAggregate {
  /** One raw event (hour buckets). */
  add(row: RollupRow): void;
  /** One finer bucket's point (day and month buckets): its value's counts are added, its sketches merged. */
  merge(audience: Audience, dimension: Dimension | typeof ALL_DIMENSION, value: string, counts: Tally): void;
  /** Every (audience, dimension) point of the bucket, empty ones included so a recompute leaves nothing stale. */
  points(): RollupPoint[];
  /** Values tracked, over every audience and dimension. */
  readonly values: number;
}

export const newTally = (): Tally => ({
  events: 0,
  pageviews: 0,
  visitors: new HyperLogLog(),
  sessions: new HyperLogLog(),
});

function addTally(into: Tally, from: Tally): void {
  into.events += from.events;
  into.pageviews += from.pageviews;
  into.visitors.merge(from.visitors);
  into.sessions.merge(from.sessions);
}

export function createBucketAggregate(options: { maxValues: number }): BucketAggregate {
  const tracked = options.maxValues * TRACKED_FACTOR;
  const tallies = new Map<Audience, Map<string, Map<string, Tally>>>(
    AUDIENCES.map((audience) => [audience, new Map([ALL_DIMENSION, ...DIMENSIONS].map((d) => [d, new Map()]))]),
  );

  function tallyOf(byValue: Map<string, Tally>, value: string): Tally {
    let tally = byValue.get(value);
    if (!tally) {
      const key = byValue.size >= tracked ? OTHER_VALUE : value;
      tally = byValue.get(key) ?? newTally();
      byValue.set(key, tally);
    }
    return tally;
  }

  function count(
    byValue: Map<string, Tally>,
    value: string,
    row: RollupRow,
    hashes: [[number, number], [number, number] | undefined],
  ): void {
    const tally = tallyOf(byValue, value);
    tally.events++;
    if (row.type === 'pageview') tally.pageviews++;
    tally.visitors.add(hashes[0]);
    if (hashes[1]) tally.sessions.add(hashes[1]);
  }

  /** Each visitor's and session's hash, computed once per bucket: a visitor has many events. */
  const hashes = new Map<string, [number, number]>();
  function hashed(id: string): [number, number] {
    let hash = hashes.get(id);
    if (!hash) hashes.set(id, (hash = hashOf(id)));
    return hash;
  }

  return {
    get values() {
      let values = 0;
      for (const byDimension of tallies.values()) for (const byValue of byDimension.values()) values += byValue.size;
      return values;
    },

    add(row) {
      const byDimension = tallies.get(row.bot ? 'bots' : 'people')!;
      const hashes: [[number, number], [number, number] | undefined] = [
        hashed(row.anonymousId),
        row.sessionId ? hashed(row.sessionId) : undefined,
      ];
      count(byDimension.get(ALL_DIMENSION)!, ALL_VALUE, row, hashes);
      for (const dimension of DIMENSIONS)
        count(byDimension.get(dimension)!, row.values[dimension] || NONE_VALUE, row, hashes);
    },

    merge(audience, dimension, value, counts) {
      const byValue = tallies.get(audience)?.get(dimension);
      if (byValue) addTally(tallyOf(byValue, value), counts);
    },

    points() {
      const points: RollupPoint[] = [];
      for (const [audience, byDimension] of tallies) {
        for (const [dimension, byValue] of byDimension) {
          points.push({
            audience,
            dimension: dimension as RollupPoint['dimension'],
            values: bounded(byValue, options.maxValues),
          });
        }
      }
      return points;
    },
  };
}

/** The `maxValues` values with most events (ties by value), the rest merged under OTHER_VALUE. */
function bounded(byValue: Map<string, Tally>, maxValues: number): Record<string, RollupCounts> {
  const ranked = [...byValue].sort(([a, x], [b, y]) => {
    if ((a === OTHER_VALUE) !== (b === OTHER_VALUE)) return a === OTHER_VALUE ? 1 : -1;
    return y.events - x.events || (a < b ? -1 : a > b ? 1 : 0);
  });
  const kept = ranked.filter(([value]) => value !== OTHER_VALUE).slice(0, maxValues);
  const keptValues = new Set(kept.map(([value]) => value));
  let other: Tally | undefined;
  for (const [value, tally] of ranked) {
    if (keptValues.has(value)) continue;
    other ??= newTally();
    addTally(other, tally);
  }
  const entries = other ? [...kept, [OTHER_VALUE, other] as const] : kept;
  return Object.fromEntries(
    entries.map(([value, tally]) => [
      value,
      [tally.events, tally.pageviews, tally.visitors.serialize(), tally.sessions.serialize()] as RollupCounts,
    ]),
  );
}
