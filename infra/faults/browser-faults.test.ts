// Completeness for real browsers: the built SDK (sdk/dist, loaded by the
// documented inline snippet) in Chromium against a private pipeline (ingest,
// Kafka, consumer, InfluxDB as processes). Every click a user made must be in
// InfluxDB exactly once, whether the browser was offline for 30 s or the page
// was left the instant the click happened.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InfluxDB, flux } from '@influxdata/influxdb-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD, MEASUREMENT, TAG } from '@eventline/contract';
import { launchChromium } from '../src/browser.ts';
import { sampleLag } from '../src/load/oracle.ts';
import { startStackUnderTest, type StackUnderTest } from '../src/load/stack-under-test.ts';
import { repoRoot } from '../src/services.ts';

const distDir = join(repoRoot, 'sdk', 'dist');
const OFFLINE_MS = 30_000;
const OFFLINE_CLICKS = 60;
const NAVIGATIONS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stack: StackUnderTest;
let site: Server;
let browser: Browser;

/** The test site: pages with the SDK snippet, a page without it, and the built SDK under /sdk/. */
function startSite(port: number, ingestUrl: string, writeKey: string): Promise<Server> {
  const snippet = readFileSync(join(distDir, 'snippet.min.js'), 'utf8');
  const head = `<script data-src="/sdk/eventline.iife.js" data-write-key="${writeKey}" data-endpoint="${ingestUrl}">${snippet}</script>`;
  const page = (title: string, body: string, withSdk = true) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${withSdk ? head : ''}</head><body>${body}</body></html>`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    const file = /^\/sdk\/([\w.-]+\.js)$/.exec(url.pathname)?.[1];
    if (file && existsSync(join(distDir, file))) {
      res.setHeader('Content-Type', 'text/javascript');
      return res.end(readFileSync(join(distDir, file)));
    }
    const run = url.searchParams.get('run') ?? '';
    const n = url.searchParams.get('n') ?? '0';
    // The button's own handler leaves the page in the same task as the click.
    const leave = (to: string) => `<script>document.getElementById('b').addEventListener('click', () => { location.href = ${JSON.stringify(to)}; });</script>`;
    const button = `<button id="b" data-track-run="${run}" data-track-n="${n}">Add to cart</button>`;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (url.pathname === '/shop') return res.end(page('Shop', button));
    if (url.pathname === '/leave') return res.end(page('Leave', button + leave(`/${Number(n) % 2 === 0 ? 'next' : 'plain'}?n=${n}`)));
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
function watchAcknowledged(context: BrowserContext, run: string): Set<string> {
  const acknowledged = new Set<string>();
  context.on('requestfinished', (request) => {
    void (async () => {
      if (request.method() !== 'POST' || !request.url().startsWith(`${stack.ingestUrl}/v1/batch`)) return;
      const response = await request.response();
      const raw = request.postDataBuffer();
      if (!response || response.status() < 200 || response.status() >= 300 || !raw) return;
      const body = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
      const batch = JSON.parse(body.toString('utf8')) as { events: Array<{ id: string; type: string; element?: { attributes?: Record<string, string> } }> };
      for (const event of batch.events) if (event.type === 'click' && event.element?.attributes?.['run'] === run) acknowledged.add(event.id);
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

/** Polls storage until every click is there (or the time is up), then lets late duplicates land. */
async function waitForClicks(run: string, sent: number, timeoutMs: number): Promise<StoredClick[]> {
  const deadline = Date.now() + timeoutMs;
  let clicks = await storedClicks(run);
  while (account(clicks, sent).lost > 0 && Date.now() < deadline) {
    await sleep(1_000);
    clicks = await storedClicks(run);
  }
  await sleep(3_000);
  return storedClicks(run);
}

function report(name: string, sent: number, acknowledged: number, result: Accounting, maxLag: number, extra: string): void {
  process.stdout.write(
    `[faults] ${name}: sent ${sent}, acknowledged ${acknowledged}, stored ${result.stored}, duplicates ${result.duplicates}, lost ${result.lost}, max lag ${maxLag}, ${extra}\n`,
  );
}

beforeAll(async () => {
  if (!existsSync(join(distDir, 'eventline.iife.js')) || !existsSync(join(distDir, 'snippet.min.js'))) {
    execFileSync('npm', ['run', 'build', '-w', 'sdk'], { cwd: repoRoot, stdio: 'ignore' });
  }
  stack = await startStackUnderTest();
  site = await startSite(Number(new URL(stack.origin).port), stack.ingestUrl, stack.writeKey);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (site) {
    site.closeAllConnections();
    await new Promise((resolve) => site.close(resolve));
  }
  await stack?.stop();
});

describe('a real browser with the built SDK against the real pipeline', () => {
  it('stores every click made during 30 s offline exactly once after the network returns', async () => {
    const run = randomUUID();
    const context: BrowserContext = await browser.newContext();
    const acknowledged = watchAcknowledged(context, run);
    const lag = sampleLag(stack.brokers, stack.topic, stack.groupId);
    try {
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
      const clicks = await waitForClicks(run, OFFLINE_CLICKS, 60_000);
      const result = account(clicks, OFFLINE_CLICKS);
      report('browser offline 30 s', OFFLINE_CLICKS, acknowledged.size, result, lag.stop(), `stored while offline ${storedWhileOffline}, all stored ${((Date.now() - onlineAt - 3_000) / 1000).toFixed(1)} s after online`);
      expect(storedWhileOffline).toBe(0);
      expect(result.lost).toBe(0);
      expect(result.duplicates).toBe(0);
      expect(new Set(clicks.map((c) => c.id)).size).toBe(OFFLINE_CLICKS);
      expect(unstored(acknowledged, clicks)).toEqual([]);
    } finally {
      lag.stop();
      await context.close();
    }
  });

  it('stores exactly once every click made right before leaving the page, 100 times over', async () => {
    const run = randomUUID();
    const context = await browser.newContext();
    const acknowledged = watchAcknowledged(context, run);
    const lag = sampleLag(stack.brokers, stack.topic, stack.groupId);
    const started = Date.now();
    try {
      const page = await context.newPage();
      for (let n = 0; n < NAVIGATIONS; n++) {
        await page.goto(`${stack.origin}/leave?run=${run}&n=${n}`);
        await sdkReady(page);
        await Promise.all([page.waitForURL(/\/(next|plain)\?/), page.click('#b')]);
      }
      // Back on a page with the SDK, whatever a page left in IndexedDB is resent.
      await page.goto(`${stack.origin}/next?n=end`);
      await sdkReady(page);
      const clicks = await waitForClicks(run, NAVIGATIONS, 90_000);
      const result = account(clicks, NAVIGATIONS);
      report('browser click + navigate ×100', NAVIGATIONS, acknowledged.size, result, lag.stop(), `${((Date.now() - started) / 1000).toFixed(1)} s`);
      expect(result.lost).toBe(0);
      expect(result.duplicates).toBe(0);
      expect(new Set(clicks.map((c) => c.id)).size).toBe(NAVIGATIONS);
      expect(unstored(acknowledged, clicks)).toEqual([]);
    } finally {
      lag.stop();
      await context.close();
    }
  });
});
