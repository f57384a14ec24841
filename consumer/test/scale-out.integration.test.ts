import { testInfra } from '@eventline/testkit';
import { expect, it } from 'vitest';
import {
  asMessages,
  enrichedEvents,
  pointIds,
  produce,
  produceStream,
  storedSummary,
  testKafka,
} from './support/fixtures.ts';
import { startConsumer, testResources } from './support/test-consumer.ts';
import { eventually } from '@eventline/testkit';

async function setup(prefix: string) {
  const { brokers, influxUrl } = testInfra();
  const { topic, bucket, env } = await testResources(prefix, 4);
  const start = (overrides: Record<string, string> = {}) =>
    startConsumer({ ...env, EVENTLINE_CONSUMER_BATCH_SIZE: '200', ...overrides }, { defaultMetrics: false });
  return { brokers, influxUrl, topic, bucket, start };
}

it('shares partitions between two instances and stores exactly N when one is stopped mid-stream', async () => {
  const { brokers, influxUrl, topic, bucket, start } = await setup('scale');
  const events = enrichedEvents(12_000);
  const one = await start();
  const two = await start();
  await eventually(
    'both instances own partitions',
    async () => {
      const [a, b] = [one.pipeline.consumer.status(), two.pipeline.consumer.status()];
      return a.partitions.length > 0 && b.partitions.length > 0 && a.partitions.length + b.partitions.length === 4;
    },
    30_000,
    200,
  );

  const producing = produceStream(testKafka(brokers), topic, asMessages(events), { perTick: 300, tickMs: 100 });
  await eventually(
    'a third of the points',
    async () => (await pointIds(influxUrl, bucket)).length >= 4_000,
    60_000,
    100,
  );
  await one.close();
  await eventually(
    'the survivor owns every partition',
    async () => two.pipeline.consumer.status().partitions.length === 4,
    30_000,
    200,
  );

  await producing;
  await eventually('all points', async () => (await pointIds(influxUrl, bucket)).length >= events.length, 60_000);
  expect(
    await storedSummary(
      influxUrl,
      bucket,
      events.map((e) => e.event.id),
    ),
  ).toEqual({ points: events.length, distinct: events.length, missing: 0, unexpected: 0 });
});

it('overwrites instead of duplicating when a whole topic is delivered again', async () => {
  const { brokers, influxUrl, topic, bucket, start } = await setup('redeliver');
  const events = enrichedEvents(3_000);
  await produce(testKafka(brokers), topic, asMessages(events));
  const first = await start();
  await eventually('all points', async () => (await pointIds(influxUrl, bucket)).length >= events.length);
  await first.close();

  // A new group starts from the beginning: every event is delivered a second time.
  const second = await start({ EVENTLINE_CONSUMER_GROUP: `${topic}-again` });
  await eventually('the second delivery', async () => {
    const metrics = (await second.inject('/metrics')).body;
    return metrics.includes(`eventline_consumer_points_written_total ${events.length}`);
  });
  expect(
    await storedSummary(
      influxUrl,
      bucket,
      events.map((e) => e.event.id),
    ),
  ).toEqual({ points: events.length, distinct: events.length, missing: 0, unexpected: 0 });
});
