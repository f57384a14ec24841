import { ALL_DIMENSION, DIMENSIONS, RETENTION, touchedHourKey, type EnrichedEvent } from '@eventline/contract';
import { placedPointLines } from '@eventline/consumer/testing';
import { createTouchedHoursPublisher, touchedHours } from '@eventline/consumer/touched-hours';
import { createTestBucket, createTestTopic, testInfra, uniqueName } from '@eventline/testkit';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createInfluxQL, type InfluxQL } from '../src/influxql.ts';
import type { RolledBucket } from '../src/rollup-worker.ts';
import { readRollup } from '../src/rollup-reader.ts';
import { eventsArbitrary, exact, HOUR } from '../src/testing.ts';

const START = Date.UTC(2026, 10, 3, 22);
const logger = pino({ level: process.env['DEBUG_ROLLUP'] ? 'debug' : 'silent' });
const kafka = () => new Kafka({ brokers: testInfra().brokers, logLevel: logLevel.NOTHING });

let influxql: InfluxQL;
let bucket: string;
let topic: string;
const producer = kafka().producer();
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  bucket = await createTestBucket('rollworker');
  topic = await createTestTopic('touched', 3);
  influxql = createInfluxQL({ url: testInfra().influxUrl, database: bucket.split('/')[0]! });
  await producer.connect();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
afterAll(() => producer.disconnect());

async function startWorker(group: string, rolled: RolledBucket[]): Promise<FastifyInstance> {
  const config = loadConfig({
    EVENTLINE_KAFKA_BROKERS: testInfra().brokers.join(','),
    EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC: topic,
    EVENTLINE_ROLLUP_GROUP: group,
    EVENTLINE_INFLUX_URL: testInfra().influxUrl,
    EVENTLINE_INFLUX_BUCKET: bucket,
    EVENTLINE_ROLLUP_PORT: '0',
    EVENTLINE_LOG_LEVEL: process.env['DEBUG_ROLLUP'] ? 'debug' : 'silent',
  });
  const app = await buildApp({ config, logger, onBucket: (b) => rolled.push(b) });
  apps.push(app);
  return app;
}

/** What the consumer does with a chunk: store the points, then announce the hours. */
async function consume(events: EnrichedEvent[]): Promise<void> {
  await influxql.write(
    await placedPointLines(events, { influx: { url: testInfra().influxUrl, bucket } }),
    bucket.split('/')[1]!,
    'ns',
  );
  await createTouchedHoursPublisher({ producer, topic, logger }).publish(touchedHours(events));
}

async function answers(site: string, hours = 4) {
  const all: Record<string, Record<string, number[]>> = {};
  for (const dimension of [ALL_DIMENSION, ...DIMENSIONS] as const) {
    for (const audience of ['people', 'bots'] as const) {
      const totals = await readRollup(influxql, RETENTION.rollupPolicy, {
        site,
        audience,
        dimension,
        from: START,
        to: START + hours * HOUR,
      });
      all[`${dimension}/${audience}`] = Object.fromEntries(
        [...totals].map(([v, t]) => [v, [t.events, t.pageviews, t.visitors.estimate(), t.sessions.estimate()]]),
      );
    }
  }
  return all;
}

const expected = (events: EnrichedEvent[]) =>
  Object.fromEntries(
    ([ALL_DIMENSION, ...DIMENSIONS] as const).flatMap((dimension) =>
      (['people', 'bots'] as const).map((audience) => [
        `${dimension}/${audience}`,
        exact(events, dimension, audience === 'bots'),
      ]),
    ),
  );

async function until(condition: () => Promise<boolean> | boolean, state: () => unknown): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out; ${JSON.stringify(state())}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('rollup worker', () => {
  it('rolls up announced buckets, and a replay of the whole topic (and of the events) changes no number', async () => {
    const site = uniqueName('worker');
    const events = fc.sample(eventsArbitrary(site, START, 4), { numRuns: 1, seed: 3 })[0]!;
    const hours = touchedHours(events).length;
    const rolled: RolledBucket[] = [];
    await startWorker(`${topic}-group`, rolled);
    // Two chunks; the second holds late and redelivered events of hours the first already touched.
    const half = Math.ceil(events.length / 2);
    await consume(events.slice(0, half));
    await consume([...events.slice(half), ...events.slice(0, 5)]);
    await until(
      async () => isDeepStrictEqual(await answers(site), expected(events)),
      () => ({ rolled }),
    );
    expect(await answers(site)).toEqual(expected(events));
    const before = await answers(site);

    // Replay: every event stored again, and a new group recomputing every bucket ever announced.
    await influxql.write(
      await placedPointLines(events, { influx: { url: testInfra().influxUrl, bucket } }),
      bucket.split('/')[1]!,
      'ns',
    );
    const replayed: RolledBucket[] = [];
    await startWorker(`${topic}-replay`, replayed);
    await until(
      () => new Set(replayed.filter((b) => b.grain === 'hour').map((b) => b.start)).size >= hours,
      () => ({ replayed, hours }),
    );
    expect(await answers(site)).toEqual(before);
    expect(rolled.every((b) => b.lagMs >= 0 && b.site === site)).toBe(true);
  });

  it('brings kept hours up to date from the announced spans, and forgets them when its partitions move and come back', async () => {
    // Sites whose announcements land on each of the topic's three partitions, so a second worker takes some of them.
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    const sites = new Map<number, string>();
    while (sites.size < 3) {
      const site = uniqueName('moving');
      const key = touchedHourKey({ site, hour: START });
      sites.set(partitioner({ topic, partitionMetadata, message: { key, value: null } }), site);
    }
    const eventsOf = new Map(
      [...sites.values()].map((site, i) => [
        site,
        fc.sample(eventsArbitrary(site, START, 1, { min: 90, max: 120 }), { numRuns: 1, seed: 40 + i })[0]!,
      ]),
    );
    // In time order, as events arrive: a chunk's span does not reach back into the one before.
    const thirds = (events: EnrichedEvent[]) => {
      const sorted = [...events].sort((a, b) => a.eventTime - b.eventTime);
      return [0, 1, 2].map((k) => sorted.slice((k * sorted.length) / 3, ((k + 1) * sorted.length) / 3));
    };
    const stored = new Map<string, EnrichedEvent[]>([...sites.values()].map((site) => [site, []]));
    const deliver = async (part: number) => {
      for (const [site, events] of eventsOf) {
        const chunk = thirds(events)[part]!;
        stored.get(site)!.push(...chunk);
        await consume(chunk);
      }
    };
    const rolledUp = () =>
      Promise.all(
        [...stored].map(async ([site, events]) => isDeepStrictEqual(await answers(site, 1), expected(events))),
      ).then((all) => all.every(Boolean));
    const group = `${topic}-moving`;
    const first: RolledBucket[] = [];
    const second: RolledBucket[] = [];

    await startWorker(group, first);
    await deliver(0);
    await until(rolledUp, () => ({ first }));
    // A second worker joins: some partitions move to it, and it rolls up the next chunk of their sites.
    const joining = await startWorker(group, second);
    await until(
      async () => (await joining.inject('/readyz')).statusCode === 200,
      () => 'the second worker never joined',
    );
    await deliver(1);
    await until(rolledUp, () => ({ first, second }));
    expect(second.filter((b) => b.grain === 'hour').length, 'the second worker rolled up some hours').toBeGreaterThan(
      0,
    );
    // It leaves: its partitions come back to the first, which must not trust what it kept of their hours.
    apps.splice(apps.indexOf(joining), 1);
    await joining.close();
    await deliver(2);
    await until(rolledUp, () => ({ first, second }));
    for (const [site, events] of eventsOf) expect(await answers(site, 1)).toEqual(expected(events));
  });
});
