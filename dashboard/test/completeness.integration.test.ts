import { freePort } from '@eventline/infra';
import { createTestBucket, testInfra } from '@eventline/infra/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { clickAt, seedEvents, type SeedEvent } from './seed.ts';

const TOKEN = 'test-read-token-123';
const auth = { authorization: `Bearer ${TOKEN}` };
const MINUTE = 60_000;
const T = Date.UTC(2026, 0, 15, 12, 0, 0);
const FROM = T - 60 * MINUTE;
const range = `from=${new Date(FROM).toISOString()}&to=${new Date(T).toISOString()}`;

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

/** Events of one session with the given sequence numbers, a minute apart from `start`, alternating click and pageview. */
function session(sessionId: string, site: string, start: number, seqs: number[]): SeedEvent[] {
  return seqs.map((seq, i) => {
    const type = i % 2 ? 'pageview' : 'click';
    return { site, event: clickAt(start + i * MINUTE, { sessionId, seq, type, name: type }) };
  });
}

describe('completeness over a seeded bucket', () => {
  let app: FastifyInstance;
  const complete = session('complete', 'shop', FROM + MINUTE, [0, 1, 2, 3, 4]);
  const afterRange = session('complete', 'shop', T + 5 * MINUTE, [5]);
  // Interleaved in time with `complete` and `before`, and across two types: rows of a session are not stored together.
  const gap = session('gap', 'shop', FROM + 1.5 * MINUTE, [0, 1, 2, 3, 7, 8, 9]);
  const before = session('before', 'shop', FROM - 3 * MINUTE, [0, 1, 2, 3, 4, 5, 6]);
  const duplicated = session('duplicated', 'shop', FROM + 30 * MINUTE, [0, 1, 2]);
  const copy = { ...duplicated[1]!, eventTime: duplicated[1]!.event.timestamp + 1_000 };
  const blog = session('blog-gap', 'blog', FROM + 40 * MINUTE, [0, 1, 3]);
  // Two senders numbering one session: the second one's 1 and 2 are other events (other ids) with numbers already taken.
  const firstTab = session('two-tabs', 'tabs', FROM + 50 * MINUTE, [0, 1, 2]);
  const secondTab = session('two-tabs', 'tabs', FROM + 50.5 * MINUTE, [1, 2]);
  // Today's SDK: each tab numbers its own events from 0 under its tab id, so the same numbers are no reuse.
  const withTab = (events: SeedEvent[], tabId: string): SeedEvent[] =>
    events.map((e) => ({ ...e, event: { ...e.event, tabId } }));
  const tabA = withTab(session('tabbed', 'tabbed', FROM + 52 * MINUTE, [0, 1, 2]), 'tab-a-000000000001');
  const tabB = withTab(session('tabbed', 'tabbed', FROM + 52.5 * MINUTE, [0, 1, 3]), 'tab-b-000000000001');
  // Server-side events (Segment-compatible clients) have no session and no number: nothing to count.
  const sessionless: SeedEvent[] = [0, 1].map((i) => {
    const { seq: _seq, sessionId: _sessionId, page: _page, ...event } = clickAt(FROM + (10 + i) * MINUTE);
    return { site: 'shop', event: { ...event, type: 'group', name: 'group' } };
  });

  beforeAll(async () => {
    const bucket = await createTestBucket('dashboard-completeness');
    await seedEvents(testInfra().influxUrl, bucket, [
      ...complete,
      ...afterRange,
      ...gap,
      ...before,
      ...duplicated,
      copy,
      ...blog,
      ...firstTab,
      ...secondTab,
      ...tabA,
      ...tabB,
      ...sessionless,
    ]);
    app = await appFor(bucket);
  });
  afterAll(() => app?.close());

  const get = async (url: string) => {
    const response = await app.inject({ url, headers: auth });
    return { status: response.statusCode, body: response.json() };
  };

  it('counts sessions, received, expected, missing, duplicates and reused numbers per site and overall', async () => {
    const { status, body } = await get(`/api/completeness?${range}`);
    expect(status).toBe(200);
    // shop: complete 5/5, gap 7/10, before (seq 3–6 in range) 4/4, duplicated 3/3 with one extra copy;
    // tabs: 5 events numbered 0–2, so 3 expected, none missing, 2 numbers reused.
    expect(body.sites).toEqual([
      {
        site: 'blog',
        sessions: 1,
        received: 3,
        expected: 4,
        missing: 1,
        duplicates: 0,
        reusedSeqs: 0,
        sessionsWithGaps: 1,
        completeness: 0.75,
      },
      {
        site: 'shop',
        sessions: 4,
        received: 19,
        expected: 22,
        missing: 3,
        duplicates: 1,
        reusedSeqs: 0,
        sessionsWithGaps: 1,
        completeness: 19 / 22,
      },
      {
        site: 'tabbed',
        sessions: 2,
        received: 6,
        expected: 7,
        missing: 1,
        duplicates: 0,
        reusedSeqs: 0,
        sessionsWithGaps: 1,
        completeness: 6 / 7,
      },
      {
        site: 'tabs',
        sessions: 1,
        received: 5,
        expected: 3,
        missing: 0,
        duplicates: 0,
        reusedSeqs: 2,
        sessionsWithGaps: 0,
        completeness: 1,
      },
    ]);
    expect(body.total).toEqual({
      sessions: 8,
      received: 33,
      expected: 36,
      missing: 5,
      duplicates: 1,
      reusedSeqs: 2,
      sessionsWithGaps: 3,
      completeness: 31 / 36,
    });
    expect(body.reusedSeqExamples).toEqual([{ site: 'tabs', sessionId: 'two-tabs', reused: 2, seqs: [1, 2] }]);
    expect(body.range).toEqual({ from: new Date(FROM).toISOString(), to: new Date(T).toISOString() });
  });

  it('lists the sessions with gaps and their missing sequence ranges, most missing first', async () => {
    const { body } = await get(`/api/completeness?${range}`);
    expect(body.gapExamples).toEqual([
      { site: 'shop', sessionId: 'gap', firstSeq: 0, lastSeq: 9, missing: 3, ranges: [[4, 6]] },
      { site: 'blog', sessionId: 'blog-gap', firstSeq: 0, lastSeq: 3, missing: 1, ranges: [[2, 2]] },
      {
        site: 'tabbed',
        sessionId: 'tabbed',
        tabId: 'tab-b-000000000001',
        firstSeq: 0,
        lastSeq: 3,
        missing: 1,
        ranges: [[2, 2]],
      },
    ]);
    expect(
      (await get(`/api/completeness?${range}&examples=1`)).body.gapExamples.map(
        (e: { sessionId: string }) => e.sessionId,
      ),
    ).toEqual(['gap']);
  });

  it('narrows to one site, and a site with no events is empty rather than an error', async () => {
    const { body } = await get(`/api/completeness?${range}&site=shop`);
    expect(body.sites.map((s: { site: string }) => s.site)).toEqual(['shop']);
    expect(body.total).toMatchObject({ sessions: 4, received: 19, expected: 22, missing: 3, duplicates: 1 });
    const hostile = await get(
      `/api/completeness?${range}&site=${encodeURIComponent('") |> drop(columns: ["_value"]) //')}`,
    );
    expect(hostile.status).toBe(200);
    expect(hostile.body).toMatchObject({
      sites: [],
      gapExamples: [],
      reusedSeqExamples: [],
      total: { sessions: 0, expected: 0, completeness: null },
    });
  });

  it('uses the same token, range checks and error catalogue as the other routes', async () => {
    expect((await app.inject({ url: `/api/completeness?${range}` })).json().error.code).toBe('DASHBOARD_UNAUTHORIZED');
    expect(
      (await get(`/api/completeness?from=${new Date(T).toISOString()}&to=${new Date(FROM).toISOString()}`)).body.error
        .code,
    ).toBe('DASHBOARD_INVALID_RANGE');
    expect((await get('/api/completeness?from=-40d')).body.error.code).toBe('DASHBOARD_RANGE_TOO_LARGE');
    expect((await get(`/api/completeness?${range}&examples=101`)).body.error.code).toBe('DASHBOARD_INVALID_QUERY');
  });
});

describe('completeness without InfluxDB', () => {
  it('answers 503, retriable, when InfluxDB cannot be reached', async () => {
    const app = await appFor('nowhere/autogen', `http://127.0.0.1:${await freePort()}`);
    try {
      const response = await app.inject({ url: `/api/completeness?${range}`, headers: auth });
      expect(response.statusCode).toBe(503);
      expect(response.json().error).toMatchObject({ code: 'DASHBOARD_STORAGE_UNAVAILABLE', retriable: true });
    } finally {
      await app.close();
    }
  });
});
