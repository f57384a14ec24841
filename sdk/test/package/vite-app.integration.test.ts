// The SDK as a user gets it: packed, installed from the tarball into a fresh
// Vite + TypeScript app outside the workspace, type-checked (strictly, the
// SDK's declarations included), built, and run in Chromium against the real
// ingest service. Vite and TypeScript are the workspace's own, so nothing is
// downloaded.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@eventline/infra';
import { launchChromium } from '@eventline/infra/browser';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packSdk, type Packed } from '../helpers/pack.ts';
import { startRealIngest, type RealIngest } from '../helpers/real-ingest.ts';

const run = promisify(execFile);

const MAIN_TS = `import { flush, init, onReport, track, type FlushResult, type Report } from '@eventline/sdk';
import type {} from '@eventline/sdk/eventline.iife.js';

// The script-tag global has the same API as the module.
const viaGlobal: Window['eventline']['track'] = track;
// Never called: only the type checker reads it.
export function typeErrors(): void {
  // @ts-expect-error an event name is a string: the shipped types must say so
  track(42);
}

const params = new URLSearchParams(location.search);
const delivered: string[] = [];
onReport((report: Report) => {
  if (report.kind === 'delivered') delivered.push(...report.ids);
});
init({ writeKey: params.get('writeKey') ?? '', endpoint: params.get('endpoint') ?? '' });
viaGlobal('vite_app_loaded', { bundler: 'vite' });
void flush().then((result: FlushResult) => {
  document.body.dataset['flushed'] = JSON.stringify({ result, delivered });
});
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'bundler',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: [],
  },
  include: ['src'],
};

let appDir = '';
let packed: Packed | undefined;
let ingest: RealIngest | undefined;
let site: Server | undefined;
let siteUrl = '';
let browser: Browser | undefined;

beforeAll(async () => {
  packed = await packSdk();
  const { tarball } = packed;
  appDir = await mkdtemp(join(tmpdir(), 'eventline-vite-app-'));
  await mkdir(join(appDir, 'src'));
  await writeFile(join(appDir, 'package.json'), JSON.stringify({ name: 'vite-app', private: true, type: 'module' }));
  await writeFile(join(appDir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  await writeFile(join(appDir, 'src', 'main.ts'), MAIN_TS);
  await writeFile(
    join(appDir, 'index.html'),
    '<!doctype html><html><head><title>App</title><script type="module" src="/src/main.ts"></script></head><body></body></html>',
  );
  // The SDK has no dependencies, so the tarball installs without the network.
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: appDir });
  const port = await freePort();
  siteUrl = `http://127.0.0.1:${port}`;
  ingest = await startRealIngest(siteUrl);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  site?.close();
  await ingest?.stop();
  await packed?.remove();
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

describe('the SDK installed from its tarball into a Vite + TypeScript app', () => {
  it('type-checks against the shipped declarations', async () => {
    const tsc = join(createRequire(import.meta.url).resolve('typescript/package.json'), '../bin/tsc');
    await expect(run(process.execPath, [tsc, '-p', appDir])).resolves.toBeDefined();
  }, 120_000);

  it('builds, and in Chromium delivers its events to the real ingest', async () => {
    await build({ root: appDir, configFile: false, logLevel: 'warn', build: { outDir: 'dist', emptyOutDir: true } });
    const assets = await readFile(join(appDir, 'dist', 'index.html'), 'utf8');
    expect(assets).toMatch(/assets\/index-[\w-]+\.js/);
    site = await serveStatic(join(appDir, 'dist'), Number(new URL(siteUrl).port));

    browser = await launchChromium();
    const page = await browser.newPage();
    // Read as promises, pushed as each response arrives: Playwright reports them asynchronously.
    const answers: Promise<{ status: number; body: string }>[] = [];
    const workerScripts: string[] = [];
    page.on('worker', (worker) => workerScripts.push(worker.url()));
    page.on('response', (response) => {
      if (response.url().startsWith(`${ingest!.url}/v1/batch`) && response.request().method() === 'POST')
        answers.push(response.text().then((body) => ({ status: response.status(), body })));
    });
    await page.goto(
      `${siteUrl}/?endpoint=${encodeURIComponent(ingest!.url)}&writeKey=${encodeURIComponent(ingest!.writeKey)}`,
    );
    const flushed = JSON.parse(
      (await page
        .waitForFunction(() => document.body.dataset['flushed'], undefined, { timeout: 60_000 })
        .then((h) => h.jsonValue())) as string,
    ) as { result: { delivered: number; pending: number }; delivered: string[] };

    // The worker file was found by Vite through new URL(…, import.meta.url) and served by the app itself.
    expect(workerScripts.some((url) => url.startsWith(`${siteUrl}/assets/`) && url.includes('eventline.worker'))).toBe(
      true,
    );
    expect(flushed.result.pending).toBe(0);
    expect(flushed.delivered.length).toBeGreaterThanOrEqual(2); // the autocaptured pageview and vite_app_loaded
    const accepted = async () =>
      (await Promise.all(answers)).reduce((sum, a) => sum + (JSON.parse(a.body) as { accepted: number }).accepted, 0);
    await expect.poll(accepted, { timeout: 30_000 }).toBe(flushed.delivered.length);
    for (const answer of await Promise.all(answers)) {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ rejected: [] });
    }
  }, 180_000);
});

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** Serves `root` as a static site on `port`, index.html at `/`. */
async function serveStatic(root: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root)) return void response.writeHead(404).end();
    readFile(file).then(
      (body) =>
        response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
