import {
  ALL_DIMENSION,
  ALL_VALUE,
  deriveDimensions,
  JOURNEY_ROLLUP,
  OTHER_VALUE,
  RETENTION,
  type Dimension,
  type EnrichedEvent,
} from '@eventline/contract';
import { createTestBucket, testInfra, uniqueName } from '@eventline/testkit';
import { backfillHourParts } from '@eventline/rollup/backfill';
import { createInfluxQL } from '@eventline/rollup/influxql';
import { readJourneyHours } from '@eventline/rollup/journeys';
import { eventsArbitrary, exact, HOUR, valueOf } from '@eventline/rollup/testing';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { storeRolledUp } from './rolled-up.ts';

const TOKEN = 'test-read-token-123';
const auth = { authorization: `Bearer ${TOKEN}` };
// Three days from 22:00 UTC on 1 November 2026: local midnights in Paris fall at 23:00 UTC.
const START = Date.UTC(2026, 10, 1, 22);
const DAYS = 3;
const iso = (ms: number) => new Date(ms).toISOString();

let app: FastifyInstance;
let bucket: string;
let events: EnrichedEvent[];
let earlier: EnrichedEvent[];
const site = uniqueName('analytics');

beforeAll(async () => {
  bucket = await createTestBucket('analytics');
  events = fc.sample(eventsArbitrary(site, START, DAYS * 24, { min: 400, max: 400 }), { numRuns: 1, seed: 5 })[0]!;
  // The period before, for the comparison: the same visitors, fewer events.
  earlier = fc
    .sample(eventsArbitrary(site, START - DAYS * 24 * HOUR, DAYS * 24, { min: 200, max: 200 }), {
      numRuns: 1,
      seed: 6,
    })[0]!
    .map((e) => ({ ...e, event: { ...e.event, id: `${e.event.id}-earlier` } }));
  await storeRolledUp(bucket, [...events, ...earlier]);
  app = await buildApp(
    loadConfig({
      EVENTLINE_INFLUX_URL: testInfra().influxUrl,
      EVENTLINE_INFLUX_BUCKET: bucket,
      EVENTLINE_DASHBOARD_TOKEN: TOKEN,
      EVENTLINE_LOG_LEVEL: 'silent',
    }),
  );
});
afterAll(() => app?.close());

const get = async (path: string, params: Record<string, string>) => {
  const response = await app.inject({ url: `/api/v2/${path}?${new URLSearchParams(params)}`, headers: auth });
  return { status: response.statusCode, body: response.json() };
};
const range = { site, from: iso(START), to: iso(START + DAYS * 24 * HOUR) };

describe('read API v2 over rollups', () => {
  it('answers the overview with the previous period and the change', async () => {
    const { status, body } = await get('overview', range);
    expect(status).toBe(200);
    const [events_, pageviews, visitors, sessions] = exact(events, ALL_DIMENSION, false)[ALL_VALUE]!;
    const [eventsBefore] = exact(earlier, ALL_DIMENSION, false)[ALL_VALUE]!;
    expect(body.metrics.events).toEqual({
      value: events_,
      previous: eventsBefore,
      change: (events_! - eventsBefore!) / eventsBefore!,
    });
    expect(body.metrics.pageviews.value).toBe(pageviews);
    expect(body.metrics.visitors.value).toBe(visitors);
    expect(body.metrics.sessions.value).toBe(sessions);
    expect(body.compareRange).toEqual({ from: iso(START - DAYS * 24 * HOUR), to: iso(START) });
  });

  it('lists the sites there are rollups for', async () => {
    const response = await app.inject({ url: '/api/v2/sites', headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sites: [site] });
  });

  it('counts bots apart', async () => {
    const { body } = await get('overview', { ...range, bots: 'only' });
    expect(body.metrics.events.value).toBe(exact(events, ALL_DIMENSION, true)[ALL_VALUE]?.[0] ?? 0);
  });

  it('cuts day buckets at midnight of the requested time zone', async () => {
    const { status, body } = await get('timeseries', { ...range, timezone: 'Europe/Paris', metric: 'events' });
    expect(status).toBe(200);
    expect(body.interval).toBe('day');
    // 22:00 UTC on 1 November is 23:00 in Paris: the first local day holds one hour of the range.
    expect(body.buckets).toEqual(['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04']);
    const parisDay = (e: EnrichedEvent) => new Date(e.eventTime + HOUR).toISOString().slice(0, 10); // UTC+1 in November
    const people = events.filter((e) => !e.userAgent.bot);
    expect(body.values).toEqual(body.buckets.map((day: string) => people.filter((e) => parisDay(e) === day).length));
  });

  it('breaks any dimension down by any metric, top N then (other)', async () => {
    const { status, body } = await get('breakdown', { ...range, dimension: 'path', metric: 'events', limit: '2' });
    expect(status).toBe(200);
    const expected = Object.entries(exact(events, 'path', false)).sort(
      ([a, x], [b, y]) => y[0]! - x[0]! || (a < b ? -1 : 1),
    );
    expect(body.rows.slice(0, 2).map((row: { value: string; events: number }) => [row.value, row.events])).toEqual(
      expected.slice(0, 2).map(([value, counts]) => [value, counts[0]]),
    );
    expect(expected.length).toBeGreaterThan(2);
    expect(body.rows).toHaveLength(3);
    expect(body.rows[2]).toMatchObject({
      value: OTHER_VALUE,
      events: expected.slice(2).reduce((sum, [, counts]) => sum + counts[0]!, 0),
    });
  });

  it('answers several breakdowns in one request, each exactly as its own breakdown, with or without filters', async () => {
    const dimensions = ['path', 'type', 'referrer', 'utm_source', 'browser'] as const;
    for (const filters of [[], ['browser:Firefox']]) {
      const query = new URLSearchParams({ ...range, metric: 'visitors', limit: '2' });
      for (const dimension of dimensions) query.append('dimension', dimension);
      for (const filter of filters) query.append('filter', filter);
      const response = await app.inject({ url: `/api/v2/breakdowns?${query}`, headers: auth });
      expect(response.statusCode, filters.join()).toBe(200);
      const { breakdowns } = response.json() as { breakdowns: { dimension: string; rows: unknown[] }[] };
      expect(breakdowns.map((b) => b.dimension)).toEqual(dimensions);
      for (const [i, dimension] of dimensions.entries()) {
        const one = await filtered('breakdown', { ...range, dimension, metric: 'visitors', limit: '2' }, filters);
        expect(breakdowns[i]!.rows, `${dimension} ${filters.join()}`).toEqual(one.body.rows);
        const expected = exact(passing(events, filters), dimension, false);
        const counted = (breakdowns[i]!.rows as { events: number }[]).reduce((sum, row) => sum + row.events, 0);
        expect(counted, dimension).toBe(Object.values(expected).reduce((sum, counts) => sum + counts[0]!, 0));
      }
    }
    for (const bad of [['path', 'path'], ['path', 'nope'], []]) {
      const query = new URLSearchParams(range);
      for (const dimension of bad) query.append('dimension', dimension);
      expect((await app.inject({ url: `/api/v2/breakdowns?${query}`, headers: auth })).statusCode, bad.join()).toBe(
        400,
      );
    }
  });

  it('answers a funnel from the raw events, per session within the window', async () => {
    const params = new URLSearchParams({ ...range, window: '1d' });
    params.append('step', 'pageview:/');
    params.append('step', 'pageview:/pricing');
    const response = await app.inject({ url: `/api/v2/funnel?${params}`, headers: auth });
    const [status, body] = [response.statusCode, response.json()];
    expect(status).toBe(200);
    const people = events.filter((e) => !e.userAgent.bot);
    const startedSessions = new Set(
      people.filter((e) => e.event.type === 'pageview' && e.event.page?.path === '/').map((e) => e.event.sessionId),
    );
    expect(body.steps[0]).toMatchObject({ step: 'pageview:/', actors: startedSessions.size, conversion: 1 });
    expect(body.steps[1].actors).toBeLessThanOrEqual(startedSessions.size);
    expect(body.steps[0].dropOff).toBe(startedSessions.size - body.steps[1].actors);
    expect((await get('funnel', { ...range, step: 'pageview:/' })).status).toBe(400);
  });

  it('answers funnels from the journey rollups exactly as from the raw events, and from the raw events without them', async () => {
    const [database, rawPolicy] = bucket.split('/') as [string, string];
    const influxql = createInfluxQL({ url: testInfra().influxUrl, database });
    const rollupPolicy = RETENTION.rollupPolicy;
    const paths = [...new Set(events.filter((e) => e.event.type === 'pageview').map((e) => valueOf(e, 'path')))];
    const stepLists = [
      [`pageview:${paths[0]}`, 'click:Buy now'],
      [`pageview:${paths[0]}`, `pageview:${paths[1]}`, 'click:Sign up', 'custom:signup'],
      ['click:Buy now', 'input:Sign up'],
    ];
    // Whole days, and a range cut inside hours.
    const ranges = [range, { site, from: iso(START + 30 * 60_000), to: iso(START + 40 * HOUR + 17 * 60_000) }];
    const answers = async () => {
      const all: unknown[] = [];
      for (const [r, steps] of ranges.flatMap((r) => stepLists.map((steps) => [r, steps] as const)))
        for (const within of ['session', 'visitor'])
          for (const [window, bots] of [
            ['1h', 'exclude'],
            ['1d', 'exclude'],
            ['1d', 'only'],
          ]) {
            const params = new URLSearchParams({ ...r, within, window: window!, bots: bots! });
            for (const step of steps) params.append('step', step);
            const response = await app.inject({ url: `/api/v2/funnel?${params}`, headers: auth });
            expect(response.statusCode, response.body).toBe(200);
            all.push(response.json());
          }
      return all;
    };
    const query = { site, from: START, to: START + DAYS * 24 * HOUR };
    expect(await readJourneyHours(influxql, rollupPolicy, query)).not.toBeUndefined();
    const fromJourneys = await answers();
    // Real answers: funnels people went some way down, and some dropped off.
    const reached = (fromJourneys as { steps: { actors: number; dropOff: number }[] }[]).flatMap((a) => a.steps);
    expect(reached.filter((s) => s.actors > 0).length).toBeGreaterThan(20);
    expect(reached.some((s) => s.dropOff > 0)).toBe(true);

    // As a version before journeys left them: the same answers, from the raw events.
    await influxql.exec(`DELETE FROM "${JOURNEY_ROLLUP.measurement}" WHERE "${JOURNEY_ROLLUP.tag.site}" = '${site}'`);
    expect(await readJourneyHours(influxql, rollupPolicy, query)).toBeUndefined();
    expect(await answers()).toEqual(fromJourneys);
    await backfillHourParts({ influxql, rawPolicy, rollupPolicy, maxValues: 1_000 }, query);
    expect(await readJourneyHours(influxql, rollupPolicy, query)).not.toBeUndefined();
  });

  it('refuses unknown time zones, unknown dimensions, unknown parameters and ranges over 12 months', async () => {
    expect((await get('overview', { ...range, timezone: 'Mars/Olympus' })).body.code).toBe(
      'DASHBOARD_INVALID_TIMEZONE',
    );
    expect((await get('breakdown', { ...range, dimension: 'password' })).status).toBe(400);
    expect((await get('overview', { ...range, filters: 'x' })).body.code).toBe('DASHBOARD_UNKNOWN_PARAMETER');
    expect((await get('overview', { site, from: '2024-01-01T00:00:00Z', to: '2025-06-01T00:00:00Z' })).body.code).toBe(
      'DASHBOARD_RANGE_TOO_LARGE',
    );
    expect((await get('timeseries', { site, from: '2025-01-01T00:00:00Z', to: '2025-12-31T00:00:00Z' })).status).toBe(
      200,
    );
  });

  it('answers one element by label: clicks, unique clickers, click-through on its pages, text changes', async () => {
    const { status, body } = await get('element', { ...range, label: 'Buy now' });
    expect(status).toBe(200);
    const people = events.filter((e) => !e.userAgent.bot);
    const mine = people.filter((e) => deriveDimensions(e.event).label === 'Buy now');
    const clicks = mine.filter((e) => e.event.type === 'click');
    const pages = new Set(mine.map((e) => deriveDimensions(e.event).pagePath));
    const pageVisitors = new Set(
      people.filter((e) => pages.has(deriveDimensions(e.event).pagePath)).map((e) => e.event.anonymousId),
    );
    const clickers = new Set(clicks.map((e) => e.event.anonymousId));
    expect(clicks.length).toBeGreaterThan(0);
    expect(body).toMatchObject({
      label: 'Buy now',
      selectors: ['#cta'],
      clicks: clicks.length,
      clickers: clickers.size,
      pageVisitors: pageVisitors.size,
      clickThrough: clickers.size / pageVisitors.size,
      changes: mine.filter((e) => e.event.type === 'input').length,
    });
    expect([...body.pages].sort()).toEqual([...pages].sort());
    expect((await get('element', { ...range, label: 'Nobody clicks this' })).body).toMatchObject({
      clicks: 0,
      clickThrough: null,
    });
  });

  it("answers an element with the view's filters applied, clicks and page visitors alike", async () => {
    const { status, body } = await filtered('element', { ...range, label: 'Buy now' }, ['browser:Firefox']);
    expect(status).toBe(200);
    const people = passing(events, ['browser:Firefox']).filter((e) => !e.userAgent.bot);
    const clicks = people.filter((e) => e.event.type === 'click' && deriveDimensions(e.event).label === 'Buy now');
    const pages = new Set(
      people
        .filter((e) => deriveDimensions(e.event).label === 'Buy now')
        .map((e) => deriveDimensions(e.event).pagePath),
    );
    expect(body.clicks).toBe(clicks.length);
    expect(body.clickers).toBe(new Set(clicks.map((e) => e.event.anonymousId)).size);
    expect(body.pageVisitors).toBe(
      new Set(people.filter((e) => pages.has(deriveDimensions(e.event).pagePath)).map((e) => e.event.anonymousId)).size,
    );
    const unfiltered = (await get('element', { ...range, label: 'Buy now' })).body;
    expect(body.clicks).toBeLessThan(unfiltered.clicks);
  });

  it('keeps annotations as literal text, lists them by range and removes them', async () => {
    const text = '<img src=x onerror=alert(1)> deploy "v2", 50% off = \\ yes';
    const at = iso(START + HOUR);
    const added = await app.inject({
      method: 'POST',
      url: '/api/v2/annotations',
      headers: auth,
      payload: { site, at, text },
    });
    expect(added.statusCode).toBe(201);
    const { id } = added.json();
    expect(added.json()).toEqual({ id, at, text });
    expect((await get('annotations', range)).body.annotations).toEqual([{ id, at, text }]);
    expect((await get('annotations', { ...range, site: `${site}-other` })).body.annotations).toEqual([]);
    const remove = () => app.inject({ method: 'DELETE', url: `/api/v2/annotations/${id}?site=${site}`, headers: auth });
    expect((await remove()).statusCode).toBe(204);
    expect((await get('annotations', range)).body.annotations).toEqual([]);
    expect((await remove()).json().code).toBe('DASHBOARD_ANNOTATION_NOT_FOUND');
  });

  it('lets a share link read annotations but not add them', async () => {
    const made = await app.inject({ method: 'POST', url: '/api/shares', headers: auth, payload: { site } });
    const share = { authorization: `Bearer ${made.json().token}` };
    const list = await app.inject({ url: `/api/v2/annotations?${new URLSearchParams(range)}`, headers: share });
    expect(list.statusCode).toBe(200);
    const add = await app.inject({
      method: 'POST',
      url: '/api/v2/annotations',
      headers: share,
      payload: { site, at: iso(START), text: 'sneaky' },
    });
    expect(add.json().code).toBe('DASHBOARD_SHARE_FORBIDDEN');
    const overview = await app.inject({ url: `/api/v2/overview?${new URLSearchParams(range)}`, headers: share });
    expect(overview.statusCode).toBe(200);
    const elsewhere = await app.inject({
      url: `/api/v2/overview?${new URLSearchParams({ ...range, site: 'another-site' })}`,
      headers: share,
    });
    expect(elsewhere.statusCode).toBe(403);
  });

  it('answers a share link with filters as the same filters asked with the read token', async () => {
    const made = await app.inject({
      method: 'POST',
      url: '/api/shares',
      headers: auth,
      payload: { site, filters: ['browser:Firefox'] },
    });
    const share = { authorization: `Bearer ${made.json().token}` };
    const viaLink = await app.inject({
      url: `/api/v2/breakdown?${new URLSearchParams({ ...range, dimension: 'path', metric: 'events' })}`,
      headers: share,
    });
    expect(viaLink.statusCode).toBe(200);
    const direct = await filtered('breakdown', { ...range, dimension: 'path', metric: 'events' }, ['browser:Firefox']);
    const unfiltered = await get('breakdown', { ...range, dimension: 'path', metric: 'events' });
    expect(viaLink.json().rows).toEqual(direct.body.rows);
    expect(viaLink.json().rows).not.toEqual(unfiltered.body.rows);
  });
});

/** `path` with each `filter` appended as its own parameter. */
const filtered = async (path: string, params: Record<string, string>, filters: readonly string[]) => {
  const query = new URLSearchParams(params);
  for (const filter of filters) query.append('filter', filter);
  const response = await app.inject({ url: `/api/v2/${path}?${query}`, headers: auth });
  return { status: response.statusCode, body: response.json() };
};

/** The events every `dimension:value` filter holds for, as the exact answer counts them. */
const passing = (all: readonly EnrichedEvent[], filters: readonly string[]) =>
  all.filter((e) =>
    filters.every((filter) => {
      const colon = filter.indexOf(':');
      return valueOf(e, filter.slice(0, colon) as Dimension) === filter.slice(colon + 1);
    }),
  );

const combined = ['browser:Firefox', 'path:/pricing'];

describe('read API v2 filters', () => {
  it('answers the overview of the events every filter holds for, exactly, with the filtered comparison', async () => {
    for (const filters of [['browser:Firefox'], combined, ['referrer:(none)'], ['type:pageview', 'browser:Chrome']]) {
      const { status, body } = await filtered('overview', range, filters);
      expect(status, filters.join(' & ')).toBe(200);
      const now = exact(passing(events, filters), ALL_DIMENSION, false)[ALL_VALUE] ?? [0, 0, 0, 0];
      const before = exact(passing(earlier, filters), ALL_DIMENSION, false)[ALL_VALUE] ?? [0, 0, 0, 0];
      expect(
        [body.metrics.events.value, body.metrics.pageviews.value, body.metrics.visitors.value],
        filters.join(' & '),
      ).toEqual([now[0], now[1], now[2]]);
      expect(body.metrics.sessions.value).toBe(now[3]);
      expect(body.metrics.events.previous).toBe(before[0]);
    }
  });

  it('applies combined filters to time series, breakdowns and funnels', async () => {
    const people = passing(events, combined).filter((e) => !e.userAgent.bot);
    expect(people.length).toBeGreaterThan(0);
    const series = await filtered('timeseries', { ...range, metric: 'events', interval: 'day' }, combined);
    expect(series.status).toBe(200);
    expect(series.body.values.reduce((a: number, b: number) => a + b, 0)).toBe(people.length);

    const breakdown = await filtered('breakdown', { ...range, dimension: 'type', metric: 'events' }, combined);
    expect(breakdown.status).toBe(200);
    const expected = exact(passing(events, combined), 'type', false);
    expect(
      Object.fromEntries(breakdown.body.rows.map((row: { value: string; events: number }) => [row.value, row.events])),
    ).toEqual(Object.fromEntries(Object.entries(expected).map(([value, counts]) => [value, counts[0]])));

    const query = new URLSearchParams({ ...range, window: '1d' });
    query.append('step', 'pageview:/pricing');
    query.append('step', 'click:Buy now');
    query.append('filter', 'browser:Firefox');
    const answer = (await app.inject({ url: `/api/v2/funnel?${query}`, headers: auth })).json();
    const firefoxPricing = new Set(
      passing(events, ['browser:Firefox', 'type:pageview', 'path:/pricing'])
        .filter((e) => !e.userAgent.bot)
        .map((e) => e.event.sessionId),
    );
    expect(firefoxPricing.size).toBeGreaterThan(0);
    expect(answer.steps[0].actors).toBe(firefoxPricing.size);
  });

  it('answers a filter that matches nothing with zeros, not an error', async () => {
    const { status, body } = await filtered('overview', range, ['utm_campaign:no-such-campaign']);
    expect(status).toBe(200);
    expect(body.metrics.events).toEqual({ value: 0, previous: 0, change: null });
  });

  it('refuses malformed filters, unknown dimensions, too many filters and filtered ranges beyond 31 days', async () => {
    for (const filter of ['browser', 'password:x', 'path:', 'browser=Firefox', `path:${'x'.repeat(5_000)}`])
      expect((await filtered('overview', range, [filter])).status, filter).toBe(400);
    expect(
      (
        await filtered(
          'overview',
          range,
          Array.from({ length: 9 }, (_, i) => `path:/${i}`),
        )
      ).status,
    ).toBe(400);
    const year = { site, from: '2025-01-01T00:00:00Z', to: '2025-12-31T00:00:00Z' };
    expect((await filtered('timeseries', year, ['browser:Firefox'])).body.code).toBe('DASHBOARD_RANGE_TOO_LARGE');
  });
});

describe('read API v2 events', () => {
  /** Every page of `filters`' events, following `nextCursor`. */
  async function allPages(filters: readonly string[], limit: number, extra: Record<string, string> = {}) {
    const pages: { events: { id: string; time: string }[]; nextCursor: string | null }[] = [];
    let cursor: string | undefined;
    do {
      const { status, body } = await filtered(
        'events',
        { ...range, limit: String(limit), ...extra, ...(cursor ? { cursor } : {}) },
        filters,
      );
      expect(status).toBe(200);
      pages.push(body);
      cursor = body.nextCursor ?? undefined;
    } while (cursor && pages.length < 1_000);
    return pages;
  }

  it('pages through every raw event of the range, newest first, each once, with every filter applied', async () => {
    for (const filters of [[], ['browser:Firefox'], combined, ['referrer:(none)', 'type:click']]) {
      const pages = await allPages(filters, 7);
      const listed = pages.flatMap((page) => page.events);
      const expected = passing(events, filters).filter((e) => !e.userAgent.bot);
      expect(listed.map((e) => e.id).sort(), filters.join(' & ')).toEqual(expected.map((e) => e.event.id).sort());
      const times = listed.map((e) => Date.parse(e.time));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(pages.slice(0, -1).every((page) => page.events.length === 7)).toBe(true);
      expect(pages.at(-1)!.nextCursor).toBeNull();
    }
  });

  it('lists bots apart, and refuses a malformed cursor and ranges beyond 31 days', async () => {
    const bots = (await allPages([], 50, { bots: 'only' })).flatMap((page) => page.events);
    expect(bots.map((e) => e.id).sort()).toEqual(
      events
        .filter((e) => e.userAgent.bot)
        .map((e) => e.event.id)
        .sort(),
    );
    expect((await get('events', { ...range, cursor: 'not-a-cursor' })).body.code).toBe('DASHBOARD_INVALID_CURSOR');
    const year = { site, from: '2025-01-01T00:00:00Z', to: '2025-12-31T00:00:00Z' };
    expect((await get('events', year)).body.code).toBe('DASHBOARD_RANGE_TOO_LARGE');
  });
});
