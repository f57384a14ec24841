import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBucket, freePort, startInflux, type InfluxServer } from '@eventline/infra';
import { createTestTopic, testInfra } from '@eventline/testkit';
import { afterAll, expect, it } from 'vitest';
import {
  allCommitted,
  asMessages,
  enrichedEvents,
  eventIdsByOffset,
  groupOffsets,
  pointIds,
  produce,
  produceStream,
  storedSummary,
  testKafka,
} from './support/fixtures.ts';
import { eventually, sleep } from '@eventline/testkit';
import { relayedConsumer } from './support/relayed-consumer.ts';
import { startConsumer } from './support/test-consumer.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

it('pauses while its own InfluxDB is stopped for more than 10 s, never crashes, and stores exactly N points after the restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'consumer-outage-'));
  const ports = { httpPort: await freePort(), rpcPort: await freePort() };
  let influx: InfluxServer = await startInflux({ ...ports, dataDir });
  cleanups.push(async () => {
    await influx.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const bucket = await createBucket(influx.url, 'outage', 'events');
  const topic = await createTestTopic('outage', 3);
  const dlq = await createTestTopic('outage-dlq', 1);
  const { brokers } = testInfra();
  let fatal: Error | undefined;
  const app = await startConsumer(
    {
      EVENTLINE_KAFKA_TOPIC: topic,
      EVENTLINE_KAFKA_DLQ_TOPIC: dlq,
      EVENTLINE_CONSUMER_GROUP: `${topic}-group`,
      EVENTLINE_INFLUX_URL: influx.url,
      EVENTLINE_INFLUX_BUCKET: bucket,
      EVENTLINE_INFLUX_TIMEOUT_MS: '2000',
      EVENTLINE_CONSUMER_RETRY_MAX_MS: '2000',
    },
    { onFatal: (error) => (fatal = error) },
  );

  const events = enrichedEvents(8_000);
  // 8 000 events over about 16 s: the outage starts early and events keep arriving during it.
  const producing = produceStream(testKafka(brokers), topic, asMessages(events), { perTick: 100, tickMs: 200 });
  await eventually('the first points', async () => (await pointIds(influx.url, bucket)).length >= 500, 30_000, 200);

  await influx.stop();
  const stoppedAt = Date.now();
  await eventually(
    'a failed write that paused a partition',
    async () => app.pipeline.consumer.status().paused > 0,
    15_000,
    100,
  );
  expect((await app.inject('/readyz')).statusCode).toBe(503);
  // Writes that succeeded just before the stop have committed within a second; after that nothing may move.
  await sleep(1_000);
  const group = `${topic}-group`;
  const duringOutage = await groupOffsets(brokers, group, topic);
  await sleep(Math.max(0, 10_500 - (Date.now() - stoppedAt)));
  const endOfOutage = await groupOffsets(brokers, group, topic);
  expect(endOfOutage.committed).toEqual(duringOutage.committed);
  expect(endOfOutage.committed.some((c, i) => c < endOfOutage.end[i]!)).toBe(true);
  influx = await startInflux({ ...ports, dataDir });

  await producing;
  await eventually(
    'all points after recovery',
    async () => (await pointIds(influx.url, bucket)).length >= events.length,
    60_000,
  );
  expect(
    await storedSummary(
      influx.url,
      bucket,
      events.map((e) => e.event.id),
    ),
  ).toEqual({ points: events.length, distinct: events.length, missing: 0, unexpected: 0 });
  expect(fatal).toBeUndefined();
  expect(app.pipeline.consumer.status()).toMatchObject({ joined: true, paused: 0 });
  const metrics = (await app.inject('/metrics')).body;
  expect(Number(metrics.match(/eventline_consumer_batches_total\{outcome="retry"\} (\d+)/)?.[1])).toBeGreaterThan(0);
  expect((await app.inject('/readyz')).statusCode).toBe(200);
  await eventually('every offset committed', () => allCommitted(brokers, group, topic));
});

it('never commits an offset past an unwritten event while InfluxDB is unreachable, then stores every event exactly once', async () => {
  const { brokers, influxUrl, relay, topic, bucket, group, start } = await relayedConsumer('unreachable', 3, cleanups);
  const app = await start({
    EVENTLINE_INFLUX_TIMEOUT_MS: '2000',
    EVENTLINE_CONSUMER_RETRY_MAX_MS: '1000',
    EVENTLINE_CONSUMER_BATCH_SIZE: '200',
  });

  const events = enrichedEvents(6_000);
  const producing = produceStream(testKafka(brokers), topic, asMessages(events), { perTick: 100, tickMs: 100 });
  await eventually('the first points', async () => (await pointIds(influxUrl, bucket)).length >= 1_000, 30_000, 100);
  // The consumer loses InfluxDB mid-stream; the test keeps reading it directly.
  await relay.down();
  await eventually(
    'a failed write that paused a partition',
    async () => app.pipeline.consumer.status().paused > 0,
    15_000,
    100,
  );
  const samples: { committed: number[]; stored: Set<string> }[] = [];
  const outageEnds = Date.now() + 10_000;
  while (Date.now() < outageEnds) {
    // Offsets first: whatever they cover must already be stored when the points are read after them.
    const { committed } = await groupOffsets(brokers, group, topic);
    samples.push({ committed, stored: new Set(await pointIds(influxUrl, bucket)) });
    await sleep(1_000);
  }
  await producing;
  const idsByOffset = await eventIdsByOffset(brokers, topic, events.length);
  for (const { committed, stored } of samples) {
    committed.forEach((offset, partition) => {
      const unwritten = idsByOffset[partition]!.slice(0, Math.max(0, offset)).filter((id) => !stored.has(id));
      expect(unwritten, `partition ${partition} committed to ${offset}`).toEqual([]);
    });
  }
  // Once the writes that were answered before the outage have committed, nothing moves.
  for (const { committed } of samples.slice(2)) expect(committed).toEqual(samples[1]!.committed);
  const { end } = await groupOffsets(brokers, group, topic);
  expect(samples.at(-1)!.committed.some((c, i) => c < end[i]!)).toBe(true);

  await relay.up();
  await eventually('every offset committed', () => allCommitted(brokers, group, topic), 60_000);
  expect(
    await storedSummary(
      influxUrl,
      bucket,
      events.map((e) => e.event.id),
    ),
  ).toEqual({ points: events.length, distinct: events.length, missing: 0, unexpected: 0 });
});

it('leaves no partition paused and no retry pending when a write fails while the consumer is stopping', async () => {
  const { brokers, relay, topic, group, start } = await relayedConsumer('stopping', 1, cleanups);
  relay.setWriteDelay(() => 3_000);
  // A retry timer set by the failure would still be pending when close() resolves.
  const app = await start({ EVENTLINE_CONSUMER_RETRY_INITIAL_MS: '5000', EVENTLINE_CONSUMER_RETRY_MAX_MS: '5000' });
  await produce(testKafka(brokers), topic, asMessages(enrichedEvents(300)));
  await eventually('a write in flight', async () => relay.writes().inFlight > 0, 30_000, 50);

  const closing = app.close();
  await sleep(300);
  // The write the stop waits for fails.
  await relay.down();
  await closing;
  expect(app.pipeline.consumer.status()).toMatchObject({ joined: false, paused: 0 });
  expect((await groupOffsets(brokers, group, topic)).committed).toEqual([-1]);
});
