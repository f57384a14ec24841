// Shared by the browser tests: one Chromium, a static site serving the built
// SDK, a fresh ingest stub and browser context per test, and helpers to serve a
// page with the SDK, open it and call its API.
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Event } from '@eventline/contract';
import { launchChromium } from '@eventline/infra/browser';
import type { FlushResult } from '../../src/types.ts';
import { ensureBuilt } from './build.ts';
import { distDir, startIngestStub, startSite, type IngestStub, type TestSite } from './servers.ts';

export interface BrowserHarness {
  readonly browser: Browser;
  readonly site: TestSite;
  readonly ingest: IngestStub;
  readonly context: BrowserContext;
  /** Contents of dist/snippet.min.js. */
  readonly snippet: string;
  /** The SDK's script tag (data-debug on); `attributes` are added to it. */
  sdkTag(attributes?: string): string;
  /** Serves a page with the SDK (script tag unless `head` says otherwise) and returns its URL. */
  servePage(body: string, options?: { head?: string; headers?: Record<string, string> }): string;
  /** Opens `url` in a new tab of the context and waits for the SDK's API. */
  open(url: string): Promise<Page>;
  flush(page: Page, timeout?: number): Promise<FlushResult>;
  /** POST requests to the ingest stub. */
  batchPosts(): IngestStub['requests'];
}

/** Registers the hooks that start and stop everything; use the returned object inside tests. */
export function useBrowser(): BrowserHarness {
  let browser: Browser;
  let site: TestSite;
  let ingest: IngestStub;
  let context: BrowserContext;
  let snippet = '';
  let pageCount = 0;

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

  const harness: BrowserHarness = {
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
    servePage(body, options = {}) {
      const path = `/page-${++pageCount}`;
      site.page(path, {
        html: `<!doctype html><html><head><title>Test ${pageCount}</title>${options.head ?? harness.sdkTag()}</head><body>${body}</body></html>`,
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
  return harness;
}

/** A filter for stored events of one type (and element selector). */
export const of = (type: Event['type'], selector?: string) => (e: Event) =>
  e.type === type && (selector === undefined || e.element?.selector === selector);

/** The events a recorded request carried. */
export const eventsOf = (request: { body: string }): Event[] =>
  request.body ? (JSON.parse(request.body) as { events: Event[] }).events : [];
