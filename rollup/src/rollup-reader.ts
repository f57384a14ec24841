// Reads rollup points back as answers: per value of a dimension over a range of
// whole hours, events and page views summed and unique sketches merged (so a
// visitor seen in many hours counts once). The range is read from the coarsest
// buckets that fit (cover.ts): 30 days are about 30 day points, not 720 hours.
// Shared by the dashboard and the tests.
import {
  ALL_DIMENSION,
  ROLLUP_FIELD,
  ROLLUP_REVISION_FIELD,
  ROLLUP_TAG,
  type Audience,
  type Dimension,
} from '@eventline/contract';
import { HyperLogLog } from '@eventline/kit/hyperloglog';
import { coverRange, type Segment } from './cover.ts';
import { ident, type InfluxQL } from './influxql.ts';
import { IN_RANGE, rollupSelect } from './rollup-select.ts';
import { fingerprintOf, type BucketKey, type KeptBucket, type RollupCache } from './rollup-cache.ts';

export interface ValueTotals {
  events: number;
  pageviews: number;
  visitors: HyperLogLog;
  sessions: HyperLogLog;
}

type AnyDimension = Dimension | typeof ALL_DIMENSION;

/**
 * Groups a point (or a raw event) of `dimension`'s `value` in the rollup bucket starting at `start` into a key. From
 * kept buckets `start` is where the answer's bucket (between two cuts) starts instead: every start inside one answer
 * bucket must give the same key.
 */
export type KeyOf = (value: string, start: number, dimension: AnyDimension) => string;

export interface RollupQuery {
  site: string;
  audience: Audience;
  /** One dimension, or several read at once (keyOf then tells them apart). */
  dimension: AnyDimension | readonly AnyDimension[];
  /** Inclusive, epoch ms, the start of an hour. */
  from: number;
  /** Exclusive, epoch ms, the start of an hour. */
  to: number;
  /**
   * Where the answer's buckets start (whole hours): no rollup bucket across one is read, so `keyOf` sees each
   * point inside one answer bucket. Default: none (the range is one bucket)
   */
  cuts?: readonly number[];
  /**
   * The metrics to read; the others are answered as 0 (or an empty sketch). A sketch is up to 16 KiB a point, so a
   * count over months reads far less without them. Default: all four
   */
  fields?: readonly (keyof typeof ROLLUP_FIELD)[];
}

/**
 * Totals per key, by default the value; `keyOf` groups otherwise (by local day, say). Values whose rollups all hold
 * zero (overwritten when they moved into (other)) are left out. With a `cache`, a query for unique counts reads the
 * points' revisions first and only the buckets that changed since they were kept (rollup-cache.ts), and adds up kept
 * buckets merged before where it can (mergedValues); the answer is the same.
 */
export async function readRollup(
  influxql: InfluxQL,
  rollupPolicy: string,
  query: RollupQuery,
  keyOf: KeyOf = (value) => value,
  cache?: RollupCache,
): Promise<Map<string, ValueTotals>> {
  const f = ROLLUP_FIELD;
  // `events` is always read: a value whose events are 0 was overwritten and is left out.
  const fields = new Set([f.events, ...(query.fields ?? [f.pageviews, f.visitors, f.sessions]).map((k) => f[k])]);
  const totals = new Map<string, ValueTotals>();
  const add = (key: string, counts: ValueTotals) => addInto(totals, key, counts);
  const cached = fields.has(f.visitors) || fields.has(f.sessions) ? cache : undefined;
  const segments = coverRange(query.from, query.to, query.cuts);
  if (!cached) {
    const readSegment = async (segment: Segment) => {
      for await (const points of readPoints(influxql, rollupPolicy, query, segment, dimensionsOf(query), [...fields]))
        for (const point of points)
          if (point.counts.events > 0) add(keyOf(point.value, point.start, point.dimension), point.counts);
    };
    await Promise.all(segments.map(readSegment));
    return totals;
  }
  const read = await Promise.all(
    segments.map((segment) => readBuckets(influxql, rollupPolicy, query, segment, cached)),
  );
  // Kept buckets, per dimension and answer bucket (between two cuts): merged once, and remembered (rollup-cache.ts).
  const cuts = [...(query.cuts ?? [])].sort((a, b) => a - b);
  const answerStart = (start: number) => cuts.findLast((cut) => cut <= start) ?? query.from;
  const groups = new Map<string, { dimension: AnyDimension; start: number; kept: [Bucket, KeptBucket][] }>();
  for (const buckets of read)
    for (const entry of buckets) {
      const [{ dimension, start }] = entry;
      const key = groupKey(dimension, answerStart(start));
      const group = groups.get(key) ?? { dimension, start: answerStart(start), kept: [] };
      group.kept.push(entry);
      groups.set(key, group);
    }
  for (const { dimension, start, kept } of groups.values())
    for (const values of mergedValues(query, dimension, kept, cached))
      for (const [value, counts] of values) add(keyOf(value, start, dimension), counts);
  return totals;
}

/** Buckets read with points that have no revision: never kept, so neither is a merge of them. */
const unkept = new WeakSet<KeptBucket>();

/** Per kept bucket, a number for merged keys: a bucket read again is another object, so another number. */
const keptIds = new WeakMap<KeptBucket, number>();
let nextKeptId = 0;
const keptId = (kept: KeptBucket) => {
  let id = keptIds.get(kept);
  if (id === undefined) keptIds.set(kept, (id = nextKeptId++));
  return id;
};

/**
 * The values of a dimension's kept buckets of one answer bucket, as maps to add up: every bucket but the newest
 * merged into one (kept, so the next answer over the same buckets merges nothing; as events arrive, only the newest
 * changes), then the newest. A month of days is 30 merges of up to 16 KiB sketches per value, which made most of a
 * month's breakdowns.
 */
function mergedValues(
  query: RollupQuery,
  dimension: AnyDimension,
  kept: [Bucket, KeptBucket][],
  cache: RollupCache,
): ReadonlyMap<string, ValueTotals>[] {
  if (kept.length < 2 || kept.some(([, bucket]) => unkept.has(bucket))) return kept.map(([, bucket]) => bucket.values);
  kept.sort(([a], [b]) => a.start - b.start || a.grain.localeCompare(b.grain));
  const older = kept.slice(0, -1).map(([, bucket]) => bucket);
  const newest = kept[kept.length - 1]![1];
  const key = JSON.stringify([query.site, query.audience, dimension, older.map(keptId)]);
  let merged = cache.getMerged(key);
  if (!merged) {
    const values = new Map<string, ValueTotals>();
    for (const bucket of older) for (const [value, counts] of bucket.values) addInto(values, value, counts);
    cache.setMerged(key, (merged = values));
  }
  return [merged, newest.values];
}

/** Adds `counts` to the totals of `key`, made empty when new; `counts` is left as it is. */
function addInto(totals: Map<string, ValueTotals>, key: string, counts: ValueTotals): void {
  let total = totals.get(key);
  if (!total) {
    total = { events: 0, pageviews: 0, visitors: new HyperLogLog(), sessions: new HyperLogLog() };
    totals.set(key, total);
  }
  total.events += counts.events;
  total.pageviews += counts.pageviews;
  total.visitors.merge(counts.visitors);
  total.sessions.merge(counts.sessions);
}

interface StoredPoint {
  dimension: AnyDimension;
  value: string;
  /** Start of its bucket, epoch ms. */
  start: number;
  counts: ValueTotals;
  /** Absent on points written before revisions were. */
  revision: number | undefined;
}

/**
 * The points of `dimensions` in [from, to) of the segment's grain, with `fields` (others empty or 0), a chunk of
 * InfluxDB's answer at a time (a month of every dimension is some ten thousand points: one each would cost a promise).
 */
async function* readPoints(
  influxql: InfluxQL,
  rollupPolicy: string,
  query: RollupQuery,
  segment: Segment,
  dimensions: readonly AnyDimension[],
  fields: readonly string[],
): AsyncGenerator<StoredPoint[]> {
  const f = ROLLUP_FIELD;
  const statement = rollupSelect(influxql, {
    rollupPolicy,
    grain: segment.grain,
    fields,
    where: [
      `${ident(ROLLUP_TAG.site)} = $site`,
      `${ident(ROLLUP_TAG.audience)} = $audience`,
      `(${dimensions.map((_, i) => `${ident(ROLLUP_TAG.dimension)} = $dimension${i}`).join(' OR ')})`,
      IN_RANGE,
    ],
    groupBy: [ROLLUP_TAG.dimension, ROLLUP_TAG.value],
  });
  const params = {
    site: query.site,
    audience: query.audience,
    ...Object.fromEntries(dimensions.map((dimension, i) => [`dimension${i}`, dimension])),
    from: new Date(segment.from).toISOString(),
    to: new Date(segment.to).toISOString(),
  };
  const sketch = (text: unknown) => (text == null ? new HyperLogLog() : HyperLogLog.deserialize(String(text)));
  for await (const chunk of influxql.rows(statement, params))
    yield chunk.map((row): StoredPoint => {
      const revision = row[ROLLUP_REVISION_FIELD];
      return {
        dimension: String(row[ROLLUP_TAG.dimension]) as AnyDimension,
        value: String(row[ROLLUP_TAG.value]),
        start: Number(row['time']),
        counts: {
          events: Number(row[f.events]),
          pageviews: Number(row[f.pageviews] ?? 0),
          visitors: sketch(row[f.visitors]),
          sessions: sketch(row[f.sessions]),
        },
        revision: revision == null ? undefined : Number(revision),
      };
    });
}

type Bucket = BucketKey & { dimension: AnyDimension };

/** The points of one bucket as read: their (value, revision) pairs, and the totals of values still counted. */
interface BucketPoints {
  bucket: Bucket;
  points: [string, number][];
  /** False when a point has no revision: such a bucket is never kept. */
  keepable: boolean;
  values: Map<string, ValueTotals>;
}

const groupKey = (dimension: string, start: number) => `${dimension}\u0000${start}`;

/** Points grouped by bucket (dimension and start), in the order first seen. */
async function byBucket(
  chunks: AsyncIterable<StoredPoint[]>,
  bucketOf: (dimension: AnyDimension, start: number) => Bucket,
): Promise<Map<string, BucketPoints>> {
  const groups = new Map<string, BucketPoints>();
  for await (const points of chunks)
    for (const point of points) {
      const key = groupKey(point.dimension, point.start);
      let group = groups.get(key);
      if (!group)
        groups.set(
          key,
          (group = { bucket: bucketOf(point.dimension, point.start), points: [], keepable: true, values: new Map() }),
        );
      if (point.revision === undefined) group.keepable = false;
      group.points.push([point.value, point.revision ?? -1]);
      if (point.counts.events > 0) group.values.set(point.value, point.counts);
    }
  return groups;
}

/**
 * The segment's buckets with every field: the revisions of all are read, the buckets whose revisions differ from the
 * kept ones are read whole (one query from the first such bucket to the last, for the dimensions that have one) and
 * kept when every point has a revision.
 */
async function readBuckets(
  influxql: InfluxQL,
  rollupPolicy: string,
  query: RollupQuery,
  segment: Segment,
  cache: RollupCache,
): Promise<Map<Bucket, KeptBucket>> {
  const f = ROLLUP_FIELD;
  const bucketOf = (dimension: AnyDimension, start: number): Bucket => ({
    site: query.site,
    audience: query.audience,
    grain: segment.grain,
    dimension,
    start,
  });
  const revisionFields = [f.events, ROLLUP_REVISION_FIELD];
  const revisions = await byBucket(
    readPoints(influxql, rollupPolicy, query, segment, dimensionsOf(query), revisionFields),
    bucketOf,
  );
  const answer = new Map<Bucket, KeptBucket>();
  const stale: Bucket[] = [];
  for (const { bucket, points, keepable } of revisions.values()) {
    const kept = keepable ? cache.get(bucket, fingerprintOf(points)) : undefined;
    if (kept) answer.set(bucket, kept);
    else stale.push(bucket);
  }
  if (stale.length === 0) return answer;

  const span = {
    ...segment,
    from: Math.min(...stale.map((bucket) => bucket.start)),
    to: Math.max(...stale.map((bucket) => bucket.start)) + 1,
  };
  const dimensions = [...new Set(stale.map((bucket) => bucket.dimension))];
  const allFields = [f.events, f.pageviews, f.visitors, f.sessions, ROLLUP_REVISION_FIELD];
  const read = await byBucket(readPoints(influxql, rollupPolicy, query, span, dimensions, allFields), bucketOf);
  const fresh = new Set(stale.map((bucket) => groupKey(bucket.dimension, bucket.start)));
  for (const [key, { bucket, points, keepable, values }] of read) {
    // Buckets inside the span that were kept already are answered from memory (set above).
    if (!fresh.has(key)) continue;
    const kept = { fingerprint: fingerprintOf(points), values };
    if (keepable) cache.set(bucket, kept);
    else unkept.add(kept);
    answer.set(bucket, kept);
  }
  return answer;
}

export const dimensionsOf = (query: Pick<RollupQuery, 'dimension'>): readonly AnyDimension[] =>
  typeof query.dimension === 'string' ? [query.dimension] : query.dimension;

/** `read`'s totals per value, for each of several dimensions read at once. */
export async function totalsByDimension<D extends AnyDimension>(
  dimensions: readonly D[],
  read: (keyOf: KeyOf) => Promise<Map<string, ValueTotals>>,
): Promise<Map<D, Map<string, ValueTotals>>> {
  const byDimension = new Map<D, Map<string, ValueTotals>>(dimensions.map((d) => [d, new Map()]));
  const flat = await read((value, _start, dimension) => JSON.stringify([dimension, value]));
  for (const [key, totals] of flat) {
    const [dimension, value] = JSON.parse(key) as [D, string];
    byDimension.get(dimension)?.set(value, totals);
  }
  return byDimension;
}
