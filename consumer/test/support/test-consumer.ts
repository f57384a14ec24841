// A consumer app under test on the shared Kafka and InfluxDB, with a topic,
// dead-letter topic, bucket and group of the test's own. Apart from fixtures.ts
// because it needs a running test (and the app), which the benchmark does not.
import { createTestBucket, createTestTopic, testInfra } from '@eventline/testkit';
import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import { buildApp, type AppOptions } from '../../src/app.ts';
import { readyApp, testConfig, testLogger } from './fixtures.ts';

/** A fresh topic of `partitions`, its dead-letter topic, a bucket and a group, and the env that names them. */
export async function testResources(prefix: string, partitions = 3) {
  const topic = await createTestTopic(prefix, partitions);
  const dlq = await createTestTopic(`${prefix}-dlq`, 1);
  const bucket = await createTestBucket(prefix);
  const group = `${topic}-group`;
  const env = {
    EVENTLINE_KAFKA_TOPIC: topic,
    EVENTLINE_KAFKA_DLQ_TOPIC: dlq,
    EVENTLINE_INFLUX_BUCKET: bucket,
    EVENTLINE_CONSUMER_GROUP: group,
  };
  return { topic, dlq, bucket, group, env };
}

/**
 * A consumer app on the shared Kafka and InfluxDB with `env` over the test defaults, returned once it has joined
 * its group, and closed when the running test finishes.
 */
export async function startConsumer(
  env: Record<string, string>,
  options: Omit<AppOptions, 'config' | 'logger'> = {},
): Promise<FastifyInstance> {
  const { brokers, influxUrl } = testInfra();
  const app = await buildApp({
    config: testConfig({ EVENTLINE_KAFKA_BROKERS: brokers.join(','), EVENTLINE_INFLUX_URL: influxUrl, ...env }),
    logger: testLogger(),
    ...options,
  });
  onTestFinished(() => app.close());
  await readyApp(app);
  return app;
}
