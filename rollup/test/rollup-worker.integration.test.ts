import { ALL_DIMENSION, DIMENSIONS, RETENTION, type EnrichedEvent } from '@eventline/contract';
import { placedPointLines } from '@eventline/consumer/testing';
import { createTouchedHoursPublisher, touchedHours } from '@eventline/consumer/touched-hours';
import { createTestBucket, createTestTopic, testInfra, uniqueName } from '@eventline/testkit';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
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

async function startWorker(group: string, rolled: RolledBucket[]): Promise<void> {
  const config = loadConfig({
    EVENTLINE_KAFKA_BROKERS: testInfra().brokers.join(','),
    EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC: topic,
    EVENTLINE_ROLLUP_GROUP: group,
    EVENTLINE_INFLUX_URL: testInfra().influxUrl,
    EVENTLINE_INFLUX_BUCKET: bucket,
    EVENTLINE_ROLLUP_PORT: '0',
    EVENTLINE_LOG_LEVEL: process.env['DEBUG_ROLLUP'] ? 'debug' : 'silent',
  });
  apps.push(await buildApp({ config, logger, onBucket: (b) => rolled.push(b) }));
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

async function answers(site: string) {
  const all: Record<string, Record<string, number[]>> = {};
  for (const dimension of [ALL_DIMENSION, ...DIMENSIONS] as const) {
    for (const audience of ['people', 'bots'] as const) {
      const totals = await readRollup(influxql, RETENTION.rollupPolicy, {
        site,
        audience,
        dimension,
        from: START,
        to: START + 4 * HOUR,
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
});
