import type { FastifyInstance } from 'fastify';
import { afterEach, expect, it } from 'vitest';
import {
  allCommitted,
  asMessages,
  enrichedEvents,
  pointIds,
  produce,
  storedSummary,
  testKafka,
} from './support/fixtures.ts';
import { eventually } from '@eventline/testkit';
import { relayedConsumer } from './support/relayed-consumer.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const setup = (prefix: string, partitions: number) => relayedConsumer(prefix, partitions, cleanups);

it('writes smaller chunks while writes time out, so a slow InfluxDB still takes every event', async () => {
  const { brokers, influxUrl, relay, topic, bucket, group, start } = await setup('slow', 1);
  // 1 ms per point: a write of 1 000 points or more outlasts the 1 s timeout, whatever the retries.
  relay.setWriteDelay((lines) => lines);
  const events = enrichedEvents(4_000);
  // Sends of 500: 2 000 events in one partition would exceed the broker's 1 MiB per request.
  await produce(testKafka(brokers), topic, asMessages(events), 500);
  const chunkSizes: number[] = [];
  const app = await start(
    {
      EVENTLINE_INFLUX_TIMEOUT_MS: '1000',
      EVENTLINE_CONSUMER_BATCH_SIZE: '2000',
      EVENTLINE_CONSUMER_RETRY_INITIAL_MS: '100',
      EVENTLINE_CONSUMER_RETRY_MAX_MS: '500',
    },
    (chunk) => chunkSizes.push(chunk.points),
  );

  await eventually('every offset committed', () => allCommitted(brokers, group, topic), 90_000);
  expect(
    await storedSummary(
      influxUrl,
      bucket,
      events.map((e) => e.event.id),
    ),
  ).toEqual({ points: events.length, distinct: events.length, missing: 0, unexpected: 0 });
  expect(Math.max(...chunkSizes)).toBeLessThanOrEqual(1_000);
  expect(
    Number((await app.inject('/metrics')).body.match(/eventline_consumer_batches_total\{outcome="retry"\} (\d+)/)?.[1]),
  ).toBeGreaterThan(0);
});

it('stops writing its batch when a heartbeat reports a rebalance, so a new instance gets partitions promptly, and stores exactly N', async () => {
  const { brokers, influxUrl, relay, topic, bucket, group, start } = await setup('handover', 2);
  // Each partition's first batch is 50 chunks of 100 at 800 ms each: 40 s if the first instance wrote it to the
  // end before rejoining. Stopping at the next heartbeat hands over in a few seconds; the bound leaves room for a
  // loaded machine while staying far below what writing the batch out would take.
  relay.setWriteDelay(() => 800);
  const events = enrichedEvents(10_000);
  await produce(testKafka(brokers), topic, asMessages(events));
  const env = { EVENTLINE_CONSUMER_BATCH_SIZE: '100' };
  const one = await start(env);
  await eventually('the first points', async () => (await pointIds(influxUrl, bucket)).length > 0, 30_000, 100);

  const joining = Date.now();
  const two = await start(env);
  // Each instance learns its new assignment when its own join completes, so the two can report it a moment apart.
  const owned = (app: FastifyInstance) => app.pipeline.consumer.status().partitions.length;
  await eventually('each instance owns one partition', async () => owned(one) === 1 && owned(two) === 1, 30_000, 100);
  const handoverMs = Date.now() - joining;
  expect(handoverMs).toBeLessThan(20_000);

  await eventually('every offset committed', () => allCommitted(brokers, group, topic), 90_000);
  expect(
    await storedSummary(
      influxUrl,
      bucket,
      events.map((e) => e.event.id),
    ),
  ).toEqual({ points: events.length, distinct: events.length, missing: 0, unexpected: 0 });
});
