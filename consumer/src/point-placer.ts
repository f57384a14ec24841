// Gives every event a point of its own. The consumer of a Kafka partition is the
// only writer of the series tagged with that partition (`shard`), so it can know
// every point those series hold in a millisecond and give each new event a slot
// (nanosecond) nobody else holds: its preferred slot (contract preferredSlot)
// or the next free one after it. What it knows is exact:
// - points already in InfluxDB are read before it places anything in a
//   millisecond it has not seen (`load`), so a restart or a rebalance forgets
//   nothing; no point of the shard can be later than the placer's creation plus
//   FUTURE_MARGIN_MS (an event time is at most its receipt + 30 s), so that
//   open-ended range needs no read;
// - events are placed in offset order, and an event whose id already holds a
//   slot (a redelivery, a resend) gets that slot again, so replaying the
//   partition from any committed offset gives every event the point it had;
// - a millisecond is forgotten only once it is older than `windowMs` and every
//   placement in it is settled (written and committed, or given up), so a write
//   still in flight can never be taken for a free slot.
// Points stored before shards existed (no `shard` tag) are found by id too, and
// a resend of such an event overwrites its old point instead of doubling it.
import { SLOTS_PER_MS, preferredSlot } from '@eventline/contract';
import { ConsumerError } from './errors.ts';

/** A point already in InfluxDB, as far as placement is concerned. */
export interface StoredPoint {
  site: string;
  type: string;
  /** Undefined for a point written before shards existed. */
  shard: number | undefined;
  /** Epoch ms of the point time. */
  ms: number;
  slot: number;
  id: string;
}

/** What the placer needs of an event. */
export interface PlaceableEvent {
  site: string;
  eventTime: number;
  event: { id: string; type: string; sessionId?: string | undefined; seq?: number | undefined };
}

/** Where an event's point goes: the series' shard (undefined: the old point without one) and the slot. */
export interface Placement {
  shard: number | undefined;
  slot: number;
}

export interface PointPlacerOptions {
  /** The points of `shard` (and those without a shard) with point times in [fromMs, toMs). */
  load(shard: number, fromMs: number, toMs: number): Promise<StoredPoint[]>;
  /** How long a millisecond stays known after it passed, ms. Default: 30 000 */
  windowMs?: number;
  /** Default: Date.now */
  now?: () => number;
}

export interface PointPlacer {
  /**
   * Places the events of one partition, in order, and returns their placements
   * (or why an event has none) and a ticket for settle(). Rejects with a retriable CONSUMER_INFLUX_* error
   * when the stored points could not be read.
   */
  place(
    partition: number,
    events: readonly PlaceableEvent[],
  ): Promise<{ placements: (Placement | ConsumerError)[]; ticket: number }>;
  /** Every placement of `partition` up to `ticket` is durable or given up: its milliseconds may be forgotten. */
  settle(partition: number, ticket: number): void;
  /** Forgets everything, e.g. after a rebalance: another consumer may have written the partition's shard since. */
  reset(): void;
}

/** Latest event time after receipt (contract: receivedAt + 30 s), with room for clocks that disagree. 10 min */
export const FUTURE_MARGIN_MS = 10 * 60_000;
/** Unknown milliseconds closer than this are read in one query rather than two. 1 s */
const JOIN_GAP_MS = 1_000;
/** Events at most this far behind the clock are live: their read reaches up to the open range. 10 s */
const LIVE_MS = 10_000;
const DEFAULT_WINDOW_MS = 30_000;

/** One series' millisecond. Most hold one or two events: plain arrays, with maps only once it is dense. */
interface Bucket {
  ms: number;
  /** The last ticket that placed an event here; 0 when it only holds points read from InfluxDB. */
  ticket: number;
  /** Slots taken, and the id in each (same index). */
  slots: number[];
  ids: string[];
  /** Once the bucket holds DENSE events: slot → index and id → index. */
  bySlot?: Map<number, number>;
  byId?: Map<string, number>;
  /** Where the search for a free slot continues past an occupied one (path-compressed), so a dense millisecond stays cheap. */
  next?: Map<number, number>;
}

interface Shard {
  /** Every millisecond from here on is known (nothing stored there but what this placer placed). */
  openFrom: number;
  /** Known ranges [from, to) below openFrom, sorted and disjoint. */
  known: [number, number][];
  /** `${site}\n${type}\n${ms}` → bucket. */
  buckets: Map<string, Bucket>;
  /** Points without a shard, by id. */
  legacy: Map<string, { ms: number; slot: number }>;
  tickets: number;
  settled: number;
  evictedAt: number;
}

/** Events in a bucket from which lookups go through maps instead of scanning. */
const DENSE = 16;

const newBucket = (ms: number, ticket: number): Bucket => ({ ms, ticket, slots: [], ids: [] });

function isTaken(bucket: Bucket, slot: number): boolean {
  return bucket.bySlot ? bucket.bySlot.has(slot) : bucket.slots.includes(slot);
}

function slotOf(bucket: Bucket, id: string): number | undefined {
  const index = bucket.byId ? bucket.byId.get(id) : bucket.ids.indexOf(id);
  return index === undefined || index < 0 ? undefined : bucket.slots[index];
}

function take(bucket: Bucket, slot: number, id: string): void {
  const index = bucket.slots.push(slot) - 1;
  bucket.ids.push(id);
  if (bucket.bySlot && bucket.byId) {
    bucket.bySlot.set(slot, index);
    bucket.byId.set(id, index);
  } else if (bucket.slots.length >= DENSE) {
    bucket.bySlot = new Map(bucket.slots.map((s, i) => [s, i]));
    bucket.byId = new Map(bucket.ids.map((d, i) => [d, i]));
  }
}
const bucketKey = (site: string, type: string, ms: number) => `${site}\n${type}\n${ms}`;

/** The first free slot at or after `start` (wrapping), remembering the way for the next search. */
function freeSlot(bucket: Bucket, start: number): number {
  let slot = start;
  const path: number[] = [];
  while (isTaken(bucket, slot)) {
    path.push(slot);
    slot = bucket.next?.get(slot) ?? (slot + 1) % SLOTS_PER_MS;
  }
  if (path.length > 1) {
    bucket.next ??= new Map();
    for (const visited of path) bucket.next.set(visited, slot);
  }
  return slot;
}

export function createPointPlacer(options: PointPlacerOptions): PointPlacer {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const now = options.now ?? Date.now;
  let shards = new Map<number, Shard>();

  function shardOf(partition: number): Shard {
    let shard = shards.get(partition);
    if (!shard) {
      shard = {
        openFrom: now() + FUTURE_MARGIN_MS,
        known: [],
        buckets: new Map(),
        legacy: new Map(),
        tickets: 0,
        settled: 0,
        evictedAt: now(),
      };
      shards.set(partition, shard);
    }
    return shard;
  }

  const isKnown = (shard: Shard, ms: number) =>
    ms >= shard.openFrom || shard.known.some(([from, to]) => ms >= from && ms < to);

  /** The ranges to read so that every millisecond of `events` is known. */
  function unknownRanges(shard: Shard, events: readonly PlaceableEvent[]): [number, number][] {
    const missing = [...new Set(events.map((e) => e.eventTime))].filter((ms) => !isKnown(shard, ms));
    missing.sort((a, b) => a - b);
    const ranges: [number, number][] = [];
    for (const ms of missing) {
      const last = ranges[ranges.length - 1];
      if (last && ms - last[1] < JOIN_GAP_MS) last[1] = ms + 1;
      else ranges.push([ms, ms + 1]);
    }
    // Right after a start, live events lie just below the open range, and nothing is stored between them and it
    // yet but events from clocks a little ahead: reading up to it once spares a read per chunk.
    const last = ranges[ranges.length - 1];
    if (last && last[1] > now() - LIVE_MS) last[1] = Math.max(last[1], shard.openFrom);
    return ranges;
  }

  function learn(shard: Shard, partition: number, points: readonly StoredPoint[]): void {
    for (const point of points) {
      if (point.shard === undefined) {
        shard.legacy.set(point.id, { ms: point.ms, slot: point.slot });
        continue;
      }
      if (point.shard !== partition) continue;
      const key = bucketKey(point.site, point.type, point.ms);
      let bucket = shard.buckets.get(key);
      if (!bucket) shard.buckets.set(key, (bucket = newBucket(point.ms, 0)));
      // A slot this placer already gave out holds its own placement of that event, written or about to be.
      if (!isTaken(bucket, point.slot)) take(bucket, point.slot, point.id);
    }
  }

  function markKnown(shard: Shard, ranges: readonly [number, number][]): void {
    for (const [from, to] of ranges) {
      if (to >= shard.openFrom) shard.openFrom = Math.min(shard.openFrom, from);
      else shard.known.push([from, to]);
    }
    const sorted = shard.known.filter(([, to]) => to < shard.openFrom).sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const range of sorted) {
      const last = merged[merged.length - 1];
      if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
      else merged.push([range[0], range[1]]);
    }
    shard.known = merged;
  }

  function evict(shard: Shard): void {
    // Once a second at most: a pass visits every known millisecond.
    if (now() - shard.evictedAt < 1_000) return;
    shard.evictedAt = now();
    const horizon = now() - windowMs;
    for (const [key, bucket] of shard.buckets)
      if (bucket.ms < horizon && bucket.ticket <= shard.settled) shard.buckets.delete(key);
    for (const [id, point] of shard.legacy) if (point.ms < horizon) shard.legacy.delete(id);
    shard.openFrom = Math.max(shard.openFrom, horizon);
    shard.known = shard.known.filter(([, to]) => to > horizon).map(([from, to]) => [Math.max(from, horizon), to]);
  }

  function placeOne(shard: Shard, partition: number, ticket: number, e: PlaceableEvent): Placement | ConsumerError {
    const old = shard.legacy.get(e.event.id);
    if (old && old.ms === e.eventTime) return { shard: undefined, slot: old.slot };
    const key = bucketKey(e.site, e.event.type, e.eventTime);
    let bucket = shard.buckets.get(key);
    if (!bucket) shard.buckets.set(key, (bucket = newBucket(e.eventTime, ticket)));
    bucket.ticket = ticket;
    const own = slotOf(bucket, e.event.id);
    if (own !== undefined) return { shard: partition, slot: own };
    if (bucket.slots.length >= SLOTS_PER_MS)
      return new ConsumerError('CONSUMER_POINT_UNREPRESENTABLE', 'a million events of one series in one millisecond');
    const slot = freeSlot(bucket, preferredSlot(e.event));
    take(bucket, slot, e.event.id);
    return { shard: partition, slot };
  }

  return {
    async place(partition, events) {
      const shard = shardOf(partition);
      evict(shard);
      const ranges = unknownRanges(shard, events);
      const ticket = ++shard.tickets;
      if (ranges.length > 0) {
        const loaded = await Promise.all(ranges.map(([from, to]) => options.load(partition, from, to)));
        // After a reset during the read this shard state is nobody's any more; placing in it is harmless.
        learn(shard, partition, loaded.flat());
        markKnown(shard, ranges);
      }
      return { placements: events.map((e) => placeOne(shard, partition, ticket, e)), ticket };
    },
    settle(partition, ticket) {
      const shard = shards.get(partition);
      if (shard) shard.settled = Math.max(shard.settled, ticket);
    },
    reset() {
      shards = new Map();
    },
  };
}
