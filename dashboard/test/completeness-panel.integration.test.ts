import { createTestBucket, testInfra } from '@eventline/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickAt, seedEvents, type SeedEvent } from './seed.ts';
import { serveUi } from './served-ui.ts';

const MINUTE = 60_000;
const T = Date.UTC(2026, 0, 15, 12, 0, 0);
const FROM = T - 60 * MINUTE;
/** The page loads and queries on a shared, busy machine: wait for what it shows, up to 15 s. */
const POLL = { timeout: 15_000 };

function session(sessionId: string, site: string, start: number, seqs: number[]): SeedEvent[] {
  return seqs.map((seq, i) => ({ site, event: clickAt(start + i * MINUTE, { sessionId, seq }) }));
}

describe('data completeness panel on the Analyze page', () => {
  let browser: Browser;
  let close: () => Promise<void>;
  let baseUrl: string;

  beforeAll(async () => {
    const bucket = await createTestBucket('dashboard-completeness-ui');
    const copied = session('dup', 'shop', FROM + 30 * MINUTE, [0, 1])[0]!;
    await seedEvents(testInfra().influxUrl, bucket, [
      ...session('whole', 'shop', FROM + MINUTE, [0, 1, 2, 3]),
      ...session('holes', 'shop', FROM + 10 * MINUTE, [0, 1, 4, 5, 9]),
      { ...copied, event: { ...copied.event, seq: 2 } },
      { ...copied, event: { ...copied.event, seq: 2 }, eventTime: copied.event.timestamp + 500 },
      ...session('blog-whole', 'blog', FROM + 40 * MINUTE, [0, 1, 2]),
      // Two senders numbering one session: the second one's 1 is another event with a number already taken.
      ...session('tabs', 'shop', FROM + 50 * MINUTE, [0, 1]),
      ...session('tabs', 'shop', FROM + 50.5 * MINUTE, [1]),
    ]);
    ({ baseUrl, browser, close } = await serveUi(bucket));
  }, 120_000);
  afterAll(() => close?.());

  it('shows received / expected, missing, sessions with gaps, duplicates and reused numbers for the range, and follows the site filter', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${baseUrl}/events?from=${new Date(FROM).toISOString()}&to=${new Date(T).toISOString()}`);
      const panel = page.getByTestId('completeness');
      const text = (id: string) => panel.getByTestId(id).textContent();
      // shop: whole 4/4, holes 5/10, dup 1/1 (seq 2 stored twice), tabs 3 events for 2 numbers; blog: 3/3 → 16 of 20, 5 missing.
      await expect.poll(() => text('completeness-received'), POLL).toBe('16 / 20');
      expect(await text('completeness-ratio')).toBe('75.0 %');
      expect(await text('completeness-missing')).toBe('5');
      expect(await text('completeness-sessions')).toBe('1 of 5');
      expect(await text('completeness-duplicates')).toBe('1');
      expect(await text('completeness-reused')).toBe('1');
      expect(await text('completeness-verdict')).toMatch(/^1 event stored twice\. Counts in this range are too high/);
      expect(await panel.locator('table.sites tbody tr').count()).toBe(2);
      expect(await panel.locator('table.sites tbody tr').first().locator('td').allTextContents()).toEqual([
        'blog',
        '100 %',
        '3 / 3',
        '0',
        '0',
        '0',
      ]);
      await panel.locator('details.gaps summary').click();
      expect(await panel.locator('tr[data-session-id="holes"] td').allTextContents()).toEqual([
        'shop',
        'holes',
        '0–9',
        '5',
        '2–3, 6–8',
      ]);
      await panel.locator('details.reused summary').click();
      expect(await panel.locator('details.reused tr[data-session-id="tabs"] td').allTextContents()).toEqual([
        'shop',
        'tabs',
        '1',
        '1',
      ]);

      await page.locator('input[name="site"]').fill('blog');
      await page.locator('input[name="site"]').press('Enter');
      await expect.poll(() => text('completeness-received'), POLL).toBe('3 / 3');
      expect(await text('completeness-ratio')).toBe('100 %');
      expect(await text('completeness-verdict')).toMatch(/^Complete\. All 3 events .* are stored, none twice/);
      expect(new URL(page.url()).searchParams.get('site')).toBe('blog');
      expect(await panel.locator('table.sites').count()).toBe(0);
      await expect.poll(() => page.locator('tr[data-event-id]').count(), POLL).toBe(3);
    } finally {
      await page.close();
    }
  });
});
