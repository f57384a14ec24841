// The Analyze view on the read API v2 in real Chromium, against InfluxDB seeded
// with raw events placed by the consumer's own code and rollups computed by the
// rollup worker's own code: key figures against the previous period, a
// breakdown, chips in the URL, a funnel, completeness per chart bucket, share
// links, hostile values, axe in light and dark mode at 1400 and 375 px, and
// screenshots for the README.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { RETENTION, SEQUENCE_ROLLUP, type EnrichedEvent } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import type { BucketCompletenessResponse } from '@eventline/contract/read-api';
import { createInfluxQL } from '@eventline/rollup/influxql';
import { readSequenceHours } from '@eventline/rollup/sequence-reader';
import { createTestBucket, testInfra, uniqueName } from '@eventline/testkit';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULT_TOKEN } from '../src/server/config.ts';
import { shareKeys, signShare } from '../src/server/share-links.ts';
import { storeRolledUp } from './rolled-up.ts';
import { serveUi } from './served-ui.ts';

const MINUTE = 60_000;
/** The page loads and queries on a shared, busy machine: wait for what it shows, up to 20 s. */
const POLL = { timeout: 20_000 };
const DAY1 = Date.UTC(2026, 10, 2, 10);
const DAY2 = Date.UTC(2026, 10, 3, 15);
const BEFORE = Date.UTC(2026, 9, 31, 12);
/** Two whole UTC days, compared with the two before. */
const VIEW = 'range=custom&start=2026-11-02&end=2026-11-03&tz=UTC';
const XSS = {
  path: '/<img src=x onerror="window.__xss=1">',
  label: '<script>window.__xss=1</script>Buy',
  name: '"><svg onload="window.__xss=1">',
};
const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));

let seq = 0;
function event(
  site: string,
  at: number,
  who: { visitor: string; session: string; device: string; referrer?: string; bot?: boolean },
  what: { type: 'pageview' | 'click' | 'custom'; path: string; label?: string; name?: string },
): EnrichedEvent {
  return {
    event: sampleEvent({
      id: `${site}-${String(seq++).padStart(4, '0')}`,
      type: what.type,
      name: what.name ?? what.type,
      timestamp: at,
      seq,
      anonymousId: who.visitor,
      sessionId: who.session,
      page: { url: `https://shop.example${what.path}`, path: what.path, referrer: who.referrer },
      element:
        what.type === 'click'
          ? { tag: 'button', selector: `main>button.${what.label === 'Buy now' ? 'buy' : 'other'}`, text: what.label }
          : undefined,
    }),
    site,
    receivedAt: at + 10,
    eventTime: at,
    userAgent: {
      browser: 'Chrome',
      os: who.device === 'mobile' ? 'Android' : 'Linux',
      device: who.device,
      ...(who.bot ? { bot: true } : {}),
    },
  };
}

/** 4 visitors, 5 sessions, 8 page views, 12 events; a funnel / → /pricing → Buy now that 4, 2 and 1 sessions reach. */
function seedEventsOf(site: string): EnrichedEvent[] {
  const a = { visitor: 'visitor-a', session: 'a1', device: 'mobile', referrer: 'https://www.google.com/' };
  const b = { visitor: 'visitor-b', session: 'b1', device: 'desktop', referrer: 'https://news.example/x' };
  const c = { visitor: 'visitor-c', session: 'c1', device: 'desktop' };
  const d1 = { visitor: 'visitor-d', session: 'd1', device: 'mobile', referrer: 'https://www.google.com/' };
  const d2 = { ...d1, session: 'd2' };
  const e = { visitor: 'visitor-e', session: 'e1', device: 'desktop' };
  const m = (n: number) => n * MINUTE;
  return [
    event(site, DAY1 + m(0), a, { type: 'pageview', path: '/' }),
    event(site, DAY1 + m(1), a, { type: 'pageview', path: '/pricing' }),
    event(site, DAY1 + m(2), a, { type: 'click', path: '/pricing', label: 'Buy now' }),
    event(site, DAY1 + m(10), b, { type: 'pageview', path: '/' }),
    event(site, DAY1 + m(11), b, { type: 'pageview', path: '/pricing' }),
    event(site, DAY1 + m(12), b, { type: 'click', path: '/pricing', label: 'Contact' }),
    event(site, DAY1 + m(20), c, { type: 'pageview', path: '/' }),
    event(site, DAY1 + m(21), c, { type: 'pageview', path: XSS.path }),
    event(site, DAY1 + m(22), c, { type: 'click', path: XSS.path, label: XSS.label }),
    event(site, DAY1 + m(23), c, { type: 'custom', path: XSS.path, name: XSS.name }),
    event(site, DAY1 + m(30), d1, { type: 'pageview', path: '/' }),
    event(site, DAY2, d2, { type: 'pageview', path: '/pricing' }),
    // A crawler: counted apart, drawn on the chart as bots.
    event(
      site,
      DAY2,
      { visitor: 'crawler', session: 'x1', device: 'desktop', bot: true },
      { type: 'pageview', path: '/' },
    ),
    // The period before: one visitor.
    event(site, BEFORE, e, { type: 'pageview', path: '/' }),
  ];
}

/** One tab numbering its page views 0, 1, then 4, 5: numbers 2 and 3 never arrived, captured after 10:01 on day 1. */
function gappedEventsOf(site: string): EnrichedEvent[] {
  const who = { visitor: 'visitor-g', session: 'g1', device: 'desktop' };
  return [
    [0, 0],
    [1, 1],
    [4, 60],
    [5, 65],
  ].map(([number, minute]) => {
    const e = event(site, DAY1 + minute! * MINUTE, who, { type: 'pageview', path: '/' });
    return { ...e, event: { ...e.event, seq: number! } };
  });
}

describe('the Analyze view (read API v2)', () => {
  let app: FastifyInstance;
  let browser: Browser;
  let close: () => Promise<void>;
  let baseUrl: string;
  const site = uniqueName('shop');
  const other = uniqueName('blog');
  const gappy = uniqueName('gaps');

  let bucket: string;

  beforeAll(async () => {
    bucket = await createTestBucket('dashboard-analyze-v2');
    const events = [
      ...seedEventsOf(site),
      event(
        other,
        DAY1,
        { visitor: 'blog-reader', session: 'z1', device: 'desktop' },
        { type: 'pageview', path: '/blog' },
      ),
      ...gappedEventsOf(gappy),
    ];
    await storeRolledUp(bucket, events);
    ({ app, baseUrl, browser, close } = await serveUi(bucket));
    mkdirSync(artifacts, { recursive: true });
  }, 180_000);
  afterAll(() => close?.());

  async function withPage(
    run: (page: Page, requested: string[]) => Promise<void>,
    options: { width?: number; colorScheme?: 'light' | 'dark' } = {},
  ): Promise<void> {
    // A context of its own: axe needs one.
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1400, height: 1000 },
      locale: 'en-US',
      timezoneId: 'UTC',
      colorScheme: options.colorScheme ?? 'light',
    });
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    try {
      await run(page, requested);
      expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    } finally {
      await context.close();
    }
  }

  const figure = (page: Page, metric: string) => page.getByTestId(`figure-${metric}-value`).textContent();
  const breakdownValues = (page: Page, dimension: string) =>
    page
      .getByTestId(`breakdown-${dimension}`)
      .locator('li[data-value]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-value')));

  it('offers the sites to choose from, and each view asks only for what it shows', async () => {
    await withPage(async (page, requested) => {
      const rawAsked = () =>
        requested.map((url) => new URL(url).pathname).filter((p) => p.startsWith('/api/') && !p.startsWith('/api/v2/'));
      await page.goto(`${baseUrl}/?${VIEW}`);
      await page.getByTestId('choose-site').getByRole('button', { name: site, exact: true }).click();
      await expect.poll(() => figure(page, 'visitors'), POLL).toBe('4');
      expect(new URL(page.url()).searchParams.get('site')).toBe(site);
      expect(rawAsked()).toEqual([]);

      await page.getByRole('link', { name: 'Events' }).click();
      // The last hour, the Events view's default, has none of these events: its chart says so.
      await expect.poll(() => page.getByTestId('chart-total').textContent(), POLL).toBe('0');
      expect(new URL(page.url()).pathname).toBe('/events');
      expect(new URL(page.url()).searchParams.get('site')).toBe(site);
      expect(rawAsked()).toContain('/api/events');
      expect(await page.getByTestId('trend').count()).toBe(0);

      await page.goBack();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/');
      await expect.poll(() => figure(page, 'visitors'), POLL).toBe('4');

      // The zones are listed once the browser is idle: whole-hour ones only; choosing one asks again in it.
      const zone = page.locator('select[name="tz"]');
      await zone.selectOption('Europe/Paris', POLL);
      expect(await zone.locator('option[value="Asia/Kolkata"]').count()).toBe(0);
      await expect.poll(() => new URL(page.url()).searchParams.get('tz')).toBe('Europe/Paris');
      await expect
        .poll(() => requested.some((url) => url.includes('/api/v2/timeseries') && url.includes('Europe%2FParis')), POLL)
        .toBe(true);
    });
  });

  it('shows the key figures against the previous period, breakdowns, chips kept in the URL and a funnel', async () => {
    await withPage(async (page) => {
      await page.goto(`${baseUrl}/?site=${site}&${VIEW}`);
      await expect.poll(() => figure(page, 'visitors'), POLL).toBe('4');
      expect(await figure(page, 'sessions')).toBe('5');
      expect(await figure(page, 'pageviews')).toBe('8');
      expect(await figure(page, 'events')).toBe('12');
      expect(await page.getByTestId('figure-visitors-change').textContent()).toContain('+300%');
      // The chart's table alternative, per hour over two days: visitors, the period before, the crawler apart.
      await page.getByText('Show the figures as a table').click();
      const rows = page.getByTestId('trend-table').locator('tbody tr');
      await expect.poll(() => rows.count(), POLL).toBe(48);
      expect(await rows.allTextContents()).toEqual(
        // The last column is each hour's completeness: nothing expected at noon on Nov 2.
        expect.arrayContaining(['Nov 2, 10:00 AM400100 %', 'Nov 2, 12:00 PM010—', 'Nov 3, 03:00 PM101100 %']),
      );

      // Breakdowns: referrers by visitors, devices, and pages.
      await expect
        .poll(() => breakdownValues(page, 'referrer'), POLL)
        .toEqual(['google.com', '(none)', 'news.example']);
      await expect.poll(() => breakdownValues(page, 'device'), POLL).toEqual(['desktop', 'mobile']);
      await expect.poll(() => breakdownValues(page, 'path'), POLL).toContain('/pricing');

      // A row adds a chip; chips combine and are in the URL; a chip is removable.
      await page
        .getByTestId('breakdown-device')
        .getByRole('button', { name: /mobile/ })
        .click();
      await page
        .getByTestId('breakdown-referrer')
        .getByRole('button', { name: /google\.com/ })
        .click();
      await expect
        .poll(() => new URL(page.url()).searchParams.getAll('filter'))
        .toEqual(['device:mobile', 'referrer:google.com']);
      // Filtered on both: visitors a and d (sessions a1, d1, d2) came from Google on mobile.
      await expect.poll(() => figure(page, 'visitors'), POLL).toBe('2');
      expect(await figure(page, 'sessions')).toBe('3');
      await expect.poll(() => breakdownValues(page, 'device'), POLL).toEqual(['mobile']);
      await page.getByRole('button', { name: 'Remove filter Devices: mobile' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.getAll('filter')).toEqual(['referrer:google.com']);
      await page.goBack();
      await expect.poll(() => page.getByTestId('chips').locator('.chip').count()).toBe(2);
      await page.getByRole('button', { name: 'Remove filter Devices: mobile' }).click();
      await page.getByRole('button', { name: 'Remove filter Referrers: google.com' }).click();
      await expect.poll(() => figure(page, 'visitors'), POLL).toBe('4');

      // Funnel from autocompleted values.
      const stepValue = page.locator('input[name="step-value"]');
      for (const [kind, value] of [
        ['pageview', '/'],
        ['pageview', '/pricing'],
        ['click', 'Buy now'],
      ] as const) {
        await page.locator('select[name="step-kind"]').selectOption(kind);
        await stepValue.fill(value);
        await page.getByRole('button', { name: 'Add step' }).click();
      }
      expect(
        await page.locator('#step-values option').evaluateAll((o) => o.map((x) => x.getAttribute('value'))),
      ).toContain('Buy now');
      const actors = page.getByTestId('funnel-result').getByTestId('funnel-actors');
      await expect.poll(() => actors.allTextContents(), POLL).toEqual(['4 · 100%', '2 · 50%', '1 · 25%']);
      expect(new URL(page.url()).searchParams.getAll('step')).toEqual([
        'pageview:/',
        'pageview:/pricing',
        'click:Buy now',
      ]);
      await page.getByTestId('funnel-result').locator('details').nth(1).locator('summary').click();
      await expect.poll(() => page.getByTestId('funnel-result').textContent()).toContain('Clicked Contact: 1');
    });

    // The whole view opens again from its link, the funnel filtered too: sessions a1 and d1 start it on mobile.
    await withPage(async (page) => {
      await page.goto(
        `${baseUrl}/?site=${site}&${VIEW}&filter=device%3Amobile&step=pageview%3A%2F&step=pageview%3A%2Fpricing`,
      );
      await expect.poll(() => page.getByTestId('chips').textContent(), POLL).toContain('mobile');
      await expect.poll(() => figure(page, 'pageviews'), POLL).toBe('4');
      await expect
        .poll(() => page.getByTestId('funnel-actors').allTextContents(), POLL)
        .toEqual(['2 · 100%', '1 · 50%']);
    });
  });

  it('marks the hour whose sequence numbers have a gap, on the chart, in its table and in words', async () => {
    const twoDays = async () => {
      const response = await app.inject({
        url: `/api/v2/completeness?site=${gappy}&from=2026-11-02T00:00:00Z&to=2026-11-04T00:00:00Z&timezone=UTC`,
        headers: { authorization: `Bearer ${LOCAL_DEFAULT_TOKEN}` },
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as BucketCompletenessResponse;
    };
    const { interval, buckets } = await twoDays();
    expect(interval).toBe('hour');
    expect(buckets).toHaveLength(48);
    expect(buckets.filter((b) => b.expected > 0)).toEqual([
      { bucket: '2026-11-02T10', received: 2, expected: 4, missing: 2, completeness: 0.5 },
      { bucket: '2026-11-02T11', received: 2, expected: 2, missing: 0, completeness: 1 },
    ]);
    // Hours rolled up before sequence rollups existed are read from the raw events, so the range is bounded like them.
    const tooLong = await app.inject({
      url: `/api/v2/completeness?site=${gappy}&from=2026-10-01T00:00:00Z&to=2026-11-04T00:00:00Z`,
      headers: { authorization: `Bearer ${LOCAL_DEFAULT_TOKEN}` },
    });
    expect(tooLong.json()).toMatchObject({ code: 'DASHBOARD_RANGE_TOO_LARGE' });

    await withPage(async (page) => {
      await page.goto(`${baseUrl}/?site=${gappy}&${VIEW}`);
      await expect
        .poll(() => page.getByTestId('trend-incomplete').textContent(), POLL)
        .toContain('Shaded: 1 hour where 2 events never arrived (lowest 50.0 % complete)');
      await page.getByText('Show the figures as a table').click();
      const table = page.getByTestId('trend-table');
      expect(await table.locator('thead th').last().textContent()).toBe('Complete');
      const hour = (label: string) => table.locator('tbody tr', { has: page.locator('th', { hasText: label }) });
      expect(await hour('Nov 2, 10:00 AM').locator('td.incomplete').textContent()).toBe('50.0 %');
      expect(await hour('Nov 2, 11:00 AM').locator('td').last().textContent()).toBe('100 %');
      await page.getByTestId('trend').screenshot({ path: `${artifacts}trend-incomplete.png` });
    });

    // Without the sequence rollups (hours rolled up before they existed), the raw events give the same answer.
    const influxql = createInfluxQL({ url: testInfra().influxUrl, database: bucket.split('/')[0]! });
    const twoDaysOfHours = {
      site: gappy,
      from: Date.parse('2026-11-02T00:00:00Z'),
      to: Date.parse('2026-11-04T00:00:00Z'),
    };
    expect(await readSequenceHours(influxql, RETENTION.rollupPolicy, twoDaysOfHours)).not.toBeUndefined();
    await influxql.exec(
      `DELETE FROM "${SEQUENCE_ROLLUP.measurement}" WHERE "${SEQUENCE_ROLLUP.tag.site}" = '${gappy}'`,
    );
    expect(await readSequenceHours(influxql, RETENTION.rollupPolicy, twoDaysOfHours)).toBeUndefined();
    expect((await twoDays()).buckets).toEqual(buckets);
  });

  it('shows an element’s clicks, clickers and click-through, with its selector, and drills down to its events', async () => {
    await withPage(async (page) => {
      await page.goto(`${baseUrl}/?site=${site}&${VIEW}`);
      await page.getByTestId('breakdown-label').getByRole('button', { name: 'Details of Buy now' }).click();
      const panel = page.getByTestId('element-panel');
      await expect.poll(() => panel.getByTestId('element-clicks').textContent(), POLL).toBe('1');
      expect(await panel.getByTestId('element-clickers').textContent()).toBe('1');
      // One clicker of the three visitors of /pricing.
      expect(await panel.getByTestId('element-ctr').textContent()).toContain('33.3%');
      expect(await panel.textContent()).toContain('main>button.buy');
      expect(new URL(page.url()).searchParams.get('element')).toBe('Buy now');
      await panel.getByRole('button', { name: 'Show its raw events' }).click();
      await expect.poll(() => panel.locator('tr[data-event-id]').count(), POLL).toBe(1);
      expect(await panel.locator('tr[data-event-id]').getAttribute('data-type')).toBe('click');
    });
  });

  it('adds annotations shown on the chart as literal text, and removes them', async () => {
    await withPage(async (page) => {
      await page.goto(`${baseUrl}/?site=${site}&${VIEW}`);
      const form = page.locator('form[aria-label="Add a note"]');
      await form.waitFor(POLL);
      await form.locator('input[name="annotation-at"]').fill('2026-11-02T12:00');
      const text = '<img src=x onerror="window.__xss=1"> deploy';
      await form.locator('input[name="annotation-text"]').fill(text);
      await form.getByRole('button', { name: 'Add note' }).click();
      const list = page.getByTestId('annotations').locator('li[data-annotation-id]');
      await expect.poll(() => list.count(), POLL).toBe(1);
      expect(await list.locator('.annotation-text').textContent()).toBe(text);
      expect(await page.getByTestId('annotations').locator('img').count()).toBe(0);
      expect(await list.textContent()).not.toContain('outside the chart');
      await list.getByRole('button', { name: /Remove note/ }).click();
      await expect.poll(() => list.count(), POLL).toBe(0);
    });
  });

  it('renders hostile labels, paths and event names as text', async () => {
    await withPage(async (page) => {
      await page.goto(`${baseUrl}/?site=${site}&${VIEW}&metric=events`);
      await expect.poll(() => breakdownValues(page, 'label'), POLL).toContain(XSS.label);
      expect(await breakdownValues(page, 'path')).toContain(XSS.path);
      expect(await breakdownValues(page, 'name')).toContain(XSS.name);
      expect(await page.getByTestId('breakdown-label').textContent()).toContain(XSS.label);
      expect(await page.locator('main img, main script:not([src]), main svg[onload]').count()).toBe(0);
    });
  });

  it('opens a share link with only its site, without the admin token in any URL, and refuses a tampered or expired one', async () => {
    const made = await app.inject({
      method: 'POST',
      url: '/api/shares',
      headers: { authorization: `Bearer ${LOCAL_DEFAULT_TOKEN}` },
      payload: { site, expiresInDays: 7 },
    });
    expect(made.statusCode).toBe(201);
    const { path, token } = made.json<{ path: string; token: string }>();

    await withPage(async (page, requested) => {
      await page.goto(`${baseUrl}${path.replace('#', `&${VIEW}#`)}`);
      await expect.poll(() => figure(page, 'visitors'), POLL).toBe('4');
      expect(await page.getByTestId('shared-banner').textContent()).toContain(`Shared view of ${site}, until`);
      expect(await page.locator('input[name="v2-site"]').getAttribute('readonly')).not.toBeNull();
      expect(await page.getByRole('button', { name: 'Share' }).count()).toBe(0);
      expect(await page.locator('form[aria-label="Add a note"]').count()).toBe(0);
      // The API refuses the other site to this link, and the page never asks for it.
      const apiCalls = requested.filter((url) => new URL(url).pathname.startsWith('/api/'));
      expect(apiCalls.length).toBeGreaterThan(5);
      for (const url of apiCalls) expect(new URL(url).searchParams.get('site')).toBe(site);
      for (const url of requested) {
        expect(url).not.toContain(LOCAL_DEFAULT_TOKEN);
        expect(url).not.toContain(token);
      }
    });

    // A link with filters: they hold on every answer and stay as chips; raw events (unfilterable) are not asked.
    const filtered = await app.inject({
      method: 'POST',
      url: '/api/shares',
      headers: { authorization: `Bearer ${LOCAL_DEFAULT_TOKEN}` },
      payload: { site, filters: ['device:mobile'], expiresInDays: 1 },
    });
    expect(filtered.statusCode).toBe(201);
    await withPage(async (page, requested) => {
      await page.goto(`${baseUrl}${filtered.json<{ path: string }>().path.replace('#', `&${VIEW}#`)}`);
      await expect.poll(() => figure(page, 'visitors'), POLL).toBe('2');
      expect(await page.getByTestId('chips').textContent()).toContain('mobile');
      expect(await page.getByRole('button', { name: /Remove filter/ }).count()).toBe(0);
      await page.getByRole('link', { name: 'Events' }).click();
      await page.getByTestId('raw-hidden').waitFor(POLL);
      expect(new URL(page.url()).pathname).toBe('/events');
      const paths = requested.map((url) => new URL(url).pathname);
      expect(paths.filter((p) => p.startsWith('/api/') && !p.startsWith('/api/v2/'))).toEqual([]);
      expect(await page.locator('.state.error').count()).toBe(0);
    });

    const tampered = `${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const expired = await signShare(shareKeys([], LOCAL_DEFAULT_TOKEN), {
      site,
      filters: [],
      expiresAt: Date.now() - 60_000,
    });
    for (const bad of [tampered, expired]) {
      await withPage(async (page) => {
        await page.goto(`${baseUrl}/analyze?site=${site}#share=${bad}`);
        await expect.poll(() => page.getByTestId('share-refused').count(), POLL).toBe(1);
        expect(await page.getByTestId('share-refused').textContent()).toMatch(/link|expired|share/i);
        expect(await page.locator('input[name="token"]').count()).toBe(0);
      });
    }
  });

  it('makes a share link from the dialog with the view in it', async () => {
    await withPage(async (page, requested) => {
      await page.goto(`${baseUrl}/?site=${site}&${VIEW}&filter=device%3Amobile`);
      await page.getByRole('button', { name: 'Share' }).click();
      await page.locator('select[name="expires"]').selectOption('30');
      await page.getByRole('button', { name: 'Create link' }).click();
      const link = await page.locator('input[name="share-url"]').inputValue();
      expect(link).toMatch(
        new RegExp(`^${baseUrl}/analyze\\?site=${site}&filter=device%3Amobile&.*range=custom.*#share=`),
      );
      expect(new URL(link).searchParams.getAll('filter')).toEqual(['device:mobile']);
      for (const url of requested) expect(url).not.toContain(LOCAL_DEFAULT_TOKEN);
    });
  });

  for (const colorScheme of ['light', 'dark'] as const)
    for (const width of [1400, 375])
      it(`has no serious or critical axe violations in ${colorScheme} mode at ${width} px, and no horizontal scroll`, async () => {
        await withPage(
          async (page) => {
            await page.goto(
              `${baseUrl}/?site=${site}&${VIEW}&step=pageview%3A%2F&step=pageview%3A%2Fpricing&filter=device%3Amobile&element=Buy%20now`,
            );
            // Mobile only: visitors a and d.
            await expect.poll(() => figure(page, 'visitors'), POLL).toBe('2');
            await expect.poll(() => page.getByTestId('funnel-actors').count(), POLL).toBe(2);
            await expect.poll(() => page.locator('[aria-busy="true"]').count(), POLL).toBe(0);
            const results = await new AxeBuilder({ page }).analyze();
            const serious = results.violations
              .filter((v) => v.impact === 'serious' || v.impact === 'critical')
              .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
            expect(serious).toEqual([]);
            // The elements that stick out, named, when anything does.
            const wide = await page.evaluate((limit) => {
              if (document.documentElement.scrollWidth <= limit) return [];
              return [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > limit + 0.5)
                .slice(0, 8)
                .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`);
            }, width);
            expect(wide).toEqual([]);
            await page.screenshot({ path: `${artifacts}analyze-${width}-${colorScheme}.png`, fullPage: true });
          },
          { width, colorScheme },
        );
      });
});
