// Hostile input against the running pipeline (ingest, consumer and dashboard as
// processes, real Kafka and InfluxDB): every attack gets the right 4xx or is
// stored exactly as sent, nothing malformed reaches Kafka or InfluxDB, read-API
// injections change no result, and the services keep serving throughout.
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { InfluxDB, flux } from '@influxdata/influxdb-client';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, FIELD, LIMITS, MEASUREMENT, validateEnrichedEvent, type Event } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { DEMO_SITE, DEMO_WRITE_KEY } from '@eventline/infra/services';
import { testInfra, uniqueName } from '../src/testing.ts';
import { startTestServices, type TestServices } from '../src/test-services.ts';
import { sleep } from '../src/wait.ts';

/** Short timeouts, so a slowloris client is cut off within the suite's patience. */
const INGEST_REQUEST_TIMEOUT_MS = 3_000;
const INGEST_HEADERS_TIMEOUT_MS = 2_000;
const DASHBOARD_REQUEST_TIMEOUT_MS = 3_000;
/** Both servers look for overdue requests once a second. */
const TIMEOUT_CHECK_MS = 1_000;
const DASHBOARD_TOKEN = 'hostile-suite-token';
const suiteStart = Date.now();

let stack: TestServices;

beforeAll(async () => {
  stack = await startTestServices('hostile', {
    services: ['ingest', 'consumer', 'rollup', 'dashboard'],
    env: {
      EVENTLINE_INGEST_REQUEST_TIMEOUT_MS: String(INGEST_REQUEST_TIMEOUT_MS),
      EVENTLINE_INGEST_HEADERS_TIMEOUT_MS: String(INGEST_HEADERS_TIMEOUT_MS),
      EVENTLINE_DASHBOARD_REQUEST_TIMEOUT_MS: String(DASHBOARD_REQUEST_TIMEOUT_MS),
      EVENTLINE_DASHBOARD_TOKEN: DASHBOARD_TOKEN,
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

function post(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${stack.urls.ingest}/v1/batch?writeKey=${DEMO_WRITE_KEY}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: stack.origin, ...headers },
    body,
  });
}

const batch = (events: unknown[]) => JSON.stringify({ sentAt: Date.now(), events });
const hostileId = () => `hostile_${crypto.randomUUID().replace(/-/g, '')}`;

interface BatchAnswer {
  accepted: number;
  rejected: { index: number; errors: { path: string; message: string }[] }[];
}

async function expectError(response: Response, status: number, code: string): Promise<void> {
  const body = (await response.json()) as { statusCode: number; code: string; message: string };
  expect({ status: response.status, code: body.code }).toEqual({ status, code });
  expect(body.message.length).toBeGreaterThan(0);
}

/**
 * Opens a raw connection, writes `head`, then one character of `trickle` every
 * 200 ms; resolves with what the server sent and how long until it closed.
 */
function slowClient(url: string, head: string, trickle: string): Promise<{ received: string; ms: number }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const started = performance.now();
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.on('error', () => {});
  socket.write(head);
  let sent = 0;
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(trickle[sent++ % trickle.length]!);
  }, 200);
  return new Promise((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ received, ms: performance.now() - started });
    }),
  );
}

function expectCutOff(cut: { received: string; ms: number }, timeoutMs: number): void {
  expect(cut.received).toMatch(/^HTTP\/1\.1 408 /);
  expect(cut.ms).toBeGreaterThanOrEqual(timeoutMs - 200);
  expect(cut.ms).toBeLessThan(timeoutMs + TIMEOUT_CHECK_MS + 2_000);
}

const influx = () => new InfluxDB({ url: testInfra().influxUrl, token: '' }).getQueryApi('');

/** Every point of the suite's bucket, one row per point with its fields as columns. */
function storedRows(): Promise<Record<string, unknown>[]> {
  return influx().collectRows<Record<string, unknown>>(
    flux`from(bucket: ${stack.bucket}) |> range(start: 0) |> filter(fn: (r) => r._measurement == ${MEASUREMENT})
      |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`,
  );
}

/** The stored points of these event ids, once the consumer has written them all (30 s at most). */
async function storedEvents(ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = new Map((await storedRows()).map((row) => [String(row[FIELD.id]), row]));
    const found = new Map(ids.flatMap((id) => (rows.has(id) ? [[id, rows.get(id)!] as const] : [])));
    if (found.size === ids.length || Date.now() > deadline) return found;
    await sleep(500);
  }
}

/** Line breaks in text fields are stored as one space (Flux CSV on InfluxDB 1.8 cannot return them intact; see consumer/src/to-point.ts). */
const stored = (text: string | undefined) => text?.replace(/\r\n|\r|\n/g, ' ');

async function topicOffsets(kafka: Kafka, name: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(name)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the consumer group has committed every message of the topic: it commits only after InfluxDB confirmed the write. */
async function consumerCaughtUp(): Promise<void> {
  const kafka = new Kafka({ brokers: testInfra().brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const high = new Map((await admin.fetchTopicOffsets(stack.topic)).map((p) => [p.partition, Number(p.high)]));
      const [committed] = await admin.fetchOffsets({ groupId: stack.consumerGroup, topics: [stack.topic] });
      const lag = (committed?.partitions ?? []).reduce(
        (sum, p) => sum + (high.get(p.partition) ?? 0) - Math.max(0, Number(p.offset)),
        0,
      );
      if (lag === 0 && committed?.partitions.length === high.size) return;
      if (Date.now() > deadline) throw new Error(`consumer still ${lag} messages behind after 60 s`);
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
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
    const response = await post(
      batch([{ ...sampleEvent(), seq: 'first' }, good, { ...sampleEvent(), type: 42 }, 'not an event', null]),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as BatchAnswer;
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => r.index)).toEqual([0, 2, 3, 4]);
  });

  it('rejects a string one character over its field limit, naming the field, though the body is far under its limit', async () => {
    const element = { tag: 'input', selector: '#f' };
    const overLimit: [Partial<Event>, string][] = [
      [{ name: 'n'.repeat(LIMITS.nameMaxLength + 1) }, '/name'],
      [{ page: { url: `https://shop.example/${'u'.repeat(LIMITS.urlMaxLength - 20)}`, path: '/' } }, '/page/url'],
      [{ element: { ...element, tag: 't'.repeat(65) } }, '/element/tag'],
      [{ element: { ...element, inputType: 'i'.repeat(33) } }, '/element/inputType'],
      [{ element: { ...element, value: 'v'.repeat(LIMITS.propertyValueMaxLength + 1) } }, '/element/value'],
      [{ properties: { k: 'v'.repeat(LIMITS.propertyValueMaxLength + 1) } }, '/properties/k'],
      [
        { properties: { ['k'.repeat(LIMITS.propertyKeyMaxLength + 1)]: 1 } },
        `/properties/${'k'.repeat(LIMITS.propertyKeyMaxLength + 1)}`,
      ],
    ];
    const body = batch(overLimit.map(([fields]) => sampleEvent({ id: hostileId(), ...fields })));
    expect(body.length).toBeLessThan(LIMITS.batchBytes / 20);
    const response = await post(body);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as BatchAnswer;
    expect(answer.accepted).toBe(0);
    expect(answer.rejected.map((r) => [r.index, r.errors[0]?.path])).toEqual(
      overLimit.map(([, path], index) => [index, path]),
    );
    for (const { errors } of answer.rejected)
      expect(errors[0]?.message).toMatch(/must not have more than \d+ characters/);
  });

  it('answers 413 for an oversized body, an oversized event and too many events', async () => {
    await expectError(
      await post(batch([sampleEvent({ name: 'x'.repeat(600 * 1024) })])),
      413,
      'INGEST_PAYLOAD_TOO_LARGE',
    );
    const hugeProperties = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'y'.repeat(1000)]));
    await expectError(await post(batch([sampleEvent({ properties: hugeProperties })])), 413, 'INGEST_EVENT_TOO_LARGE');
    await expectError(
      await post(batch(Array.from({ length: 501 }, () => sampleEvent()))),
      413,
      'INGEST_TOO_MANY_EVENTS',
    );
  });

  it('answers 413 to a gzip bomb without inflating it all', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100 * 1024);
    await expectError(await post(bomb, { 'content-encoding': 'gzip' }), 413, 'INGEST_PAYLOAD_TOO_LARGE');
    await expectError(
      await post(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }),
      400,
      'INGEST_INVALID_GZIP',
    );
  });

  it('answers 415 for media types and encodings it does not speak', async () => {
    await expectError(
      await post('<batch/>', { 'content-type': 'application/xml' }),
      415,
      'INGEST_UNSUPPORTED_MEDIA_TYPE',
    );
    await expectError(
      await post(batch([sampleEvent()]), { 'content-encoding': 'br' }),
      415,
      'INGEST_UNSUPPORTED_ENCODING',
    );
  });

  it('cuts off slowloris clients trickling a body or headers with 408 within the timeouts, while serving other clients', async () => {
    const { host } = new URL(stack.urls.ingest);
    const request = `POST /v1/batch?writeKey=${DEMO_WRITE_KEY} HTTP/1.1\r\nHost: ${host}\r\n`;
    const slowBody = slowClient(
      stack.urls.ingest,
      `${request}Content-Type: text/plain\r\nContent-Length: 100000\r\n\r\n{"sentAt":`,
      '1',
    );
    const slowHeaders = slowClient(stack.urls.ingest, request, 'X-Slow: 1\r\n');
    for (let i = 0; i < 5; i++) {
      const response = await post(batch([sampleEvent({ id: crypto.randomUUID() })]));
      expect(response.status).toBe(200);
    }
    const [body, headers] = await Promise.all([slowBody, slowHeaders]);
    expectCutOff(body, INGEST_REQUEST_TIMEOUT_MS);
    expectCutOff(headers, INGEST_HEADERS_TIMEOUT_MS);
    expect(JSON.parse(body.received.slice(body.received.indexOf('\r\n\r\n') + 4))).toMatchObject({
      statusCode: 408,
      code: 'INGEST_REQUEST_TIMEOUT',
    });
    expect((await post(batch([sampleEvent()]))).status).toBe(200);
  });

  it('stores line-protocol and unicode special characters in every string field exactly as sent', async () => {
    const nasty = 'a,b c=d "q" \\ back\\\\slash \'single\' #hash\ttab\nnew line\r\ncrlf ünïcødé 🎉 \u200b\u202e end';
    const event: Event = {
      v: 1,
      id: hostileId(),
      type: 'input',
      name: `name ${nasty}`,
      timestamp: Date.now(),
      seq: 0,
      anonymousId: `anon ${nasty}`.slice(0, 64),
      sessionId: `sess ${nasty}`.slice(0, 64),
      userId: `user ${nasty}`,
      page: {
        url: `https://shop.example/p?q=${nasty}`,
        path: `/p ${nasty}`,
        title: `title ${nasty}`,
        referrer: `ref ${nasty}`,
      },
      element: {
        tag: `tag ${nasty}`.slice(0, 64),
        id: `id ${nasty}`,
        name: `nm ${nasty}`,
        selector: `#x[data-y="${nasty}"]`,
        text: `text ${nasty}`,
        attributes: { [`k ${nasty}`.slice(0, 100)]: `v ${nasty}` },
        inputType: `type ${nasty}`.slice(0, 32),
        value: `value ${nasty}`,
      },
      properties: { [`p ${nasty}`.slice(0, 100)]: `pv ${nasty}` },
    };
    const response = await post(batch([event]));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { accepted: number }).accepted).toBe(1);

    const row = (await storedEvents([event.id])).get(event.id);
    expect(row).toBeDefined();
    expect(row![FIELD.name]).toBe(stored(event.name));
    expect(row![FIELD.anonymousId]).toBe(stored(event.anonymousId));
    expect(row![FIELD.sessionId]).toBe(stored(event.sessionId));
    expect(row![FIELD.userId]).toBe(stored(event.userId));
    expect(row![FIELD.url]).toBe(stored(event.page.url));
    expect(row![FIELD.path]).toBe(stored(event.page.path));
    expect(row![FIELD.title]).toBe(stored(event.page.title));
    expect(row![FIELD.referrer]).toBe(stored(event.page.referrer));
    expect(row![FIELD.elementTag]).toBe(stored(event.element?.tag));
    expect(row![FIELD.elementId]).toBe(stored(event.element?.id));
    expect(row![FIELD.elementName]).toBe(stored(event.element?.name));
    expect(row![FIELD.elementSelector]).toBe(stored(event.element?.selector));
    expect(row![FIELD.elementText]).toBe(stored(event.element?.text));
    expect(row![FIELD.elementInputType]).toBe(stored(event.element?.inputType));
    expect(row![FIELD.elementValue]).toBe(stored(event.element?.value));
    expect(JSON.parse(String(row![FIELD.elementAttributes]))).toEqual(event.element?.attributes);
    expect(JSON.parse(String(row![FIELD.properties]))).toEqual(event.properties);
  });

  it('stores lone surrogates and invalid UTF-8 bytes as U+FFFD, and NUL as sent', async () => {
    const lone = sampleEvent({
      id: hostileId(),
      name: 'lone \ud800 high \udfff low',
      element: { tag: 'b', selector: '#b', text: 'cut \ud83d' },
    });
    const nul = sampleEvent({ id: hostileId(), name: 'nul \u0000 byte', properties: { k: 'v\u0000w' } });
    const invalid = sampleEvent({ id: hostileId(), name: 'INVALID_UTF8' });
    // JSON.stringify escapes lone surrogates and NUL (\ud800, \u0000); the invalid bytes go in raw.
    const [head, tail] = batch([lone, nul, invalid]).split('INVALID_UTF8') as [string, string];
    const body = Buffer.concat([
      Buffer.from(`${head}bad `),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from(` bytes${tail}`),
    ]);
    const response = await post(new Uint8Array(body), { 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as BatchAnswer).accepted).toBe(3);

    const rows = await storedEvents([lone.id, nul.id, invalid.id]);
    expect(rows.get(lone.id)?.[FIELD.name]).toBe('lone \ufffd high \ufffd low');
    expect(rows.get(lone.id)?.[FIELD.elementText]).toBe('cut \ufffd');
    expect(rows.get(nul.id)?.[FIELD.name]).toBe('nul \u0000 byte');
    expect(JSON.parse(String(rows.get(nul.id)?.[FIELD.properties]))).toEqual({ k: 'v\u0000w' });
    // WHATWG decoding: FF → U+FFFD, FE → U+FFFD, C3 without a continuation byte → U+FFFD, then "(".
    expect(rows.get(invalid.id)?.[FIELD.name]).toBe('bad \ufffd\ufffd\ufffd( bytes');
  });
});

describe('the read API under hostile input', () => {
  const range = {
    from: new Date(suiteStart - 3_600_000).toISOString(),
    to: new Date(suiteStart + 3_600_000).toISOString(),
  };
  const get = (path: string, params: Record<string, string> | [string, string][], token = DASHBOARD_TOKEN) =>
    fetch(`${stack.urls.dashboard}${path}?${new URLSearchParams(params)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
  /** The answer as comparable data: parsed JSON, or the text of a CSV. */
  async function answer(
    path: string,
    params: Record<string, string> | [string, string][],
  ): Promise<{ status: number; body: unknown }> {
    const response = await get(path, params);
    const text = await response.text();
    return {
      status: response.status,
      body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
    };
  }
  const attacks = [
    '") |> drop(columns: ["_value"]) //',
    '" or true or r.site == "',
    'demo" or r.site != "',
    '\\") |> yield(name: "pwned") //',
    'x" }) from(bucket: "_internal/monitor") |> range(start: -1h) //',
    '${"interpolated"}',
    'a\nb\r\nc\u0000d',
    '.*',
  ];
  /** Clean answers of every route for the whole range, to compare with after the attacks. */
  const answerRange = { ...range, site: DEMO_SITE };
  const cleanQueries: [string, Record<string, string>][] = [
    ['/api/v2/overview', answerRange],
    ['/api/v2/timeseries', { ...answerRange, metric: 'events', timezone: 'Europe/Paris' }],
    ['/api/v2/breakdown', { ...answerRange, dimension: 'path', metric: 'events' }],
    ['/api/v2/events', { ...answerRange, limit: '500' }],
    ['/api/events', { ...range, limit: '500' }],
    ['/api/events.csv', range],
    ['/api/stats/timeseries', range],
    ['/api/stats/top', { ...range, dimension: 'element' }],
    ['/api/stats/top', { ...range, dimension: 'page' }],
    ['/api/completeness', range],
  ];
  let before: { status: number; body: unknown }[] = [];

  beforeAll(async () => {
    await consumerCaughtUp();
    await rollupsCaughtUp();
    before = await Promise.all(cleanQueries.map(([path, params]) => answer(path, params)));
    expect(before.map((a) => a.status)).toEqual(cleanQueries.map(() => 200));
    expect((before[4]!.body as { events: unknown[] }).events.length).toBeGreaterThan(0);
  });

  /** Waits until the rollups count (people and bots) every stored event of the range. */
  async function rollupsCaughtUp(): Promise<void> {
    const stored = ((await (await get('/api/stats/timeseries', range)).json()) as { total: number }).total;
    const rolledUp = async () => {
      let events = 0;
      for (const bots of ['exclude', 'only']) {
        const body = (await (await get('/api/v2/overview', { ...answerRange, bots })).json()) as {
          metrics: { events: { value: number } };
        };
        events += body.metrics.events.value;
      }
      return events;
    };
    const deadline = Date.now() + 60_000;
    while ((await rolledUp()) !== stored) {
      if (Date.now() > deadline) throw new Error(`rollups hold ${await rolledUp()} of ${stored} events`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it('refuses requests without the read token', async () => {
    expect((await get('/api/events', {}, 'wrong-token-123')).status).toBe(401);
    expect((await fetch(`${stack.urls.dashboard}/api/events`)).status).toBe(401);
  });

  it('answers 400 for bad ranges and limits', async () => {
    const invalid: Record<string, string>[] = [
      { from: 'yesterday-ish' },
      { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      { limit: '100000' },
      { type: 'hover' },
      { from: '-100000d' },
    ];
    for (const params of invalid) {
      const response = await get('/api/events', params);
      expect({ params, status: response.status }).toEqual({ params, status: 400 });
    }
  });

  it('treats Flux-injection attempts in free-text parameters as data: the same answer as a value that matches nothing', async () => {
    const noMatch = 'no-such-value-4f1c';
    const cases: [string, Record<string, string>, string][] = [
      ['/api/events', range, 'q'],
      ['/api/events', range, 'site'],
      ['/api/events.csv', range, 'q'],
      ['/api/events.csv', range, 'site'],
      ['/api/stats/timeseries', range, 'q'],
      ['/api/stats/timeseries', range, 'site'],
      ['/api/stats/top', { ...range, dimension: 'element' }, 'q'],
      ['/api/stats/top', { ...range, dimension: 'page' }, 'site'],
      ['/api/completeness', range, 'site'],
      ['/api/v2/overview', answerRange, 'site'],
      ['/api/v2/timeseries', answerRange, 'site'],
      ['/api/v2/breakdown', { ...answerRange, dimension: 'label' }, 'site'],
      ['/api/v2/events', answerRange, 'site'],
    ];
    for (const [path, params, name] of cases) {
      const clean = await answer(path, { ...params, [name]: noMatch });
      expect(clean.status, `${path} ${name}`).toBe(200);
      // Every attack fits the parameter's length limit, so none may be refused: each must answer as if nothing matched.
      for (const attack of attacks)
        expect(await answer(path, { ...params, [name]: attack }), `${path} ${name}=${JSON.stringify(attack)}`).toEqual(
          clean,
        );
    }
  });

  it('treats an injection in a well-formed cursor as data, and refuses a malformed one', async () => {
    const cursor = (id: string) =>
      Buffer.from(JSON.stringify([(BigInt(Date.parse(range.to)) * 1_000_000n).toString(), id])).toString('base64url');
    const clean = await answer('/api/events', { ...range, cursor: cursor('zzzzzzzzzzzzzzzz') });
    expect(clean.status).toBe(200);
    expect((clean.body as { events: unknown[] }).events.length).toBeGreaterThan(0);
    for (const attack of attacks) {
      expect(await answer('/api/events', { ...range, cursor: cursor(attack) }), attack).toEqual(clean);
      expect((await get('/api/events', { ...range, cursor: attack })).status, attack).toBe(400);
    }
    const v2 = { ...answerRange, bots: 'only' };
    const cleanV2 = await answer('/api/v2/events', { ...v2, cursor: cursor('zzzzzzzzzzzzzzzz') });
    expect(cleanV2.status).toBe(200);
    for (const attack of attacks) {
      expect(await answer('/api/v2/events', { ...v2, cursor: cursor(attack) }), attack).toEqual(cleanV2);
      expect((await get('/api/v2/events', { ...v2, cursor: attack })).status, attack).toBe(400);
    }
  });

  it('refuses injection attempts in validated parameters (type, dimension, from, to, interval, limit, examples) with 400', async () => {
    const attempts: [string, Record<string, string>][] = [];
    for (const attack of [...attacks, 'click") |> yield(name: "x") //', 'click,hover']) {
      attempts.push(['/api/events', { ...range, type: attack }], ['/api/stats/timeseries', { ...range, type: attack }]);
      attempts.push(
        ['/api/stats/top', { ...range, dimension: attack }],
        ['/api/stats/top', { ...range, dimension: `element${attack}` }],
      );
    }
    for (const attack of [
      ...attacks,
      '2026-01-01T00:00:00Z") |> drop(columns: ["_value"]) //',
      '-1h) |> yield(name: "x',
      'now()',
      '-1h, stop: now()',
    ]) {
      for (const path of ['/api/events', '/api/events.csv', '/api/stats/timeseries', '/api/completeness']) {
        attempts.push([path, { ...range, from: attack }], [path, { ...range, to: attack }]);
      }
    }
    for (const attack of [...attacks, '1h) |> yield(name: "x")', '1e3']) {
      attempts.push(
        ['/api/stats/timeseries', { ...range, interval: attack }],
        ['/api/events', { ...range, limit: attack }],
        ['/api/completeness', { ...range, examples: attack }],
      );
    }
    for (const attack of [...attacks, 'Europe/Paris" or 1=1', 'UTC; DROP', '../../etc/passwd']) {
      // Each route gets only parameters it takes, so a 400 can only come from the attack.
      for (const [path, params] of [
        ['/api/v2/overview', answerRange],
        ['/api/v2/timeseries', answerRange],
        ['/api/v2/breakdown', { ...answerRange, dimension: 'path' }],
      ] as const)
        attempts.push(
          [path, { ...params, timezone: attack }],
          [path, { ...params, from: attack }],
          [path, { ...params, bots: attack }],
        );
      attempts.push(
        ['/api/v2/breakdown', { ...answerRange, dimension: attack }],
        ['/api/v2/breakdown', { ...answerRange, dimension: 'path', metric: attack }],
        ['/api/v2/breakdown', { ...answerRange, dimension: 'path', limit: attack }],
        ['/api/v2/breakdowns', { ...answerRange, dimension: attack }],
        ['/api/v2/timeseries', { ...answerRange, interval: attack }],
        ['/api/v2/overview', { ...answerRange, compare: attack }],
        ['/api/v2/overview', { ...answerRange, [attack]: 'x' }],
      );
    }
    // A day series cannot be cut from hourly rollups in a zone 30 minutes off whole hours.
    attempts.push(['/api/v2/timeseries', { ...answerRange, timezone: 'Asia/Calcutta', interval: 'day' }]);
    for (const [path, params] of attempts) {
      const response = await get(path, params);
      expect(response.status, `${path} ${JSON.stringify(params)}`).toBe(400);
    }
  });

  it('treats injections in funnel steps and site as data, and refuses malformed steps with 400', async () => {
    const funnel = (first: string, second: string, site = DEMO_SITE): [string, string][] => [
      ...Object.entries({ ...range, site }),
      ['step', first],
      ['step', second],
    ];
    const clean = await answer('/api/v2/funnel', funnel('pageview:/no-such-page', 'click:no-such-label'));
    expect(clean.status).toBe(200);
    for (const attack of attacks) {
      const asData = await answer('/api/v2/funnel', funnel(`pageview:${attack}`, `click:${attack}`));
      // No stored path or label holds a line break, so a step with one is refused rather than answered.
      if (/[\r\n]/.test(attack)) {
        expect(asData.status, attack).toBe(400);
        continue;
      }
      expect(asData.status, attack).toBe(200);
      expect(
        (asData.body as { steps: { actors: number }[] }).steps.map((step) => step.actors),
        attack,
      ).toEqual([0, 0]);
      const site = await answer('/api/v2/funnel', funnel('pageview:/', 'click:Buy', attack));
      expect(
        (site.body as { steps: { actors: number }[] }).steps.map((step) => step.actors),
        attack,
      ).toEqual([0, 0]);
    }
    const malformed: [string, string][][] = [
      funnel('hover:x', 'click:y'),
      funnel('pageview:', 'click:y'),
      [...Object.entries({ ...range, site: DEMO_SITE }), ['step', 'pageview:/']],
      [...funnel('pageview:/', 'click:y'), ['window', '1h) |> yield(']],
      [...funnel('pageview:/', 'click:y'), ['within', 'everyone']],
      [
        ...Object.entries({ ...range, site: DEMO_SITE }),
        ...Array.from({ length: 9 }, (): [string, string] => ['step', 'pageview:/']),
      ],
    ];
    for (const params of malformed)
      expect((await get('/api/v2/funnel', params)).status, JSON.stringify(params)).toBe(400);
  });

  it('treats injections in filter values as data on every v2 route, and refuses malformed filters with 400', async () => {
    const routes: [string, [string, string][]][] = [
      ['/api/v2/overview', Object.entries(answerRange)],
      ['/api/v2/timeseries', Object.entries({ ...answerRange, metric: 'events' })],
      ['/api/v2/breakdown', Object.entries({ ...answerRange, dimension: 'path', metric: 'events' })],
      [
        '/api/v2/funnel',
        [...Object.entries(range), ['site', DEMO_SITE], ['step', 'pageview:/'], ['step', 'click:Buy']],
      ],
      ['/api/v2/events', Object.entries({ ...answerRange, limit: '500' })],
    ];
    for (const [path, params] of routes) {
      // Each attack in a field-compared dimension (path) and in the one pushed into InfluxQL (type), with a clean filter.
      const clean = await answer(path, [...params, ['filter', 'path:/no-such-page'], ['filter', 'browser:Chrome']]);
      expect(clean.status, path).toBe(200);
      for (const attack of attacks.filter((a) => !/[\r\n]/.test(a)))
        for (const dimension of ['path', 'type'])
          expect(
            await answer(path, [...params, ['filter', `${dimension}:${attack}`], ['filter', 'browser:Chrome']]),
            `${path} ${dimension}:${JSON.stringify(attack)}`,
          ).toEqual(
            dimension === 'path'
              ? clean
              : await answer(path, [...params, ['filter', 'type:no-such-type'], ['filter', 'browser:Chrome']]),
          );
      const malformed = [
        ...attacks.map((attack) => `${attack}:x`),
        'path',
        'path:',
        'path:a\nb',
        `path:${'x'.repeat(LIMITS.textMaxLength + 1)}`,
      ];
      for (const filter of malformed)
        expect((await get(path, [...params, ['filter', filter]])).status, `${path} ${JSON.stringify(filter)}`).toBe(
          400,
        );
      const tooMany = Array.from({ length: 9 }, (_, i): [string, string] => ['filter', `path:/${i}`]);
      expect((await get(path, [...params, ...tooMany])).status, `${path} nine filters`).toBe(400);
    }
  });

  it('treats injections in element labels and annotation sites as data, and keeps annotation text literal', async () => {
    const element = (label: string) => answer('/api/v2/element', { ...range, site: DEMO_SITE, label });
    const clean = await element('no-such-label');
    expect(clean.status).toBe(200);
    const noteSite = `hostile-notes-${suiteStart}`;
    for (const attack of attacks.filter((a) => !/[\r\n]/.test(a))) {
      expect(await element(attack), attack).toEqual({ ...clean, body: { ...(clean.body as object), label: attack } });
      expect(await answer('/api/v2/annotations', { ...range, site: attack }), attack).toEqual({
        status: 200,
        body: { annotations: [] },
      });
    }
    const at = new Date(suiteStart).toISOString();
    for (const text of attacks) {
      const added = await fetch(`${stack.urls.dashboard}/api/v2/annotations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DASHBOARD_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ site: noteSite, at, text }),
      });
      expect(added.status, JSON.stringify(text)).toBe(201);
    }
    const listed = (await answer('/api/v2/annotations', { ...range, site: noteSite })).body as {
      annotations: { text: string }[];
    };
    expect(listed.annotations.map((note) => note.text).sort()).toEqual([...attacks].sort());
  });

  it('gives the same answers after the attacks as before them, and keeps serving', async () => {
    const after = await Promise.all(cleanQueries.map(([path, params]) => answer(path, params)));
    expect(after).toEqual(before);
    expect((await fetch(`${stack.urls.dashboard}/healthz`)).status).toBe(200);
  });

  it('cuts off a slowloris client with 408 within its request timeout', async () => {
    const { host } = new URL(stack.urls.dashboard);
    const cut = await slowClient(
      stack.urls.dashboard,
      `GET /api/events HTTP/1.1\r\nHost: ${host}\r\n`,
      'X-Slow: 1\r\n',
    );
    expectCutOff(cut, DASHBOARD_REQUEST_TIMEOUT_MS);
    expect((await get('/api/events', range)).status).toBe(200);
  });
});

describe('after the attacks', () => {
  const kafka = () => new Kafka({ brokers: testInfra().brokers, logLevel: logLevel.NOTHING });
  const onTopic = new Set<string>();

  it('let nothing malformed reach Kafka and sent nothing to the dead-letter topic', async () => {
    const total = await topicOffsets(kafka(), stack.topic);
    expect(await topicOffsets(kafka(), stack.deadLetterTopic)).toBe(0);
    const consumer = kafka().consumer({ groupId: uniqueName('hostile-audit') });
    await consumer.connect();
    await consumer.subscribe({ topic: stack.topic, fromBeginning: true });
    const invalid: string[] = [];
    await new Promise<void>((resolve) => {
      let seen = 0;
      void consumer.run({
        eachMessage: async ({ message }) => {
          // A record is an envelope: one visitor's events of one request (see contract/src/record.ts).
          const value: unknown = JSON.parse(String(message.value));
          for (const item of Array.isArray(value) ? value : [value]) {
            const result = validateEnrichedEvent(item);
            if (result.ok) onTopic.add(result.value.event.id);
            else invalid.push(JSON.stringify(item).slice(0, 200));
          }
          if (++seen === total) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(onTopic.size).toBeGreaterThan(0);
    expect(invalid).toEqual([]);
  });

  it('has InfluxDB hold exactly the events on Kafka, each a valid point', async () => {
    await consumerCaughtUp();
    const rows = await storedRows();
    const invalid = rows.filter(
      (row) =>
        row['_measurement'] !== MEASUREMENT ||
        row['site'] !== 'demo' ||
        !(EVENT_TYPES as readonly unknown[]).includes(row['type']) ||
        !/^[A-Za-z0-9_-]{16,64}$/.test(String(row[FIELD.id])) ||
        !Number.isSafeInteger(row[FIELD.seq]) ||
        !Number.isSafeInteger(row[FIELD.clientTimestamp]) ||
        !Number.isSafeInteger(row[FIELD.receivedAt]) ||
        typeof row[FIELD.sessionId] !== 'string' ||
        typeof row[FIELD.anonymousId] !== 'string',
    );
    expect(invalid).toEqual([]);
    expect(rows.map((row) => String(row[FIELD.id])).sort()).toEqual([...onTopic].sort());
  });

  it('keeps every service serving', async () => {
    expect((await fetch(`${stack.urls.ingest}/readyz`)).status).toBe(200);
    expect((await fetch(`${stack.urls.consumer}/readyz`)).status).toBe(200);
    expect((await fetch(`${stack.urls.dashboard}/healthz`)).status).toBe(200);
    expect((await post(batch([sampleEvent()]))).status).toBe(200);
  });
});
