import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HEADERS, LIMITS, validateEnrichedEvent, type EnrichedEvent, type Event } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { createTopics, freePort } from '@eventline/infra';
import { repoRoot } from '@eventline/infra/services';
import { createTestTopic, testInfra, uniqueName } from '@eventline/infra/testing';
import { buildApp } from '../src/app.ts';
import { batchOf, events, ORIGIN, OTHER_ORIGIN, post, SITE, testConfig, waitUntilReady, WRITE_KEY } from './helpers.ts';
import { readTopic } from './topic-reader.ts';

let app: FastifyInstance | undefined;

async function startIngest(env: Record<string, string> = {}): Promise<{ app: FastifyInstance; topic: string }> {
  const topic = await createTestTopic('ingest');
  app = await buildApp(
    testConfig({ EVENTLINE_KAFKA_BROKERS: testInfra().brokers.join(','), EVENTLINE_KAFKA_TOPIC: topic, ...env }),
  );
  await waitUntilReady(app);
  return { app, topic };
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Every event on the topic, with its record's key, headers and partition (a record holds one visitor's events). */
const eventsOn = async (topic: string) =>
  (await readTopic(testInfra().brokers, topic)).flatMap((m) =>
    (JSON.parse(m.value) as EnrichedEvent[]).map((enriched) => ({ ...m, enriched })),
  );

describe('ingest with the real broker', () => {
  it('puts exactly the posted events on the topic, keyed by anonymous id, with contract and site headers', async () => {
    const { app, topic } = await startIngest();
    const first = events(5, { anonymousId: 'visitor-1' });
    const second = [
      sampleEvent({ anonymousId: 'visitor-2', type: 'pageview', name: 'pageview' }),
      sampleEvent({ anonymousId: 'visitor-3' }),
    ];
    expect((await post(app, batchOf(first), { origin: ORIGIN, gzip: true })).json()).toMatchObject({
      accepted: 5,
      rejected: [],
    });
    expect(
      (await post(app, batchOf([...second, { not: 'an event' }]), { contentType: 'text/plain;charset=UTF-8' })).json(),
    ).toMatchObject({
      accepted: 2,
      rejected: [{ index: 2 }],
    });

    const onTopic = await eventsOn(topic);
    expect(onTopic).toHaveLength(7);
    const byId = new Map(onTopic.map((m) => [m.enriched.event.id as string, m]));
    for (const event of [...first, ...second]) {
      const message = byId.get(event.id)!;
      expect(message.enriched.event).toEqual(event);
      expect(message.key).toBe(event.anonymousId);
      expect(message.headers).toEqual({ [HEADERS.contractVersion]: '1', [HEADERS.site]: SITE });
      expect(validateEnrichedEvent(message.enriched).ok).toBe(true);
    }
    const visitor1 = onTopic.filter((m) => m.key === 'visitor-1');
    expect(new Set(visitor1.map((m) => m.partition)).size).toBe(1);
    expect(visitor1.map((m) => m.enriched.event.seq)).toEqual([0, 1, 2, 3, 4]);
  });

  it('stays unready and answers 503 while its topic does not exist, and becomes ready once it is created', async () => {
    const topic = uniqueName('ingest-missing');
    app = await buildApp(
      testConfig({ EVENTLINE_KAFKA_BROKERS: testInfra().brokers.join(','), EVENTLINE_KAFKA_TOPIC: topic }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await app.inject('/readyz')).statusCode).toBe(503);
    expect((await post(app, batchOf(events(1)))).statusCode).toBe(503);
    await createTopics(testInfra().brokers, [{ topic, numPartitions: 1 }]);
    await waitUntilReady(app);
    expect((await post(app, batchOf(events(2)))).json()).toMatchObject({ accepted: 2 });
  });

  it('coalesces concurrent requests into fewer Kafka sends, each answered after its own events are on the topic', async () => {
    const { app, topic } = await startIngest({ EVENTLINE_INGEST_LINGER_MS: '5' });
    const batches = Array.from({ length: 30 }, (_, i) => events(20, { anonymousId: `visitor-${i}` }));
    const responses = await Promise.all(batches.map((b) => post(app, batchOf(b))));
    expect(responses.map((r) => r.statusCode)).toEqual(batches.map(() => 200));
    const metrics = (await app.inject('/metrics')).body;
    const sends = Number(/eventline_ingest_produce_batch_messages_count (\d+)/.exec(metrics)?.[1]);
    expect(sends).toBeLessThan(batches.length);
    const onTopic = await eventsOn(topic);
    expect(onTopic).toHaveLength(600);
    for (let i = 0; i < batches.length; i++) {
      expect(onTopic.filter((m) => m.key === `visitor-${i}`).map((m) => m.enriched.event.seq)).toEqual(
        Array.from({ length: 20 }, (_, s) => s),
      );
    }
  });

  it('answers every refusal status for real and writes nothing for them', async () => {
    const { app, topic } = await startIngest({ EVENTLINE_INGEST_RATE_LIMIT_MAX: '7' });
    const huge = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${i}`, 'x'.repeat(1000)]));
    const refusals: [number, string, Promise<{ statusCode: number; json(): { code: string } }>][] = [
      [400, 'INGEST_INVALID_JSON', post(app, '{"sentAt":')],
      [400, 'INGEST_INVALID_BATCH', post(app, { events: events(1) })],
      [401, 'INGEST_UNKNOWN_WRITE_KEY', post(app, batchOf(events(1)), { writeKey: 'stolen' })],
      [403, 'INGEST_ORIGIN_NOT_ALLOWED', post(app, batchOf(events(1)), { origin: OTHER_ORIGIN })],
      [
        413,
        'INGEST_PAYLOAD_TOO_LARGE',
        post(app, gzipSync(JSON.stringify(batchOf([' '.repeat(LIMITS.batchBytes)]))), {
          gzip: false,
          headers: { 'content-encoding': 'gzip' },
        }),
      ],
      [413, 'INGEST_EVENT_TOO_LARGE', post(app, batchOf([sampleEvent({ properties: huge })]))],
      [415, 'INGEST_UNSUPPORTED_MEDIA_TYPE', post(app, 'x', { contentType: 'multipart/form-data; boundary=x' })],
    ];
    for (const [status, code, response] of refusals) {
      const r = await response;
      expect([r.statusCode, r.json().code]).toEqual([status, code]);
    }
    const limited = await post(app, batchOf(events(1)));
    expect([limited.statusCode, limited.json().code]).toEqual([429, 'INGEST_RATE_LIMITED']);
    expect(await eventsOn(topic)).toEqual([]);
  });

  it('never crashes, never answers 5xx, and never puts an invalid event on the topic, whatever the body and headers (fuzzed)', async () => {
    const { app, topic } = await startIngest();
    const mutated = fc
      .tuple(
        fc.constantFrom<keyof Event>(
          'id',
          'type',
          'name',
          'timestamp',
          'seq',
          'anonymousId',
          'page',
          'element',
          'properties',
          'v',
        ),
        fc.jsonValue(),
      )
      .map(([field, value]) => ({ ...sampleEvent(), [field]: value }));
    const eventLike = fc.oneof(
      fc.constant(null).map(() => sampleEvent()),
      fc
        .record({
          anonymousId: fc.string({ minLength: 1, maxLength: 64 }),
          properties: fc.dictionary(
            fc.string({ minLength: 1, maxLength: 20 }),
            fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null)),
            { maxKeys: 5 },
          ),
        })
        .map((o) => sampleEvent(o)),
      mutated,
      fc.jsonValue(),
    );
    const body = fc.oneof(
      fc
        .record(
          { sentAt: fc.oneof(fc.integer({ min: 0 }), fc.jsonValue()), events: fc.array(eventLike, { maxLength: 30 }) },
          { requiredKeys: [] },
        )
        .map((b) => JSON.stringify(b)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string(),
    );
    const request = fc.record({
      body,
      contentType: fc.constantFrom('application/json', 'text/plain;charset=UTF-8', 'text/plain', 'application/xml', ''),
      encoding: fc.constantFrom('', 'gzip', 'deflate', 'gzip-but-not-really'),
      origin: fc.constantFrom(undefined, ORIGIN, OTHER_ORIGIN, 'null'),
      writeKey: fc.constantFrom(WRITE_KEY, null, 'unknown', ''),
    });
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const payload = r.encoding === 'gzip' ? gzipSync(r.body) : r.body;
        const response = await app.inject({
          method: 'POST',
          url: r.writeKey === null ? '/v1/batch' : `/v1/batch?writeKey=${encodeURIComponent(r.writeKey)}`,
          payload,
          headers: {
            ...(r.contentType ? { 'content-type': r.contentType } : {}),
            ...(r.encoding && r.encoding !== 'gzip-but-not-really' ? { 'content-encoding': r.encoding } : {}),
            ...(r.encoding === 'gzip-but-not-really' ? { 'content-encoding': 'gzip' } : {}),
            ...(r.origin ? { origin: r.origin } : {}),
          },
        });
        expect(response.statusCode === 503 || response.statusCode < 500).toBe(true);
        const json = response.json();
        if (response.statusCode === 200) {
          accepted += json.accepted;
          expect(json.accepted + json.rejected.length).toBe(
            (JSON.parse(r.body) as { events: unknown[] }).events.length,
          );
        } else {
          expect(json).toEqual({
            statusCode: response.statusCode,
            code: expect.stringMatching(/^INGEST_/),
            error: expect.any(String),
            message: expect.any(String),
          });
        }
      }),
      { numRuns: 300 },
    );
    const onTopic = await eventsOn(topic);
    expect(onTopic).toHaveLength(accepted);
    for (const message of onTopic) expect(validateEnrichedEvent(message.enriched)).toMatchObject({ ok: true });
  });

  it('as a process: on SIGTERM answers the requests in flight, flushes them to Kafka and exits 0', async () => {
    const topic = await createTestTopic('ingest-process');
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'ingest/src/server.ts'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        EVENTLINE_KAFKA_BROKERS: testInfra().brokers.join(','),
        EVENTLINE_KAFKA_TOPIC: topic,
        EVENTLINE_INGEST_PORT: String(port),
        EVENTLINE_INGEST_LINGER_MS: '1000',
        EVENTLINE_WRITE_KEYS: JSON.stringify([{ key: WRITE_KEY, site: SITE, origins: [ORIGIN] }]),
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null]>;
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    while (
      !(await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error('ingest process not ready');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const batches = Array.from({ length: 10 }, () => events(10));
    const responses = batches.map((b) =>
      fetch(`${base}/v1/batch?writeKey=${WRITE_KEY}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batchOf(b)),
      }),
    );
    // The long linger holds every request (one record each) in flight until SIGTERM is sent.
    while (!/eventline_ingest_buffered_messages 10\n/.test(await fetch(`${base}/metrics`).then((r) => r.text()))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGTERM');
    const statuses = await Promise.all(responses.map((r) => r.then((x) => x.status)));
    const [code] = await exited;
    expect(code, output).toBe(0);
    expect(statuses).toEqual(batches.map(() => 200));
    const acknowledged = batches.flat();
    const ids = new Set((await eventsOn(topic)).map((m) => m.enriched.event.id as string));
    for (const event of acknowledged) expect(ids.has(event.id)).toBe(true);
  });
});
