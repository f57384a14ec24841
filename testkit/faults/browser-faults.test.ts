// Completeness for real browsers: the built SDK (sdk/dist, loaded by the
// documented inline snippet) in Chromium against a private pipeline (ingest,
// Kafka, consumer, InfluxDB as processes). Every click a user made must be in
// InfluxDB exactly once, whether the browser was offline for 30 s or the page
// was left the instant the click happened, or ingest answered 503 with
// Retry-After while the tab was closed and reopened, and the dashboard's
// completeness check must find the test's sessions whole (received = expected,
// no duplicates).
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InfluxDB, flux } from '@influxdata/influxdb-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD, MEASUREMENT, TAG } from '@eventline/contract';
import { launchChromium } from '../src/browser.ts';
import {
  consumerLag,
  readCompleteness,
  sampleLag,
  waitUntilSettled,
  type CompletenessFigures,
  type Settled,
} from '../src/load/oracle.ts';
import { startStackUnderTest, type StackUnderTest } from '../src/load/stack-under-test.ts';
import { repoRoot } from '@eventline/infra/services';
import { ensureBuilt } from '../../sdk/test/helpers/build.ts';
import { sleep } from '../src/wait.ts';

const distDir = join(repoRoot, 'sdk', 'dist');
const OFFLINE_MS = 30_000;
const OFFLINE_CLICKS = 60;
const NAVIGATIONS = 100;
/** Clicks per tab in the 503 storm, and how long the storm lasts. */
const STORM_CLICKS = 20;
const STORM_MS = 20_000;
/** The Retry-After the storm answers with, in seconds. */
const STORM_RETRY_AFTER_S = 3;
/**
 * Lag 0 and an unchanged count for this long before counting: longer than the
 * 10 s a beaconed event stays in IndexedDB, so a resend of it would have landed.
 */
const SETTLE_MS = 12_000;

let stack: StackUnderTest;
let site: Server;
let browser: Browser;
let front: FrontProxy;

/**
 * What a load balancer in front of ingest does when the service is overloaded:
 * during a storm every batch POST is answered 503 with Retry-After (with the
 * CORS headers a browser needs to read it); otherwise requests pass through.
 */
interface FrontProxy {
  url: string;
  server: Server;
  storm(on: boolean): void;
  /** Batch POSTs answered 503, with when each arrived (epoch ms). */
  refused: number[];
}

function startFrontProxy(target: string): Promise<FrontProxy> {
  const upstream = new URL(target);
  let storming = false;
  const refused: number[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    if (storming && req.method === 'POST' && req.url?.startsWith('/v1/batch')) {
      refused.push(Date.now());
      req.resume();
      res.writeHead(503, {
        'Content-Type': 'application/json',
        'Retry-After': String(STORM_RETRY_AFTER_S),
        'Access-Control-Allow-Origin': req.headers.origin ?? '*',
        'Access-Control-Expose-Headers': 'Retry-After',
        Vary: 'Origin',
      });
      return res.end(JSON.stringify({ statusCode: 503, code: 'OVERLOADED', error: 'Service Unavailable' }));
    }
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, server, storm: (on) => void (storming = on), refused });
    });
  });
}

/** The test site: pages with the SDK snippet (sending to `proxyUrl` with `?via=proxy`), a page without it, and the built SDK under /sdk/. */
function startSite(port: number, ingestUrl: string, proxyUrl: string, writeKey: string): Promise<Server> {
  const snippet = readFileSync(join(distDir, 'snippet.min.js'), 'utf8');
  const head = (endpoint: string) =>
    `<script data-src="/sdk/eventline.iife.js" data-write-key="${writeKey}" data-endpoint="${endpoint}">${snippet}</script>`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    const endpoint = url.searchParams.get('via') === 'proxy' ? proxyUrl : ingestUrl;
    const page = (title: string, body: string, withSdk = true) =>
      `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${withSdk ? head(endpoint) : ''}</head><body>${body}</body></html>`;
    const file = /^\/sdk\/([\w.-]+\.js)$/.exec(url.pathname)?.[1];
    if (file && existsSync(join(distDir, file))) {
      res.setHeader('Content-Type', 'text/javascript');
      return res.end(readFileSync(join(distDir, file)));
    }
    const run = url.searchParams.get('run') ?? '';
    const n = url.searchParams.get('n') ?? '0';
    // The button's own handler leaves the page in the same task as the click.
    const leave = (to: string) =>
      `<script>document.getElementById('b').addEventListener('click', () => { location.href = ${JSON.stringify(to)}; });</script>`;
    const button = `<button id="b" data-track-run="${run}" data-track-n="${n}">Add to cart</button>`;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (url.pathname === '/shop') return res.end(page('Shop', button));
    if (url.pathname === '/leave')
      return res.end(page('Leave', button + leave(`/${Number(n) % 2 === 0 ? 'next' : 'plain'}?n=${n}`)));
    if (url.pathname === '/next') return res.end(page('Next', '<p>next page, with the SDK</p>'));
    if (url.pathname === '/plain') return res.end(page('Plain', '<p>next page, without the SDK</p>', false));
    res.statusCode = 404;
    res.end('not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function sdkReady(page: Page): Promise<void> {
  // The snippet's stub queues calls in `q`; the real API replaces it once the SDK ran init.
  await page.waitForFunction(() => {
    const api = (window as unknown as { eventline?: { q?: unknown; flush?: unknown } }).eventline;
    return api !== undefined && api.q === undefined && typeof api.flush === 'function';
  });
}

/**
 * Ids of this run's clicks in batches ingest answered 2xx, as far as the browser
 * reports them (worker fetches and beacons; the answer to a beacon sent as the
 * page goes away is not always seen): each of them must be stored.
 */
function watchAcknowledged(context: BrowserContext, run: string, endpoint = stack.ingestUrl): Set<string> {
  const acknowledged = new Set<string>();
  context.on('requestfinished', (request) => {
    void (async () => {
      if (request.method() !== 'POST' || !request.url().startsWith(`${endpoint}/v1/batch`)) return;
      const response = await request.response();
      const raw = request.postDataBuffer();
      if (!response || response.status() < 200 || response.status() >= 300 || !raw) return;
      const body = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
      const batch = JSON.parse(body.toString('utf8')) as {
        events: Array<{ id: string; type: string; element?: { attributes?: Record<string, string> } }>;
      };
      for (const event of batch.events)
        if (event.type === 'click' && event.element?.attributes?.['run'] === run) acknowledged.add(event.id);
    })();
  });
  return acknowledged;
}

interface StoredClick {
  n: number;
  id: string;
}

/** The click events of one run in InfluxDB, one entry per stored point. */
async function storedClicks(run: string): Promise<StoredClick[]> {
  const query = new InfluxDB({ url: stack.influxUrl, token: '', timeout: 30_000 }).getQueryApi('');
  const rows = await query.collectRows<Record<string, unknown>>(
    flux`from(bucket: ${stack.bucket})
      |> range(start: 0)
      |> filter(fn: (r) => r._measurement == ${MEASUREMENT} and r[${TAG.type}] == "click" and (r._field == ${FIELD.id} or r._field == ${FIELD.elementAttributes}))
      |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`,
  );
  const clicks: StoredClick[] = [];
  for (const row of rows) {
    const attributes = JSON.parse(String(row[FIELD.elementAttributes] ?? '{}')) as Record<string, string>;
    if (attributes['run'] === run) clicks.push({ n: Number(attributes['n']), id: String(row[FIELD.id]) });
  }
  return clicks;
}

interface Accounting {
  stored: number;
  duplicates: number;
  lost: number;
}

function account(clicks: StoredClick[], sent: number): Accounting {
  const perClick = new Map<number, number>();
  for (const click of clicks) perClick.set(click.n, (perClick.get(click.n) ?? 0) + 1);
  let lost = 0;
  for (let n = 0; n < sent; n++) if (!perClick.has(n)) lost++;
  return { stored: perClick.size, duplicates: clicks.length - perClick.size, lost };
}

/** Acknowledged ids missing from storage: must be none. */
function unstored(acknowledged: ReadonlySet<string>, clicks: StoredClick[]): string[] {
  const ids = new Set(clicks.map((c) => c.id));
  return [...acknowledged].filter((id) => !ids.has(id));
}

interface Waited {
  clicks: StoredClick[];
  /** When every click was first found stored (or the time ran out), epoch ms. */
  completeAt: number;
  settled: Settled;
}

/**
 * Polls storage until every click is there (or the time is up), then until the
 * consumer has no lag and the count has held for SETTLE_MS, so late duplicates land.
 */
async function waitForClicks(run: string, sent: number, timeoutMs: number): Promise<Waited> {
  const deadline = Date.now() + timeoutMs;
  while (account(await storedClicks(run), sent).lost > 0 && Date.now() < deadline) await sleep(1_000);
  const completeAt = Date.now();
  const settled = await waitUntilSettled(
    {
      lag: () => consumerLag(stack.brokers, stack.topic, stack.groupId),
      stored: async () => (await storedClicks(run)).length,
    },
    { expected: sent, settleMs: SETTLE_MS, timeoutMs: SETTLE_MS + 60_000 },
  );
  return { clicks: await storedClicks(run), completeAt, settled };
}

/** What the dashboard's completeness check reports for everything the test's sessions stored since `from`. */
async function completenessSince(from: Date): Promise<CompletenessFigures> {
  if (!stack.dashboard) throw new Error('the stack under test started without its dashboard');
  return readCompleteness(stack.dashboard, { site: stack.site, from });
}

/** One scenario's run: its id (in every click), a browser context, the ids ingest acknowledged, the lag sampler. */
interface Scenario {
  run: string;
  startedAt: Date;
  context: BrowserContext;
  acknowledged: ReadonlySet<string>;
  lag: { stop(): number };
}

/** Runs `body` in a fresh context whose acknowledged batches to `endpoint` are watched; closes it whatever happens. */
async function scenario(body: (s: Scenario) => Promise<void>, endpoint?: string): Promise<void> {
  const run = randomUUID();
  const startedAt = new Date();
  const context = await browser.newContext();
  const acknowledged = watchAcknowledged(context, run, endpoint);
  const lag = sampleLag(stack.brokers, stack.topic, stack.groupId);
  try {
    await body({ run, startedAt, context, acknowledged, lag });
  } finally {
    lag.stop();
    await context.close();
  }
}

/**
 * The end every scenario shares: waits until storage holds the run's clicks and the pipeline settled, prints the
 * figures (`extra` is told when every click was stored) and checks that storage holds each click once and that
 * the completeness API agrees.
 */
async function expectExactlyOnce(
  { run, startedAt, acknowledged, lag }: Scenario,
  counted: { name: string; sent: number; timeoutMs: number },
  extra: (completeAt: number) => string,
): Promise<void> {
  const { name, sent } = counted;
  const waited = await waitForClicks(run, sent, counted.timeoutMs);
  const completeness = await completenessSince(startedAt);
  const maxLag = lag.stop();
  const result = account(waited.clicks, sent);
  process.stdout.write(
    `[faults] ${name}: sent ${sent}, acknowledged ${acknowledged.size}, stored ${result.stored}, duplicates ${result.duplicates}, lost ${result.lost}, max lag ${maxLag}, ` +
      `completeness API: ${completeness.sessions} sessions, received ${completeness.received} of ${completeness.expected} expected, ${completeness.duplicates} duplicates, ${extra(waited.completeAt)}\n`,
  );
  expect(waited.settled, `lag 0 and a stable count for ${SETTLE_MS / 1000} s`).toMatchObject({ settled: true, lag: 0 });
  expect(maxLag, 'consumer lag was never read').not.toBeNaN();
  expect(result.lost).toBe(0);
  expect(result.duplicates).toBe(0);
  expect(new Set(waited.clicks.map((c) => c.id)).size).toBe(sent);
  expect(unstored(acknowledged, waited.clicks)).toEqual([]);
  // Every event of the test's sessions (clicks and page views), by the product's own check from sequence numbers.
  expect(completeness.duplicates).toBe(0);
  expect(completeness.received).toBeGreaterThanOrEqual(sent);
  expect(completeness.received).toBe(completeness.expected);
}

beforeAll(async () => {
  await ensureBuilt();
  stack = await startStackUnderTest({ dashboard: true });
  front = await startFrontProxy(stack.ingestUrl);
  site = await startSite(Number(new URL(stack.origin).port), stack.ingestUrl, front.url, stack.writeKey);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (site) {
    site.closeAllConnections();
    await new Promise((resolve) => site.close(resolve));
  }
  if (front) {
    front.server.closeAllConnections();
    await new Promise((resolve) => front.server.close(resolve));
  }
  await stack?.stop();
});

describe('a real browser with the built SDK against the real pipeline', () => {
  it('stores every click made during 30 s offline exactly once after the network returns', () =>
    scenario(async (s) => {
      const { run, context } = s;
      const page = await context.newPage();
      await page.goto(`${stack.origin}/shop?run=${run}`);
      await sdkReady(page);
      await context.setOffline(true);
      for (let i = 0; i < OFFLINE_CLICKS; i++) {
        // Each click carries its own number, so storage can be checked click by click.
        await page.evaluate((n) => document.getElementById('b')?.setAttribute('data-track-n', String(n)), i);
        await page.click('#b');
        await sleep(OFFLINE_MS / OFFLINE_CLICKS);
      }
      const storedWhileOffline = account(await storedClicks(run), OFFLINE_CLICKS).stored;
      await context.setOffline(false);
      const onlineAt = Date.now();
      await expectExactlyOnce(
        s,
        { name: 'browser offline 30 s', sent: OFFLINE_CLICKS, timeoutMs: 60_000 },
        (completeAt) =>
          `stored while offline ${storedWhileOffline}, all stored ${((completeAt - onlineAt) / 1000).toFixed(1)} s after online`,
      );
      expect(storedWhileOffline).toBe(0);
    }));

  it('stores exactly once every click made right before leaving the page, 100 times over', () =>
    // The offline scenario's events are stamped before this one starts: its range holds only this test's session.
    scenario(async (s) => {
      const { run, startedAt, context } = s;
      const page = await context.newPage();
      for (let n = 0; n < NAVIGATIONS; n++) {
        await page.goto(`${stack.origin}/leave?run=${run}&n=${n}`);
        await sdkReady(page);
        await Promise.all([page.waitForURL(/\/(next|plain)\?/), page.click('#b')]);
      }
      // Back on a page with the SDK, whatever a page left in IndexedDB is resent.
      await page.goto(`${stack.origin}/next?n=end`);
      await sdkReady(page);
      await expectExactlyOnce(
        s,
        { name: 'browser click + navigate ×100', sent: NAVIGATIONS, timeoutMs: 90_000 },
        (completeAt) => `${((completeAt - startedAt.getTime()) / 1000).toFixed(1)} s to all stored`,
      );
    }));

  it('stores exactly once every click made during a 503 storm with Retry-After while the tab is closed and reopened', () =>
    scenario(async (s) => {
      const { run, context } = s;
      const clickAll = async (page: Page, from: number) => {
        for (let n = from; n < from + STORM_CLICKS; n++) {
          await page.evaluate((i) => document.getElementById('b')?.setAttribute('data-track-n', String(i)), n);
          await page.click('#b');
          await sleep(100);
        }
      };
      try {
        front.storm(true);
        const stormStart = Date.now();
        const first = await context.newPage();
        await first.goto(`${stack.origin}/shop?run=${run}&via=proxy`);
        await sdkReady(first);
        await clickAll(first, 0);
        // Closed in the storm: its beacons are refused too, so the events wait in IndexedDB.
        await first.close({ runBeforeUnload: true });
        const second = await context.newPage();
        await second.goto(`${stack.origin}/shop?run=${run}&via=proxy`);
        await sdkReady(second);
        await clickAll(second, STORM_CLICKS);
        await sleep(Math.max(0, STORM_MS - (Date.now() - stormStart)));
        front.storm(false);
        const stormSeconds = (Date.now() - stormStart) / 1000;
        const refusedDuringStorm = front.refused.length;
        const endedAt = Date.now();
        await expectExactlyOnce(
          s,
          {
            name: 'browser 503 storm with Retry-After, tab closed and reopened',
            sent: 2 * STORM_CLICKS,
            timeoutMs: 90_000,
          },
          (completeAt) =>
            `${refusedDuringStorm} requests refused in ${stormSeconds.toFixed(1)} s of storm (Retry-After ${STORM_RETRY_AFTER_S} s), ` +
            `all stored ${((completeAt - endedAt) / 1000).toFixed(1)} s after it ended`,
        );
        // Two tabs honouring Retry-After (plus unload beacons) make a handful of requests, not a stream.
        expect(refusedDuringStorm).toBeLessThan(stormSeconds * 2);
      } finally {
        front.storm(false);
      }
    }, front.url));
});
