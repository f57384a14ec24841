// The built SDK (dist/) in real Chromium against a stand-in ingest service that
// validates every event with the contract and stores by id, like storage does.
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Event } from '@eventline/contract';
import { launchChromium } from '@eventline/testkit/browser';
import type { Report } from '../../src/types.ts';
import { ensureBuilt } from '../helpers/build.ts';
import { distDir, startIngestStub, startSite, type IngestStub, type TestSite } from '../helpers/servers.ts';

let browser: Browser;
let site: TestSite;
let ingest: IngestStub;
let context: BrowserContext;
let snippet: string;
let pageCount = 0;

const sdkTag = (attributes = ''): string =>
  `<script async src="/sdk/eventline.iife.js" data-write-key="test-key" data-endpoint="${ingest.url}" data-debug ${attributes}></script>`;

/** Serves a page with the SDK (script tag unless `head` says otherwise) and returns its URL. */
function servePage(body: string, options: { head?: string; headers?: Record<string, string> } = {}): string {
  const path = `/page-${++pageCount}`;
  site.page(path, {
    html: `<!doctype html><html><head><title>Test ${pageCount}</title>${options.head ?? sdkTag()}</head><body>${body}</body></html>`,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  return site.url + path;
}

async function open(url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(
    () => typeof (window as unknown as { eventline?: { flush?: unknown } }).eventline?.flush === 'function',
  );
  return page;
}

const flush = (page: Page): Promise<{ delivered: number; pending: number }> =>
  page.evaluate(() =>
    (
      window as unknown as { eventline: { flush(): Promise<{ delivered: number; pending: number }> } }
    ).eventline.flush(),
  );

const batchPosts = () => ingest.requests.filter((r) => r.method === 'POST');
const of = (type: Event['type'], selector?: string) => (e: Event) =>
  e.type === type && (selector === undefined || e.element?.selector === selector);

beforeAll(async () => {
  await ensureBuilt();
  snippet = await readFile(`${distDir}snippet.min.js`, 'utf8');
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

describe('autocapture', () => {
  it('records clicks, fields left after typing, toggles and SPA page views with their element descriptors', async () => {
    const page = await open(
      servePage(`
        <main>
          <button id="buy" data-track-plan="pro" data-track-price="9">  Buy
            <b>now</b> </button>
          <a href="#nowhere" data-track="pricing-link">See pricing</a>
          <ul><li><span role="button">first</span></li><li><span role="button">second</span></li></ul>
          <input id="email" name="email" type="email">
          <input type="checkbox" id="tos" name="tos">
          <p>not clickable</p>
          <div id=":r1:"><a href="#react">generated</a></div><section id="1st"><button>numbered</button></section>
          <a id="account" href="#me">Account <span data-track-ignore>jane@example.com</span></a>
        </main>`),
    );
    await page.click('#buy');
    await page.click('a[data-track]');
    await page.click('li:nth-of-type(2) span');
    await page.click('p');
    await page.click('[id=":r1:"] a');
    await page.click('[id="1st"] button');
    await page.click('#account');
    await page.fill('#email', 'someone@example.com');
    await page.click('#tos');
    await page.click('#tos');
    await page.evaluate(() => history.pushState({}, '', '/spa/checkout?step=2'));
    await flush(page);
    await ingest.until(() => ingest.find(of('pageview')).length === 2 && ingest.find(of('change')).length === 2);

    const [buy] = ingest.find(of('click', '#buy'));
    expect(buy?.element).toEqual({
      tag: 'button',
      id: 'buy',
      selector: '#buy',
      text: 'Buy now',
      attributes: { plan: 'pro', price: '9' },
    });
    expect(buy?.name).toBe('click');
    const link = ingest.find((e) => e.name === 'pricing-link');
    expect(link).toHaveLength(1);
    expect(link[0]?.element).toMatchObject({ tag: 'a', text: 'See pricing' });
    const second = ingest.find((e) => e.type === 'click' && e.element?.text === 'second');
    expect(second[0]?.element?.selector).toBe('main>ul>li:nth-of-type(2)>span');
    // buy, link, span, the two under generated ids and the account link; the paragraph and the checkbox are not clickable things
    expect(ingest.find(of('click'))).toHaveLength(6);
    // Selectors stay valid with ids CSS cannot take raw, and find their element.
    const generated = ['generated', 'numbered'].map(
      (text) => ingest.find((e) => e.type === 'click' && e.element?.text === text)[0]?.element?.selector,
    );
    expect(generated).toEqual(['#\\:r1\\:>a', '#\\31 st>button']);
    expect(
      await page.evaluate((selectors) => selectors.map((s) => document.querySelector(s!)?.textContent), generated),
    ).toEqual(['generated', 'numbered']);
    expect(ingest.find(of('click', '#account'))[0]?.element?.text).toBe('Account');

    const [email] = ingest.find(of('input', '#email'));
    expect(email?.element).toEqual({
      tag: 'input',
      id: 'email',
      name: 'email',
      selector: '#email',
      inputType: 'email',
      changed: true,
      valueLength: 'someone@example.com'.length,
    });
    expect(ingest.find(of('change', '#tos')).map((e) => e.element?.checked)).toEqual([true, false]);

    const views = ingest.find(of('pageview')).sort((a, b) => a.seq - b.seq);
    expect(views[1]?.page.path).toBe('/spa/checkout');
    expect(views[1]?.page.referrer).toBe(views[0]?.page.url);

    const all = [...ingest.stored.values()].sort((a, b) => a.seq - b.seq);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i));
    expect(new Set(all.map((e) => e.sessionId)).size).toBe(1);
  });

  it('replays calls made through the snippet before the SDK loaded', async () => {
    const head = `<script data-src="/sdk/eventline.iife.js" data-write-key="test-key" data-endpoint="${ingest.url}">${snippet}</script>
      <script>
        window.reports = [];
        eventline.onReport((r) => reports.push(r.kind + ' ' + (r.event ? r.event.type : r.count)));
        eventline.identify('user-42', { plan: 'pro' }); eventline.track('signup_started', { step: 1, nested: { a: 1 } });
      </script>`;
    const page = await open(servePage('<button id="b">b</button>', { head }));
    await flush(page);
    await ingest.until(() => ingest.find((e) => e.name === 'signup_started').length === 1);
    // The stub's onReport listened before the SDK loaded: nothing was missed.
    const reports = await page.evaluate(() => (window as unknown as { reports: string[] }).reports);
    expect(reports.filter((r) => r.startsWith('captured'))).toEqual([
      'captured pageview',
      'captured identify',
      'captured custom',
    ]);
    const [identify] = ingest.find(of('identify'));
    const [custom] = ingest.find((e) => e.name === 'signup_started');
    expect(identify?.properties).toEqual({ plan: 'pro' });
    expect(custom).toMatchObject({ type: 'custom', userId: 'user-42', properties: { step: 1, nested: '{"a":1}' } });
  });
});

describe('delivery', () => {
  it('sends from the worker, not from the page, and reports each click captured, queued, sent and delivered in order', async () => {
    const workers: string[] = [];
    context.on('page', (p) => p.on('worker', (w) => workers.push(w.url())));
    const page = await open(servePage('<button id="b">go</button>'));
    await page.evaluate(() => {
      const w = window as unknown as {
        reports: Report[];
        eventline: { onReport(listener: (r: Report) => void): () => void };
      };
      w.reports = [];
      w.eventline.onReport((r) => w.reports.push(r));
    });
    for (let i = 0; i < 5; i++) await page.click('#b');
    await flush(page);
    await ingest.until(() => ingest.find(of('click')).length === 5);
    expect(workers).toEqual([`${site.url}/sdk/eventline.worker.js`]);
    expect(batchPosts().length).toBeGreaterThan(0);
    for (const request of batchPosts()) expect(request.headers.referer).toBe(`${site.url}/sdk/eventline.worker.js`);

    const reports = await page.evaluate(() => (window as unknown as { reports: Report[] }).reports);
    const clicks = reports.flatMap((r) => (r.kind === 'captured' && r.event.type === 'click' ? r.ids : []));
    expect(clicks.sort()).toEqual(
      ingest
        .find(of('click'))
        .map((e) => e.id)
        .sort(),
    );
    for (const id of clicks)
      expect(reports.filter((r) => r.ids.includes(id)).map((r) => r.kind)).toEqual([
        'captured',
        'queued',
        'sent',
        'delivered',
      ]);
    for (const r of reports) expect(r.count).toBe(r.ids.length);
  });

  it('delivers a click followed at once by navigation, exactly once in storage', async () => {
    site.page('/elsewhere', { html: '<!doctype html><title>no sdk</title><p>elsewhere</p>' });
    const first = servePage(`<a id="go" href="/elsewhere">leave</a>`);
    for (let round = 0; round < 3; round++) {
      const page = await open(first);
      await Promise.all([page.waitForURL(`${site.url}/elsewhere`), page.click('#go')]);
      await ingest.until(() => ingest.find(of('click', '#go')).length === round + 1);
      await page.close();
    }
    // Coming back resends whatever the worker had persisted; storage keeps one copy.
    const again = await open(first);
    await flush(again);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The page was gone before the batch timer fired: the beacons (sent by the page, not the worker) carried each click.
    const beacons = batchPosts().filter((r) => r.headers.referer === first);
    const beaconed = beacons
      .flatMap((r) => (JSON.parse(r.body) as { events: Event[] }).events)
      .filter(of('click', '#go'));
    expect(new Set(beaconed.map((e) => e.id)).size).toBe(3);
    // One stored event per click, under the id the beacon carried; a resend of the same id (from IndexedDB) adds nothing.
    const stored = ingest.find(of('click', '#go'));
    expect(stored.map((e) => e.id).sort()).toEqual([...new Set(beaconed.map((e) => e.id))].sort());
    expect(ingest.find((e) => e.type === 'click')).toHaveLength(3);
  });

  it('still delivers what a refused beacon carried (sendBeacon never reports the answer)', async () => {
    const url = servePage('<button id="b">b</button>');
    const page = await open(url);
    await page.click('#b');
    ingest.failNext(1, 503, 1);
    await page.evaluate(() => dispatchEvent(new Event('pagehide')));
    await expect.poll(() => ingest.requests.some((r) => r.status === 503)).toBe(true);
    const refused = ingest.requests.find((r) => r.status === 503)!;
    expect(refused.headers.referer).toBe(url);
    const [click] = (JSON.parse(refused.body) as { events: Event[] }).events.filter(of('click'));
    expect(click).toBeDefined();
    expect(ingest.stored.has(click!.id)).toBe(false);
    await flush(page);
    await ingest.until(() => ingest.stored.has(click!.id), 5_000);
  });

  it('keeps events while offline and sends them when the network returns', async () => {
    const page = await open(servePage('<button id="b">b</button>'));
    await flush(page);
    await context.setOffline(true);
    await page.click('#b');
    // Every failed attempt doubles the backoff: after five the next retry is ≥ 8 s away.
    for (let attempt = 0; attempt < 5; attempt++) expect((await flush(page)).pending).toBeGreaterThan(0);
    expect(ingest.find(of('click'))).toHaveLength(0);
    await context.setOffline(false);
    await ingest.until(() => ingest.find(of('click')).length === 1, 5_000);
  });

  it('delivers on the next visit what a closed tab could not send', async () => {
    ingest.failNext(1_000, 503, 60);
    const url = servePage('<button id="b">b</button>');
    const page = await open(url);
    await page.click('#b');
    await page.click('#b');
    const result = await flush(page);
    expect(result.pending).toBeGreaterThanOrEqual(2);
    await page.close();
    expect(ingest.stored.size).toBe(0);
    ingest.recover();
    const next = await open(url);
    await flush(next);
    await ingest.until(() => ingest.find(of('click')).length === 2);
    expect(ingest.find(of('pageview'))).toHaveLength(2);
  });

  it('lets several tabs share the persisted queue without sending an event twice', async () => {
    ingest.failNext(1_000, 503, 60);
    const url = servePage('<button id="b">b</button>');
    const tabA = await open(url);
    const tabB = await open(url);
    await tabA.click('#b');
    await tabB.click('#b');
    await tabB.click('#b');
    await flush(tabA);
    await flush(tabB);
    await tabA.close();
    // Closing tab A beacons its page leave after close() resolves; let ingest refuse it before recovering,
    // or an accepted beacon plus the queued copy would be two sends of one event (at-least-once at unload).
    const leaveRefused = () => ingest.requests.some((r) => r.status === 503 && r.body.includes('"pageleave"'));
    for (const until = Date.now() + 5_000; !leaveRefused() && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    ingest.recover();
    await flush(tabB);
    const tabC = await open(url);
    await flush(tabC);
    await ingest.until(() => ingest.find(of('click')).length === 3 && ingest.find(of('pageview')).length === 3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ids = ingest.received.map((e) => e.id);
    expect(ids.length).toBe(new Set(ids).size);
  });

  it('delivers from the main thread when CSP forbids workers', async () => {
    const warnings: string[] = [];
    context.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
    const url = servePage('<button id="b">b</button>', { headers: { 'Content-Security-Policy': "worker-src 'none'" } });
    const page = await open(url);
    await page.click('#b');
    await flush(page);
    await ingest.until(() => ingest.find(of('click')).length === 1);
    for (const request of batchPosts()) expect(request.headers.referer).toBe(url);
    expect(warnings.filter((w) => w.startsWith('[eventline]'))).toHaveLength(1);
  });
});

describe('sessions', () => {
  it('numbers the events of each tab of one session from 0, without repeats or gaps', async () => {
    const url = servePage('<button id="b">b</button>');
    const tabA = await open(url);
    const tabB = await open(url);
    for (let i = 0; i < 4; i++) {
      await tabA.click('#b');
      await tabB.click('#b');
    }
    await flush(tabA);
    await flush(tabB);
    await ingest.until(() => ingest.find(of('click')).length === 8 && ingest.find(of('pageview')).length === 2);
    const all = [...ingest.stored.values()];
    expect(new Set(all.map((e) => e.sessionId)).size).toBe(1);
    const tabIds = [...new Set(all.map((e) => e.tabId))];
    expect(tabIds).toHaveLength(2);
    for (const tabId of tabIds) {
      const seqs = all.filter((e) => e.tabId === tabId).map((e) => e.seq);
      expect(seqs.sort((x, y) => x - y)).toEqual(seqs.map((_, i) => i));
    }
  });
});

describe('privacy', () => {
  it('never sends typed text unless the field opts in with data-track-value', async () => {
    const url = servePage(`
      <input id="name" type="text">
      <textarea id="bio"></textarea>
      <input id="pw" type="password" data-track-value>
      <input id="card" autocomplete="cc-number" data-track-value>
      <div data-track-ignore><input id="hidden-away"><button id="ignored">x</button></div>
      <input id="coupon" data-track-value>
      <button id="done">done</button>`);
    const page = await open(url);
    await page.fill('#name', 'typed-secret-name');
    await page.fill('#bio', 'typed-secret-bio');
    await page.fill('#pw', 'typed-secret-password');
    await page.fill('#card', '4111111111111111');
    await page.fill('#hidden-away', 'typed-secret-ignored');
    await page.click('#ignored');
    await page.fill('#coupon', 'SPRING-SALE');
    await page.click('#done');
    await flush(page);
    await ingest.until(() => ingest.find(of('click', '#done')).length === 1);
    await page.fill('#name', 'typed-secret-unload');
    await page.click('#done');
    await page.goto('about:blank');
    await ingest.until(() => ingest.find(of('click', '#done')).length === 2);

    const bodies = ingest.requests.map((r) => r.body + JSON.stringify(r.url)).join('\n');
    expect(bodies).not.toMatch(/typed-secret|4111/);
    expect(bodies).toContain('SPRING-SALE');
    expect(ingest.find(of('input', '#coupon'))[0]?.element?.value).toBe('SPRING-SALE');
    expect(ingest.find(of('input', '#pw'))[0]?.element).toEqual({
      tag: 'input',
      id: 'pw',
      selector: '#pw',
      inputType: 'password',
      changed: true,
    });
    expect(ingest.find(of('input', '#card'))[0]?.element?.valueLength).toBeUndefined();
    expect(ingest.find(of('input', '#name'))[0]?.element?.valueLength).toBe('typed-secret-name'.length);
    expect(ingest.find((e) => e.element?.selector === '#hidden-away' || e.element?.selector === '#ignored')).toEqual(
      [],
    );
  });
});
