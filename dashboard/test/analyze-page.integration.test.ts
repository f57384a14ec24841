// The Analyze page in real Chromium against seeded InfluxDB: the time pickers
// in live mode, the URL and the browser history, multi-type links, the chart's
// hover readout and a CSV export longer than one file may hold.
import { readFileSync } from 'node:fs';
import { createTestBucket, testInfra } from '@eventline/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickAt, seedEvents, type SeedEvent } from './seed.ts';
import { serveUi } from './served-ui.ts';

const MINUTE = 60_000;
/** The page loads and queries on a shared, busy machine: wait for what it shows, up to 15 s. */
const POLL = { timeout: 15_000 };
/** Most rows one export holds (the read API's limit, which the page asks for). */
const EXPORT_ROWS = 10_000;

describe('the Analyze page', () => {
  let browser: Browser;
  let close: () => Promise<void>;
  let baseUrl: string;
  const now = Date.now();
  // An old, busy hour: more events than one export holds.
  const busyFrom = now - 3 * 24 * 60 * MINUTE;
  const busyRange = `from=${new Date(busyFrom).toISOString()}&to=${new Date(busyFrom + 60 * MINUTE).toISOString()}`;

  beforeAll(async () => {
    const bucket = await createTestBucket('dashboard-analyze');
    const recent: SeedEvent[] = [
      { event: clickAt(now - 20 * MINUTE, { type: 'click', name: 'click', seq: 0 }) },
      { event: clickAt(now - 15 * MINUTE, { type: 'input', name: 'input', seq: 1 }) },
      { event: clickAt(now - 10 * MINUTE, { type: 'pageview', name: 'pageview', seq: 2 }) },
    ];
    const busy = Array.from({ length: EXPORT_ROWS + 1 }, (_, i): SeedEvent => ({
      event: clickAt(busyFrom + MINUTE + i * 100, { seq: i }),
    }));
    await seedEvents(testInfra().influxUrl, bucket, [...recent, ...busy]);
    ({ baseUrl, browser, close } = await serveUi(bucket));
  }, 120_000);
  afterAll(() => close?.());

  async function withPage(
    run: (page: Page) => Promise<void>,
    options: { timezoneId?: string; locale?: string } = {},
  ): Promise<void> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US', ...options });
    try {
      await run(page);
    } finally {
      await page.close();
    }
  }

  it('leaves a half-typed From time alone while live mode refreshes, and shows the filter again on blur', async () => {
    await withPage(async (page) => {
      let eventRequests = 0;
      page.on('request', (request) => void (new URL(request.url()).pathname === '/api/events' && eventRequests++));
      await page.goto(`${baseUrl}/events?live=1`);
      await expect.poll(() => page.locator('tr[data-event-id]').count(), POLL).toBe(3);
      const from = page.locator('input[name="from"]');
      const shown = await from.inputValue();
      expect(shown).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
      // Clearing one part of the date leaves the picker without a value: the viewer is mid-edit.
      await from.click();
      await page.keyboard.press('Backspace');
      expect(await from.inputValue()).toBe('');
      const before = eventRequests;
      await expect.poll(() => eventRequests, POLL).toBeGreaterThan(before);
      await expect.poll(() => page.locator('[aria-busy="true"]').count(), POLL).toBe(0);
      expect(await from.inputValue()).toBe('');
      await page.locator('h2').first().click();
      await expect.poll(() => from.inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
      expect(new URL(page.url()).searchParams.get('from')).toBeNull();
    });
  });

  it('keeps a multi-type link, drops unknown types, and rewrites the link in place rather than adding history', async () => {
    let baseline = 0;
    await withPage(async (page) => {
      await page.goto(`${baseUrl}/events?type=click%2Cinput`);
      baseline = await page.evaluate(() => history.length);
    });
    await withPage(async (page) => {
      const typesAsked: (string | null)[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.pathname.startsWith('/api/') && url.pathname !== '/api/completeness')
          typesAsked.push(url.searchParams.get('type'));
      });
      await page.goto(`${baseUrl}/events?type=input,bogus,click,input`);
      await expect.poll(() => page.locator('tr[data-event-id]').count(), POLL).toBe(2);
      expect(
        await page.locator('tr[data-event-id]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type'))),
      ).toEqual(['input', 'click']);
      expect(new URL(page.url()).search).toBe('?type=click%2Cinput');
      expect(await page.evaluate(() => history.length)).toBe(baseline);
      expect(await page.locator('select[name="type"]').inputValue()).toBe('click,input');
      expect(new Set(typesAsked)).toEqual(new Set(['click,input']));
      expect(await page.locator('.state.error').count()).toBe(0);
    });
  });

  it('adds one history entry for a search however long it is typed, and one per filter change', async () => {
    await withPage(async (page) => {
      await page.goto(`${baseUrl}/events`);
      await expect.poll(() => page.locator('tr[data-event-id]').count(), POLL).toBe(3);
      const start = await page.evaluate(() => history.length);
      // Slower than the search box's debounce, so every keystroke reaches the URL.
      await page.locator('input[name="q"]').pressSequentially('clickx', { delay: 450 });
      await expect.poll(() => new URL(page.url()).searchParams.get('q'), POLL).toBe('clickx');
      expect(await page.evaluate(() => history.length)).toBe(start + 1);
      await page.getByRole('button', { name: '24 h' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('from')).toBe('-24h');
      expect(await page.evaluate(() => history.length)).toBe(start + 2);

      await page.goBack();
      await expect.poll(() => new URL(page.url()).search).toBe('?q=clickx');
      expect(await page.locator('input[name="q"]').inputValue()).toBe('clickx');
      await page.goBack();
      await expect.poll(() => new URL(page.url()).search).toBe('');
      await expect.poll(() => page.locator('tr[data-event-id]').count(), POLL).toBe(3);
      await page.goForward();
      await expect.poll(() => new URL(page.url()).search).toBe('?q=clickx');
      // Back and Forward rewrite nothing: the entry after this one is still there.
      await page.goForward();
      await expect.poll(() => new URL(page.url()).search).toBe('?from=-24h&q=clickx');
    });
  });

  it('shows UTC beside the viewer’s time when hovering the chart', async () => {
    await withPage(
      async (page) => {
        await page.goto(`${baseUrl}/events`);
        const over = page.locator('.chart .u-over');
        await over.waitFor(POLL);
        await over.hover();
        const readout = page.locator('.chart .u-legend .u-series').first().locator('.u-value');
        await expect.poll(() => readout.textContent(), POLL).toMatch(/\(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\)$/);
        const [, localHour, utcHour] = /(\d{2}):\d{2}:\d{2}.*\(\d{4}-\d{2}-\d{2} (\d{2}):\d{2}:\d{2} UTC\)$/.exec(
          (await readout.textContent())!,
        )!;
        expect((Number(utcHour) + 9) % 24).toBe(Number(localHour));
      },
      // A 24-hour clock nine hours ahead of UTC, so the two times in the readout differ in a known way.
      { timezoneId: 'Asia/Tokyo', locale: 'en-GB' },
    );
  });

  it('tells the viewer when a CSV export holds only the newest events of the range', async () => {
    await withPage(async (page) => {
      await page.goto(`${baseUrl}/events?${busyRange}`);
      await expect.poll(() => page.getByTestId('chart-total').textContent(), POLL).toBe(String(EXPORT_ROWS + 1));
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 60_000 }),
        page.getByRole('button', { name: 'Export CSV' }).click(),
      ]);
      const lines = readFileSync((await download.path())!, 'utf8')
        .trimEnd()
        .split('\r\n');
      expect(lines).toHaveLength(1 + EXPORT_ROWS);
      await expect
        .poll(() => page.getByTestId('export-truncated').textContent(), POLL)
        .toContain('newest 10,000 events only');

      // A range the export holds whole says nothing.
      await page.getByRole('button', { name: '1 h' }).click();
      await expect.poll(() => page.locator('tr[data-event-id]').count(), POLL).toBe(3);
      const [whole] = await Promise.all([
        page.waitForEvent('download', { timeout: 60_000 }),
        page.getByRole('button', { name: 'Export CSV' }).click(),
      ]);
      expect(
        readFileSync((await whole.path())!, 'utf8')
          .trimEnd()
          .split('\r\n'),
      ).toHaveLength(1 + 3);
      expect(await page.getByTestId('export-truncated').count()).toBe(0);
    });
  });
});
