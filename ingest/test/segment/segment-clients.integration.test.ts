// Segment's own clients, unmodified, against the real pipeline: ingest (in this
// process) → Kafka → the consumer (its own process) → InfluxDB. Each event must
// be stored exactly once, also when a request is answered 500 after its events
// reached Kafka and the client sends the batch again.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { InfluxDB } from '@influxdata/influxdb-client';
import { Analytics } from '@segment/analytics-node';
import type { AnalyticsBrowser as AnalyticsBrowserType } from '@segment/analytics-next';
import { build } from 'esbuild';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD, MEASUREMENT, TAG } from '@eventline/contract';
import { freePort, tail, type ManagedProcess } from '@eventline/infra';
import { launchChromium } from '@eventline/testkit/browser';
import { serviceSpecs, startService } from '@eventline/infra/services';
import { createTestBucket, createTestTopic, testInfra, uniqueName } from '@eventline/testkit';
import { buildApp } from '../../src/app.ts';
import { SITE, testConfig, waitUntilReady, WRITE_KEY } from '../helpers.ts';

/** How long the pipeline may take to store an event. */
const STORED_WITHIN_MS = 60_000;

let ingest: FastifyInstance;
let ingestUrl = '';
let consumer: ManagedProcess | undefined;
let consumerLog = '';
let bucket = '';
let pageServer: Server | undefined;
let pageOrigin = '';
/** Requests to the Segment batch route, and how many of the next ones to answer 500 after producing them. */
let batchRequests = 0;
let failNextBatches = 0;

beforeAll(async () => {
  const infra = testInfra();
  const topic = await createTestTopic('segment', 3);
  bucket = await createTestBucket('segment');
  const consumerPort = await freePort();
  const spec = serviceSpecs(
    { brokers: infra.brokers, influxUrl: infra.influxUrl, bucket },
    {
      ingest: 0,
      consumer: consumerPort,
      rollup: 0,
      dashboard: 0,
      demo: 0,
    },
    {
      EVENTLINE_KAFKA_TOPIC: topic,
      EVENTLINE_KAFKA_DLQ_TOPIC: await createTestTopic('segment-dlq', 1),
      EVENTLINE_CONSUMER_GROUP: uniqueName('segment'),
      // The group may finish joining after the first events are produced: start from the topic's beginning.
      EVENTLINE_CONSUMER_FROM_BEGINNING: 'true',
    },
  ).find((s) => s.name === 'consumer')!;
  consumerLog = join(infra.dataDir, uniqueName('segment-logs'));
  consumer = await startService(spec, consumerLog);

  const pagePort = await freePort();
  pageOrigin = `http://127.0.0.1:${pagePort}`;
  ingest = await buildApp(
    testConfig({
      EVENTLINE_KAFKA_BROKERS: infra.brokers.join(','),
      EVENTLINE_KAFKA_TOPIC: topic,
      EVENTLINE_WRITE_KEYS: JSON.stringify([{ key: WRITE_KEY, site: SITE, origins: [pageOrigin] }]),
    }),
  );
  // Fails a batch the way a proxy or a crash between Kafka's acknowledgement and the answer would:
  // the events are on the topic, the client sees 500 and sends them again.
  ingest.addHook('onSend', async (request, reply, payload) => {
    if (request.url === '/segment/v1/batch' && reply.statusCode === 200 && failNextBatches > 0) {
      failNextBatches--;
      reply.code(500);
    }
    return payload;
  });
  ingest.addHook('onRequest', async (request) => {
    if (request.url === '/segment/v1/batch') batchRequests++;
  });
  await ingest.listen({ host: '127.0.0.1', port: await freePort() });
  ingestUrl = `http://127.0.0.1:${(ingest.server.address() as { port: number }).port}`;
  await waitUntilReady(ingest);
  pageServer = await servePage(pagePort);
});

afterAll(async () => {
  await ingest?.close();
  await consumer?.stop();
  pageServer?.close();
});

interface StoredRow {
  id: string;
  type: string;
  site: string;
  name: string;
  anonymousId?: string;
  userId?: string;
  url?: string;
  properties?: Record<string, unknown>;
  seq?: number;
  sessionId?: string;
}

/** Every point of the bucket, one row per point. */
async function storedRows(): Promise<StoredRow[]> {
  const api = new InfluxDB({ url: testInfra().influxUrl, timeout: 30_000 }).getQueryApi('');
  const rows = await api.collectRows<Record<string, unknown>>(
    `from(bucket: ${JSON.stringify(bucket)}) |> range(start: 0) |> filter(fn: (r) => r._measurement == "${MEASUREMENT}")
     |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value") |> group()`,
  );
  return rows.map((row) => ({
    id: String(row[FIELD.id]),
    type: String(row[TAG.type]),
    site: String(row[TAG.site]),
    name: String(row[FIELD.name]),
    ...optional('anonymousId', row[FIELD.anonymousId]),
    ...optional('userId', row[FIELD.userId]),
    ...optional('url', row[FIELD.url]),
    ...optional('seq', row[FIELD.seq]),
    ...optional('sessionId', row[FIELD.sessionId]),
    // Flux gives an absent string field as ''.
    ...(row[FIELD.properties] ? { properties: JSON.parse(String(row[FIELD.properties])) } : {}),
  }));
}

function optional(name: string, value: unknown): Record<string, unknown> {
  return value === undefined || value === null || value === '' ? {} : { [name]: value };
}

/** Waits until every id is stored, then returns the rows of those ids. */
async function storedOnce(ids: readonly string[]): Promise<StoredRow[]> {
  const deadline = Date.now() + STORED_WITHIN_MS;
  let lastError: unknown;
  for (;;) {
    const rows = await storedRows().then(
      (all) => all.filter((row) => ids.includes(row.id)),
      (error: unknown) => {
        lastError = error;
        return [];
      },
    );
    if (new Set(rows.map((row) => row.id)).size === ids.length) return rows;
    if (Date.now() > deadline) {
      const log = tail(join(consumerLog, 'consumer.log'), 20);
      throw new Error(
        `${rows.length} of ${ids.length} events stored after ${STORED_WITHIN_MS} ms (last query error: ${String(lastError)}); consumer log:\n${log}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('@segment/analytics-node against ingest', () => {
  it('stores track, page, screen, identify, group and alias, sent as one batch, exactly once each', async () => {
    const analytics = new Analytics({
      writeKey: WRITE_KEY,
      host: ingestUrl,
      path: '/segment/v1/batch',
      flushAt: 6,
      flushInterval: 60_000,
    });
    const sent: string[] = [];
    analytics.on('http_request', ({ body }) => {
      for (const message of (JSON.parse(body) as { batch: { messageId: string }[] }).batch)
        sent.push(message.messageId);
    });
    const user = { userId: 'user-7', anonymousId: 'anon-7' };
    analytics.track({ ...user, event: 'Order Completed', properties: { total: 30, items: [{ sku: 'a' }] } });
    analytics.page({ ...user, name: 'Pricing', properties: { url: 'https://shop.example/pricing' } });
    analytics.screen({ ...user, name: 'Home' });
    analytics.identify({ ...user, traits: { email: 'u7@shop.example', address: { city: 'Oslo' } } });
    analytics.group({ ...user, groupId: 'acme', traits: { plan: 'pro' } });
    analytics.alias({ userId: 'user-7', previousId: 'anon-7' });
    await analytics.closeAndFlush({ timeout: 30_000 });

    expect(sent).toHaveLength(6);
    const rows = await storedOnce(sent);
    expect(rows).toHaveLength(6);
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(sent.map((id) => byId.get(id)?.type)).toEqual([
      'custom',
      'pageview',
      'screen',
      'identify',
      'group',
      'alias',
    ]);
    expect(byId.get(sent[0]!)).toMatchObject({
      site: SITE,
      name: 'Order Completed',
      userId: 'user-7',
      anonymousId: 'anon-7',
      properties: { total: 30, items: '[{"sku":"a"}]' },
    });
    expect(byId.get(sent[1]!)).toMatchObject({ name: 'Pricing', url: 'https://shop.example/pricing' });
    expect(byId.get(sent[3]!)?.properties).toEqual({ email: 'u7@shop.example', 'address.city': 'Oslo' });
    expect(byId.get(sent[4]!)?.properties).toEqual({ plan: 'pro', groupId: 'acme' });
    expect(byId.get(sent[5]!)).toMatchObject({
      userId: 'user-7',
      anonymousId: 'user-7',
      properties: { previousId: 'anon-7' },
    });
    for (const row of rows) {
      expect(row).not.toHaveProperty('seq');
      expect(row).not.toHaveProperty('sessionId');
    }
  });

  it('stores a batch exactly once when the first answer was a 500 and the client sent it again', async () => {
    const analytics = new Analytics({
      writeKey: WRITE_KEY,
      host: ingestUrl,
      path: '/segment/v1/batch',
      flushAt: 3,
      flushInterval: 60_000,
      maxRetries: 3,
    });
    const attempts: string[][] = [];
    const statuses: number[] = [];
    analytics.on('http_request', ({ body }) =>
      attempts.push((JSON.parse(body) as { batch: { messageId: string }[] }).batch.map((m) => m.messageId)),
    );
    analytics.on('http_response', ({ status }) => statuses.push(status));
    const before = batchRequests;
    failNextBatches = 1;
    for (let i = 0; i < 3; i++) analytics.track({ anonymousId: 'anon-retry', event: 'Retried', properties: { i } });
    await analytics.closeAndFlush({ timeout: 30_000 });

    expect(statuses).toEqual([500, 200]);
    expect(batchRequests - before).toBe(2);
    expect(attempts[1]).toEqual(attempts[0]);
    const ids = attempts[0]!;
    await storedOnce(ids);
    // Give a second copy time to arrive before counting: the retry's events were produced after the first ones.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const rows = (await storedRows()).filter((row) => ids.includes(row.id));
    expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort());
  });
});

describe('malformed Segment payloads against the running ingest', () => {
  it('answers each with a 4xx of the error catalogue, which Segment clients do not resend, and stores nothing', async () => {
    const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
    const post = async (path: string, body: string, authorization = auth) => {
      const response = await fetch(`${ingestUrl}/segment${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body,
      });
      return { status: response.status, code: ((await response.json()) as { code: string }).code };
    };
    const messageId = `malformed-${Date.now()}-0000000000`;
    const cases = [
      [await post('/v1/batch', '{"batch":['), 400, 'INGEST_INVALID_JSON'],
      [await post('/v1/batch', '{"batch":{}}'), 400, 'INGEST_INVALID_BATCH'],
      [await post('/v1/track', JSON.stringify({ anonymousId: 'a', messageId })), 400, 'INGEST_INVALID_MESSAGE'],
      [await post('/t', JSON.stringify({ type: 'track', event: 'x', messageId })), 400, 'INGEST_INVALID_MESSAGE'],
      [await post('/v1/batch', JSON.stringify({ batch: [] }), 'Basic bm9wZTo='), 401, 'INGEST_UNKNOWN_WRITE_KEY'],
    ] as const;
    for (const [answer, status, code] of cases) expect(answer).toEqual({ status, code });
    const rows = await storedRows();
    expect(rows.filter((row) => row.id === messageId)).toEqual([]);
  });
});

describe('@segment/analytics-next in Chromium against ingest', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('stores page, track, identify, group and alias from a page that loads nothing from Segment', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const answered: { url: string; status: number }[] = [];
    const messageIds: string[] = [];
    page.on('request', (request) => {
      requested.push(request.url());
      if (request.method() === 'POST' && request.url().startsWith(`${ingestUrl}/segment/`)) {
        const body = JSON.parse(request.postData() ?? '{}') as { messageId?: string; batch?: { messageId: string }[] };
        for (const message of body.batch ?? [body]) if (message.messageId) messageIds.push(message.messageId);
      }
    });
    page.on('response', (response) => {
      if (response.request().method() === 'POST') answered.push({ url: response.url(), status: response.status() });
    });
    await page.goto(`${pageOrigin}/`);
    await page.evaluate(
      async ({ writeKey, apiHost }) => {
        // ingest's tsconfig has no DOM library: the page's global is reached through globalThis.
        const { AnalyticsBrowser } = globalThis as unknown as { AnalyticsBrowser: typeof AnalyticsBrowserType };
        const [analytics] = await AnalyticsBrowser.load(
          {
            writeKey,
            cdnSettings: { integrations: { 'Segment.io': { apiKey: writeKey, apiHost, protocol: 'http' } } },
          },
          { initialPageview: false },
        );
        await analytics.page('Docs', { section: 'api' });
        await analytics.track('Clicked Buy', { plan: 'pro' });
        await analytics.identify('user-9', { email: 'u9@shop.example' });
        await analytics.group('acme', { seats: 3 });
        await analytics.alias('user-9-new', 'user-9');
      },
      { writeKey: WRITE_KEY, apiHost: `${ingestUrl.replace('http://', '')}/segment` },
    );
    await expect
      .poll(() => answered.filter((a) => a.url.startsWith(`${ingestUrl}/segment/`)).length, {
        timeout: 30_000,
      })
      .toBe(5);

    expect(answered.map((a) => [new URL(a.url).pathname, a.status])).toEqual([
      ['/segment/p', 200],
      ['/segment/t', 200],
      ['/segment/i', 200],
      ['/segment/g', 200],
      ['/segment/a', 200],
    ]);
    const hosts = new Set(requested.map((url) => new URL(url).host));
    expect([...hosts].sort()).toEqual([new URL(ingestUrl).host, new URL(pageOrigin).host].sort());
    const rows = await storedOnce(messageIds);
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(messageIds.map((id) => byId.get(id)?.type)).toEqual(['pageview', 'custom', 'identify', 'group', 'alias']);
    expect(byId.get(messageIds[0]!)).toMatchObject({ name: 'Docs', url: `${pageOrigin}/` });
    expect(byId.get(messageIds[1]!)).toMatchObject({ name: 'Clicked Buy', properties: { plan: 'pro' } });
    expect(byId.get(messageIds[2]!)).toMatchObject({ userId: 'user-9', properties: { email: 'u9@shop.example' } });
  });

  it('stores the batches its batching delivery strategy posts to /b', async () => {
    const page = await browser.newPage();
    const batches: { status: number; ids: string[] }[] = [];
    page.on('response', (response) => {
      if (response.url() !== `${ingestUrl}/segment/b`) return;
      const body = JSON.parse(response.request().postData() ?? '{}') as { batch?: { messageId: string }[] };
      batches.push({ status: response.status(), ids: (body.batch ?? []).map((m) => m.messageId) });
    });
    await page.goto(`${pageOrigin}/`);
    await page.evaluate(
      async ({ writeKey, apiHost }) => {
        const { AnalyticsBrowser } = globalThis as unknown as { AnalyticsBrowser: typeof AnalyticsBrowserType };
        const segment = { apiKey: writeKey, apiHost, protocol: 'http' };
        const deliveryStrategy = { strategy: 'batching', config: { size: 3, timeout: 1_000 } };
        const [analytics] = await AnalyticsBrowser.load(
          { writeKey, cdnSettings: { integrations: { 'Segment.io': { ...segment, deliveryStrategy } } } },
          { initialPageview: false },
        );
        await Promise.all([1, 2, 3].map((n) => analytics.track('Batched', { n })));
      },
      { writeKey: WRITE_KEY, apiHost: `${ingestUrl.replace('http://', '')}/segment` },
    );
    await expect.poll(() => batches.flatMap((b) => b.ids).length, { timeout: 30_000 }).toBe(3);
    for (const batch of batches) expect(batch.status).toBe(200);
    const ids = batches.flatMap((b) => b.ids);
    const rows = await storedOnce(ids);
    expect(rows.map((row) => [row.type, row.name])).toEqual(Array.from({ length: 3 }, () => ['custom', 'Batched']));
  });
});

/** A plain page with analytics-next bundled by esbuild, served from its own origin. */
async function servePage(port: number): Promise<Server> {
  const bundle = await build({
    stdin: {
      contents:
        "import { AnalyticsBrowser } from '@segment/analytics-next'; window.AnalyticsBrowser = AnalyticsBrowser;",
      resolveDir: import.meta.dirname,
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  const html =
    '<!doctype html><html><head><title>Segment page</title><script src="/analytics.js"></script></head><body>shop</body></html>';
  const server = createServer((request, response) => {
    if (request.url === '/analytics.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
