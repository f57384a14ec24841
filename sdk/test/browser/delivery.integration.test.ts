// Delivery that heals itself, in real Chromium with the built SDK: IndexedDB
// that hangs or is wiped under the page, Retry-After kept across pages, events
// waiting for a retry beaconed at unload, beacons that the browser refuses,
// consent shared by every tab, and Trusted Types.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sleep } from '@eventline/testkit';
import type { Report } from '../../src/types.ts';
import { eventsOf, of, useHarness } from '../helpers/harness.ts';

const h = useHarness();
const workerUrl = (): string => `${h.site.url}/sdk/eventline.worker.js`;

/** Starts collecting the page's reports in `window.reports`. */
async function collectReports(page: Page): Promise<() => Promise<Report[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { reports: Report[]; eventline: { onReport(l: (r: Report) => void): unknown } };
    w.reports = [];
    w.eventline.onReport((r) => w.reports.push(r));
  });
  return () => page.evaluate(() => (window as unknown as { reports: Report[] }).reports);
}

const call = (page: Page, method: string, ...args: unknown[]): Promise<unknown> =>
  page.evaluate(
    ([m, a]) =>
      (window as unknown as { eventline: Record<string, (...args: unknown[]) => unknown> }).eventline[m as string]!(
        ...(a as unknown[]),
      ),
    [method, args] as const,
  );

describe('IndexedDB that misbehaves', () => {
  it('queues in memory and flush() resolves when indexedDB.open never answers in the worker', async () => {
    // Safari 14.1 can leave the open unanswered; here the worker runs the SDK's file after replacing the open with one that never answers.
    const hang = `IDBFactory.prototype.open = function () { return {}; }; importScripts('${workerUrl()}');`;
    const head = `<script data-src="/sdk/eventline.iife.js" data-write-key="test-key" data-endpoint="${h.ingest.url}" data-debug>${h.snippet}</script>
      <script>eventline.init({ workerUrl: URL.createObjectURL(new Blob([${JSON.stringify(hang)}], { type: 'text/javascript' })) });</script>`;
    const page = await h.open(h.serve('<button id="b">b</button>', { head }));
    await page.click('#b');
    const result = await Promise.race([h.flush(page), sleep(10_000).then(() => 'still pending after 10 s')]);
    expect(result).toEqual({ delivered: 2, pending: 0, beaconed: 0, timedOut: false });
    await h.ingest.until(() => h.ingest.find(of('click')).length === 1);
  });

  it('keeps sending after the site data is cleared under the open page, and persists again', async () => {
    const url = h.serve('<button id="b">b</button>');
    const page = await h.open(url);
    const reports = await collectReports(page);
    await h.flush(page);
    const cdp = await h.context.newCDPSession(page);
    await cdp.send('Storage.clearDataForOrigin', { origin: h.site.url, storageTypes: 'indexeddb' });
    // No flush: the queue's own schedule must send it.
    await page.click('#b');
    await h.ingest.until(() => h.ingest.find(of('click')).length === 1, 10_000);
    const [click] = h.ingest.find(of('click'));
    await expect
      .poll(async () => (await reports()).filter((r) => r.ids.includes(click!.id)).map((r) => r.kind), {
        timeout: 10_000,
      })
      .toEqual(['captured', 'queued', 'sent', 'delivered']);

    // The database is back: what cannot be sent now survives the tab and goes from the next page.
    h.ingest.failNext(1_000, 503);
    await page.click('#b');
    await expect.poll(() => h.ingest.requests.some((r) => r.status === 503), { timeout: 10_000 }).toBe(true);
    await sleep(2_000);
    await page.close();
    h.ingest.recover();
    const next = await h.open(url);
    await h.flush(next);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 2);
  });
});

describe('Retry-After and unload', () => {
  it('beacons events that wait for a retry when the tab is closed', async () => {
    const url = h.serve('<button id="b">b</button>');
    const page = await h.open(url);
    h.ingest.failNext(1, 503, 120);
    await page.click('#b');
    const result = await h.flush(page);
    expect(result.pending).toBeGreaterThanOrEqual(1);
    expect(h.ingest.find(of('click'))).toEqual([]);
    await page.close({ runBeforeUnload: true });
    await h.ingest.until(() => h.ingest.find(of('click')).length === 1, 10_000);
    const beacons = h.batchPosts().filter((r) => r.headers.referer === url && r.status === 200);
    expect(beacons.flatMap(eventsOf).filter(of('click'))).toHaveLength(1);
  });

  it('honours on the next page a Retry-After the last page was given', async () => {
    const url = h.serve('<button id="b">b</button>');
    const page = await h.open(url);
    // The worker's send, then the beacon as the tab closes.
    h.ingest.failNext(2, 503, 120);
    await page.click('#b');
    expect((await h.flush(page)).pending).toBeGreaterThanOrEqual(1);
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => h.ingest.requests.filter((r) => r.status === 503).length, { timeout: 10_000 }).toBe(2);
    const before = h.batchPosts().length;
    const next = await h.open(url);
    // The server's wait holds for flush() too.
    const result = await h.flush(next);
    expect(result).toMatchObject({ delivered: 0, timedOut: false });
    expect(result.pending).toBeGreaterThanOrEqual(3);
    await sleep(4_000);
    expect(
      h
        .batchPosts()
        .slice(before)
        .filter((r) => r.headers.referer === workerUrl()),
    ).toEqual([]);
  });

  it('beacons every event it can when one is refused (over 64 KiB), and trims that one for the worker', async () => {
    const url = h.serve('');
    const page = await h.open(url);
    await h.flush(page);
    await page.evaluate(() => {
      const api = (window as unknown as { eventline: { track(name: string, p?: object): void } }).eventline;
      // 50 values of 1 000 three-byte characters: about 150 KB, which sendBeacon refuses.
      api.track('huge', Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, '€'.repeat(1_000)])));
      api.track('after-1');
      api.track('after-2');
      dispatchEvent(new Event('pagehide'));
    });
    await h.ingest.until(() => h.ingest.find((e) => e.name.startsWith('after-')).length === 2, 10_000);
    const beaconed = h
      .batchPosts()
      .filter((r) => r.headers.referer === url)
      .flatMap(eventsOf)
      .map((e) => e.name);
    // The page leave is captured as the page goes, and beaconed with the rest.
    expect(beaconed).toEqual(['after-1', 'after-2', 'pageleave']);
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find((e) => e.name === 'huge').length === 1);
    const [huge] = h.ingest.find((e) => e.name === 'huge');
    expect(String(huge?.properties?.['$trimmed']).split(',').length).toBeGreaterThan(30);
  });
});

describe('consent across tabs', () => {
  it('stops every tab at once on optOut() in one of them, and drops what they held', async () => {
    const url = h.serve('<button id="b">b</button>');
    const tabA = await h.open(url);
    const tabB = await h.open(url);
    await h.flush(tabA);
    await h.flush(tabB);
    h.ingest.failNext(1_000, 503);
    await tabB.click('#b');
    expect((await h.flush(tabB)).pending).toBe(1);
    await call(tabA, 'optOut');
    h.ingest.recover();
    await tabB.click('#b');
    expect(await h.flush(tabB)).toEqual({ delivered: 0, pending: 0, beaconed: 0, timedOut: false });
    await tabB.evaluate(() => dispatchEvent(new Event('pagehide')));
    await sleep(3_000);
    expect(h.ingest.find(of('click'))).toEqual([]);

    await call(tabA, 'optIn');
    await tabB.click('#b');
    await h.flush(tabB);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 1);
  });

  it('with requireConsent stores and sends nothing in any tab until optIn() in one of them', async () => {
    const head = `<script data-src="/sdk/eventline.iife.js" data-write-key="test-key" data-endpoint="${h.ingest.url}">${h.snippet}</script>
      <script>eventline.init({ requireConsent: true });</script>`;
    const url = h.serve('<button id="b">b</button>', { head });
    const tabA = await h.open(url);
    const tabB = await h.open(url);
    await tabB.click('#b');
    expect(await h.flush(tabB)).toEqual({ delivered: 0, pending: 2, beaconed: 0, timedOut: false });
    await tabB.evaluate(() => dispatchEvent(new Event('pagehide')));
    await sleep(1_000);
    expect(h.ingest.requests).toEqual([]);
    const storage = await tabB.evaluate(async () => ({
      local: Object.keys(localStorage),
      databases: (await indexedDB.databases()).map((d) => d.name),
    }));
    expect(storage).toEqual({ local: [], databases: [] });

    await call(tabA, 'optIn');
    await h.ingest.until(() => h.ingest.find(of('click')).length === 1 && h.ingest.find(of('pageview')).length === 2);
  });
});

describe('Trusted Types', () => {
  it('loads through the snippet and delivers from the worker under require-trusted-types-for', async () => {
    const head = `<script data-src="/sdk/eventline.iife.js" data-write-key="test-key" data-endpoint="${h.ingest.url}">${h.snippet}</script>`;
    const headers = {
      'Content-Security-Policy': "require-trusted-types-for 'script'; trusted-types eventline eventline#snippet",
    };
    const violations: string[] = [];
    h.context.on('console', (m) => void (m.type() === 'error' && violations.push(m.text())));
    const workers: string[] = [];
    h.context.on('page', (p) => p.on('worker', (w) => workers.push(w.url())));
    const page = await h.open(h.serve('<button id="b">b</button>', { head, headers }));
    await page.click('#b');
    expect(await h.flush(page)).toEqual({ delivered: 2, pending: 0, beaconed: 0, timedOut: false });
    expect(workers).toEqual([workerUrl()]);
    expect(violations).toEqual([]);
  });

  it('tells the truth from flush() when only beacons are left (the policy is not allowed)', async () => {
    const headers = { 'Content-Security-Policy': "require-trusted-types-for 'script'; trusted-types 'none'" };
    const page = await h.open(h.serve('<button id="b">b</button>', { headers }));
    await page.click('#b');
    await sleep(500);
    // Nothing is known delivered: both events went by beacon, whose answer is never known.
    expect(await h.flush(page)).toEqual({ delivered: 0, pending: 0, beaconed: 2, timedOut: false });
    await h.ingest.until(() => h.ingest.find(of('click')).length === 1);
  });
});
