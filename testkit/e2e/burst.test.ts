// Bursts against the running pipeline (ingest, consumer and dashboard as
// processes, real Kafka and InfluxDB), as a backend loop, an import or a replay
// sends them: 20 000 events of one session in 400 batches of 50, every event of
// a batch in the same millisecond, 8 requests in flight. Every acknowledged
// event must be stored exactly once, and the dashboard's completeness check
// must agree.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { consumerLag, readCompleteness, storedCounts, storedPoints, waitUntilSettled } from '../src/load/oracle.ts';
import { freePort, type ManagedProcess } from '@eventline/infra';
import { DEMO_SITE, DEMO_WRITE_KEY, serviceSpecs, startService, type ServiceSpec } from '@eventline/infra/services';
import { createTestBucket, createTestTopic, testInfra, uniqueName } from '../src/testing.ts';

const EVENTS = 20_000;
const PER_BATCH = 50;
const IN_FLIGHT = 8;
const DASHBOARD_TOKEN = 'burst-suite-token';

let ingestUrl = '';
let dashboardUrl = '';
let origin = '';
let topic = '';
let consumerGroup = '';
let bucket = '';
const services: ManagedProcess[] = [];

beforeAll(async () => {
  const infra = testInfra();
  topic = await createTestTopic('burst', 3);
  const deadLetterTopic = await createTestTopic('burst-dlq', 1);
  const touchedHoursTopic = await createTestTopic('burst-touched', 3);
  bucket = await createTestBucket('burst');
  consumerGroup = uniqueName('burst');
  const ports = {
    ingest: await freePort(),
    consumer: await freePort(),
    rollup: await freePort(),
    dashboard: await freePort(),
    demo: await freePort(),
  };
  const specs = serviceSpecs({ brokers: infra.brokers, influxUrl: infra.influxUrl, bucket }, ports, {
    EVENTLINE_KAFKA_TOPIC: topic,
    EVENTLINE_KAFKA_DLQ_TOPIC: deadLetterTopic,
    EVENTLINE_CONSUMER_GROUP: consumerGroup,
    EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC: touchedHoursTopic,
    EVENTLINE_ROLLUP_GROUP: uniqueName('burst-rollup'),
    EVENTLINE_INGEST_RATE_LIMIT_MAX: '0',
    // Every batch must be answered 200 the first time; latency shedding (a 503 whenever the shared machine
    // stalls a process) is tested in ingest/test/load-shedding.test.ts and by `npm run overload`.
    EVENTLINE_INGEST_SHED_EVENT_LOOP_DELAY_MS: '0',
    EVENTLINE_INGEST_SHED_PRODUCE_WAIT_MS: '0',
    EVENTLINE_DASHBOARD_TOKEN: DASHBOARD_TOKEN,
  });
  const spec = (name: ServiceSpec['name']) => specs.find((s) => s.name === name) as ServiceSpec;
  const logDir = `${infra.dataDir}/${uniqueName('burst-logs')}`;
  services.push(
    await startService(spec('ingest'), logDir),
    await startService(spec('consumer'), logDir),
    await startService(spec('dashboard'), logDir),
  );
  ingestUrl = `http://127.0.0.1:${ports.ingest}`;
  dashboardUrl = `http://127.0.0.1:${ports.dashboard}`;
  origin = `http://127.0.0.1:${ports.demo}`;
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
});

describe('bursts of events in one millisecond', () => {
  it('stores 20 000 events of one session sent 50 to a millisecond exactly once, and completeness agrees', async () => {
    const startedAt = Date.now();
    const sessionId = `sess-burst-${randomUUID()}`;
    const anonymousId = `anon-burst-${randomUUID()}`;
    const acknowledged = new Map<string, Event>();
    let next = 0;
    const sendBatches = async (): Promise<void> => {
      while (next < EVENTS) {
        const first = next;
        next += PER_BATCH;
        const timestamp = Date.now();
        const events = Array.from({ length: PER_BATCH }, (_, i) =>
          sampleEvent({
            id: `burst_${randomUUID().replace(/-/g, '')}`,
            seq: first + i,
            sessionId,
            anonymousId,
            timestamp,
          }),
        );
        const response = await fetch(`${ingestUrl}/v1/batch?writeKey=${DEMO_WRITE_KEY}`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', origin },
          body: JSON.stringify({ sentAt: Date.now(), events }),
        });
        expect(response.status).toBe(200);
        expect(((await response.json()) as { accepted: number }).accepted).toBe(PER_BATCH);
        for (const event of events) acknowledged.set(event.id, event);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sendBatches));
    expect(acknowledged.size).toBe(EVENTS);

    const { brokers, influxUrl } = testInfra();
    const settled = await waitUntilSettled(
      { lag: () => consumerLag(brokers, topic, consumerGroup), stored: () => storedPoints(influxUrl, bucket) },
      { expected: EVENTS, settleMs: 3_000, timeoutMs: 120_000 },
    );
    expect(settled).toMatchObject({ settled: true, lag: 0 });
    const counts = await storedCounts(influxUrl, bucket, acknowledged);
    expect(counts).toEqual({ points: EVENTS, distinctIds: EVENTS, duplicates: 0, lost: 0 });
    const completeness = await readCompleteness(
      { url: dashboardUrl, token: DASHBOARD_TOKEN },
      { site: DEMO_SITE, from: new Date(startedAt - 60_000), to: new Date(Date.now() + 60_000) },
    );
    expect(completeness).toMatchObject({
      sessions: 1,
      received: EVENTS,
      expected: EVENTS,
      missing: 0,
      duplicates: 0,
      reusedSeqs: 0,
    });
  });
});
