// Enriched events, producing them to Kafka and reading points back from
// InfluxDB, shared by the integration tests and the benchmark.
import { randomBytes } from 'node:crypto';
import { InfluxDB } from '@influxdata/influxdb-client';
import { FIELD, MEASUREMENT, type EnrichedEvent } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import type { FastifyInstance } from 'fastify';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { loadConfig, type ConsumerConfig } from '../../src/config.ts';

/**
 * `count` valid events of one site, each in its own millisecond (from
 * `startMs`), so no two can share a point identity whatever their ids.
 */
export function enrichedEvents(
  count: number,
  options: { site?: string; startMs?: number; runId?: string } = {},
): EnrichedEvent[] {
  const site = options.site ?? 'shop';
  const startMs = options.startMs ?? Date.now() - 86_400_000;
  const runId = options.runId ?? randomBytes(4).toString('hex');
  const types = ['click', 'pageview', 'custom'] as const;
  return Array.from({ length: count }, (_, i) => {
    const eventTime = startMs + i;
    return {
      event: sampleEvent({
        id: `ev-${runId}-${i.toString().padStart(8, '0')}`,
        type: types[i % types.length],
        seq: i,
        timestamp: eventTime,
        sessionId: `sess-${runId}-${Math.floor(i / 50)}`,
        properties: { plan: 'pro', index: i },
      }),
      site,
      receivedAt: eventTime + 40,
      eventTime,
      userAgent: { browser: 'Chrome', browserVersion: '131', os: 'Linux', device: 'desktop' },
    };
  });
}

export function testKafka(brokers: string[]): Kafka {
  return new Kafka({ brokers, clientId: 'consumer-test', logLevel: logLevel.NOTHING });
}

/** Produces values in sends of `chunk` messages, round-robin over partitions via distinct keys. */
export async function produce(kafka: Kafka, topic: string, messages: Message[], chunk = 2_000): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += chunk) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + chunk) });
    }
  } finally {
    await producer.disconnect();
  }
}

export const asMessages = (events: EnrichedEvent[]): Message[] =>
  events.map((e) => ({ key: e.event.anonymousId + e.event.id.slice(-3), value: JSON.stringify(e) }));

/** Records as ingest writes them: one per session in a row of events, its events as a JSON array, keyed by anonymous id. */
export function asRecords(events: EnrichedEvent[]): Message[] {
  const records: Message[] = [];
  let group: EnrichedEvent[] = [];
  for (const event of events) {
    if (group.length > 0 && group[0]!.event.sessionId !== event.event.sessionId) {
      records.push({ key: group[0]!.event.anonymousId, value: JSON.stringify(group) });
      group = [];
    }
    group.push(event);
  }
  if (group.length > 0) records.push({ key: group[0]!.event.anonymousId, value: JSON.stringify(group) });
  return records;
}

/** Every value of the `id` field in the bucket: one per point. */
export async function pointIds(influxUrl: string, bucket: string): Promise<string[]> {
  const api = new InfluxDB({ url: influxUrl, timeout: 60_000 }).getQueryApi('');
  const rows = await api.collectRows<{ _value: string }>(
    `from(bucket: ${JSON.stringify(bucket)}) |> range(start: 0) |> filter(fn: (r) => r._measurement == "${MEASUREMENT}" and r._field == "${FIELD.id}") |> keep(columns: ["_value"])`,
  );
  return rows.map((r) => r._value);
}

/** Points as rows with tags, fields (pivoted) and `_time`. */
export async function pointRows(influxUrl: string, bucket: string): Promise<Record<string, unknown>[]> {
  const api = new InfluxDB({ url: influxUrl, timeout: 60_000 }).getQueryApi('');
  return api.collectRows(
    `from(bucket: ${JSON.stringify(bucket)}) |> range(start: 0) |> filter(fn: (r) => r._measurement == "${MEASUREMENT}")
     |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value") |> group()`,
  );
}

/** Names of the fields stored at `time` (RFC 3339), sorted. */
export async function fieldsAt(influxUrl: string, bucket: string, time: string): Promise<string[]> {
  const api = new InfluxDB({ url: influxUrl, timeout: 60_000 }).getQueryApi('');
  const rows = await api.collectRows<{ _field: string }>(
    `from(bucket: ${JSON.stringify(bucket)}) |> range(start: 0) |> filter(fn: (r) => r._measurement == "${MEASUREMENT}" and r._time == time(v: ${JSON.stringify(time)})) |> keep(columns: ["_field"])`,
  );
  return rows.map((r) => r._field).sort();
}

/** Polls `probe` until it is true; throws with `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
  intervalMs = 500,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function testConfig(env: Record<string, string>): Readonly<ConsumerConfig> {
  return loadConfig({
    EVENTLINE_LOG_LEVEL: 'warn',
    EVENTLINE_CONSUMER_SESSION_TIMEOUT_MS: '10000',
    EVENTLINE_CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
    ...env,
  });
}

export function testLogger(): Logger {
  return pino({ level: process.env['EVENTLINE_TEST_LOG_LEVEL'] ?? 'warn' });
}

/**
 * Produces `messages` as a steady stream of `perTick` messages every `tickMs`,
 * so a test can break things while events are still arriving.
 */
export async function produceStream(
  kafka: Kafka,
  topic: string,
  messages: Message[],
  options: { perTick: number; tickMs: number },
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += options.perTick) {
      const tick = Date.now();
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + options.perTick) });
      await new Promise((r) => setTimeout(r, Math.max(0, options.tickMs - (Date.now() - tick))));
    }
  } finally {
    await producer.disconnect();
  }
}

/** Asserts-friendly summary of what the bucket holds for `expected` events. */
export async function storedSummary(influxUrl: string, bucket: string, expectedIds: readonly string[]) {
  const ids = await pointIds(influxUrl, bucket);
  const distinct = new Set(ids);
  const expected = new Set(expectedIds);
  return {
    points: ids.length,
    distinct: distinct.size,
    missing: [...expected].filter((id) => !distinct.has(id)).length,
    unexpected: [...distinct].filter((id) => !expected.has(id)).length,
  };
}

/** Readies the app and waits until its consumer has joined the group. */
export async function readyApp(app: FastifyInstance): Promise<FastifyInstance> {
  await app.ready();
  await eventually('the consumer to join its group', async () => app.pipeline.consumer.status().joined, 60_000, 100);
  return app;
}

/** The group's committed offset per partition of `topic` (-1 where nothing is committed) and the topic's end offsets, by partition. */
export async function groupOffsets(
  brokers: string[],
  groupId: string,
  topic: string,
): Promise<{ committed: number[]; end: number[] }> {
  const admin = testKafka(brokers).admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const sorted = [...ends].sort((a, b) => a.partition - b.partition);
    return { committed: sorted.map((e) => byPartition.get(e.partition) ?? -1), end: sorted.map((e) => Number(e.high)) };
  } finally {
    await admin.disconnect();
  }
}

/** True once the group has committed every partition of `topic` up to its end. */
export async function allCommitted(brokers: string[], groupId: string, topic: string): Promise<boolean> {
  const { committed, end } = await groupOffsets(brokers, groupId, topic);
  return committed.every((c, i) => c === end[i]);
}

/** The event id at each offset of each partition of `topic`, read back from Kafka: `ids[partition][offset]`. */
export async function eventIdsByOffset(brokers: string[], topic: string, count: number): Promise<string[][]> {
  const ids: string[][] = [];
  let read = 0;
  const reader = testKafka(brokers).consumer({ groupId: `${topic}-index-${randomBytes(4).toString('hex')}` });
  await reader.connect();
  await reader.subscribe({ topic, fromBeginning: true });
  await reader.run({
    eachMessage: async ({ partition, message }) => {
      (ids[partition] ??= [])[Number(message.offset)] = (
        JSON.parse(message.value!.toString()) as EnrichedEvent
      ).event.id;
      read += 1;
    },
  });
  try {
    await eventually(`${count} messages of ${topic}`, async () => read >= count);
  } finally {
    await reader.disconnect();
  }
  return ids;
}
