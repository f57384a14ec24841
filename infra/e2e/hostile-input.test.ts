// Hostile input against the running pipeline (ingest and consumer as processes,
// real Kafka and InfluxDB): every attack gets the right 4xx or is stored
// exactly as sent, nothing malformed reaches Kafka, and the services keep serving.
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { InfluxDB, flux } from '@influxdata/influxdb-client';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD, MEASUREMENT, validateEnrichedEvent, type Event } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { freePort } from '../src/ports.ts';
import type { ManagedProcess } from '../src/process.ts';
import { DEMO_WRITE_KEY, serviceSpecs, startService, type ServiceSpec } from '../src/services.ts';
import { createTestBucket, createTestTopic, testInfra, uniqueName } from '../src/testing.ts';

let ingestUrl = '';
let origin = '';
let topic = '';
let deadLetterTopic = '';
let bucket = '';
let dashboardUrl = '';
const DASHBOARD_TOKEN = 'hostile-suite-token';
const services: ManagedProcess[] = [];

beforeAll(async () => {
  const infra = testInfra();
  topic = await createTestTopic('hostile', 3);
  deadLetterTopic = await createTestTopic('hostile-dlq', 1);
  bucket = await createTestBucket('hostile');
  const ports = { ingest: await freePort(), consumer: await freePort(), dashboard: await freePort(), demo: await freePort() };
  const specs = serviceSpecs({ brokers: infra.brokers, influxUrl: infra.influxUrl, bucket }, ports, {
    EVENTLINE_KAFKA_TOPIC: topic,
    EVENTLINE_KAFKA_DLQ_TOPIC: deadLetterTopic,
    EVENTLINE_CONSUMER_GROUP: uniqueName('hostile'),
    EVENTLINE_INGEST_RATE_LIMIT_MAX: '0',
    EVENTLINE_DASHBOARD_TOKEN: DASHBOARD_TOKEN,
  });
  const spec = (name: ServiceSpec['name']) => specs.find((s) => s.name === name) as ServiceSpec;
  const logDir = `${infra.dataDir}/${uniqueName('hostile-logs')}`;
  services.push(await startService(spec('ingest'), logDir), await startService(spec('consumer'), logDir), await startService(spec('dashboard'), logDir));
  ingestUrl = `http://127.0.0.1:${ports.ingest}`;
  dashboardUrl = `http://127.0.0.1:${ports.dashboard}`;
  origin = `http://127.0.0.1:${ports.demo}`;
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
});

function post(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${ingestUrl}/v1/batch?writeKey=${DEMO_WRITE_KEY}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin, ...headers },
    body,
  });
}

const batch = (events: unknown[]) => JSON.stringify({ sentAt: Date.now(), events });

async function expectError(response: Response, status: number, code: string): Promise<void> {
  const body = (await response.json()) as { statusCode: number; code: string; message: string };
  expect({ status: response.status, code: body.code }).toEqual({ status, code });
  expect(body.message.length).toBeGreaterThan(0);
}

describe('ingest under hostile input', () => {
  it('answers 400 naming the problem for malformed JSON and a malformed envelope', async () => {
    await expectError(await post('{"sentAt": 1, "events": ['), 400, 'INGEST_INVALID_JSON');
    await expectError(await post('{"sentAt": "yesterday", "events": []}'), 400, 'INGEST_INVALID_BATCH');
    await expectError(await post('{"events": "all of them"}'), 400, 'INGEST_INVALID_BATCH');
    await expectError(await post('[]'), 400, 'INGEST_INVALID_BATCH');
    await expectError(await post('null'), 400, 'INGEST_INVALID_BATCH');
  });

  it('survives deeply nested JSON', async () => {
    const deep = `{"sentAt":1,"events":[${'['.repeat(200_000)}${']'.repeat(200_000)}]}`;
    const response = await post(deep);
    expect(response.status).toBeLessThan(500);
    if (response.status === 200) expect(((await response.json()) as { accepted: number }).accepted).toBe(0);
    else expect(response.status).toBeGreaterThanOrEqual(400);
  });

  it('reports wrong types per event and still accepts the valid ones', async () => {
    const good = sampleEvent({ id: crypto.randomUUID() });
    const response = await post(batch([{ ...sampleEvent(), seq: 'first' }, good, { ...sampleEvent(), type: 42 }, 'not an event', null]));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { accepted: number; rejected: { index: number; errors: unknown[] }[] };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => r.index)).toEqual([0, 2, 3, 4]);
  });

  it('answers 413 for an oversized body, an oversized event and too many events', async () => {
    await expectError(await post(batch([sampleEvent({ name: 'x'.repeat(600 * 1024) })])), 413, 'INGEST_PAYLOAD_TOO_LARGE');
    const hugeProperties = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'y'.repeat(1000)]));
    await expectError(await post(batch([sampleEvent({ properties: hugeProperties })])), 413, 'INGEST_EVENT_TOO_LARGE');
    await expectError(await post(batch(Array.from({ length: 501 }, () => sampleEvent()))), 413, 'INGEST_TOO_MANY_EVENTS');
  });

  it('answers 413 to a gzip bomb without inflating it all', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100 * 1024);
    await expectError(await post(bomb, { 'content-encoding': 'gzip' }), 413, 'INGEST_PAYLOAD_TOO_LARGE');
    await expectError(await post(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }), 400, 'INGEST_INVALID_GZIP');
  });

  it('answers 415 for media types and encodings it does not speak', async () => {
    await expectError(await post('<batch/>', { 'content-type': 'application/xml' }), 415, 'INGEST_UNSUPPORTED_MEDIA_TYPE');
    await expectError(await post(batch([sampleEvent()]), { 'content-encoding': 'br' }), 415, 'INGEST_UNSUPPORTED_ENCODING');
  });

  it('keeps serving other clients while a slowloris client trickles its body', async () => {
    const url = new URL(ingestUrl);
    const socket = connect(Number(url.port), url.hostname);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    socket.write(`POST /v1/batch?writeKey=${DEMO_WRITE_KEY} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n{"sentAt":`);
    const trickle = setInterval(() => socket.write('1'), 500);
    try {
      for (let i = 0; i < 5; i++) {
        const response = await post(batch([sampleEvent({ id: crypto.randomUUID() })]));
        expect(response.status).toBe(200);
      }
    } finally {
      clearInterval(trickle);
      socket.destroy();
      await closed;
    }
  });

  it('stores line-protocol and unicode special characters in every string field exactly as sent', async () => {
    const nasty = 'a,b c=d "q" \\ back\\\\slash \'single\' #hash\ttab\nnew line\r\ncrlf ünïcødé 🎉 \u200b\u202e end';
    const event: Event = {
      v: 1,
      id: `hostile_${crypto.randomUUID().replace(/-/g, '')}`,
      type: 'click',
      name: `name ${nasty}`,
      timestamp: Date.now(),
      seq: 0,
      anonymousId: `anon ${nasty}`.slice(0, 64),
      sessionId: `sess ${nasty}`.slice(0, 64),
      userId: `user ${nasty}`,
      page: { url: `https://shop.example/p?q=${nasty}`, path: `/p ${nasty}`, title: `title ${nasty}`, referrer: `ref ${nasty}` },
      element: { tag: 'button', id: `id ${nasty}`, name: `nm ${nasty}`, selector: `#x[data-y="${nasty}"]`, text: `text ${nasty}`, attributes: { [`k ${nasty}`.slice(0, 100)]: `v ${nasty}` } },
      properties: { [`p ${nasty}`.slice(0, 100)]: `pv ${nasty}` },
    };
    const response = await post(batch([event]));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { accepted: number }).accepted).toBe(1);

    const query = new InfluxDB({ url: testInfra().influxUrl, token: '' }).getQueryApi('');
    const read = async () =>
      query.collectRows<Record<string, unknown>>(
        flux`from(bucket: ${bucket}) |> range(start: -1h) |> filter(fn: (r) => r._measurement == ${MEASUREMENT})
          |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value") |> filter(fn: (r) => r[${FIELD.id}] == ${event.id})`,
      );
    let rows = await read();
    for (let i = 0; i < 60 && rows.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      rows = await read();
    }
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, unknown>;
    // Line breaks in text fields are stored as one space (Flux CSV on InfluxDB 1.8 cannot return them intact; see consumer/src/to-point.ts).
    const stored = (text: string | undefined) => text?.replace(/\r\n|\r|\n/g, ' ');
    expect(row[FIELD.name]).toBe(stored(event.name));
    expect(row[FIELD.anonymousId]).toBe(stored(event.anonymousId));
    expect(row[FIELD.sessionId]).toBe(stored(event.sessionId));
    expect(row[FIELD.userId]).toBe(stored(event.userId));
    expect(row[FIELD.url]).toBe(stored(event.page.url));
    expect(row[FIELD.path]).toBe(stored(event.page.path));
    expect(row[FIELD.title]).toBe(stored(event.page.title));
    expect(row[FIELD.referrer]).toBe(stored(event.page.referrer));
    expect(row[FIELD.elementId]).toBe(stored(event.element?.id));
    expect(row[FIELD.elementName]).toBe(stored(event.element?.name));
    expect(row[FIELD.elementSelector]).toBe(stored(event.element?.selector));
    expect(row[FIELD.elementText]).toBe(stored(event.element?.text));
    expect(JSON.parse(String(row[FIELD.elementAttributes]))).toEqual(event.element?.attributes);
    expect(JSON.parse(String(row[FIELD.properties]))).toEqual(event.properties);
  });

  it('lets nothing malformed reach Kafka and sends nothing to the dead-letter topic', async () => {
    const kafka = new Kafka({ brokers: testInfra().brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    const deadLetters = await admin.fetchTopicOffsets(deadLetterTopic);
    await admin.disconnect();
    const total = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    expect(deadLetters.reduce((sum, p) => sum + Number(p.high), 0)).toBe(0);

    const consumer = kafka.consumer({ groupId: uniqueName('hostile-audit') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const invalid: string[] = [];
    let seen = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const result = validateEnrichedEvent(JSON.parse(String(message.value)));
          if (!result.ok) invalid.push(String(message.value).slice(0, 200));
          if (++seen === total) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(seen).toBeGreaterThan(0);
    expect(invalid).toEqual([]);
    expect((await fetch(`${ingestUrl}/readyz`)).status).toBe(200);
  });
});

describe('the read API under hostile input', () => {
  const get = (path: string, params: Record<string, string>, token = DASHBOARD_TOKEN) =>
    fetch(`${dashboardUrl}${path}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${token}` } });

  it('refuses requests without the read token', async () => {
    expect((await get('/api/events', {}, 'wrong-token-123')).status).toBe(401);
    expect((await fetch(`${dashboardUrl}/api/events`)).status).toBe(401);
  });

  it('answers 400 for bad ranges and limits', async () => {
    const invalid: Record<string, string>[] = [{ from: 'yesterday-ish' }, { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, { limit: '100000' }, { type: 'hover' }, { from: '-100000d' }];
    for (const params of invalid) {
      const response = await get('/api/events', params);
      expect({ params, status: response.status }).toEqual({ params, status: 400 });
    }
  });

  it('treats Flux-injection attempts in every parameter as data, never as code', async () => {
    const attacks = [
      '") |> drop(columns: ["_value"]) //',
      '" or true or r.site == "',
      '\\") |> yield(name: "pwned") //',
      'x" }) from(bucket: "_internal/monitor") |> range(start: -1h) //',
      '${"interpolated"}',
    ];
    for (const attack of attacks) {
      for (const [path, params] of [
        ['/api/events', { q: attack, from: '-1h' }],
        ['/api/events', { site: attack, from: '-1h' }],
        ['/api/events', { cursor: attack, from: '-1h' }],
        ['/api/stats/timeseries', { q: attack, from: '-1h' }],
        ['/api/stats/top', { dimension: 'element', site: attack, from: '-1h' }],
        ['/api/events.csv', { q: attack, from: '-1h' }],
      ] as const) {
        const response = await get(path, params);
        expect({ path, params, status: response.status }).toMatchObject({ status: expect.any(Number) });
        expect(response.status, `${path} ${JSON.stringify(params)}`).toBeLessThan(500);
        if (response.status === 200 && path === '/api/events') {
          const body = (await response.json()) as { events: unknown[] };
          expect(body.events, `${path} ${JSON.stringify(params)}`).toEqual([]);
        }
      }
    }
    expect((await get('/api/events', { from: '-1h' })).status).toBe(200);
    expect((await fetch(`${dashboardUrl}/healthz`)).status).toBe(200);
  });
});
