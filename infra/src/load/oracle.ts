// The fault tests' oracle: what InfluxDB holds for a run (points, distinct ids,
// duplicates, missing acknowledged ids) and how far the consumer group lags.
import { InfluxDB, flux } from '@influxdata/influxdb-client';
import { Kafka, logLevel } from 'kafkajs';
import { FIELD, MEASUREMENT } from '@eventline/contract';

export interface StoredCounts {
  points: number;
  distinctIds: number;
  /** Points beyond the first for an id: must be 0. */
  duplicates: number;
  /** Acknowledged ids that are not stored. */
  missing: number;
}

export async function storedCounts(influxUrl: string, bucket: string, acknowledged: ReadonlySet<string>): Promise<StoredCounts> {
  const query = new InfluxDB({ url: influxUrl, token: '', timeout: 60_000 }).getQueryApi('');
  const ids: string[] = [];
  for await (const { values, tableMeta } of query.iterateRows(
    flux`from(bucket: ${bucket}) |> range(start: 0) |> filter(fn: (r) => r._measurement == ${MEASUREMENT} and r._field == ${FIELD.id}) |> keep(columns: ["_value"])`,
  )) {
    ids.push(String(tableMeta.get(values, '_value')));
  }
  const distinct = new Set(ids);
  let missing = 0;
  for (const id of acknowledged) if (!distinct.has(id)) missing++;
  return { points: ids.length, distinctIds: distinct.size, duplicates: ids.length - distinct.size, missing };
}

/** Messages in `topic` not yet committed by `groupId`. */
export async function consumerLag(brokers: string[], topic: string, groupId: string): Promise<number> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const committedBy = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
    return ends.reduce((lag, p) => {
      const done = committedBy.get(p.partition) ?? -1;
      return lag + Number(p.high) - (done < 0 ? Number(p.low) : done);
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
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    stop() {
      stopped = true;
      return max;
    },
  };
}

/** Number of `id` fields stored, i.e. points; cheap enough to poll. */
export async function storedPoints(influxUrl: string, bucket: string): Promise<number> {
  const query = new InfluxDB({ url: influxUrl, token: '', timeout: 30_000 }).getQueryApi('');
  const rows = await query.collectRows<{ _value: number }>(
    flux`from(bucket: ${bucket}) |> range(start: 0) |> filter(fn: (r) => r._measurement == ${MEASUREMENT} and r._field == ${FIELD.id}) |> count()`,
  );
  return rows.reduce((sum, row) => sum + Number(row._value), 0);
}

/** Waits until at least `expected` points are stored or `timeoutMs` passes; returns the last count. */
export async function waitForStored(influxUrl: string, bucket: string, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let points = 0;
  while (Date.now() < deadline) {
    points = await storedPoints(influxUrl, bucket).catch(() => points);
    if (points >= expected) return points;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return points;
}
