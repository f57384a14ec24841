// The built SDK (dist/) in real Chromium against a stand-in ingest service that
// validates every event with the contract and stores by id, like storage does.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Event } from '@eventline/contract';
import type { FlushResult, Report } from '../../src/types.ts';
import { eventsOf, of, useHarness } from '../helpers/harness.ts';

const h = useHarness();
const { serve, open, batchPosts } = h;
const flush = (page: Page) => h.flush(page);

describe('autocapture', () => {
  it('records clicks, fields left after typing, toggles and SPA page views with their element descriptors', async () => {
    const page = await open(
      serve(`
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
    await h.ingest.until(() => h.ingest.find(of('pageview')).length === 2 && h.ingest.find(of('change')).length === 2);

    const [buy] = h.ingest.find(of('click', '#buy'));
    expect(buy?.element).toEqual({
      tag: 'button',
      id: 'buy',
      selector: '#buy',
      text: 'Buy now',
      attributes: { plan: 'pro', price: '9' },
    });
    expect(buy?.name).toBe('click');
    const link = h.ingest.find((e) => e.name === 'pricing-link');
    expect(link).toHaveLength(1);
    expect(link[0]?.element).toMatchObject({ tag: 'a', text: 'See pricing' });
    const second = h.ingest.find((e) => e.type === 'click' && e.element?.text === 'second');
    expect(second[0]?.element?.selector).toBe('main>ul>li:nth-of-type(2)>span');
    // buy, link, span, the two under generated ids and the account link; the paragraph and the checkbox are not clickable things
    expect(h.ingest.find(of('click'))).toHaveLength(6);
    // Selectors stay valid with ids CSS cannot take raw, and find their element.
    const generated = ['generated', 'numbered'].map(
      (text) => h.ingest.find((e) => e.type === 'click' && e.element?.text === text)[0]?.element?.selector,
    );
    expect(generated).toEqual(['#\\:r1\\:>a', '#\\31 st>button']);
    expect(
      await page.evaluate((selectors) => selectors.map((s) => document.querySelector(s!)?.textContent), generated),
    ).toEqual(['generated', 'numbered']);
    expect(h.ingest.find(of('click', '#account'))[0]?.element?.text).toBe('Account');

    const [email] = h.ingest.find(of('input', '#email'));
    expect(email?.element).toEqual({
      tag: 'input',
      id: 'email',
      name: 'email',
      selector: '#email',
      inputType: 'email',
      changed: true,
      valueLength: 'someone@example.com'.length,
    });
    expect(h.ingest.find(of('change', '#tos')).map((e) => e.element?.checked)).toEqual([true, false]);

    const views = h.ingest.find(of('pageview')).sort((a, b) => a.seq - b.seq);
    expect(views[1]?.page.path).toBe('/spa/checkout');
    expect(views[1]?.page.referrer).toBe(views[0]?.page.url);

    const all = [...h.ingest.stored.values()].sort((a, b) => a.seq - b.seq);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i));
    expect(new Set(all.map((e) => e.sessionId)).size).toBe(1);
  });

  it('replays calls made through the snippet before the SDK loaded', async () => {
    // data-debug: the captured reports carry the whole event only in debug mode.
    const head = `<script data-src="/sdk/eventline.iife.js" data-write-key="test-key" data-endpoint="${h.ingest.url}" data-debug>${h.snippet}</script>
      <script>
        window.reports = [];
        eventline.onReport((r) => reports.push(r.kind + ' ' + (r.event ? r.event.type : r.count)));
        eventline.identify('user-42', { plan: 'pro' }); eventline.track('signup_started', { step: 1, nested: { a: 1 } });
      </script>`;
    const page = await open(serve('<button id="b">b</button>', { head }));
    await flush(page);
    await h.ingest.until(() => h.ingest.find((e) => e.name === 'signup_started').length === 1);
    // The stub's onReport listened before the SDK loaded: nothing was missed.
    const reports = await page.evaluate(() => (window as unknown as { reports: string[] }).reports);
    expect(reports.filter((r) => r.startsWith('captured'))).toEqual([
      'captured pageview',
      'captured identify',
      'captured custom',
    ]);
    const [identify] = h.ingest.find(of('identify'));
    const [custom] = h.ingest.find((e) => e.name === 'signup_started');
    expect(identify?.properties).toEqual({ plan: 'pro' });
    expect(custom).toMatchObject({ type: 'custom', userId: 'user-42', properties: { step: 1, nested: '{"a":1}' } });
  });
});

describe('delivery', () => {
  it('sends from the worker, not from the page, and reports each click captured, queued, sent and delivered in order', async () => {
    const workers: string[] = [];
    h.context.on('page', (p) => p.on('worker', (w) => workers.push(w.url())));
    const page = await open(serve('<button id="b">go</button>'));
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
    await h.ingest.until(() => h.ingest.find(of('click')).length === 5);
    expect(workers).toEqual([`${h.site.url}/sdk/eventline.worker.js`]);
    expect(batchPosts().length).toBeGreaterThan(0);
    for (const request of batchPosts()) expect(request.headers.referer).toBe(`${h.site.url}/sdk/eventline.worker.js`);

    const reports = await page.evaluate(() => (window as unknown as { reports: Report[] }).reports);
    const clicks = reports.flatMap((r) => (r.kind === 'captured' && r.event?.type === 'click' ? r.ids : []));
    expect(clicks.sort()).toEqual(
      h.ingest
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

  it('delivers a burst of clicks exactly once, and flush() resolves after the page heard each one delivered', async () => {
    const page = await open(serve('<button id="b">go</button>'));
    const { reports, result } = await page.evaluate(async () => {
      const w = window as unknown as {
        eventline: { onReport(listener: (r: Report) => void): () => void; flush(): Promise<FlushResult> };
      };
      const reports: Report[] = [];
      w.eventline.onReport((r) => reports.push(r));
      const button = document.getElementById('b')!;
      for (let i = 0; i < 300; i++) button.click();
      const result = await w.eventline.flush();
      // Copied now: reports that arrive after flush() resolved do not count.
      return { reports: [...reports], result };
    });
    expect(result).toMatchObject({ pending: 0, timedOut: false });
    const captured = reports.flatMap((r) => (r.kind === 'captured' ? r.ids : []));
    expect(captured).toHaveLength(300);
    for (const id of captured)
      expect(reports.filter((r) => r.ids.includes(id)).map((r) => r.kind)).toEqual([
        'captured',
        'queued',
        'sent',
        'delivered',
      ]);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 300);
    expect(new Set(h.ingest.find(of('click')).map((e) => e.id)).size).toBe(300);
  });

  it('delivers a click followed at once by navigation, exactly once in storage', async () => {
    h.site.page('/elsewhere', { html: '<!doctype html><title>no sdk</title><p>elsewhere</p>' });
    const first = serve(`<a id="go" href="/elsewhere">leave</a>`);
    for (let round = 0; round < 3; round++) {
      const page = await open(first);
      await Promise.all([page.waitForURL(`${h.site.url}/elsewhere`), page.click('#go')]);
      await h.ingest.until(() => h.ingest.find(of('click', '#go')).length === round + 1);
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
    const stored = h.ingest.find(of('click', '#go'));
    expect(stored.map((e) => e.id).sort()).toEqual([...new Set(beaconed.map((e) => e.id))].sort());
    expect(h.ingest.find((e) => e.type === 'click')).toHaveLength(3);
  });

  it('still delivers what a refused beacon carried (sendBeacon never reports the answer)', async () => {
    const url = serve('<button id="b">b</button>');
    const page = await open(url);
    await page.click('#b');
    h.ingest.failNext(1, 503, 1);
    await page.evaluate(() => dispatchEvent(new Event('pagehide')));
    await expect.poll(() => h.ingest.requests.some((r) => r.status === 503)).toBe(true);
    const refused = h.ingest.requests.find((r) => r.status === 503)!;
    expect(refused.headers.referer).toBe(url);
    const [click] = (JSON.parse(refused.body) as { events: Event[] }).events.filter(of('click'));
    expect(click).toBeDefined();
    expect(h.ingest.stored.has(click!.id)).toBe(false);
    await flush(page);
    await h.ingest.until(() => h.ingest.stored.has(click!.id), 5_000);
  });

  it('keeps events while offline and sends them when the network returns', async () => {
    const page = await open(serve('<button id="b">b</button>'));
    await flush(page);
    await h.context.setOffline(true);
    await page.click('#b');
    // Each flush tries at once (it skips the backoff's own wait) and fails while offline; the page's `online` event then retries at once.
    for (let attempt = 0; attempt < 5; attempt++) expect((await flush(page)).pending).toBeGreaterThan(0);
    expect(h.ingest.find(of('click'))).toHaveLength(0);
    await h.context.setOffline(false);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 1, 5_000);
  });

  it('delivers on the next visit what a closed tab could not send', async () => {
    // No Retry-After: one would hold the next visit back too (see delivery.integration.test.ts).
    h.ingest.failNext(1_000, 503);
    const url = serve('<button id="b">b</button>');
    const page = await open(url);
    await page.click('#b');
    await page.click('#b');
    const result = await flush(page);
    expect(result.pending).toBeGreaterThanOrEqual(2);
    await page.close();
    expect(h.ingest.stored.size).toBe(0);
    h.ingest.recover();
    const next = await open(url);
    await flush(next);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 2);
    expect(h.ingest.find(of('pageview'))).toHaveLength(2);
  });

  it('lets several tabs share the persisted queue without sending an event twice', async () => {
    h.ingest.failNext(1_000, 503);
    const url = serve('<button id="b">b</button>');
    const tabA = await open(url);
    const tabB = await open(url);
    await tabA.click('#b');
    await tabB.click('#b');
    await tabB.click('#b');
    await flush(tabA);
    await flush(tabB);
    await tabA.close();
    h.ingest.recover();
    await flush(tabB);
    const tabC = await open(url);
    await flush(tabC);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 3 && h.ingest.find(of('pageview')).length === 3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // No event is sent by two workers. (Closing tab A beacons what waited for a retry there: a
    // deliberate second copy, from the page, which storage dedupes.)
    const sent = h
      .batchPosts()
      .filter((r) => r.status === 200 && r.headers.referer === `${h.site.url}/sdk/eventline.worker.js`)
      .flatMap(eventsOf);
    const ids = sent.map((e) => e.id);
    expect(ids.length).toBe(new Set(ids).size);
    // Tab A's page leave, captured as it closed, reaches a worker only if tab A's got it into IndexedDB in time.
    expect(new Set(sent.filter((e) => e.type !== 'pageleave').map((e) => e.id)).size).toBe(6);
  });

  it('delivers from the main thread when CSP forbids workers', async () => {
    const warnings: string[] = [];
    h.context.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
    const url = serve('<button id="b">b</button>', { headers: { 'Content-Security-Policy': "worker-src 'none'" } });
    const page = await open(url);
    await page.click('#b');
    await flush(page);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 1);
    for (const request of batchPosts()) expect(request.headers.referer).toBe(url);
    expect(warnings.filter((w) => w.startsWith('[eventline]'))).toHaveLength(1);
  });
});

describe('sessions', () => {
  it('numbers the events of each tab of one session from 0, without repeats or gaps', async () => {
    const url = serve('<button id="b">b</button>');
    const tabA = await open(url);
    const tabB = await open(url);
    for (let i = 0; i < 4; i++) {
      await tabA.click('#b');
      await tabB.click('#b');
    }
    await flush(tabA);
    await flush(tabB);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 8 && h.ingest.find(of('pageview')).length === 2);
    const all = [...h.ingest.stored.values()];
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
    const url = serve(`
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
    await h.ingest.until(() => h.ingest.find(of('click', '#done')).length === 1);
    await page.fill('#name', 'typed-secret-unload');
    await page.click('#done');
    await page.goto('about:blank');
    await h.ingest.until(() => h.ingest.find(of('click', '#done')).length === 2);

    const bodies = h.ingest.requests.map((r) => r.body + JSON.stringify(r.url)).join('\n');
    expect(bodies).not.toMatch(/typed-secret|4111/);
    expect(bodies).toContain('SPRING-SALE');
    expect(h.ingest.find(of('input', '#coupon'))[0]?.element?.value).toBe('SPRING-SALE');
    expect(h.ingest.find(of('input', '#pw'))[0]?.element).toEqual({
      tag: 'input',
      id: 'pw',
      selector: '#pw',
      inputType: 'password',
      changed: true,
    });
    expect(h.ingest.find(of('input', '#card'))[0]?.element?.valueLength).toBeUndefined();
    expect(h.ingest.find(of('input', '#name'))[0]?.element?.valueLength).toBe('typed-secret-name'.length);
    expect(h.ingest.find((e) => e.element?.selector === '#hidden-away' || e.element?.selector === '#ignored')).toEqual(
      [],
    );
  });
});
