import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { HEADERS, LIMITS, validateEnrichedEvent, type EnrichedEvent } from '@eventline/contract';
import {
  ORIGIN,
  OTHER_KEY,
  OTHER_ORIGIN,
  SITE,
  startMemoryApp,
  WRITE_KEY,
  type MemorySink,
  eventsOfRecords,
} from '../helpers.ts';

let app: FastifyInstance;
let sink: MemorySink;

const start = async (env?: Record<string, string>) => ({ app, sink } = await startMemoryApp(env));

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const sent = () => eventsOfRecords(sink.sent.flat()) as unknown as EnrichedEvent[];
let counter = 0;
const track = (extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Signed Up',
  messageId: `node-next-1765000000000-${String(++counter).padStart(36, '0')}`,
  timestamp: new Date().toISOString(),
  anonymousId: 'anon-1',
  ...extra,
});

/** Within every per-property limit, over the 32 KiB event limit. */
const oversized = () =>
  track({ properties: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(1000)])) });

function send(
  url: string,
  body: unknown,
  options: { key?: string | null; contentType?: string; origin?: string; headers?: Record<string, string> } = {},
) {
  const key = options.key === undefined ? WRITE_KEY : options.key;
  return app.inject({
    method: 'POST',
    url,
    payload: typeof body === 'string' ? body : JSON.stringify(body),
    headers: {
      'content-type': options.contentType ?? 'application/json',
      ...(key === null ? {} : { authorization: basic(key) }),
      ...(options.origin ? { origin: options.origin } : {}),
      ...options.headers,
    },
  });
}

describe('Segment batch: POST /segment/v1/batch and /segment/b', () => {
  it('writes the mapped messages as EnrichedEvents of the write key’s site, one record per anonymous id', async () => {
    await start();
    const batch = [track(), { ...track(), type: 'identify', userId: 'u-1', traits: { plan: 'pro' } }];
    const response = await send('/segment/v1/batch', { batch, sentAt: new Date().toISOString() });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true, accepted: 2, rejected: [] });
    const messages = sink.sent.flat();
    expect(messages.map((m) => m.key)).toEqual(['anon-1']);
    expect(messages[0]!.headers).toEqual({ [HEADERS.contractVersion]: '1', [HEADERS.site]: SITE });
    for (const value of sent()) expect(validateEnrichedEvent(value).ok).toBe(true);
    expect(sent().map((e) => [e.site, e.event.type, e.event.id])).toEqual([
      [SITE, 'custom', batch[0]!.messageId],
      [SITE, 'identify', batch[1]!.messageId],
    ]);
  });

  it('takes the write key from the body too, and refuses a body key that contradicts the header', async () => {
    await start();
    const viaBody = await send('/segment/b', { batch: [track()], writeKey: WRITE_KEY }, { key: null });
    expect(viaBody.statusCode).toBe(200);
    const conflict = await send('/segment/v1/batch', { batch: [track()], writeKey: OTHER_KEY });
    expect(conflict.statusCode).toBe(400);
    expect(conflict.json().code).toBe('INGEST_WRITE_KEY_CONFLICT');
  });

  it('lists invalid messages by index and messageId and still writes the valid ones', async () => {
    await start();
    const bad = { ...track(), event: undefined, messageId: 'bad-message-0000000001' };
    const response = await send('/segment/v1/batch', { batch: [track(), bad, 'nonsense'] });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      accepted: 1,
      rejected: [
        { index: 1, messageId: 'bad-message-0000000001', errors: [{ path: '/event', message: 'is required' }] },
        { index: 2, errors: [expect.objectContaining({ path: '' })] },
      ],
    });
  });

  it('rejects a message over the event limit on its own, as Segment clients drop a whole batch answered 4xx', async () => {
    await start();
    const response = await send('/segment/v1/batch', { batch: [oversized(), track()] });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      accepted: 1,
      rejected: [
        {
          index: 0,
          errors: [
            {
              path: '',
              message: `An event is larger than the event limit: event 0 is larger than ${LIMITS.eventBytes} bytes`,
            },
          ],
        },
      ],
    });
  });

  it('corrects the event time by the batch sentAt and reads the device from context.userAgent', async () => {
    await start();
    // The sender's clock is an hour behind: an event it stamped a second before sending happened a second ago.
    const hourAgo = Date.now() - 3_600_000;
    const message = track({
      timestamp: new Date(hourAgo - 1_000).toISOString(),
      context: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36' },
    });
    await send('/segment/v1/batch', { batch: [message], sentAt: new Date(hourAgo).toISOString() });
    const [stored] = sent();
    expect(Math.abs(stored!.eventTime - (Date.now() - 1_000))).toBeLessThan(60_000);
    expect(stored!.userAgent).toMatchObject({ browser: 'Chrome', os: 'Linux' });
  });
});

describe('Segment single calls', () => {
  const cases = [
    ['/segment/v1/track', '/segment/t', { event: 'Clicked' }, 'custom'],
    ['/segment/v1/page', '/segment/p', { name: 'Home' }, 'pageview'],
    ['/segment/v1/screen', '/segment/s', { name: 'Home' }, 'screen'],
    ['/segment/v1/identify', '/segment/i', { traits: { a: 1 } }, 'identify'],
    ['/segment/v1/group', '/segment/g', { groupId: 'acme' }, 'group'],
    ['/segment/v1/alias', '/segment/a', { previousId: 'anon-0', userId: 'u-1' }, 'alias'],
  ] as const;
  for (const [long, short, fields, type] of cases) {
    it(`stores a ${type} event from ${long} and ${short}, the type implied by the path`, async () => {
      await start();
      for (const url of [long, short]) {
        const { type: _type, event: _event, ...common } = track();
        const response = await send(url, { ...common, ...fields });
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json()).toEqual({ success: true, accepted: 1, rejected: [] });
      }
      expect(sent().map((e) => e.event.type)).toEqual([type, type]);
    });
  }

  it('accepts what analytics-next sends: text/plain JSON with the write key in the body and a page origin', async () => {
    await start();
    const response = await send(
      '/segment/t',
      { ...track(), writeKey: WRITE_KEY, sentAt: new Date().toISOString(), _metadata: { bundled: [] } },
      { contentType: 'text/plain', origin: ORIGIN },
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('answers 400 INGEST_INVALID_MESSAGE naming the problem, and writes nothing', async () => {
    await start();
    const response = await send('/segment/v1/track', { ...track(), event: undefined });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'INGEST_INVALID_MESSAGE',
      message: 'The body is not a valid Segment message: /event is required',
    });
    expect((await send('/segment/t', [track()])).json().code).toBe('INGEST_INVALID_MESSAGE');
    expect((await send('/segment/v1/page', { ...track(), type: 'track' })).json().message).toContain(
      '/type must be "page" at this endpoint',
    );
    expect(sink.sent).toEqual([]);
  });
});

describe('Segment refusals', () => {
  const cases: { name: string; status: number; code: string; run: () => ReturnType<typeof send> }[] = [
    {
      name: 'no write key',
      status: 401,
      code: 'INGEST_MISSING_WRITE_KEY',
      run: () => send('/segment/v1/batch', { batch: [track()] }, { key: null }),
    },
    {
      name: 'an unknown write key',
      status: 401,
      code: 'INGEST_UNKNOWN_WRITE_KEY',
      run: () => send('/segment/v1/batch', { batch: [track()] }, { key: 'nope' }),
    },
    {
      name: 'a page origin the key does not list',
      status: 403,
      code: 'INGEST_ORIGIN_NOT_ALLOWED',
      run: () => send('/segment/t', track(), { origin: OTHER_ORIGIN }),
    },
    {
      name: 'a body that is not JSON',
      status: 400,
      code: 'INGEST_INVALID_JSON',
      run: () => send('/segment/v1/batch', '{"batch":[', {}),
    },
    {
      name: 'a batch that is not an array',
      status: 400,
      code: 'INGEST_INVALID_BATCH',
      run: () => send('/segment/v1/batch', { batch: {} }),
    },
    {
      name: 'an empty batch',
      status: 400,
      code: 'INGEST_INVALID_BATCH',
      run: () => send('/segment/v1/batch', { batch: [] }),
    },
    {
      name: 'an unreadable batch sentAt',
      status: 400,
      code: 'INGEST_INVALID_BATCH',
      run: () => send('/segment/v1/batch', { batch: [track()], sentAt: 'soon' }),
    },
    {
      name: 'more messages than a batch may hold',
      status: 413,
      code: 'INGEST_TOO_MANY_EVENTS',
      run: () => send('/segment/v1/batch', { batch: Array.from({ length: LIMITS.batchEvents + 1 }, () => track()) }),
    },
    {
      name: 'a single call larger than the event limit',
      status: 413,
      code: 'INGEST_EVENT_TOO_LARGE',
      run: () => send('/segment/v1/track', oversized()),
    },
    {
      name: 'a form body',
      status: 415,
      code: 'INGEST_UNSUPPORTED_MEDIA_TYPE',
      run: () => send('/segment/v1/track', 'a=b', { contentType: 'application/x-www-form-urlencoded' }),
    },
  ];
  for (const c of cases) {
    it(`answers ${c.status} ${c.code} to ${c.name}, and writes nothing`, async () => {
      await start();
      const response = await c.run();
      expect(response.statusCode, response.body).toBe(c.status);
      expect(response.json()).toMatchObject({ statusCode: c.status, code: c.code });
      expect(sink.sent).toEqual([]);
    });
  }

  it('answers 503 with Retry-After, which Segment clients retry, while Kafka is down', async () => {
    await start();
    sink.failing = true;
    const response = await send('/segment/v1/batch', { batch: [track()] });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBeDefined();
    expect(response.json().code).toBe('INGEST_KAFKA_UNAVAILABLE');
  });
});

describe('Segment routes in the service', () => {
  it('let a known origin preflight with the Authorization header analytics-next sends', async () => {
    await start();
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/segment/t',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(String(response.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
  });

  it('serve under the path prefix and the configured Segment path, leaving /v1/batch to the SDK', async () => {
    await start({ EVENTLINE_INGEST_PATH_PREFIX: '/in', EVENTLINE_INGEST_SEGMENT_PATH: '/seg' });
    expect((await send('/in/seg/v1/batch', { batch: [track()] })).statusCode).toBe(200);
    expect((await send('/segment/v1/batch', { batch: [track()] })).statusCode).toBe(404);
    expect((await send('/in/v1/batch', { batch: [track()] })).json().message).toContain('events');
  });

  it('are documented in OpenAPI', async () => {
    await start();
    const document = (await app.inject('/docs/json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/segment/v1/batch', '/segment/b', '/segment/v1/track', '/segment/t']),
    );
  });
});
