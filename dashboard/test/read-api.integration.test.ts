import { createTestBucket, testInfra } from '@eventline/infra/testing';
import { freePort } from '@eventline/infra';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { clickAt, seedEvents } from './seed.ts';

const TOKEN = 'test-read-token-123';
const auth = { authorization: `Bearer ${TOKEN}` };
const HOUR = 3_600_000;
const T = Date.UTC(2026, 0, 15, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const XSS = '<img src=x onerror=alert(1)>';

async function appFor(bucket: string, influxUrl = testInfra().influxUrl): Promise<FastifyInstance> {
  return buildApp(
    loadConfig({
      EVENTLINE_INFLUX_URL: influxUrl,
      EVENTLINE_INFLUX_BUCKET: bucket,
      EVENTLINE_DASHBOARD_TOKEN: TOKEN,
      EVENTLINE_LOG_LEVEL: 'silent',
    }),
  );
}

describe('read API over a seeded bucket', () => {
  let app: FastifyInstance;
  const early = clickAt(T - 2 * HOUR, { element: { tag: 'button', id: 'early', selector: '#early', text: 'Early' } });
  const inRange = [
    clickAt(T - 50 * 60_000, { element: { tag: 'button', id: 'buy', selector: '#buy', text: 'Buy now' } }),
    clickAt(T - 40 * 60_000, { element: { tag: 'button', id: 'buy', selector: '#buy', text: 'Buy now' } }),
    clickAt(T - 30 * 60_000, {
      type: 'input',
      name: 'input',
      element: { tag: 'input', id: 'email', selector: '#email', inputType: 'text', valueLength: 12, changed: true },
    }),
    clickAt(T - 20 * 60_000, {
      type: 'change',
      name: 'change',
      element: { tag: 'input', id: 'agree', selector: '#agree', inputType: 'checkbox', checked: true },
    }),
    clickAt(T - 15 * 60_000, {
      element: { tag: 'button', selector: 'main > button.xss', text: XSS },
      page: { url: 'https://shop.example/x', path: '/x', title: 'Quotes "and", commas' },
    }),
    clickAt(T - 10 * 60_000, {
      element: { tag: 'a', selector: 'a.formula', text: '=HYPERLINK("http://evil")' },
      page: { url: 'https://shop.example/a', path: '/a' },
    }),
  ];
  const late = clickAt(T + 30 * 60_000, { element: { tag: 'button', id: 'late', selector: '#late', text: 'Late' } });
  const otherSite = clickAt(T - 45 * 60_000, { element: { tag: 'button', selector: '#other', text: 'Other site' } });
  const range = `from=${iso(T - HOUR)}&to=${iso(T)}`;

  beforeAll(async () => {
    const bucket = await createTestBucket('dashboard');
    await seedEvents(testInfra().influxUrl, bucket, [
      ...[early, ...inRange, late].map((event) => ({ event })),
      { event: otherSite, site: 'other' },
    ]);
    app = await appFor(bucket);
  });
  afterAll(() => app?.close());

  const get = async (url: string) => {
    const response = await app.inject({ url, headers: auth });
    return { status: response.statusCode, body: response.json() };
  };

  it('refuses requests without the read token and accepts the configured one', async () => {
    expect((await app.inject({ url: `/api/events?${range}` })).statusCode).toBe(401);
    expect(
      (await app.inject({ url: `/api/events?${range}`, headers: { authorization: 'Bearer wrong' } })).json().error.code,
    ).toBe('DASHBOARD_UNAUTHORIZED');
    expect((await get(`/api/events?${range}`)).status).toBe(200);
  });

  it('returns only events inside [from, to), newest first, with time, type, element, page and session', async () => {
    const { body } = await get(`/api/events?${range}&site=demo`);
    expect(body.events.map((e: { id: string }) => e.id)).toEqual([...inRange].reverse().map((e) => e.id));
    const change = body.events.find((e: { type: string }) => e.type === 'change');
    expect(change).toMatchObject({
      type: 'change',
      site: 'demo',
      sessionId: inRange[3]!.sessionId,
      page: { path: '/cart' },
      element: { selector: '#agree', checked: true, inputType: 'checkbox' },
    });
    expect(Date.parse(change.time)).toBe(T - 20 * 60_000);
  });

  it('pages through every event exactly once with the cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { body } = await get(`/api/events?${range}&site=demo&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.events.map((e: { id: string }) => e.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(2);
    expect(seen).toEqual([...inRange].reverse().map((e) => e.id));
  });

  it('filters by type, site and case-insensitive search', async () => {
    expect(
      (await get(`/api/events?${range}&type=input,change`)).body.events.map((e: { type: string }) => e.type).sort(),
    ).toEqual(['change', 'input']);
    expect((await get(`/api/events?${range}&site=other`)).body.events.map((e: { id: string }) => e.id)).toEqual([
      otherSite.id,
    ]);
    expect((await get(`/api/events?${range}&q=BUY`)).body.events).toHaveLength(2);
    expect(
      (await get(`/api/events?${range}&q=${encodeURIComponent('"and", commas')}`)).body.events.map(
        (e: { id: string }) => e.id,
      ),
    ).toEqual([inRange[4]!.id]);
  });

  it('keeps hostile text as data: markup and Flux syntax in a search are just characters', async () => {
    const { body } = await get(`/api/events?${range}&q=${encodeURIComponent('onerror=alert')}`);
    expect(body.events[0].element.text).toBe(XSS);
    const injection = await get(`/api/events?${range}&q=${encodeURIComponent('") |> drop(columns: ["_value"]) //')}`);
    expect(injection).toEqual({ status: 200, body: expect.objectContaining({ events: [] }) });
    expect((await get(`/api/events?${range}&q=${encodeURIComponent('${x}\\')}`)).status).toBe(200);
  });

  it('counts events per type per bucket, choosing the interval when omitted', async () => {
    const { body } = await get(`/api/stats/timeseries?${range}&site=demo`);
    expect(body.intervalMs).toBe(60_000);
    expect(body.total).toBe(inRange.length);
    const sum = (type: string) => (body.series[type] as number[]).reduce((a, b) => a + b, 0);
    expect({ click: sum('click'), input: sum('input'), change: sum('change') }).toEqual({
      click: 4,
      input: 1,
      change: 1,
    });
    expect(body.buckets.length).toBe(body.series.click.length);
    const tenMinutes = await get(`/api/stats/timeseries?${range}&interval=10m&type=click`);
    expect(Object.keys(tenMinutes.body.series)).toEqual(['click']);
    expect(tenMinutes.body.buckets.length).toBeLessThanOrEqual(7);
  });

  it('narrows the chart and the top lists to events matching the search', async () => {
    const series = await get(`/api/stats/timeseries?${range}&q=buy`);
    expect(series.body.total).toBe(2);
    expect(Object.keys(series.body.series)).toEqual(['click']);
    const elements = await get(`/api/stats/top?${range}&dimension=element&q=buy`);
    expect(elements.body).toMatchObject({ top: [{ key: '#buy', count: 2 }], truncated: false });
    const pages = await get(`/api/stats/top?${range}&dimension=page&q=${encodeURIComponent('"and"')}`);
    expect(pages.body.top).toEqual([{ key: '/x', count: 1 }]);
    expect((await get(`/api/stats/top?${range}&dimension=page&q=nothing-matches-this`)).body.top).toEqual([]);
  });

  it('ranks elements and pages by count', async () => {
    const elements = await get(`/api/stats/top?${range}&site=demo&dimension=element`);
    expect(elements.body.top[0]).toEqual({ key: '#buy', count: 2 });
    expect(elements.body.top).toHaveLength(5);
    const pages = await get(`/api/stats/top?${range}&site=demo&dimension=page&limit=1`);
    expect(pages.body.top).toEqual([{ key: '/cart', count: 4 }]);
  });

  it('exports the filtered events as CSV, quoting commas and defusing formulas', async () => {
    const response = await app.inject({ url: `/api/events.csv?${range}&site=demo`, headers: auth });
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="eventline-events-.*\.csv"$/);
    const lines = response.body.trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + inRange.length);
    expect(lines[1]).toContain(`'=HYPERLINK(""http://evil"")`);
    expect(response.body).toContain('"Quotes ""and"", commas"');
    expect(response.body).toContain(XSS);
    expect(response.headers['x-eventline-export-truncated']).toBeUndefined();
  });

  it('says so when a CSV export is cut to its row limit, and only then', async () => {
    const cut = await app.inject({ url: `/api/events.csv?${range}&site=demo&limit=2`, headers: auth });
    expect(cut.headers['x-eventline-export-truncated']).toBe('true');
    expect(cut.body.trimEnd().split('\r\n')).toHaveLength(1 + 2);
    const exact = await app.inject({
      url: `/api/events.csv?${range}&site=demo&limit=${inRange.length}`,
      headers: auth,
    });
    expect(exact.body.trimEnd().split('\r\n')).toHaveLength(1 + inRange.length);
    expect(exact.headers['x-eventline-export-truncated']).toBeUndefined();
  });

  it('answers 400 with a clear code for bad ranges, limits and cursors', async () => {
    const code = async (url: string) => ((await get(url)).body as { error: { code: string } }).error.code;
    expect(await code(`/api/events?from=${iso(T)}&to=${iso(T - HOUR)}`)).toBe('DASHBOARD_INVALID_RANGE');
    expect(await code('/api/events?from=-60d')).toBe('DASHBOARD_RANGE_TOO_LARGE');
    expect(await code('/api/events?from=yesterday')).toBe('DASHBOARD_INVALID_TIME');
    expect(await code('/api/events?limit=100000')).toBe('DASHBOARD_INVALID_QUERY');
    expect(await code('/api/events?type=hover')).toBe('DASHBOARD_INVALID_QUERY');
    expect(await code('/api/events?cursor=nonsense')).toBe('DASHBOARD_INVALID_CURSOR');
    expect(await code('/api/stats/timeseries?from=-7d&interval=1s')).toBe('DASHBOARD_TOO_MANY_BUCKETS');
    expect(await code('/api/stats/top?dimension=browser')).toBe('DASHBOARD_INVALID_QUERY');
  });
});

describe('read API without InfluxDB', () => {
  it('answers 503, retriable, when InfluxDB cannot be reached', async () => {
    const app = await appFor('nowhere/events', `http://127.0.0.1:${await freePort()}`);
    const response = await app.inject({ url: '/api/events', headers: auth });
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toMatchObject({ code: 'DASHBOARD_STORAGE_UNAVAILABLE', retriable: true });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    await app.close();
  });
});

describe('events of the capture for modern apps', () => {
  it('returns the tab, a link target and the engagement of a page leave as stored', async () => {
    const bucket = await createTestBucket('dashboard-capture');
    const tabId = 'tab-0000000000000001';
    const link = clickAt(T - 30 * 60_000, {
      tabId,
      element: { tag: 'a', selector: '#out', text: 'Partner', href: 'https://elsewhere.example/pricing?ref=' },
    });
    const leave = clickAt(T - 29 * 60_000, {
      type: 'pageleave',
      name: 'pageleave',
      tabId,
      seq: 1,
      engagement: { engagedMs: 8_200, scrollDepth: 75 },
    });
    delete leave.element;
    await seedEvents(testInfra().influxUrl, bucket, [{ event: link }, { event: leave }]);
    const app = await appFor(bucket);
    try {
      const response = await app.inject({ url: `/api/events?from=${iso(T - HOUR)}&to=${iso(T)}`, headers: auth });
      const events = response.json().events as Array<Record<string, unknown>>;
      expect(events.find((e) => e['type'] === 'click')).toMatchObject({
        tabId,
        element: { href: 'https://elsewhere.example/pricing?ref=' },
      });
      const stored = events.find((e) => e['type'] === 'pageleave');
      expect(stored).toMatchObject({ tabId, engagement: { engagedMs: 8_200, scrollDepth: 75 } });
      expect(stored).not.toHaveProperty('element');
    } finally {
      await app.close();
    }
  });
});
