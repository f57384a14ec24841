// The README's script-tag snippet, pasted into a plain HTML page exactly as
// printed there, with only the three values the README tells users to fill in
// (the write key, the ingest URL) — `data-src` stays `/sdk/eventline.iife.js`,
// which the test site serves. Its events must reach the real ingest service.
import { gunzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchChromium } from '@eventline/infra/browser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.ts';
import { sdkDir } from '../helpers/pack.ts';
import { startRealIngest, type RealIngest } from '../helpers/real-ingest.ts';
import { distDir, startSite, type TestSite } from '../helpers/servers.ts';

/** The ```html blocks under the README's "Install with a script tag". */
async function readmeSnippets(): Promise<{ loader: string; calls: string }> {
  const readme = await readFile(join(sdkDir, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Install with a script tag'), readme.indexOf('## Install from npm'));
  const blocks = [...section.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const loader = blocks.find((block) => block.includes('data-src='));
  const calls = blocks.find((block) => block.includes('eventline.track('));
  if (!loader || !calls) throw new Error('the README has no script-tag snippet and example calls');
  return { loader, calls };
}

let ingest: RealIngest | undefined;
let site: TestSite | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  await ensureBuilt();
  site = await startSite();
  ingest = await startRealIngest(site.url);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ingest?.stop();
});

describe("the README's script-tag snippet", () => {
  it('is the built snippet.min.js, so copying it from the README gives the current loader', async () => {
    const { loader } = await readmeSnippets();
    const body = loader.slice(loader.indexOf('>') + 1, loader.lastIndexOf('</script>')).trim();
    const built = (await readFile(join(distDir, 'snippet.min.js'), 'utf8')).trim();
    expect(body, 'paste dist/snippet.min.js into the README block after changing src/snippet.js').toBe(built);
  });

  it('pasted into a plain HTML page, loads the SDK and delivers the queued calls to the real ingest', async () => {
    const { loader, calls } = await readmeSnippets();
    const filled = loader
      .replace('YOUR_WRITE_KEY', ingest!.writeKey)
      .replace('https://ingest.example.com', ingest!.url);
    expect(filled).toContain('data-src="/sdk/eventline.iife.js"');
    site!.page('/', {
      html: `<!doctype html><html><head><title>Plain page</title>${filled}${calls}</head><body><p>Hello</p></body></html>`,
    });

    browser = await launchChromium();
    const page = await browser.newPage();
    const sent: { name: string; type: string }[] = [];
    // Read as promises, pushed as each response arrives: Playwright reports them asynchronously.
    const answers: Promise<{ status: number; accepted: number; rejected: unknown[] }>[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${ingest!.url}/v1/batch`) && request.method() === 'POST') {
        // Bodies over 1 KiB are gzipped by the SDK.
        const raw = request.postDataBuffer() ?? Buffer.from('{}');
        const text = (request.headers()['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        const batch = JSON.parse(text) as { events?: { name: string; type: string }[] };
        sent.push(...(batch.events ?? []).map(({ name, type }) => ({ name, type })));
      }
    });
    page.on('response', (response) => {
      if (response.url().startsWith(`${ingest!.url}/v1/batch`) && response.request().method() === 'POST')
        answers.push(
          response.json().then((body: object) => ({ status: response.status(), accepted: 0, rejected: [], ...body })),
        );
    });
    await page.goto(`${site!.url}/`);
    // The queued calls are replayed once the SDK has loaded; flush sends them now.
    await page.waitForFunction(() => {
      const global = (window as { eventline?: object }).eventline;
      return global !== undefined && !('q' in global);
    });
    await page.evaluate(() => (window as unknown as { eventline: { flush(): Promise<unknown> } }).eventline.flush());

    await expect
      .poll(() => sent.map((e) => e.name), { timeout: 30_000 })
      .toEqual(expect.arrayContaining(['identify', 'signup_started']));
    expect(sent).toContainEqual({ type: 'custom', name: 'signup_started' });
    expect(sent).toContainEqual({ type: 'identify', name: 'identify' });
    const accepted = async () => (await Promise.all(answers)).reduce((n, a) => n + a.accepted, 0);
    await expect.poll(accepted, { timeout: 30_000 }).toBe(sent.length);
    for (const answer of await Promise.all(answers)) expect(answer).toMatchObject({ status: 200, rejected: [] });
  }, 180_000);
});
