// One browser, one static site and a fresh ingest stub and browser context per
// test, for browser test files: `const h = useHarness()` in a file's top level
// registers the hooks; `h.serve(body)` serves a page with the SDK.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Event } from '@eventline/contract';
import { launchChromium } from '@eventline/infra/browser';
import { ensureBuilt } from './build.ts';
import { startIngestStub, startSite, type IngestStub, type TestSite } from './servers.ts';

export interface Harness {
  readonly browser: Browser;
  readonly site: TestSite;
  readonly ingest: IngestStub;
  readonly context: BrowserContext;
  /** The script tag loading the built SDK (IIFE) against this test's ingest stub. */
  sdkTag(attributes?: string): string;
  /** A module script that loads the ESM build and calls `init` with `options` (a JS object literal, so functions can be passed). */
  sdkModule(options?: string): string;
  /** Serves a page (the SDK's script tag in its head unless `head` says otherwise) and returns its URL. */
  serve(body: string, options?: { head?: string; title?: string; path?: string }): string;
  /** Opens `url` in this test's context once the SDK is ready. */
  open(url: string): Promise<Page>;
  flush(page: Page): Promise<{ delivered: number; pending: number }>;
}

let pageCount = 0;

export const of =
  (type: Event['type'], selector?: string) =>
  (e: Event): boolean =>
    e.type === type && (selector === undefined || e.element?.selector === selector);

export function useHarness(): Harness {
  let browser: Browser;
  let site: TestSite;
  let ingest: IngestStub;
  let context: BrowserContext;
  beforeAll(async () => {
    await ensureBuilt();
    browser = await launchChromium();
    site = await startSite();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
  beforeEach(async () => {
    ingest = await startIngestStub();
    context = await browser.newContext();
  });
  afterEach(async () => {
    await context.close();
    await ingest.close();
  });
  const h: Harness = {
    get browser() {
      return browser;
    },
    get site() {
      return site;
    },
    get ingest() {
      return ingest;
    },
    get context() {
      return context;
    },
    sdkTag: (attributes = '') =>
      `<script async src="/sdk/eventline.iife.js" data-write-key="test-key" data-endpoint="${ingest.url}" ${attributes}></script>`,
    sdkModule: (options = '{}') =>
      `<script type="module">import * as eventline from '/sdk/index.js';
        eventline.init({ writeKey: 'test-key', endpoint: '${ingest.url}', ...${options} });
        window.eventline = eventline;</script>`,
    serve(body, options = {}) {
      const path = options.path ?? `/capture-${++pageCount}`;
      site.page(path, {
        html: `<!doctype html><html><head><title>${options.title ?? `Test ${pageCount}`}</title>${options.head ?? h.sdkTag()}</head><body>${body}</body></html>`,
      });
      return site.url + path;
    },
    async open(url) {
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction(
        () => typeof (window as unknown as { eventline?: { flush?: unknown } }).eventline?.flush === 'function',
      );
      return page;
    },
    flush: (page) =>
      page.evaluate(() =>
        (
          window as unknown as { eventline: { flush(): Promise<{ delivered: number; pending: number }> } }
        ).eventline.flush(),
      ),
  };
  return h;
}
