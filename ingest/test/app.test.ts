import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { HEADERS, LIMITS, validateEnrichedEvent } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import {
  batchOf,
  events,
  eventsOfRecords,
  memorySink,
  ORIGIN,
  OTHER_KEY,
  OTHER_ORIGIN,
  post,
  SITE,
  startMemoryApp,
  WRITE_KEY,
  type MemorySink,
} from './helpers.ts';
import { sleep } from '@eventline/testkit';

let app: FastifyInstance;
let sink: MemorySink;

const start = async (env?: Record<string, string>) => ({ app, sink } = await startMemoryApp(env));

const sentValues = () => eventsOfRecords(sink.sent.flat());

describe('POST /v1/batch', () => {
  it('writes the valid events of each visitor as one record of EnrichedEvents keyed by anonymous id, with contract and site headers', async () => {
    await start();
    const batch = batchOf([
      sampleEvent({ anonymousId: 'visitor-a', seq: 0 }),
      sampleEvent({ anonymousId: 'visitor-b' }),
      sampleEvent({ anonymousId: 'visitor-a', seq: 1 }),
    ]);
    const response = await post(app, batch, {
      origin: ORIGIN,
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36' },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({ accepted: 3, rejected: [], serverTime: expect.any(Number) });
    const messages = sink.sent.flat();
    expect(messages.map((m) => m.key)).toEqual(['visitor-a', 'visitor-b']);
    expect(messages[0]!.headers).toEqual({ [HEADERS.contractVersion]: '1', [HEADERS.site]: SITE });
    const inRecordOrder = [batch.events[0], batch.events[2], batch.events[1]];
    for (const [i, value] of sentValues().entries()) {
      expect(validateEnrichedEvent(value).ok).toBe(true);
      expect(value['event']).toEqual(inRecordOrder[i]);
      expect(value['site']).toBe(SITE);
      expect(value['userAgent']).toMatchObject({ browser: 'Chrome', os: 'Linux' });
    }
  });

  it('writes form submits, link targets, tab ids and page leaves with their engagement, as the SDK sends them', async () => {
    await start();
    const tabId = 'tab-0000000000000001';
    const submit = sampleEvent({
      type: 'submit',
      name: 'signup',
      tabId,
      element: { tag: 'form', selector: '#signup', text: 'Create account', href: 'https://shop.example/signup?email=' },
    });
    const leave = sampleEvent({
      type: 'pageleave',
      name: 'pageleave',
      tabId,
      engagement: { engagedMs: 8_200, scrollDepth: 75 },
    });
    delete leave.element;
    const response = await post(app, batchOf([submit, leave]));
    expect(response.json()).toMatchObject({ accepted: 2, rejected: [] });
    expect(sentValues().map((v) => v['event'])).toEqual([submit, leave]);
  });

  it('reports invalid events by index and still writes the valid ones', async () => {
    await start();
    const good = sampleEvent();
    const response = await post(app, batchOf([{ ...sampleEvent(), type: 'hover' }, good, { nonsense: true }]));
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([0, 2]);
    expect(body.rejected[0].errors[0]).toEqual({ path: '/type', message: expect.any(String) });
    expect(sentValues().map((v) => v['event'])).toEqual([good]);
  });

  it('accepts what sendBeacon sends: text/plain, key in the query string', async () => {
    await start();
    const response = await post(app, batchOf(events(3)), { contentType: 'text/plain;charset=UTF-8', origin: ORIGIN });
    expect(response.statusCode).toBe(200);
    expect(response.json().accepted).toBe(3);
  });

  it('accepts gzip bodies and the write key in the body', async () => {
    await start();
    const response = await post(app, batchOf(events(4), { writeKey: WRITE_KEY }), { gzip: true, writeKey: null });
    expect(response.statusCode).toBe(200);
    expect(response.json().accepted).toBe(4);
  });

  it('serves the route under the configured path prefix only', async () => {
    await start({ EVENTLINE_INGEST_PATH_PREFIX: '/t/e' });
    expect((await post(app, batchOf(events(1)), { path: '/t/e/v1/batch' })).statusCode).toBe(200);
    const unprefixed = await post(app, batchOf(events(1)));
    expect(unprefixed.statusCode).toBe(404);
    expect(unprefixed.json().code).toBe('INGEST_NOT_FOUND');
  });

  it('stores no IP address, even one a trusted proxy forwards', async () => {
    await start({ EVENTLINE_INGEST_TRUST_PROXY: 'true' });
    await post(app, batchOf(events(1)), { headers: { 'x-forwarded-for': '203.0.113.77' } });
    const raw = sink.sent.flat()[0]!;
    expect(JSON.stringify(raw)).not.toContain('203.0.113');
    expect(Object.keys(eventsOfRecords([raw])[0]!).sort()).toEqual([
      'event',
      'eventTime',
      'receivedAt',
      'site',
      'userAgent',
    ]);
  });

  it('echoes a safe X-Request-Id and makes one up otherwise', async () => {
    await start();
    expect(
      (await post(app, batchOf(events(1)), { headers: { 'x-request-id': 'abc-123' } })).headers['x-request-id'],
    ).toBe('abc-123');
    const made = (await post(app, batchOf(events(1)), { headers: { 'x-request-id': 'bad id\u0001' } })).headers[
      'x-request-id'
    ];
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('refusals', () => {
  const cases: {
    name: string;
    status: number;
    code: string;
    env?: Record<string, string>;
    send: () => ReturnType<typeof post>;
  }[] = [
    {
      name: 'malformed JSON',
      status: 400,
      code: 'INGEST_INVALID_JSON',
      send: () => post(app, '{"sentAt": 1, "events": ['),
    },
    { name: 'an empty body', status: 400, code: 'INGEST_INVALID_JSON', send: () => post(app, '') },
    {
      name: 'JSON with a __proto__ key',
      status: 400,
      code: 'INGEST_INVALID_JSON',
      send: () => post(app, '{"sentAt":1,"events":[{}],"__proto__":{"x":1}}'),
    },
    {
      name: 'a batch without sentAt',
      status: 400,
      code: 'INGEST_INVALID_BATCH',
      send: () => post(app, { events: [sampleEvent()] }),
    },
    {
      name: 'an empty event list',
      status: 400,
      code: 'INGEST_INVALID_BATCH',
      send: () => post(app, { sentAt: 1, events: [] }),
    },
    {
      name: 'an unknown envelope field',
      status: 400,
      code: 'INGEST_INVALID_BATCH',
      send: () => post(app, { ...batchOf(events(1)), extra: 1 }),
    },
    {
      name: 'a body that is not gzip',
      status: 400,
      code: 'INGEST_INVALID_GZIP',
      send: () => post(app, 'plain', { headers: { 'content-encoding': 'gzip' } }),
    },
    {
      name: 'two different write keys',
      status: 400,
      code: 'INGEST_WRITE_KEY_CONFLICT',
      send: () => post(app, batchOf(events(1), { writeKey: OTHER_KEY })),
    },
    {
      name: 'no write key',
      status: 401,
      code: 'INGEST_MISSING_WRITE_KEY',
      send: () => post(app, batchOf(events(1)), { writeKey: null }),
    },
    {
      name: 'an unknown write key',
      status: 401,
      code: 'INGEST_UNKNOWN_WRITE_KEY',
      send: () => post(app, batchOf(events(1)), { writeKey: 'nope' }),
    },
    {
      name: 'an unknown write key in the body',
      status: 401,
      code: 'INGEST_UNKNOWN_WRITE_KEY',
      send: () => post(app, batchOf(events(1), { writeKey: 'nope' }), { writeKey: null }),
    },
    {
      name: "another site's origin",
      status: 403,
      code: 'INGEST_ORIGIN_NOT_ALLOWED',
      send: () => post(app, batchOf(events(1)), { origin: OTHER_ORIGIN }),
    },
    {
      name: "another site's origin with the key in the body",
      status: 403,
      code: 'INGEST_ORIGIN_NOT_ALLOWED',
      send: () => post(app, batchOf(events(1), { writeKey: WRITE_KEY }), { writeKey: null, origin: OTHER_ORIGIN }),
    },
    {
      name: 'a body over 512 KiB',
      status: 413,
      code: 'INGEST_PAYLOAD_TOO_LARGE',
      send: () => post(app, batchOf([{ pad: 'x'.repeat(LIMITS.batchBytes) }])),
    },
    {
      name: 'a gzip body that inflates over the limit',
      status: 413,
      code: 'INGEST_PAYLOAD_TOO_LARGE',
      send: () => post(app, JSON.stringify(batchOf([{ pad: ' '.repeat(4 * LIMITS.batchBytes) }])), { gzip: true }),
    },
    {
      name: 'an event over 32 KiB',
      status: 413,
      code: 'INGEST_EVENT_TOO_LARGE',
      send: () => {
        const properties = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${i}`, 'x'.repeat(1000)]));
        return post(app, batchOf([sampleEvent(), sampleEvent({ properties })]));
      },
    },
    {
      name: 'more than 500 events',
      status: 413,
      code: 'INGEST_TOO_MANY_EVENTS',
      send: () => post(app, batchOf(events(501))),
    },
    {
      name: 'more events than the configured maximum',
      status: 413,
      code: 'INGEST_TOO_MANY_EVENTS',
      env: { EVENTLINE_INGEST_MAX_EVENTS: '10' },
      send: () => post(app, batchOf(events(11))),
    },
    {
      name: 'a form post',
      status: 415,
      code: 'INGEST_UNSUPPORTED_MEDIA_TYPE',
      send: () => post(app, 'a=b', { contentType: 'application/x-www-form-urlencoded' }),
    },
    {
      name: 'a brotli body',
      status: 415,
      code: 'INGEST_UNSUPPORTED_ENCODING',
      send: () => post(app, batchOf(events(1)), { headers: { 'content-encoding': 'br' } }),
    },
  ];

  for (const c of cases) {
    it(`answers ${c.status} ${c.code} to ${c.name}, and writes nothing`, async () => {
      await start(c.env);
      const response = await c.send();
      expect(response.statusCode).toBe(c.status);
      expect(response.json()).toEqual({
        statusCode: c.status,
        code: c.code,
        error: expect.any(String),
        message: expect.any(String),
        retriable: false,
      });
      expect(sink.sent).toEqual([]);
    });
  }

  it('names the offending field of a bad envelope', async () => {
    await start();
    const response = await post(app, { sentAt: 'yesterday', events: [sampleEvent()] });
    expect(response.json().message).toContain('sentAt');
  });

  it('names a property that is not allowed, in the envelope and in a rejected event', async () => {
    await start();
    const envelope = await post(app, { ...batchOf(events(1)), extra: 1 });
    expect(envelope.json().message).toBe('The body is not a valid batch: body/extra property "extra" is not allowed');
    const response = await post(
      app,
      batchOf([
        { ...sampleEvent(), colour: 'red' },
        { ...sampleEvent(), page: { url: 'https://shop.example/', path: '/', bogus: 1 } },
      ]),
    );
    expect(response.json().rejected).toEqual([
      { index: 0, errors: [{ path: '/colour', message: 'property "colour" is not allowed' }] },
      { index: 1, errors: [{ path: '/page/bogus', message: 'property "bogus" is not allowed' }] },
    ]);
  });

  it('rate limits per client with 429 and Retry-After', async () => {
    await start({ EVENTLINE_INGEST_RATE_LIMIT_MAX: '2' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(app, batchOf(events(1)))).statusCode);
    const limited = await post(app, batchOf(events(1)));
    expect(statuses).toEqual([200, 200, 429]);
    expect(limited.json().code).toBe('INGEST_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(sink.sent).toHaveLength(2);
  });

  it('answers 503 with Retry-After and accepts nothing while the sink fails', async () => {
    await start();
    sink.failing = true;
    const response = await post(app, batchOf(events(3)));
    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('INGEST_KAFKA_UNAVAILABLE');
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(5);
    expect((await app.inject('/readyz')).statusCode).toBe(503);
  });

  it('spreads the Retry-After of its 503s over [base, 2 × base], so refused clients come back at different times', async () => {
    await start();
    sink.failing = true;
    const delays = new Set<number>();
    for (let i = 0; i < 20; i++) delays.add(Number((await post(app, batchOf(events(1)))).headers['retry-after']));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...delays)).toBeLessThanOrEqual(10);
    expect(delays.size).toBeGreaterThan(1);
    expect((await app.inject('/readyz')).statusCode).toBe(503);
  });

  it('answers 503 INGEST_OVERLOADED once the bytes waiting for Kafka would pass the buffer limit', async () => {
    sink = memorySink();
    const hanging: MemorySink = { ...sink, send: () => new Promise<void>(() => {}) };
    ({ app } = await startMemoryApp(
      { EVENTLINE_INGEST_BUFFER_MAX_BYTES: String(1024 * 1024), EVENTLINE_INGEST_PRODUCE_TIMEOUT_MS: '1000' },
      hanging,
    ));
    // 15 events of ~30 KiB: about 450 KiB per request, in few messages.
    const properties = Object.fromEntries(Array.from({ length: 29 }, (_, i) => [`p${i}`, 'x'.repeat(1000)]));
    const heavy = () => batchOf(events(15, { properties }));
    const pending = [post(app, heavy()), post(app, heavy()), post(app, heavy())];
    await sleep(100);
    const refused = await post(app, heavy());
    expect(refused.statusCode).toBe(503);
    expect(refused.json().code).toBe('INGEST_OVERLOADED');
    // EVENTLINE_INGEST_RETRY_AFTER_S (5), spread so refused clients do not return together.
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(5);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(10);
    expect((await app.inject('/metrics')).body).toMatch(/eventline_ingest_buffered_bytes [0-9]{6,}/);
    await app.close();
    expect((await Promise.all(pending)).map((r) => r.statusCode)).toEqual([503, 503, 503]);
  });

  it('does not call Kafka when every event is invalid', async () => {
    await start();
    sink.failing = true;
    const response = await post(app, batchOf([{ bad: 1 }]));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0 }] });
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    app.inject({
      method: 'OPTIONS',
      url,
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,content-encoding',
      },
    });

  it("allows a key's own origins to preflight, and lets browsers cache the answer", async () => {
    await start();
    const response = await preflight(`/v1/batch?writeKey=${WRITE_KEY}`, ORIGIN);
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(String(response.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(response.headers['access-control-allow-headers']).toLowerCase()).toContain('content-type');
    expect(response.headers['access-control-max-age']).toBe('86400');
  });

  it('gives no CORS permission to an origin the key does not list', async () => {
    await start();
    expect(
      (await preflight(`/v1/batch?writeKey=${WRITE_KEY}`, OTHER_ORIGIN)).headers['access-control-allow-origin'],
    ).toBeUndefined();
    expect((await preflight('/v1/batch?writeKey=nope', ORIGIN)).headers['access-control-allow-origin']).toBeUndefined();
    expect(
      (await preflight('/v1/batch', 'https://evil.example')).headers['access-control-allow-origin'],
    ).toBeUndefined();
  });

  it('lets a known origin preflight without a key in the URL, leaving the key check to the POST', async () => {
    await start();
    expect((await preflight('/v1/batch', OTHER_ORIGIN)).headers['access-control-allow-origin']).toBe(OTHER_ORIGIN);
  });

  it('exposes Retry-After to pages on accepted origins', async () => {
    await start();
    const response = await post(app, batchOf(events(1)), { origin: ORIGIN });
    expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(String(response.headers['access-control-expose-headers'])).toContain('Retry-After');
  });
});

describe('operations', () => {
  it('reports liveness, and readiness from the sink', async () => {
    await start();
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    sink.failing = true;
    const notReady = await app.inject('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().code).toBe('INGEST_KAFKA_UNAVAILABLE');
  });

  it('counts requests and events by outcome in Prometheus format', async () => {
    await start();
    await post(app, batchOf([...events(2), { bad: 1 }]));
    sink.failing = true;
    await post(app, batchOf(events(4)));
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toContain(`eventline_ingest_events_accepted_total{site="${SITE}"} 2`);
    expect(metrics).toContain('eventline_ingest_events_rejected_total{reason="invalid"} 1');
    expect(metrics).toContain('eventline_ingest_events_rejected_total{reason="kafka_unavailable"} 4');
    expect(metrics).toContain('eventline_ingest_requests_total{route="/v1/batch",method="POST",status_code="503"} 1');
    expect(metrics).toMatch(/eventline_ingest_produce_duration_seconds_count\{outcome="acknowledged"\} 1/);
  });

  it('documents the batch route in OpenAPI from the contract schemas', async () => {
    await start();
    const document = (await app.inject('/docs/json')).json();
    const operation = document.paths['/v1/batch'].post;
    expect(Object.keys(operation.requestBody.content)).toContain('application/json');
    expect(operation.requestBody.content['application/json'].schema.properties.sentAt.type).toBe('integer');
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '4XX', '5XX']));
    expect(JSON.stringify(document.components.schemas)).toContain('"title":"Event"');
    expect((await app.inject('/docs')).statusCode).toBeLessThan(400);
  });

  it('answers 503 to requests that arrive while shutting down, after finishing the ones in flight', async () => {
    await start({ EVENTLINE_INGEST_LINGER_MS: '200' });
    const inFlight = post(app, batchOf(events(2)));
    await sleep(20);
    const closing = app.close();
    const late = await post(app, batchOf(events(1)));
    expect((await inFlight).statusCode).toBe(200);
    await closing;
    expect(late.statusCode).toBe(503);
    expect(late.json().code).toBe('INGEST_SHUTTING_DOWN');
    expect(sentValues()).toHaveLength(2);
  });

  it('gives up on a Kafka send that never settles: 503 within the produce timeout, later requests served, close returns', async () => {
    sink = memorySink();
    let calls = 0;
    const wedgedOnce: MemorySink = {
      ...sink,
      send: (messages) => (calls++ === 0 ? new Promise<void>(() => {}) : sink.send(messages)),
    };
    ({ app } = await startMemoryApp({ EVENTLINE_INGEST_PRODUCE_TIMEOUT_MS: '200' }, wedgedOnce));
    const started = performance.now();
    const wedged = await post(app, batchOf(events(2)));
    expect(wedged.statusCode).toBe(503);
    expect(wedged.json().code).toBe('INGEST_KAFKA_UNAVAILABLE');
    expect(performance.now() - started).toBeLessThan(2_000);
    const next = await post(app, batchOf(events(3)));
    expect(next.statusCode).toBe(200);
    expect(sentValues()).toHaveLength(3);
    const closing = performance.now();
    calls = 0;
    const stuck = post(app, batchOf(events(1)));
    await sleep(20);
    await app.close();
    expect(performance.now() - closing).toBeLessThan(2_000);
    expect((await stuck).statusCode).toBe(503);
  });

  it('inflates gzip bodies written with any compression level', async () => {
    await start();
    const body = JSON.stringify(batchOf(events(20)));
    const response = await app.inject({
      method: 'POST',
      url: `/v1/batch?writeKey=${WRITE_KEY}`,
      payload: gzipSync(body, { level: 1 }),
      headers: { 'content-type': 'application/json', 'content-encoding': 'GZIP' },
    });
    expect(response.json().accepted).toBe(20);
  });
});

describe('slow clients', () => {
  /** Opens a raw connection, sends `head`, then one byte of `trickle` every 100 ms; resolves with what came back and when the server closed it. */
  function slowClient(port: number, head: string, trickle: string) {
    const socket = connect(port, '127.0.0.1');
    const started = performance.now();
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => {});
    socket.write(head);
    let i = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed && trickle !== '') socket.write(trickle[i++ % trickle.length]!);
    }, 100);
    return new Promise<{ received: string; ms: number }>((resolve) =>
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ received, ms: performance.now() - started });
      }),
    );
  }

  it('answers 408 to a request whose body or headers trickle in, within the timeouts, while serving others', async () => {
    await start({
      EVENTLINE_INGEST_REQUEST_TIMEOUT_MS: '1500',
      EVENTLINE_INGEST_HEADERS_TIMEOUT_MS: '1000',
      EVENTLINE_INGEST_PRODUCE_TIMEOUT_MS: '500',
      EVENTLINE_INGEST_CONNECTION_TIMEOUT_MS: '5000',
      EVENTLINE_INGEST_RATE_LIMIT_MAX: '0',
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const slowBody = slowClient(
      port,
      `POST /v1/batch?writeKey=${WRITE_KEY} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"sentAt":`,
      '1',
    );
    const slowHeaders = slowClient(port, `POST /v1/batch?writeKey=${WRITE_KEY} HTTP/1.1\r\n`, 'X-Padding: aaaa\r\n');
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/v1/batch?writeKey=${WRITE_KEY}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batchOf(events(1))),
      });
      expect(response.status).toBe(200);
    }
    const [body, headers] = await Promise.all([slowBody, slowHeaders]);
    for (const [cut, limitMs] of [
      [body, 1500],
      [headers, 1000],
    ] as const) {
      expect(cut.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(cut.received.slice(cut.received.indexOf('\r\n\r\n') + 4))).toMatchObject({
        statusCode: 408,
        code: 'INGEST_REQUEST_TIMEOUT',
      });
      // Node looks for overdue requests once a second.
      expect(cut.ms).toBeGreaterThanOrEqual(limitMs - 100);
      expect(cut.ms).toBeLessThan(limitMs + 1_000 + 1_500);
    }
    expect(sentValues()).toHaveLength(5);
  });

  it('closes a connection that sends nothing', async () => {
    await start({
      EVENTLINE_INGEST_HEADERS_TIMEOUT_MS: '1000',
      EVENTLINE_INGEST_REQUEST_TIMEOUT_MS: '1000',
      EVENTLINE_INGEST_PRODUCE_TIMEOUT_MS: '500',
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const { ms } = await slowClient(port, '', '');
    expect(ms).toBeLessThan(1_000 + 1_000 + 1_500);
  });
});
