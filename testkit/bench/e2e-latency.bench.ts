// End-to-end latency, click → queryable: a real click (CDP mouse input, a
// trusted event) in headless Chromium on a page with the built SDK, through
// ingest → Kafka → consumer → InfluxDB, until a Flux query finds the event.
// Measured twice: with the SDK's defaults (a lone click waits up to
// flushInterval, 2 s, for its batch) and with batchSize 1 (sent at once).
// Baselines in the same run, sample by sample in the same rounds: a one-event
// batch POSTed to ingest from Node (the pipeline without browser and SDK) and a
// point written straight to InfluxDB (the floor any pipeline pays).
// Clocks: the page and this process both stamp with performance.timeOrigin +
// performance.now(), i.e. the same system clock, to sub-millisecond precision.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InfluxDB, Point, flux } from '@influxdata/influxdb-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FIELD, MEASUREMENT } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { ensureBuilt } from '../../sdk/test/helpers/build.ts';
import { percentile, printResult, type Figure } from '../src/bench-report.ts';
import { launchChromium } from '../src/browser.ts';
import { startStackUnderTest } from '../src/load/stack-under-test.ts';
import { consoleProgress, InfraError, provisionInfra } from '@eventline/infra';
import { repoRoot } from '@eventline/infra/services';
import { sleep } from '../src/wait.ts';

const ROUNDS = 100;
/** An event not queryable this long after it was made is lost: the benchmark fails instead of waiting forever. */
const DEADLINE_MS = 30_000;
const POLL_MS = 5;
const distDir = join(repoRoot, 'sdk', 'dist');
const now = () => performance.timeOrigin + performance.now();

/** Pages on the stack's allowed origin: `/defaults` (the snippet alone) and `/batch1` (batchSize 1), and the built SDK under /sdk/. */
function startSite(port: number, ingestUrl: string, writeKey: string): Promise<Server> {
  const snippet = readFileSync(join(distDir, 'snippet.min.js'), 'utf8');
  // Stamps the click before the SDK's own listeners see it.
  const stamp = `<script>addEventListener('click', () => { window.clickedAt = performance.timeOrigin + performance.now(); }, true);</script>`;
  const page = (init: string) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>latency</title>${stamp}` +
    `<script data-src="/sdk/eventline.iife.js" data-write-key="${writeKey}" data-endpoint="${ingestUrl}">${snippet}</script>${init}</head>` +
    `<body><button id="b" data-track-n="">Add to cart</button></body></html>`;
  const pages: Record<string, string> = {
    '/defaults': page(''),
    '/batch1': page('<script>eventline.init({ batchSize: 1 });</script>'),
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    const file = /^\/sdk\/([\w.-]+\.js)$/.exec(path)?.[1];
    if (file && existsSync(join(distDir, file))) {
      res.setHeader('Content-Type', 'text/javascript');
      return res.end(readFileSync(join(distDir, file)));
    }
    const html = pages[path];
    res.statusCode = html ? 200 : 404;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(html ?? 'not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

interface ClickPage {
  page: Page;
  context: BrowserContext;
  /** Event id of the click numbered `n`, once its batch is on the wire. */
  idOf(n: string): string | undefined;
}

async function openClickPage(context: BrowserContext, url: string, ingestUrl: string): Promise<ClickPage> {
  const ids = new Map<string, string>();
  context.on('request', (request) => {
    const raw = request.postDataBuffer();
    if (request.method() !== 'POST' || !request.url().startsWith(`${ingestUrl}/v1/batch`) || !raw) return;
    const body = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
    const batch = JSON.parse(body.toString('utf8')) as {
      events: Array<{ id: string; type: string; element?: { attributes?: Record<string, string> } }>;
    };
    for (const event of batch.events) {
      const n = event.element?.attributes?.['n'];
      if (event.type === 'click' && n !== undefined) ids.set(n, event.id);
    }
  });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => {
    const api = (window as unknown as { eventline?: { q?: unknown; flush?: unknown } }).eventline;
    return api !== undefined && api.q === undefined && typeof api.flush === 'function';
  });
  // The page view goes out now, so no click shares its batch.
  await page.evaluate(() => (window as unknown as { eventline: { flush(): Promise<unknown> } }).eventline.flush());
  return { page, context, idOf: (n) => ids.get(n) };
}

await provisionInfra(consoleProgress('bench'));
await ensureBuilt();
const stack = await startStackUnderTest();
let site: Server | undefined;
let browser: Browser | undefined;
try {
  site = await startSite(Number(new URL(stack.origin).port), stack.ingestUrl, stack.writeKey);
  browser = await launchChromium();
  const influx = new InfluxDB({ url: stack.influxUrl, token: '' });
  const queryApi = influx.getQueryApi('');
  const isStored = async (id: string) => {
    const rows = await queryApi.collectRows(
      flux`from(bucket: ${stack.bucket}) |> range(start: -1h) |> filter(fn: (r) => r._measurement == ${MEASUREMENT} and r._field == ${FIELD.id} and r._value == ${id}) |> limit(n: 1)`,
    );
    return rows.length > 0;
  };
  /** Polls until the event is queryable and returns when that was seen; throws once DEADLINE_MS has passed since `since`. */
  const queryableAt = async (what: string, since: number, id: () => string | undefined): Promise<number> => {
    for (;;) {
      const known = id();
      if (known !== undefined && (await isStored(known))) return now();
      if (now() - since > DEADLINE_MS) {
        throw new InfraError(
          `${what}: ${known === undefined ? 'never sent by the SDK' : `event ${known} not queryable`} ${DEADLINE_MS / 1000} s after it was made`,
          "see the service logs under the stack's data dir (EVENTLINE_KEEP_TEST_DATA=1 keeps them)",
        );
      }
      await sleep(POLL_MS);
    }
  };

  const click = async (target: ClickPage, what: string, n: number): Promise<number> => {
    await target.page.evaluate((value) => {
      document.getElementById('b')?.setAttribute('data-track-n', value);
      (window as unknown as { clickedAt: number }).clickedAt = 0;
    }, String(n));
    await target.page.click('#b');
    const clickedAt = await target.page.evaluate(() => (window as unknown as { clickedAt: number }).clickedAt);
    if (!clickedAt) throw new InfraError(`${what}, click ${n}: the page saw no click`);
    return (await queryableAt(`${what}, click ${n}`, clickedAt, () => target.idOf(String(n)))) - clickedAt;
  };

  const writer = influx.getWriteApi('', stack.bucket, 'ms', { batchSize: 1, maxRetries: 0 });
  const post = async (n: number): Promise<number> => {
    const event = sampleEvent({ id: randomUUID(), seq: n, timestamp: Date.now() });
    const started = now();
    const response = await fetch(`${stack.ingestUrl}/v1/batch?writeKey=${stack.writeKey}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: stack.origin },
      body: JSON.stringify({ sentAt: Date.now(), events: [event] }),
    });
    if (!response.ok) throw new InfraError(`ingest answered ${response.status}: ${await response.text()}`);
    return (await queryableAt(`POST /v1/batch ${n}`, started, () => event.id)) - started;
  };
  const direct = async (n: number): Promise<number> => {
    const id = randomUUID();
    const started = now();
    writer.writePoint(
      new Point(MEASUREMENT)
        .tag('site', 'baseline')
        .tag('type', 'click')
        .stringField(FIELD.id, id)
        .timestamp(Date.now()),
    );
    await writer.flush();
    return (await queryableAt(`direct write ${n}`, started, () => id)) - started;
  };

  const defaults = await openClickPage(await browser.newContext(), `${stack.origin}/defaults`, stack.ingestUrl);
  const batch1 = await openClickPage(await browser.newContext(), `${stack.origin}/batch1`, stack.ingestUrl);
  const samples = { defaults: [] as number[], batch1: [] as number[], post: [] as number[], direct: [] as number[] };
  // Round by round, so a busy moment of the shared machine weighs on every kind alike.
  for (let n = 0; n < ROUNDS; n++) {
    samples.defaults.push(await click(defaults, 'SDK defaults', n));
    samples.batch1.push(await click(batch1, 'batchSize 1', n));
    samples.post.push(await post(n));
    samples.direct.push(await direct(n));
    if (n % 10 === 9) process.stdout.write(`  ${n + 1}/${ROUNDS} rounds\n`);
  }
  await writer.close();
  await Promise.all([defaults.context.close(), batch1.context.close()]);

  const baselineLabel = 'direct InfluxDB write → queryable';
  const figures = (label: string, values: number[]): Figure[] =>
    ([50, 99] as const).map((p) => ({
      metric: `${label} p${p}`,
      unit: 'ms',
      value: percentile(values, p),
      baseline: percentile(samples.direct, p),
      baselineLabel,
    }));
  printResult({
    name: 'e2e-latency',
    description: `click in Chromium → event queryable in InfluxDB, ${ROUNDS} sequential clicks per SDK setting; POST /v1/batch from Node and direct writes in the same rounds`,
    figures: [
      ...figures('click→queryable (SDK defaults)', samples.defaults),
      ...figures('click→queryable (batchSize 1)', samples.batch1),
      ...figures('POST→queryable', samples.post),
    ],
  });
} finally {
  await browser?.close();
  site?.closeAllConnections();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
  await stack.stop();
}
