// Shared by the browser test files: one Chromium, a static site serving the
// built SDK, a fresh ingest stub and browser context per test. `const h =
// useHarness()` in a file's top level registers the hooks; `h.serve(body)`
// serves a page with the SDK, `h.open(url)` opens it, `h.flush(page)` calls its API.
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Event } from '@eventline/contract';
import { launchChromium } from '@eventline/testkit/browser';
import type { FlushResult } from '../../src/types.ts';
import { ensureBuilt } from './build.ts';
import { distDir, startIngestStub, startSite, type IngestStub, type TestSite } from './servers.ts';

export interface Harness {
  readonly browser: Browser;
  readonly site: TestSite;
  readonly ingest: IngestStub;
  readonly context: BrowserContext;
  /** Contents of dist/snippet.min.js. */
  readonly snippet: string;
  /** The script tag loading the built SDK (IIFE, data-debug on) against this test's ingest stub, plus `attributes`. */
  sdkTag(attributes?: string): string;
  /** A module script that loads the ESM build and calls `init` with `options` (a JS object literal, so functions can be passed). */
  sdkModule(options?: string): string;
  /** Serves a page (the SDK's script tag in its head unless `head` says otherwise) and returns its URL. */
  serve(
    body: string,
    options?: { head?: string; title?: string; path?: string; headers?: Record<string, string> },
  ): string;
  /** Opens `url` in a new tab of this test's context once the SDK's API is ready (the snippet's stub replaced). */
  open(url: string): Promise<Page>;
  flush(page: Page, timeout?: number): Promise<FlushResult>;
  /** POST requests to the ingest stub. */
  batchPosts(): IngestStub['requests'];
}

let pageCount = 0;

/** A filter for stored events of one type (and element selector). */
export const of =
  (type: Event['type'], selector?: string) =>
  (e: Event): boolean =>
    e.type === type && (selector === undefined || e.element?.selector === selector);

/** The events a recorded request carried. */
export const eventsOf = (request: { body: string }): Event[] =>
  request.body ? (JSON.parse(request.body) as { events: Event[] }).events : [];

export function useHarness(): Harness {
  let browser: Browser;
  let site: TestSite;
  let ingest: IngestStub;
  let context: BrowserContext;
  let snippet = '';
  beforeAll(async () => {
    await ensureBuilt();
    snippet = await readFile(`${distDir}snippet.min.js`, 'utf8');
    browser = await launchChromium();
    site = await startSite();
  }, 180_000);
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
    get snippet() {
      return snippet;
    },
    sdkTag: (attributes = '') =>
      `<script async src="/sdk/eventline.iife.js" data-write-key="test-key" data-endpoint="${ingest.url}" data-debug ${attributes}></script>`,
    sdkModule: (options = '{}') =>
      `<script type="module">import * as eventline from '/sdk/index.js';
        eventline.init({ writeKey: 'test-key', endpoint: '${ingest.url}', ...${options} });
        window.eventline = eventline;</script>`,
    serve(body, options = {}) {
      const path = options.path ?? `/page-${++pageCount}`;
      site.page(path, {
        html: `<!doctype html><html><head><title>${options.title ?? `Test ${pageCount}`}</title>${options.head ?? h.sdkTag()}</head><body>${body}</body></html>`,
        ...(options.headers ? { headers: options.headers } : {}),
      });
      return site.url + path;
    },
    async open(url) {
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction(() => {
        const api = (window as unknown as { eventline?: { q?: unknown; flush?: unknown } }).eventline;
        return api?.q === undefined && typeof api?.flush === 'function';
      });
      return page;
    },
    flush: (page, timeout) =>
      page.evaluate(
        (t) =>
          (window as unknown as { eventline: { flush(timeout?: number): Promise<FlushResult> } }).eventline.flush(t),
        timeout,
      ),
    batchPosts: () => ingest.requests.filter((r) => r.method === 'POST'),
  };
  return h;
}
