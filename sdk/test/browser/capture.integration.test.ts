// Capture in real Chromium, against the built dist/: what labels may contain,
// shadow DOM, page views of modern apps, engagement, forms and links, the
// contract's limits and the site's privacy controls (URL masking, beforeSend).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Event } from '@eventline/contract';
import { TITLE_DELAY } from '../../src/capture/pageviews.ts';
import { of, useHarness } from '../helpers/harness.ts';

const h = useHarness();

/** Lets a page view's title settle, then sends everything. */
async function settleAndFlush(page: Page): Promise<void> {
  await page.waitForTimeout(TITLE_DELAY * 3);
  await h.flush(page);
}

const bodies = (): string => h.ingest.requests.map((r) => r.body + r.url).join('\n');
const byTime = (events: Event[]): Event[] => [...events].sort((a, b) => a.seq - b.seq);

describe('labels', () => {
  it('never include text from fields, selects, editable regions, textboxes or data-track-ignore subtrees', async () => {
    const page = await h.open(
      h.serve(`
        <div role="button" id="card">Card: <span contenteditable="true" id="note"></span></div>
        <button id="qty">Quantity <select><option>typed-secret-select</option></select>
          <textarea>typed-secret-textarea</textarea><input value="typed-secret-input"></button>
        <div contenteditable="true" id="editor"><button id="inside">typed-secret-editor</button></div>
        <a id="account" href="#me">Account <span data-track-ignore>typed-secret-ignored</span></a>
        <div role="button" id="search">Search <div role="textbox">typed-secret-textbox</div></div>`),
    );
    await page.focus('#note');
    await page.keyboard.type('typed-secret-note');
    for (const id of ['#card', '#qty', '#inside', '#account', '#search']) await page.click(id);
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 5);
    const label = (selector: string): string | undefined => h.ingest.find(of('click', selector))[0]?.element?.text;
    expect(['#card', '#qty', '#inside', '#account', '#search'].map(label)).toEqual([
      'Card:',
      'Quantity',
      undefined,
      'Account',
      'Search',
    ]);
    expect(bodies()).not.toContain('typed-secret');
  });
});

describe('shadow DOM', () => {
  const checkout = `
    <script>
      customElements.define('x-checkout', class extends HTMLElement {
        constructor() {
          super();
          this.attachShadow({ mode: 'open' }).innerHTML =
            '<button id="pay">Pay <slot></slot></button><input id="coupon"><input id="gift">' +
            '<label><input type="checkbox" id="terms"> terms</label>';
        }
      });
    </script>
    <x-checkout id="host">now</x-checkout><button id="outside">outside</button>`;

  it('captures a button, fields and a checkbox inside an open shadow root as themselves', async () => {
    const page = await h.open(h.serve(checkout));
    await page.click('x-checkout #pay');
    await page.fill('x-checkout #coupon', 'typed-secret-coupon');
    // Focus moves within the root: the document never sees that focusout.
    await page.fill('x-checkout #gift', 'typed-secret-gift');
    await page.check('x-checkout #terms');
    await page.click('#outside');
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 2 && h.ingest.find(of('change')).length === 1);
    expect(h.ingest.find(of('click', '#pay'))[0]?.element).toMatchObject({ tag: 'button', id: 'pay', text: 'Pay now' });
    await h.ingest.until(() => h.ingest.find(of('input')).length === 2);
    expect(
      h.ingest
        .find(of('input'))
        .map((e) => [e.element?.id, e.element?.valueLength])
        .sort(),
    ).toEqual([
      ['coupon', 'typed-secret-coupon'.length],
      ['gift', 'typed-secret-gift'.length],
    ]);
    expect(h.ingest.find(of('change'))[0]?.element).toMatchObject({ id: 'terms', checked: true });
    expect(bodies()).not.toContain('typed-secret');
  });

  it('silences a shadow root whose host is under data-track-ignore', async () => {
    const page = await h.open(h.serve(checkout.replace('<x-checkout id="host">', '<x-checkout data-track-ignore>')));
    await page.click('x-checkout #pay');
    await page.check('x-checkout #terms');
    await page.click('#outside');
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find(of('click', '#outside')).length === 1);
    expect(h.ingest.find((e) => e.type !== 'pageview' && e.element?.id !== 'outside').map((e) => e.element)).toEqual(
      [],
    );
  });
});

describe('page views', () => {
  it('counts a query-only replaceState as the same page, and a pushState or a new path as a new one', async () => {
    const page = await h.open(h.serve('<input id="q">'));
    for (const q of ['s', 'sh', 'sho', 'shoe', 'shoes'])
      await page.evaluate((q) => history.replaceState({}, '', `?q=${q}`), q);
    await page.evaluate(() => history.pushState({}, '', '/results?q=shoes'));
    await page.waitForTimeout(TITLE_DELAY * 2);
    await page.evaluate(() => history.replaceState({}, '', '/results/2'));
    await settleAndFlush(page);
    await h.ingest.until(() => h.ingest.find(of('pageview')).length >= 3);
    await page.waitForTimeout(300);
    expect(byTime(h.ingest.find(of('pageview'))).map((e) => e.page.path)).toEqual([
      expect.stringMatching(/^\/page-\d+$/),
      '/results',
      '/results/2',
    ]);
  });

  it('counts query-only replaceState calls when replaceQuery is set', async () => {
    const page = await h.open(
      h.serve('', { head: h.sdkModule('{ autocapture: { pageviews: { replaceQuery: true } } }') }),
    );
    for (const q of ['a', 'ab']) {
      await page.evaluate((q) => history.replaceState({}, '', `?q=${q}`), q);
      await page.waitForTimeout(TITLE_DELAY * 2);
    }
    await settleAndFlush(page);
    await h.ingest.until(() => h.ingest.find(of('pageview')).length === 3);
  });

  it('reads the title once the route has rendered, not when the URL changed', async () => {
    const page = await h.open(h.serve('', { title: 'Home' }));
    // A router: the URL first, the new route (and its title) in a later task.
    await page.evaluate(() => {
      history.pushState({}, '', '/product/42');
      setTimeout(() => (document.title = 'Product 42'), 20);
    });
    await settleAndFlush(page);
    await h.ingest.until(() => h.ingest.find(of('pageview')).length === 2);
    expect(byTime(h.ingest.find(of('pageview'))).map((e) => e.page.title)).toEqual(['Home', 'Product 42']);
  });

  it('records a page view before what happens on the new route while its title is still settling', async () => {
    const page = await h.open(h.serve('<button id="buy">Buy</button>'));
    // A click and a custom event right after an SPA navigation, well within the title's delay.
    await page.evaluate(() => {
      history.pushState({}, '', '/product/42');
      document.getElementById('buy')!.click();
    });
    await page.evaluate(() => (window as unknown as { eventline: { track(name: string): void } }).eventline.track('x'));
    await settleAndFlush(page);
    await h.ingest.until(() => h.ingest.find(of('pageview')).length === 2);
    const sequence = byTime(h.ingest.find((e) => e.type !== 'pageleave'));
    expect(sequence.map((e) => `${e.type} ${e.page.path}`).slice(1)).toEqual([
      'pageview /product/42',
      'click /product/42',
      'custom /product/42',
    ]);
    // In time too: a funnel orders by time, then by sequence within a millisecond.
    expect(sequence.map((e) => e.timestamp)).toEqual([...sequence.map((e) => e.timestamp)].sort((a, b) => a - b));
  });

  it('counts a return from the back/forward cache as a page view', async () => {
    // Playwright's Chromium runs without the back/forward cache, so the restore's pageshow is dispatched as Chromium would.
    const page = await h.open(h.serve(''));
    await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
    await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false })));
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find(of('pageview')).length === 2);
    await page.waitForTimeout(300);
    expect(h.ingest.find(of('pageview'))).toHaveLength(2);
  });

  it('counts a prerendered page once it is shown, and never while it is only prerendered', async () => {
    // Headless Chromium does not prerender for Playwright: document.prerendering and its activation are emulated.
    await h.context.addInitScript(() => {
      let prerendering = true;
      Object.defineProperty(Document.prototype, 'prerendering', { get: () => prerendering, configurable: true });
      (window as unknown as { activate(): void }).activate = () => {
        prerendering = false;
        document.dispatchEvent(new Event('prerenderingchange'));
      };
    });
    const page = await h.open(h.serve('<button id="b">b</button>'));
    await h.flush(page);
    await page.waitForTimeout(300);
    expect(h.ingest.find(of('pageview'))).toHaveLength(0);
    await page.evaluate(() => (window as unknown as { activate(): void }).activate());
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find(of('pageview')).length === 1);
  });

  it('counts hash routes as page views in hash mode, with the route in the path', async () => {
    const page = await h.open(h.serve('', { head: h.sdkModule('{ autocapture: { pageviews: { hash: true } } }') }));
    await page.evaluate(() => (location.hash = '#/settings'));
    await page.waitForTimeout(TITLE_DELAY * 2);
    await page.evaluate(() => (location.hash = '#/settings/billing?tab=2'));
    await settleAndFlush(page);
    await h.ingest.until(() => h.ingest.find(of('pageview')).length === 3);
    const paths = byTime(h.ingest.find(of('pageview'))).map((e) => e.page.path);
    expect(paths.slice(1)).toEqual([`${paths[0]}#/settings`, `${paths[0]}#/settings/billing`]);
  });

  it('ignores hash changes by default', async () => {
    const page = await h.open(h.serve('<button id="b">b</button>'));
    await page.evaluate(() => (location.hash = '#section-2'));
    await page.click('#b');
    await settleAndFlush(page);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 1);
    expect(h.ingest.find(of('pageview'))).toHaveLength(1);
  });
});

describe('forms and links', () => {
  it('records a form submit with its masked action and the caption of the button that sent it', async () => {
    const page = await h.open(
      h.serve(`
        <form id="signup" action="/signup?plan=pro&email=jane%40example.com" data-track="signup-form">
          <input name="email"><button id="create">Create account</button><button id="other">Other</button>
        </form>
        <script>document.addEventListener('submit', (e) => e.preventDefault());</script>`),
    );
    await page.fill('input[name=email]', 'typed-secret-email');
    await page.click('#create');
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find(of('submit')).length === 1);
    const [submit] = h.ingest.find(of('submit'));
    expect(submit).toMatchObject({
      name: 'signup-form',
      element: {
        tag: 'form',
        id: 'signup',
        text: 'Create account',
        href: `${h.site.url}/signup?plan=pro&email=`,
      },
    });
    expect(bodies()).not.toMatch(/typed-secret|jane/);
  });

  it('records the target of a clicked link, so outbound links and downloads can be told apart', async () => {
    const page = await h.open(
      h.serve(`
        <a id="out" href="https://elsewhere.example/pricing?ref=site">Partner</a>
        <a id="file" href="/files/report.pdf" download>Report</a>
        <script>document.addEventListener('click', (e) => e.preventDefault());</script>`),
    );
    await page.click('#out');
    await page.click('#file');
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 2);
    expect(h.ingest.find(of('click', '#out'))[0]?.element?.href).toBe('https://elsewhere.example/pricing?ref=site');
    expect(h.ingest.find(of('click', '#file'))[0]?.element?.href).toBe(`${h.site.url}/files/report.pdf`);
  });
});

describe('engagement', () => {
  it('reports a page leave with engaged time and maximum scroll depth when the page is left', async () => {
    h.site.page('/elsewhere', { html: '<!doctype html><title>elsewhere</title><p>elsewhere</p>' });
    const url = h.serve('<div style="height: 4000px">tall</div><a id="go" href="/elsewhere">go</a>');
    const page = await h.open(url);
    await page.setViewportSize({ width: 800, height: 600 });
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      await page.mouse.move(100 + i * 10, 100);
      await page.waitForTimeout(100);
    }
    await page.evaluate(() => scrollTo(0, 1_800));
    await page.waitForTimeout(100);
    await page.evaluate(() => scrollTo(0, 0));
    await page.mouse.move(50, 50);
    const active = Date.now() - started;
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.goto(`${h.site.url}/elsewhere`);
    await h.ingest.until(() => h.ingest.find(of('pageleave')).length === 1);
    const [leave] = h.ingest.find(of('pageleave'));
    expect(leave?.page.url).toBe(url);
    // The viewport's bottom reached 1800 + 600 px; the time is bounded by what the test spent, with room for a slow machine.
    expect(leave?.engagement?.scrollDepth).toBe(Math.round((100 * 2_400) / height));
    expect(leave?.engagement?.engagedMs).toBeGreaterThanOrEqual(400);
    expect(leave?.engagement?.engagedMs).toBeLessThanOrEqual(active + 15_000);
  });

  it('ends the page view of an SPA route with a page leave for that route, before the next page view', async () => {
    const page = await h.open(h.serve(''));
    const first = page.url();
    await page.mouse.move(10, 10);
    await page.evaluate(() => history.pushState({}, '', '/next'));
    await settleAndFlush(page);
    await h.ingest.until(() => h.ingest.find(of('pageview')).length === 2);
    const events = byTime([...h.ingest.stored.values()]);
    expect(events.map((e) => [e.type, e.page.url])).toEqual([
      ['pageview', first],
      ['pageleave', first],
      ['pageview', `${h.site.url}/next`],
    ]);
  });
});

describe('contract limits', () => {
  it('keeps data-track-* attributes and custom element names within the contract, so ingest accepts the click', async () => {
    const tag = `x-${'long'.repeat(20)}`;
    const attributes = Array.from({ length: 60 }, (_, i) => `data-track-k${i}="${'v'.repeat(300)}"`).join(' ');
    const page = await h.open(h.serve(`<${tag} id="big" data-track="big" ${attributes}>big</${tag}>`));
    await page.click('#big');
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find((e) => e.name === 'big').length === 1);
    const [big] = h.ingest.find((e) => e.name === 'big');
    expect(big?.element?.tag).toBe(tag.slice(0, 64));
    expect(Object.keys(big?.element?.attributes ?? {})).toHaveLength(50);
    expect(Object.values(big?.element?.attributes ?? {}).every((v) => v.length === 200)).toBe(true);
  });

  it('never throws into the page from track(), whatever the properties hold', async () => {
    const page = await h.open(h.serve(''));
    const thrown = await page.evaluate(() => {
      const { track } = (window as unknown as { eventline: { track(n: unknown, p?: unknown): void } }).eventline;
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic['self'] = cyclic;
      const bare = Object.create(null) as Record<string, unknown>;
      const bareCyclic = Object.create(null) as Record<string, unknown>;
      bareCyclic['self'] = bareCyclic;
      const hostile = new Proxy(
        {},
        {
          ownKeys: () => {
            throw new Error('ownKeys');
          },
        },
      );
      const cases: Array<[string, unknown]> = [
        ['bare', { q: bare }],
        ['cyclic', { c: cyclic }],
        ['bare-cyclic', { c: bareCyclic }],
        ['bigint', { n: 12345678901234567890n, o: { n: 1n } }],
        [
          'getter',
          {
            get boom() {
              throw new Error('getter');
            },
            ok: 1,
          },
        ],
        [
          'to-json',
          {
            j: {
              toJSON() {
                throw new Error('toJSON');
              },
            },
          },
        ],
        ['hostile', hostile],
        ['symbol', { s: Symbol('s') }],
      ];
      const errors: string[] = [];
      for (const [name, properties] of cases) {
        try {
          track(name, properties);
        } catch (error) {
          errors.push(`${name}: ${String(error)}`);
        }
      }
      try {
        track(bare, bare);
      } catch (error) {
        errors.push(`bare name: ${String(error)}`);
      }
      return errors;
    });
    expect(thrown).toEqual([]);
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find(of('custom')).length >= 7);
    const custom = (name: string) => h.ingest.find((e) => e.name === name)[0]?.properties;
    expect(custom('bare')).toEqual({ q: '{}' });
    expect(custom('bigint')).toEqual({ n: '12345678901234567890', o: '{"n":"1"}' });
    expect(custom('getter')).toEqual({ ok: 1 });
  });
});

describe('privacy controls', () => {
  it('drops the values of secret parameters from page URLs and link targets by default', async () => {
    const url = h.serve(
      '<a id="reset" href="/reset?code=123456&lang=en">reset</a><script>document.addEventListener("click", (e) => e.preventDefault());</script>',
    );
    const page = await h.open(`${url}?token=abc123&q=shoes&userEmail=jane%40example.com#access_token=xyz789`);
    await page.click('#reset');
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find(of('click')).length === 1);
    expect(h.ingest.find(of('pageview'))[0]?.page.url).toBe(`${url}?token=&q=shoes&userEmail=#access_token=`);
    expect(h.ingest.find(of('click'))[0]?.element?.href).toBe(`${h.site.url}/reset?code=&lang=en`);
    expect(bodies()).not.toMatch(/abc123|jane|xyz789|123456/);
  });

  it('keeps only the parameters of queryAllowlist', async () => {
    const url = h.serve('', { head: h.sdkModule("{ queryAllowlist: ['q'] }") });
    const page = await h.open(`${url}?q=shoes&utm_source=mail&token=abc`);
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find(of('pageview')).length === 1);
    expect(h.ingest.find(of('pageview'))[0]?.page.url).toBe(`${url}?q=shoes&utm_source=&token=`);
  });

  it('lets beforeSend change or drop events, and drops those it throws on', async () => {
    const beforeSend = `(event) => {
      if (event.name === 'secret') return null;
      if (event.name === 'buggy') throw new Error('site bug');
      return { ...event, properties: { ...event.properties, reviewed: true } };
    }`;
    const page = await h.open(h.serve('', { head: h.sdkModule(`{ beforeSend: ${beforeSend} }`) }));
    const thrown = await page.evaluate(() => {
      const { track } = (window as unknown as { eventline: { track(n: string): void } }).eventline;
      try {
        for (const name of ['secret', 'buggy', 'kept']) track(name);
        return '';
      } catch (error) {
        return String(error);
      }
    });
    expect(thrown).toBe('');
    await h.flush(page);
    await h.ingest.until(() => h.ingest.find(of('custom')).length === 1);
    expect(h.ingest.find(of('custom'))[0]).toMatchObject({ name: 'kept', properties: { reviewed: true } });
    expect(h.ingest.find(of('pageview'))[0]?.properties).toEqual({ reviewed: true });
    expect(bodies()).not.toMatch(/secret|buggy/);
  });
});

describe('test kit (@eventline/sdk/testing)', () => {
  it('keeps what the SDK sends in memory, off the network, and finds captured and received events by example', async () => {
    const head = `<script type="module">
      import * as eventline from '/sdk/index.js';
      import { memoryTransport, recordCaptured } from '/sdk/testing.js';
      const memory = memoryTransport();
      const captured = recordCaptured();
      memory.failNext(1, 503, 0);
      eventline.init({ writeKey: 'site-tests', endpoint: '${h.ingest.url}', transport: memory.transport, debug: true });
      window.eventline = eventline;
      window.kit = { memory, captured };
    </script>`;
    const page = await h.open(h.serve('<button id="buy" data-track="buy">Buy</button>', { head }));
    await page.click('#buy');
    const result = await page.evaluate(async () => {
      type Kit = {
        memory: import('../../src/testing.ts').MemoryTransport;
        captured: import('../../src/testing.ts').CaptureRecorder;
      };
      const { memory, captured } = (window as unknown as { kit: Kit }).kit;
      const { flush } = (window as unknown as { eventline: { flush(): Promise<unknown> } }).eventline;
      const capturedBuys = captured.events({ type: 'click', element: { id: 'buy' } }).length;
      await flush();
      const buys = await memory.waitFor({ name: 'buy', element: { tag: 'button' } });
      return {
        capturedBuys,
        received: buys.map((e) => e.element?.text),
        statuses: memory.requests.map((r) => r.status),
        unmatched: memory.events({ name: 'nothing-like-this' }).length,
        byFunction: memory.events((e) => e.type === 'pageview').length,
      };
    });
    expect(result).toMatchObject({ capturedBuys: 1, received: ['Buy'], unmatched: 0, byFunction: 1 });
    // The outage it was told to play, then the retry that delivered.
    expect(result.statuses[0]).toBe(503);
    expect(result.statuses.at(-1)).toBe(200);
    expect(h.ingest.requests).toEqual([]);
  });
});
