// A consumer under test whose InfluxDB sits behind a relay the test can slow
// down or cut off, with a topic, dead-letter topic, bucket and group of its own.
import { testInfra } from '@eventline/testkit';
import type { FastifyInstance } from 'fastify';
import type { WrittenChunk } from '../../src/consumer.ts';
import { startInfluxRelay } from './influx-relay.ts';
import { startConsumer, testResources } from './test-consumer.ts';

type Cleanup = () => Promise<void>;

export async function relayedConsumer(prefix: string, partitions: number, cleanups: Cleanup[]) {
  const { brokers, influxUrl } = testInfra();
  const relay = await startInfluxRelay(influxUrl);
  cleanups.push(() => relay.close());
  const { topic, dlq, bucket, group, env: names } = await testResources(prefix, partitions);
  /** A joined consumer app with `env` over the test defaults; closed when the test finishes. */
  const start = (
    env: Record<string, string>,
    onChunkCommitted?: (chunk: WrittenChunk) => void,
  ): Promise<FastifyInstance> =>
    startConsumer({ ...names, EVENTLINE_INFLUX_URL: relay.url, ...env }, { defaultMetrics: false, onChunkCommitted });
  return { brokers, influxUrl, relay, topic, dlq, bucket, group, start };
}
