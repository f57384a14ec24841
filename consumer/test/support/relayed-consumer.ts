// A consumer under test whose InfluxDB sits behind a relay the test can slow
// down or cut off, with a topic, dead-letter topic, bucket and group of its own.
import { createTestBucket, createTestTopic, testInfra } from '@eventline/testkit';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { WrittenChunk } from '../../src/consumer.ts';
import { readyApp, testConfig, testLogger } from './fixtures.ts';
import { startInfluxRelay } from './influx-relay.ts';

type Cleanup = () => Promise<void>;

export async function relayedConsumer(prefix: string, partitions: number, cleanups: Cleanup[]) {
  const { brokers, influxUrl } = testInfra();
  const relay = await startInfluxRelay(influxUrl);
  cleanups.push(() => relay.close());
  const topic = await createTestTopic(prefix, partitions);
  const dlq = await createTestTopic(`${prefix}-dlq`, 1);
  const bucket = await createTestBucket(prefix);
  const group = `${topic}-group`;
  /** A joined consumer app with `env` over the test defaults; closed by the cleanups. */
  const start = async (
    env: Record<string, string>,
    onChunkCommitted?: (chunk: WrittenChunk) => void,
  ): Promise<FastifyInstance> => {
    const app = await buildApp({
      config: testConfig({
        EVENTLINE_KAFKA_BROKERS: brokers.join(','),
        EVENTLINE_KAFKA_TOPIC: topic,
        EVENTLINE_KAFKA_DLQ_TOPIC: dlq,
        EVENTLINE_CONSUMER_GROUP: group,
        EVENTLINE_INFLUX_URL: relay.url,
        EVENTLINE_INFLUX_BUCKET: bucket,
        ...env,
      }),
      logger: testLogger(),
      defaultMetrics: false,
      onChunkCommitted,
    });
    cleanups.push(() => app.close());
    await readyApp(app);
    return app;
  };
  return { brokers, influxUrl, relay, topic, dlq, bucket, group, start };
}
