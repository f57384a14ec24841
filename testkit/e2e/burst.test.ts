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
import { DEMO_SITE, DEMO_WRITE_KEY } from '@eventline/infra/services';
import { testInfra } from '../src/testing.ts';
import { startTestServices, type TestServices } from '../src/test-services.ts';

const EVENTS = 20_000;
const PER_BATCH = 50;
const IN_FLIGHT = 8;
const DASHBOARD_TOKEN = 'burst-suite-token';

let stack: TestServices;

beforeAll(async () => {
  stack = await startTestServices('burst', {
    services: ['ingest', 'consumer', 'dashboard'],
    env: { EVENTLINE_DASHBOARD_TOKEN: DASHBOARD_TOKEN },
  });
});

afterAll(async () => {
  await stack?.stop();
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
        const response = await fetch(`${stack.urls.ingest}/v1/batch?writeKey=${DEMO_WRITE_KEY}`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', origin: stack.origin },
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
    const { topic, consumerGroup, bucket } = stack;
    const settled = await waitUntilSettled(
      { lag: () => consumerLag(brokers, topic, consumerGroup), stored: () => storedPoints(influxUrl, bucket) },
      { expected: EVENTS, settleMs: 3_000, timeoutMs: 120_000 },
    );
    expect(settled).toMatchObject({ settled: true, lag: 0 });
    const counts = await storedCounts(influxUrl, bucket, acknowledged);
    expect(counts).toMatchObject({ points: EVENTS, distinctIds: EVENTS, duplicates: 0, lost: 0, lostIds: [] });
    const completeness = await readCompleteness(
      { url: stack.urls.dashboard, token: DASHBOARD_TOKEN },
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
