import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { sampleEvent } from '@eventline/contract/testing';
import { eventually, sleep } from '@eventline/testkit';
import { DEFAULTS } from '../src/config.ts';
import { batchOf, events, memorySink, ORIGIN, post, startMemoryApp, WRITE_KEY, type MemorySink } from './helpers.ts';

/** Holds the event loop for `ms`, as a CPU-bound burst of requests would. */
function blockEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

const segmentTrack = (instance: FastifyInstance) =>
  instance.inject({
    method: 'POST',
    url: '/segment/v1/track',
    headers: { authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` },
    payload: { event: 'Signed Up', anonymousId: 'visitor-1', messageId: 'message-id-0000000001' },
  });

describe('load shedding by event-loop delay', () => {
  it('answers 503 INGEST_BUSY with Retry-After while the event loop is saturated, never sheds health, readiness or metrics, and takes events again once it recovers', async () => {
    // A sample a second long holds the verdict for a second, long enough to look at every route under it.
    const { app, sink } = await startMemoryApp({
      EVENTLINE_INGEST_SHED_EVENT_LOOP_DELAY_MS: '50',
      EVENTLINE_INGEST_SHED_SAMPLE_INTERVAL_MS: '1000',
    });
    expect((await post(app, batchOf(events(1)))).statusCode).toBe(200);
    let sentBefore = sink.sent.length;

    // Blocked 300 ms at a time, the loop's mean delay over a sample is far above 50 ms: within two samples
    // the requests are shed.
    let shed: Awaited<ReturnType<typeof post>> | undefined;
    for (let attempt = 0; attempt < 20 && !shed; attempt++) {
      blockEventLoop(300);
      sentBefore = sink.sent.length;
      const response = await post(app, batchOf(events(3)), { origin: ORIGIN });
      if (response.statusCode !== 200) shed = response;
    }
    expect(shed?.statusCode).toBe(503);
    expect(shed?.json()).toMatchObject({ code: 'INGEST_BUSY', retriable: true });
    expect(shed?.json().message).toMatch(/event-loop delay \d+ ms is over the shedding threshold/);
    // EVENTLINE_INGEST_RETRY_AFTER_S (5), spread over [5, 10] by the kit.
    expect(Number(shed?.headers['retry-after'])).toBeGreaterThanOrEqual(5);
    expect(Number(shed?.headers['retry-after'])).toBeLessThanOrEqual(10);
    expect(sink.sent.length).toBe(sentBefore);
    // Shed after CORS, so the page that sent it can read the 503 and its Retry-After.
    expect(shed?.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(shed?.headers['access-control-expose-headers']).toContain('Retry-After');

    // Within the same sample: the Segment routes are shed too; CORS preflights and the operational routes are not.
    expect((await segmentTrack(app)).json().code).toBe('INGEST_BUSY');
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: `/v1/batch?writeKey=${WRITE_KEY}`,
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    expect((await app.inject('/metrics')).statusCode).toBe(200);
    expect((await post(app, batchOf(events(1)))).statusCode).toBe(503);

    await eventually(
      'events to be accepted again',
      async () => (await post(app, batchOf(events(1)))).statusCode === 200,
      10_000,
      100,
    );
  });

  it('sheds nothing under healthy load with the default thresholds', async () => {
    const { app, sink } = await startMemoryApp({
      EVENTLINE_INGEST_SHED_EVENT_LOOP_DELAY_MS: String(DEFAULTS.shedEventLoopDelayMs),
      EVENTLINE_INGEST_SHED_PRODUCE_WAIT_MS: String(DEFAULTS.shedProduceWaitMs),
    });
    const statuses = new Set<number>();
    for (let round = 0; round < 20; round++) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => post(app, batchOf(events(20)))));
      for (const answer of answers) statuses.add(answer.statusCode);
      expect((await segmentTrack(app)).statusCode).toBe(200);
      await sleep(10);
    }
    expect([...statuses]).toEqual([200]);
    expect(sink.sent.flat().length).toBeGreaterThanOrEqual(20 * 10);
  });
});

describe('load shedding by produce wait', () => {
  it('answers 503 INGEST_OVERLOADED at once, instead of queueing, while an earlier request has waited for Kafka longer than the bound', async () => {
    let sends = 0;
    const hanging: MemorySink = {
      ...memorySink(),
      send: () => {
        sends++;
        return new Promise<void>(() => {});
      },
    };
    const { app } = await startMemoryApp(
      { EVENTLINE_INGEST_SHED_PRODUCE_WAIT_MS: '20', EVENTLINE_INGEST_PRODUCE_TIMEOUT_MS: '1000' },
      hanging,
    );
    let waitingAnswered = false;
    const waiting = post(app, batchOf([sampleEvent()])).then((response) => {
      waitingAnswered = true;
      return response;
    });
    await eventually('the first request to be sent to Kafka', () => sends === 1, 5_000, 5);
    await sleep(40);
    const refused = await post(app, batchOf(events(2)));
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ code: 'INGEST_OVERLOADED', retriable: true });
    expect(refused.json().message).toMatch(/events have waited \d+ ms for Kafka, over 20 ms/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(5);
    // Refused while the earlier request still waits: the refusal did not queue behind it.
    expect(waitingAnswered).toBe(false);
    await app.close();
    expect((await waiting).statusCode).toBe(503);
  });
});
