import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startLogged, waitFor, type ManagedProcess } from '@eventline/infra';
import { createTestBucket, createTestTopic, sleep, testInfra } from '@eventline/testkit';
import { repoRoot } from '@eventline/infra/services';
import { afterAll, expect, it } from 'vitest';
import {
  asMessages,
  enrichedEvents,
  groupOffsets,
  pointIds,
  produce,
  produceStream,
  storedSummary,
  testKafka,
} from './support/fixtures.ts';
import { eventually } from '@eventline/testkit';
import { startInfluxRelay } from './support/influx-relay.ts';

const logDir = mkdtempSync(join(tmpdir(), 'consumer-crash-'));
const running: ManagedProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.kill()));
  for (const cleanup of cleanups) await cleanup();
  rmSync(logDir, { recursive: true, force: true });
});

async function startConsumerProcess(name: string, env: Record<string, string>): Promise<ManagedProcess> {
  const port = await freePort();
  const child = startLogged(name, process.execPath, [join(repoRoot, 'consumer/dist/main.js')], {
    cwd: repoRoot,
    logFile: join(logDir, `${name}.log`),
    env: { ...process.env, ...env, EVENTLINE_CONSUMER_PORT: String(port) },
  });
  running.push(child);
  await waitFor(name, async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, {
    timeoutMs: 60_000,
    process: child,
  });
  return child;
}

it('stores exactly N points with no duplicates when the consumer process is SIGKILLed mid-stream and restarted', async () => {
  const { brokers, influxUrl } = testInfra();
  const topic = await createTestTopic('crash', 3);
  const dlq = await createTestTopic('crash-dlq', 1);
  const bucket = await createTestBucket('crash');
  const env = {
    EVENTLINE_KAFKA_BROKERS: brokers.join(','),
    EVENTLINE_KAFKA_TOPIC: topic,
    EVENTLINE_KAFKA_DLQ_TOPIC: dlq,
    EVENTLINE_CONSUMER_GROUP: `${topic}-group`,
    EVENTLINE_INFLUX_URL: influxUrl,
    EVENTLINE_INFLUX_BUCKET: bucket,
    // The killed member's partitions are handed over once its session expires.
    EVENTLINE_CONSUMER_SESSION_TIMEOUT_MS: '6000',
    EVENTLINE_CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
    // Small chunks, so the kill lands between many write/commit pairs.
    EVENTLINE_CONSUMER_BATCH_SIZE: '250',
    EVENTLINE_LOG_LEVEL: 'warn',
  };
  const events = enrichedEvents(12_000);
  const first = await startConsumerProcess('consumer-1', env);
  const producing = produceStream(testKafka(brokers), topic, asMessages(events), { perTick: 300, tickMs: 100 });

  await eventually(
    'a third of the points',
    async () => (await pointIds(influxUrl, bucket)).length >= 4_000,
    60_000,
    100,
  );
  await first.kill();
  const atKill = (await pointIds(influxUrl, bucket)).length;
  expect(atKill).toBeLessThan(events.length);

  const second = await startConsumerProcess('consumer-2', env);
  await producing;
  await eventually(
    'all points after the restart',
    async () => (await pointIds(influxUrl, bucket)).length >= events.length,
    90_000,
  );
  // Give a redelivery that would duplicate a point time to show up.
  await sleep(1_000);
  expect(
    await storedSummary(
      influxUrl,
      bucket,
      events.map((e) => e.event.id),
    ),
  ).toEqual({ points: events.length, distinct: events.length, missing: 0, unexpected: 0 });

  // A graceful stop leaves the group and exits 0.
  await second.stop();
  expect(await second.exited).toBe(0);
});

it('finishes and commits the chunk being written when stopped with SIGTERM, then exits 0', async () => {
  const { brokers, influxUrl } = testInfra();
  const relay = await startInfluxRelay(influxUrl);
  cleanups.push(() => relay.close());
  // InfluxDB answers each write after 3 s, so the SIGTERM lands while the chunk is being written.
  relay.setWriteDelay(() => 3_000);
  const topic = await createTestTopic('sigterm', 1);
  const dlq = await createTestTopic('sigterm-dlq', 1);
  const bucket = await createTestBucket('sigterm');
  const group = `${topic}-group`;
  const events = enrichedEvents(300);
  await produce(testKafka(brokers), topic, asMessages(events));
  const consumer = await startConsumerProcess('consumer-sigterm', {
    EVENTLINE_KAFKA_BROKERS: brokers.join(','),
    EVENTLINE_KAFKA_TOPIC: topic,
    EVENTLINE_KAFKA_DLQ_TOPIC: dlq,
    EVENTLINE_CONSUMER_GROUP: group,
    EVENTLINE_INFLUX_URL: relay.url,
    EVENTLINE_INFLUX_BUCKET: bucket,
    EVENTLINE_LOG_LEVEL: 'warn',
  });
  await eventually('the chunk being written', async () => relay.writes().inFlight > 0, 30_000, 50);
  expect((await groupOffsets(brokers, group, topic)).committed).toEqual([-1]);

  await consumer.stop();
  expect(await consumer.exited).toBe(0);
  expect(await groupOffsets(brokers, group, topic)).toEqual({ committed: [events.length], end: [events.length] });
  expect(
    await storedSummary(
      influxUrl,
      bucket,
      events.map((e) => e.event.id),
    ),
  ).toEqual({ points: events.length, distinct: events.length, missing: 0, unexpected: 0 });
});
