// The whole stack with real Chromium: the demo site records through the SDK
// snippet → ingest → Kafka → consumer → InfluxDB → the dashboard's read API →
// the Analyze page. Screenshots of both pages go to test-results/demo-site-e2e/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Event } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { launchChromium } from '@eventline/testkit/browser';
import { DEMO_SITE, DEMO_WRITE_KEY, repoRoot } from '@eventline/infra/services';
import { eventually, startTestStack, uniqueName, type TestStack } from '@eventline/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const artifacts = join(repoRoot, 'test-results', 'demo-site-e2e');
const XSS = '<img src=x onerror=alert(1)>';
const HOUR = 3_600_000;
/** How long the pipeline may take to show an event on the dashboard. */
const VISIBLE_WITHIN_MS = 30_000;

let browser: Browser;
let demoUrl = '';
let dashboardUrl = '';
let ingestUrl = '';
const dialogs: string[] = [];

function build(workspace: string): void {
  const result = spawnSync('npm', ['run', 'build', '-w', workspace], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build -w ${workspace} failed:\n${result.stdout}\n${result.stderr}`);
}

beforeAll(async () => {
  // The SDK is built by its own package; build it here only when a fresh clone has no dist yet.
  if (!existsSync(join(repoRoot, 'sdk', 'dist', 'eventline.iife.js'))) build('sdk');
  build('dashboard');
  build('demo-site');
  mkdirSync(artifacts, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** A stack of its own for the tests of one describe block: none sees another block's events. */
function useStack(prefix: string): void {
  let stack: TestStack | undefined;
  beforeAll(async () => {
    stack = await startTestStack(prefix);
    ingestUrl = stack.ingestUrl;
    dashboardUrl = stack.dashboardUrl;
    demoUrl = stack.demoUrl;
  });
  afterAll(async () => {
    await stack?.stop();
  });
}

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return page;
}

/** Waits until the snippet has loaded the SDK and handed it its queue. */
async function sdkLoaded(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      typeof (window as { eventline?: { init?: unknown; q?: unknown } }).eventline?.init === 'function' &&
      !('q' in window.eventline!),
  );
}

/** Sends events to ingest as a site's SDK would (same origin header and write key), with their own timestamps. */
async function sendThroughIngest(events: Event[]): Promise<void> {
  const response = await fetch(`${ingestUrl}/v1/batch?writeKey=${DEMO_WRITE_KEY}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: demoUrl },
    body: JSON.stringify({ sentAt: Date.now(), events }),
  });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
}

const rows = (page: Page, type?: string) =>
  page.locator(
    type
      ? `[data-testid=events-table] tbody tr[data-type="${type}"]`
      : '[data-testid=events-table] tbody tr[data-event-id]',
  );

describe('recording on the demo site, analysing on the dashboard', () => {
  useStack('e2e');

  it('shows a click, a text input and a checkbox toggle made on the demo site in the dashboard table and chart', async () => {
    const dashboard = await newPage();
    await dashboard.goto(`${dashboardUrl}/events?from=-15m`);
    await expect.poll(() => dashboard.getByTestId('chart-total').textContent()).toBe('0');

    const demo = await newPage();
    await demo.goto(demoUrl);
    await sdkLoaded(demo);
    // The live panel follows the SDK's delivery reports: the click is captured, then acknowledged by ingest.
    const counter = (name: string) => async () => Number(await demo.locator(`#count-${name}`).textContent());
    await demo.click('#demo-button');
    await expect.poll(counter('captured')).toBeGreaterThanOrEqual(2); // the page view and the click
    expect(await demo.locator('#event-log li.captured').first().textContent()).toBe('captured click “Click me”');
    await expect.poll(counter('acknowledged'), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(await counter('sent')()).toBeGreaterThanOrEqual(2);
    await demo.fill('#demo-text', 'hello world');
    await demo.click('h1');
    await demo.check('#demo-checkbox');
    await demo.screenshot({ path: join(artifacts, 'recording-page.png'), fullPage: true });

    await dashboard.check('input[name=live]');
    for (const type of ['click', 'input', 'change'])
      await rows(dashboard, type).first().waitFor({ timeout: VISIBLE_WITHIN_MS });
    await expect.poll(() => rows(dashboard).count()).toBe(4);
    expect(await rows(dashboard, 'pageview').count()).toBe(1);

    const cells = async (type: string) => (await rows(dashboard, type).locator('td').allTextContents()).join(' | ');
    expect(await cells('click')).toContain('#demo-button');
    expect(await cells('click')).toContain('Click me');
    expect(await cells('input')).toContain('#demo-text');
    expect(await rows(dashboard, 'input').locator('.detail').textContent()).toBe('11 characters');
    expect(await cells('change')).toContain('#demo-checkbox');
    expect(await rows(dashboard, 'change').locator('.detail').textContent()).toBe('checked');
    expect(await cells('click')).not.toContain('hello world');
    const sessions = await rows(dashboard)
      .locator('td.session')
      .evaluateAll((tds) => tds.map((td) => td.getAttribute('title')));
    expect(new Set(sessions).size).toBe(1);

    await expect.poll(() => dashboard.getByTestId('chart-total').textContent(), { timeout: 10_000 }).toBe('4');
    await expect.poll(() => dashboard.getByTestId('top-elements').textContent()).toContain('#demo-checkbox');
    await dashboard.screenshot({ path: join(artifacts, 'analyze-page.png'), fullPage: true });

    await demo.click('#flush-now');
    await expect
      .poll(() => demo.locator('#flush-result').textContent())
      .toMatch(/^Ingest acknowledged \d+ event\(s\); 0 still queued\.$/);
    await expect
      .poll(async () => [
        await counter('captured')(),
        await counter('acknowledged')(),
        await counter('queued')(),
        await counter('dropped')(),
      ])
      .toEqual([4, 4, 0, 0]);
    await Promise.all([demo.close(), dashboard.close()]);
  });

  it('keeps events outside the From/To range out of the table', async () => {
    const marker = uniqueName('range').replace(/-/g, '');
    const now = Date.now();
    const at = (ms: number, label: string) =>
      sampleEvent({
        timestamp: ms,
        id: uniqueName(label).replace(/-/g, '_'),
        element: { tag: 'button', selector: `#${label}`, text: `${marker} ${label}` },
      });
    const [before, inside, after] = [
      at(now - 3 * HOUR, 'before'),
      at(now - 2 * HOUR, 'inside'),
      at(now - HOUR, 'after'),
    ];
    await sendThroughIngest([before, inside, after]);

    const page = await newPage();
    await page.goto(`${dashboardUrl}/events?from=-4h&q=${marker}&live=1`);
    await expect.poll(() => rows(page).count(), { timeout: VISIBLE_WITHIN_MS }).toBe(3);

    // Through the pickers, in the browser's own time zone, with 30 minutes of margin on each side.
    const local = (ms: number) =>
      page.evaluate((t) => {
        const d = new Date(t);
        const pad = (n: number) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
      }, ms);
    await page.uncheck('input[name=live]');
    await page.fill('input[name=from]', await local(now - 2.5 * HOUR));
    await page.fill('input[name=to]', await local(now - 1.5 * HOUR));
    await expect.poll(() => page.url()).toContain('to=');
    await expect
      .poll(async () => (await rows(page).locator('td:nth-child(3)').allTextContents()).join(','), {
        timeout: VISIBLE_WITHIN_MS,
      })
      .toBe(`#inside${marker} inside`);
    const url = new URL(page.url());
    expect(Date.parse(url.searchParams.get('from')!)).toBeLessThan(now - 2 * HOUR);
    expect(Date.parse(url.searchParams.get('to')!)).toBeGreaterThan(now - 2 * HOUR);

    // The CSV export holds the same events as the table.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.export')]);
    expect(download.suggestedFilename()).toMatch(/^eventline-events-.*\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain(`${marker} inside`);

    // The shared link opens the same view.
    const shared = await newPage();
    await shared.goto(page.url());
    await expect.poll(() => rows(shared).count(), { timeout: VISIBLE_WITHIN_MS }).toBe(1);
    await Promise.all([page.close(), shared.close()]);
  });

  it('renders an event whose text is markup as literal text', async () => {
    const marker = uniqueName('xss').replace(/-/g, '');
    await sendThroughIngest([
      sampleEvent({
        id: uniqueName('xss').replace(/-/g, '_'),
        element: { tag: 'button', selector: `button.${marker}`, text: XSS },
      }),
    ]);
    const page = await newPage();
    await page.goto(`${dashboardUrl}/events?from=-15m&q=${marker}&live=1`);
    const row = rows(page).first();
    await row.waitFor({ timeout: VISIBLE_WITHIN_MS });
    expect(await row.locator('.element .text').textContent()).toBe(XSS);
    expect(await page.locator('[data-testid=events-table] img').count()).toBe(0);
    await row.click();
    expect(await page.locator('tr.details pre').textContent()).toContain(XSS);
    expect(await page.getByTestId('top-elements').locator('code').first().textContent()).toBe(`button.${marker}`);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'analyze-xss.png'), fullPage: true });
    await page.close();
  });

  it('delivers a custom event from the npm page, which bundles the ESM build of the SDK', async () => {
    const page = await newPage();
    await page.goto(`${demoUrl}/npm`);
    await page.click('#api-track');
    await page.click('#api-flush');
    await expect
      .poll(() => page.locator('#api-log li').first().textContent())
      .toMatch(/^flush\(\) → delivered \d+, pending 0$/);
    await expect
      .poll(() => page.locator('#api-reports').textContent())
      .toMatch(/^captured 2 · queued 2 · sent 2 · delivered 2$/);
    await page.screenshot({ path: join(artifacts, 'npm-page.png'), fullPage: true });
    const found = async () => {
      const response = await fetch(
        `${dashboardUrl}/api/events?from=-15m&type=custom&q=${encodeURIComponent('Plan Selected')}`,
        { headers: { authorization: 'Bearer eventline-local-dashboard' } },
      );
      const body = (await response.json()) as {
        events: { name: string; page: { path?: string }; properties?: Record<string, unknown> }[];
      };
      return body.events.map((e) => ({ name: e.name, path: e.page.path, properties: e.properties }));
    };
    await expect
      .poll(found, { timeout: VISIBLE_WITHIN_MS })
      .toEqual([{ name: 'Plan Selected', path: '/npm', properties: { plan: 'pro' } }]);
    await page.close();
  });
});

describe('a visit on the demo site in the Analyze view (read API v2)', () => {
  useStack('e2e-analyze');
  const visitors: BrowserContext[] = [];
  afterAll(async () => {
    await Promise.all(visitors.map((context) => context.close()));
  });

  /** Waits until the live panel says ingest acknowledged every event the page captured; returns how many. */
  async function allAcknowledged(page: Page): Promise<number> {
    await page.click('#flush-now');
    const count = async (name: string) => Number(await page.locator(`#count-${name}`).textContent());
    let acknowledged = 0;
    await eventually('ingest to acknowledge every captured event', async () => {
      const [captured = 0, sent = 0, queued] = await Promise.all(['captured', 'acknowledged', 'queued'].map(count));
      acknowledged = sent;
      return captured > 0 && sent === captured && queued === 0;
    });
    return acknowledged;
  }

  /**
   * A new visitor (a browser context of its own, with a person's user agent: isbot counts headless Chromium as a
   * bot) goes from the home page through the shop tabs in `route`; returns how many events ingest acknowledged.
   * The page stays open, so no page leave is beaconed while the dashboard is read.
   */
  async function visit(route: (page: Page) => Promise<void>): Promise<number> {
    const userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${browser.version()} Safari/537.36`;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent });
    visitors.push(context);
    const page = await context.newPage();
    await page.goto(demoUrl);
    await sdkLoaded(page);
    await route(page);
    return allAcknowledged(page);
  }

  const openTab = async (page: Page, path: string) => {
    await page.click(`nav.tabs a[data-route="${path}"]`);
    await page.locator(`[data-view="${path}"]`).waitFor();
  };

  it('shows the visits’ key figures, pages, elements by label and a funnel built in the UI', async () => {
    // Visitor 1 buys: home → Products → Add to cart. Visitor 2 browses: home → Products → About.
    // 2 visitors and 5 page views; the events are those and the clicks, and a page leave per route change.
    const events =
      (await visit(async (page) => {
        await openTab(page, '/products');
        await page.click('button[data-track-product="backpack"]');
      })) +
      (await visit(async (page) => {
        await openTab(page, '/products');
        await openTab(page, '/about');
      }));
    expect(events).toBe(12);

    const dashboard = await newPage();
    // Live: the answers are asked again every few seconds until the rollup worker has counted the hour.
    await dashboard.goto(`${dashboardUrl}/?site=${DEMO_SITE}&range=7d&tz=UTC&live=1`);
    const figures = () =>
      Promise.all(
        ['visitors', 'pageviews', 'events'].map((metric) =>
          dashboard.getByTestId(`figure-${metric}-value`).textContent(),
        ),
      );
    await eventually(
      'the key figures to show 2 visitors, 5 page views and 12 events',
      async () => (await figures()).join(',') === '2,5,12',
    );
    /** A breakdown's rows as `value: count`, in their order. */
    const breakdown = (dimension: string) =>
      dashboard
        .getByTestId(`breakdown-${dimension}`)
        .locator('li[data-value]')
        .evaluateAll((rows) =>
          rows.map((row) => `${row.getAttribute('data-value')}: ${row.querySelector('.count')?.textContent}`),
        );
    const shows = async (what: string, dimension: string, expected: string[]) => {
      let seen: string[] = [];
      await eventually(
        `${what} to list ${expected.join(', ')}`,
        async () => (seen = await breakdown(dimension)).join('|') === expected.join('|'),
      ).catch((error: Error) => {
        throw new Error(`${error.message}; it lists ${seen.join(', ')}`);
      });
    };
    // By visitors, the chart's metric.
    await shows('the pages breakdown', 'path', ['/: 2', '/products: 2', '/about: 1']);
    // Page views are events without an element: (none).
    await shows('the elements breakdown', 'label', ['(none): 2', 'Products: 2', 'About: 1', 'Add to cart: 1']);
    // The label is what a person reads; the selector is shown on hover.
    const addToCart = dashboard
      .getByTestId('breakdown-label')
      .getByRole('button', { name: /Filter by Elements: Add to cart/ });
    await addToCart.hover();
    await eventually('the element’s selector on hover', async () =>
      /^Add to cart · \S+/.test((await addToCart.getAttribute('title')) ?? ''),
    );

    const stepValue = dashboard.locator('input[name="step-value"]');
    const steps = dashboard.getByRole('list', { name: 'Steps' }).locator('li .step-name');
    for (const [i, [kind, value]] of (
      [
        ['pageview', '/'],
        ['pageview', '/products'],
        ['click', 'Add to cart'],
      ] as const
    ).entries()) {
      await dashboard.locator('select[name="step-kind"]').selectOption(kind);
      await stepValue.fill(value);
      await dashboard.getByRole('button', { name: 'Add step' }).click();
      // As a person would, the next step is added once this one shows in the list.
      await eventually(`step ${i + 1} (${kind} ${value}) in the list`, async () => (await steps.count()) === i + 1);
    }
    const actors = dashboard.getByTestId('funnel-result').getByTestId('funnel-actors');
    let shown: string[] = [];
    await eventually(
      'the funnel to show 2, 2 and 1 sessions',
      async () => (shown = await actors.allTextContents()).join('|') === '2 · 100%|2 · 100%|1 · 50%',
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}; steps ${(await steps.allTextContents()).join(' → ')}, it shows ${shown.join(', ')}`,
      );
    });
    expect(await dashboard.getByTestId('funnel-result').textContent()).toContain('1 dropped off (50%)');
    await dashboard.screenshot({ path: join(artifacts, 'analyze-v2-after-visits.png'), fullPage: true });
    expect(dialogs).toEqual([]);
    await dashboard.close();
  });
});
