// Runs its own broker, because it stops and restarts it; the shared one is never touched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createTopics, freePort, startKafka, type KafkaBroker, type KafkaOptions } from '@eventline/infra';
import { buildApp } from '../src/app.ts';
import { batchOf, events, post, testConfig, waitUntilReady } from './helpers.ts';
import { idsIn, readTopic } from './topic-reader.ts';

/** A broker of the test's own (it gets stopped and killed) and an ingest app on it; both cleaned up afterwards. */
interface PrivateBroker {
  readonly options: KafkaOptions;
  readonly topic: string;
  readonly app: FastifyInstance;
  broker: KafkaBroker | undefined;
}

async function withPrivateBroker(
  name: string,
  env: Record<string, string>,
  body: (setup: PrivateBroker) => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), `ingest-${name}-`));
  const options: KafkaOptions = {
    port: await freePort(),
    controllerPort: await freePort(),
    dataDir,
    eventPartitions: 1,
  };
  let broker: KafkaBroker | undefined = await startKafka(options);
  let app: FastifyInstance | undefined;
  try {
    const topic = `ingest-${name}`;
    await createTopics(broker.brokers, [{ topic, numPartitions: 3 }]);
    app = await buildApp(
      testConfig({
        EVENTLINE_KAFKA_BROKERS: broker.brokers.join(','),
        EVENTLINE_KAFKA_TOPIC: topic,
        EVENTLINE_INGEST_PRODUCE_TIMEOUT_MS: '3000',
        EVENTLINE_KAFKA_REQUEST_TIMEOUT_MS: '1000',
        EVENTLINE_KAFKA_RETRIES: '1',
        ...env,
      }),
    );
    await waitUntilReady(app);
    const setup: PrivateBroker = { options, topic, app, broker };
    try {
      await body(setup);
    } finally {
      broker = setup.broker;
    }
  } finally {
    await app?.close();
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('ingest during a Kafka outage', () => {
  it('answers 503 fast and accepts nothing while Kafka is down, then recovers without a restart', async () => {
    await withPrivateBroker('outage', {}, async (setup) => {
      const { app, options, topic } = setup;
      const before = events(5);
      expect((await post(app, batchOf(before))).statusCode).toBe(200);

      await setup.broker?.stop();
      setup.broker = undefined;
      const outcomes: { status: number; ms: number; retryAfter: unknown }[] = [];
      for (let i = 0; i < 6; i++) {
        const started = performance.now();
        const response = await post(app, batchOf(events(3)));
        outcomes.push({
          status: response.statusCode,
          ms: performance.now() - started,
          retryAfter: response.headers['retry-after'],
        });
      }
      expect(outcomes.map((o) => o.status)).toEqual(outcomes.map(() => 503));
      expect(outcomes.every((o) => o.retryAfter === '5')).toBe(true);
      // Bounded by the produce timeout (3 s), with room for a loaded machine.
      expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(8_000);
      expect((await app.inject('/readyz')).statusCode).toBe(503);

      const broker = await startKafka(options);
      setup.broker = broker;
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

      const ids = (await readTopic(broker.brokers, topic)).flatMap((m) => idsIn(m.value));
      for (const event of [...before, ...after]) expect(ids.filter((id) => id === event.id)).toHaveLength(1);
    });
  });

  it('acknowledges only events that survive a broker crash (SIGKILL) under concurrent load', async () => {
    await withPrivateBroker('crash', { EVENTLINE_INGEST_RATE_LIMIT_MAX: '0' }, async (setup) => {
      const { app: running, options, topic } = setup;
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
      await setup.broker?.kill();
      const broker = await startKafka(options);
      setup.broker = broker;
      phase = 'after';
      await Promise.race([Promise.all(clients), new Promise((resolve) => setTimeout(resolve, 60_000))]);
      recovered = true;
      await Promise.all(clients);

      expect([...statuses].sort()).toEqual([200, 503]);
      const onTopic = new Set((await readTopic(broker.brokers, topic)).flatMap((m) => idsIn(m.value)));
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(acknowledged.filter((id) => !onTopic.has(id))).toEqual([]);
    });
  });
});
