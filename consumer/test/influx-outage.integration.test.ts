import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBucket, freePort, startInflux, type InfluxServer } from '@eventline/infra';
import { createTestTopic, testInfra } from '@eventline/infra/testing';
import { afterAll, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { asMessages, enrichedEvents, eventually, pointIds, produceStream, storedSummary, testConfig, testKafka, testLogger, readyApp } from './support/fixtures.ts';

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
  const app = await buildApp({
    config: testConfig({
      EVENTLINE_KAFKA_BROKERS: brokers.join(','),
      EVENTLINE_KAFKA_TOPIC: topic,
      EVENTLINE_KAFKA_DLQ_TOPIC: dlq,
      EVENTLINE_CONSUMER_GROUP: `${topic}-group`,
      EVENTLINE_INFLUX_URL: influx.url,
      EVENTLINE_INFLUX_BUCKET: bucket,
      EVENTLINE_INFLUX_TIMEOUT_MS: '2000',
      EVENTLINE_CONSUMER_RETRY_MAX_MS: '2000',
    }),
    logger: testLogger(),
    onFatal: (error) => (fatal = error),
  });
  cleanups.push(() => app.close());
  await readyApp(app);

  const events = enrichedEvents(8_000);
  // 8 000 events over about 16 s: the outage starts early and events keep arriving during it.
  const producing = produceStream(testKafka(brokers), topic, asMessages(events), { perTick: 100, tickMs: 200 });
  await eventually('the first points', async () => (await pointIds(influx.url, bucket)).length >= 500, 30_000, 200);

  await influx.stop();
  const stoppedAt = Date.now();
  await eventually('a failed write that paused a partition', async () => app.pipeline.consumer.status().paused > 0, 15_000, 100);
  expect((await app.inject('/readyz')).statusCode).toBe(503);
  await new Promise((r) => setTimeout(r, Math.max(0, 10_500 - (Date.now() - stoppedAt))));
  influx = await startInflux({ ...ports, dataDir });

  await producing;
  await eventually('all points after recovery', async () => (await pointIds(influx.url, bucket)).length >= events.length, 60_000);
  expect(await storedSummary(influx.url, bucket, events.map((e) => e.event.id))).toEqual({ points: events.length, distinct: events.length, missing: 0, unexpected: 0 });
  expect(fatal).toBeUndefined();
  expect(app.pipeline.consumer.status()).toMatchObject({ joined: true, paused: 0 });
  const metrics = (await app.inject('/metrics')).body;
  expect(Number(metrics.match(/eventline_consumer_batches_total\{outcome="retry"\} (\d+)/)?.[1])).toBeGreaterThan(0);
  expect((await app.inject('/readyz')).statusCode).toBe(200);
});
