// Runs its own broker, because it stops and restarts it; the shared one is never touched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createTopics, freePort, startKafka, type KafkaBroker, type KafkaOptions } from '@eventline/infra';
import { buildApp } from '../src/app.ts';
import { batchOf, events, post, testConfig, waitUntilReady } from './helpers.ts';
import { readTopic } from './topic-reader.ts';

describe('ingest during a Kafka outage', () => {
  it('answers 503 fast and accepts nothing while Kafka is down, then recovers without a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ingest-outage-'));
    const options: KafkaOptions = { port: await freePort(), controllerPort: await freePort(), dataDir, eventPartitions: 1 };
    let broker: KafkaBroker | undefined = await startKafka(options);
    let app: FastifyInstance | undefined;
    try {
      const topic = 'ingest-outage';
      await createTopics(broker.brokers, [{ topic, numPartitions: 3 }]);
      app = await buildApp(
        testConfig({
          EVENTLINE_KAFKA_BROKERS: broker.brokers.join(','),
          EVENTLINE_KAFKA_TOPIC: topic,
          EVENTLINE_INGEST_PRODUCE_TIMEOUT_MS: '3000',
          EVENTLINE_KAFKA_REQUEST_TIMEOUT_MS: '1000',
          EVENTLINE_KAFKA_RETRIES: '1',
        }),
      );
      await waitUntilReady(app);
      const before = events(5);
      expect((await post(app, batchOf(before))).statusCode).toBe(200);

      await broker.stop();
      broker = undefined;
      const outcomes: { status: number; ms: number; retryAfter: unknown }[] = [];
      for (let i = 0; i < 6; i++) {
        const started = performance.now();
        const response = await post(app, batchOf(events(3)));
        outcomes.push({ status: response.statusCode, ms: performance.now() - started, retryAfter: response.headers['retry-after'] });
      }
      expect(outcomes.map((o) => o.status)).toEqual(outcomes.map(() => 503));
      expect(outcomes.every((o) => o.retryAfter === '5')).toBe(true);
      // Bounded by the produce timeout (3 s), with room for a loaded machine.
      expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(8_000);
      expect((await app.inject('/readyz')).statusCode).toBe(503);

      broker = await startKafka(options);
      const after = events(4);
      const deadline = Date.now() + 60_000;
      let recovered = await post(app, batchOf(after));
      while (recovered.statusCode !== 200 && Date.now() < deadline) {
        expect(recovered.statusCode).toBe(503);
        await new Promise((resolve) => setTimeout(resolve, 250));
        recovered = await post(app, batchOf(after));
      }
      expect(recovered.json()).toMatchObject({ accepted: 4 });
      expect((await app.inject('/readyz')).statusCode).toBe(200);

      const ids = (await readTopic(broker.brokers, topic)).map((m) => JSON.parse(m.value).event.id as string);
      for (const event of [...before, ...after]) expect(ids.filter((id) => id === event.id)).toHaveLength(1);
    } finally {
      await app?.close();
      await broker?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('acknowledges only events that survive a broker crash (SIGKILL) under concurrent load', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ingest-crash-'));
    const options: KafkaOptions = { port: await freePort(), controllerPort: await freePort(), dataDir, eventPartitions: 1 };
    let broker: KafkaBroker | undefined = await startKafka(options);
    let app: FastifyInstance | undefined;
    try {
      const topic = 'ingest-crash';
      await createTopics(broker.brokers, [{ topic, numPartitions: 3 }]);
      app = await buildApp(
        testConfig({
          EVENTLINE_KAFKA_BROKERS: broker.brokers.join(','),
          EVENTLINE_KAFKA_TOPIC: topic,
          EVENTLINE_INGEST_PRODUCE_TIMEOUT_MS: '3000',
          EVENTLINE_KAFKA_REQUEST_TIMEOUT_MS: '1000',
          EVENTLINE_KAFKA_RETRIES: '1',
          EVENTLINE_INGEST_RATE_LIMIT_MAX: '0',
        }),
      );
      await waitUntilReady(app);
      const running = app;
      const acknowledged: string[] = [];
      const statuses = new Set<number>();
      let phase: 'before' | 'down' | 'after' = 'before';
      let recovered = false;
      const client = async () => {
        while (!recovered) {
          const batch = events(10);
          const response = await post(running, batchOf(batch));
          statuses.add(response.statusCode);
          if (response.statusCode === 200) {
            acknowledged.push(...batch.map((e) => e.id));
            if (phase === 'after') recovered = true;
          } else {
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      };
      const clients = Array.from({ length: 8 }, client);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      phase = 'down';
      await broker.kill();
      broker = await startKafka(options);
      phase = 'after';
      await Promise.race([Promise.all(clients), new Promise((resolve) => setTimeout(resolve, 60_000))]);
      recovered = true;
      await Promise.all(clients);

      expect([...statuses].sort()).toEqual([200, 503]);
      const onTopic = new Set((await readTopic(broker.brokers, topic)).map((m) => JSON.parse(m.value).event.id as string));
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(acknowledged.filter((id) => !onTopic.has(id))).toEqual([]);
    } finally {
      await app?.close();
      await broker?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
