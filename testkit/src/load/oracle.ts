// The fault tests' oracle: what InfluxDB holds for a run (points, distinct ids,
// duplicates, missing acknowledged ids), how far the consumer group lags, when
// the pipeline has settled, and what the dashboard's completeness check says.
import { InfluxDB, flux, fluxExpression, type QueryApi } from '@influxdata/influxdb-client';
import { Kafka, logLevel } from 'kafkajs';
import { FIELD, MEASUREMENT, TAG } from '@eventline/contract';
import type { CompletenessFigures, CompletenessReport, OverviewResponse } from '@eventline/contract/read-api';
import { sleep } from '../wait.ts';

export type { CompletenessFigures };

export interface StoredCounts {
  /** Points (series and time), each once. */
  points: number;
  distinctIds: number;
  /** Points beyond the first for an id: must be 0. */
  duplicates: number;
  /** Acknowledged ids that are not stored: lost (every event has a point of its own, so none is overwritten). */
  lost: number;
  /** The acknowledged ids that are not stored. */
  lostIds: string[];
  /** Rows of the read that repeated a point already read (InfluxDB 1.8's Flux read; see storedPointsById). */
  repeatedRows: number;
}

/**
 * Points are read a minute of event time at a time: a run's client holds one window's point keys, not all of them
 * (a 30-minute soak stores about 27 million points, whose keys alone passed Node's default heap).
 */
const WINDOW_MS = 60_000;

/** The stored points' first and last times (ms), or undefined when nothing is stored. */
async function storedSpan(query: QueryApi, bucket: string): Promise<[first: number, last: number] | undefined> {
  const ends = async (pick: 'first' | 'last') =>
    (
      await query.collectRows<{ _time: string }>(
        flux`from(bucket: ${bucket}) |> range(start: 0) |> filter(fn: (r) => r._measurement == ${MEASUREMENT} and r._field == ${FIELD.id}) |> ${fluxExpression(pick)}() |> keep(columns: ["_time"])`,
      )
    ).map((row) => Date.parse(row._time));
  const [firsts, lasts] = await Promise.all([ends('first'), ends('last')]);
  return firsts.length === 0 ? undefined : [Math.min(...firsts), Math.max(...lasts)];
}

/**
 * Every stored point, each once, and the ids they hold. InfluxDB 1.8's Flux reads can return values on disk a second
 * time while their series has values in the in-memory cache within their time range (influxdata/influxdb#26690,
 * fixed upstream in 1.12 only): late events written among points already snapshotted cause it, until the cache is
 * snapshotted again. Rows are therefore deduplicated by point (series and time), within the window that holds the
 * point's time, and counted apart. Ids are checked across windows: an event stored at two points is found wherever
 * they lie.
 */
async function storedPointsById(
  influxUrl: string,
  bucket: string,
): Promise<{ points: number; ids: Set<string>; duplicates: number; repeatedRows: number }> {
  const query = new InfluxDB({ url: influxUrl, token: '', timeout: 120_000 }).getQueryApi('');
  const ids = new Set<string>();
  let points = 0;
  let duplicates = 0;
  let repeatedRows = 0;
  const span = await storedSpan(query, bucket);
  if (!span) return { points, ids, duplicates, repeatedRows };
  for (let from = Math.floor(span[0] / WINDOW_MS) * WINDOW_MS; from <= span[1]; from += WINDOW_MS) {
    const seen = new Set<string>();
    for await (const { values, tableMeta } of query.iterateRows(
      flux`from(bucket: ${bucket}) |> range(start: ${new Date(from)}, stop: ${new Date(from + WINDOW_MS)}) |> filter(fn: (r) => r._measurement == ${MEASUREMENT} and r._field == ${FIELD.id}) |> keep(columns: ["_time", "_value", ${TAG.site}, ${TAG.shard}, ${TAG.type}])`,
    )) {
      const row = tableMeta.toObject(values) as Record<string, string | undefined>;
      const point = `${row[TAG.site]}\n${row[TAG.shard] ?? ''}\n${row[TAG.type]}\n${row['_time']}`;
      if (seen.has(point)) {
        repeatedRows++;
        continue;
      }
      seen.add(point);
      points++;
      const id = String(row['_value']);
      if (ids.has(id)) duplicates++;
      else ids.add(id);
    }
  }
  return { points, ids, duplicates, repeatedRows };
}

/** What is stored, each point once (see storedPointsById); `lost` against `acknowledged` (default: none, nothing lost). */
export async function storedCounts(
  influxUrl: string,
  bucket: string,
  acknowledged: ReadonlyMap<string, unknown> = new Map(),
): Promise<StoredCounts> {
  const { points, ids, duplicates, repeatedRows } = await storedPointsById(influxUrl, bucket);
  const lostIds = [...acknowledged.keys()].filter((id) => !ids.has(id));
  return { points, distinctIds: ids.size, duplicates, lost: lostIds.length, lostIds, repeatedRows };
}

export async function consumerLag(brokers: string[], topic: string, groupId: string): Promise<number> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const committedBy = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
    // The two reads are not one snapshot: a commit read after its end offset can pass it, which is no lag, not less.
    return ends.reduce((lag, p) => {
      const done = committedBy.get(p.partition) ?? -1;
      return lag + Math.max(0, Number(p.high) - (done < 0 ? Number(p.low) : done));
    }, 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Samples consumer lag every `intervalMs` until stopped; `stop()` returns the
 * largest lag seen, or NaN when no sample succeeded (never a reassuring 0).
 */
export function sampleLag(brokers: string[], topic: string, groupId: string, intervalMs = 1_000): { stop(): number } {
  let max = NaN;
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const lag = await consumerLag(brokers, topic, groupId).catch(() => NaN);
      if (!Number.isNaN(lag)) max = Number.isNaN(max) ? lag : Math.max(max, lag);
      await sleep(intervalMs);
    }
  })();
  return {
    stop() {
      stopped = true;
      return max;
    },
  };
}

/** Number of `id` fields stored, i.e. points; cheap enough to poll, but may count a point twice (see storedPointsById). */
export async function storedPoints(influxUrl: string, bucket: string): Promise<number> {
  const query = new InfluxDB({ url: influxUrl, token: '', timeout: 30_000 }).getQueryApi('');
  const rows = await query.collectRows<{ _value: number }>(
    flux`from(bucket: ${bucket}) |> range(start: 0) |> filter(fn: (r) => r._measurement == ${MEASUREMENT} and r._field == ${FIELD.id}) |> count()`,
  );
  return rows.reduce((sum, row) => sum + Number(row._value), 0);
}

/** What the consumers say they did, summed over instances (Prometheus counters; reset when an instance restarts). */
export async function consumerCounters(
  urls: readonly string[],
): Promise<{ pointsWritten: number; deadLetters: number }> {
  const sum = (text: string, name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  const texts = await Promise.all(
    urls.map(async (url) => (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text()),
  );
  return {
    pointsWritten: texts.reduce((total, text) => total + sum(text, 'eventline_consumer_points_written_total'), 0),
    deadLetters: texts.reduce((total, text) => total + sum(text, 'eventline_consumer_dead_letters_total'), 0),
  };
}

export interface SettleProbe {
  /** Consumer lag in messages; a rejection counts as not settled. */
  lag(): Promise<number>;
  /** What is stored so far (points, clicks, …); a rejection counts as not settled. */
  stored(): Promise<number>;
}

export interface SettleOptions {
  /** Stored count the run must reach at least. */
  expected: number;
  /** How long lag must stay 0 and the count unchanged. */
  settleMs: number;
  timeoutMs: number;
  /** Default: 1000 ms */
  intervalMs?: number;
}

export interface Settled {
  /** False when the time ran out first. */
  settled: boolean;
  stored: number;
  /** Last lag read, NaN when none could be read. */
  lag: number;
}

/**
 * Waits until the consumer has committed everything (lag 0), at least
 * `expected` are stored, and neither has changed for `settleMs`. Reaching the
 * count is not enough: a redelivered batch still in Kafka or in the consumer
 * would land after it, as a duplicate the assertion never saw.
 */
export async function waitUntilSettled(probe: SettleProbe, options: SettleOptions): Promise<Settled> {
  const deadline = Date.now() + options.timeoutMs;
  let stableSince: number | undefined;
  let last: Settled = { settled: false, stored: 0, lag: NaN };
  for (;;) {
    const [lag, stored] = await Promise.all([probe.lag().catch(() => NaN), probe.stored().catch(() => NaN)]);
    const quiet = lag === 0 && stored >= options.expected;
    if (!quiet) stableSince = undefined;
    else if (stableSince === undefined || stored !== last.stored) stableSince = Date.now();
    last = { settled: false, stored: Number.isNaN(stored) ? last.stored : stored, lag };
    if (stableSince !== undefined && Date.now() - stableSince >= options.settleMs) return { ...last, settled: true };
    if (Date.now() >= deadline) return last;
    await sleep(options.intervalMs ?? 1_000);
  }
}

/** The completeness figures of the dashboard's read API (GET /api/completeness), for one site over a range. */
export async function readCompleteness(
  dashboard: { url: string; token: string },
  query: { site: string; from: Date; to?: Date },
): Promise<CompletenessFigures> {
  const params = new URLSearchParams({
    site: query.site,
    from: query.from.toISOString(),
    to: (query.to ?? new Date()).toISOString(),
    examples: '5',
  });
  const response = await fetch(`${dashboard.url}/api/completeness?${params}`, {
    headers: { authorization: `Bearer ${dashboard.token}` },
    signal: AbortSignal.timeout(60_000),
  });
  if (!response.ok) throw new Error(`GET /api/completeness answered ${response.status}: ${await response.text()}`);
  const report = (await response.json()) as CompletenessReport;
  return report.total;
}

/**
 * Events the rollups count for one site over a range (read API v2 overview, people and bots together), for comparing
 * with the raw events stored.
 */
export async function readRolledUpEvents(
  dashboard: { url: string; token: string },
  query: { site: string; from: Date; to: Date },
): Promise<number> {
  let events = 0;
  for (const bots of ['exclude', 'only']) {
    const params = new URLSearchParams({
      site: query.site,
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      bots,
    });
    const response = await fetch(`${dashboard.url}/api/v2/overview?${params}`, {
      headers: { authorization: `Bearer ${dashboard.token}` },
      signal: AbortSignal.timeout(60_000),
    });
    if (!response.ok) throw new Error(`GET /api/v2/overview answered ${response.status}: ${await response.text()}`);
    events += ((await response.json()) as OverviewResponse).metrics.events.value;
  }
  return events;
}
