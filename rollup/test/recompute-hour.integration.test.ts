import {
  ALL_DIMENSION,
  ALL_VALUE,
  deriveDimensions,
  DIMENSIONS,
  hourOf,
  NONE_VALUE,
  OTHER_VALUE,
  RETENTION,
  type Dimension,
  type EnrichedEvent,
} from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { toPoint } from '@eventline/consumer/to-point';
import { createTestBucket, testInfra, uniqueName } from '@eventline/infra/testing';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInfluxQL, type InfluxQL } from '../src/influxql.ts';
import { recomputeHour } from '../src/recompute-hour.ts';
import { ensureRetention } from '../src/retention.ts';
import { readRollup } from '../src/rollup-reader.ts';

const START = Date.UTC(2026, 10, 2, 9);
const HOUR = 3_600_000;

let influxql: InfluxQL;
let rawPolicy: string;
const rollupPolicy = RETENTION.rollupPolicy;
const options = (maxValues = 1_000) => ({ influxql, rawPolicy, rollupPolicy, maxValues });

beforeAll(async () => {
  const [database, policy] = (await createTestBucket('rollup')).split('/') as [string, string];
  rawPolicy = policy;
  influxql = createInfluxQL({ url: testInfra().influxUrl, database });
  await ensureRetention(influxql, { rawPolicy, rawDuration: '90d', rollupPolicy, rollupDuration: '730d' });
});

const pick = <T>(items: readonly T[]) => fc.constantFrom(...items);

/** Random events of one site over three hours, from a small pool of people, pages and campaigns. */
const eventsArbitrary = (site: string) =>
  fc
    .array(
      fc.record({
        offsetMs: fc.integer({ min: 0, max: 3 * HOUR - 1 }),
        visitor: fc.integer({ min: 0, max: 30 }),
        session: fc.integer({ min: 0, max: 3 }),
        type: pick(['pageview', 'click', 'input', 'change', 'custom'] as const),
        path: pick(['/', '/pricing/', '/docs//intro', '/blog/index.html']),
        utm: pick(['', '?utm_source=news&utm_medium=email&utm_campaign=bf', '?utm_source=ads']),
        referrer: pick([undefined, 'https://www.google.com/', 'https://news.example/a']),
        label: pick([undefined, 'Buy now', 'Sign up']),
        bot: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        browser: pick(['Chrome', 'Firefox', undefined]),
      }),
      { minLength: 1, maxLength: 150 },
    )
    .map((drafts) =>
      drafts.map((draft, i): EnrichedEvent => {
        const eventTime = START + draft.offsetMs;
        return {
          event: sampleEvent({
            id: `${site}-event-${String(i).padStart(6, '0')}`,
            type: draft.type,
            name: draft.type === 'custom' ? 'signup' : draft.type,
            timestamp: eventTime,
            seq: i,
            anonymousId: `visitor-${draft.visitor}`,
            sessionId: `session-${draft.visitor}-${draft.session}`,
            page: { url: `https://shop.example${draft.path}${draft.utm}`, path: draft.path, referrer: draft.referrer },
            element:
              draft.type === 'pageview'
                ? undefined
                : { tag: 'button', selector: '#cta', ...(draft.label ? { text: draft.label } : {}) },
          }),
          site,
          receivedAt: eventTime + 10,
          eventTime,
          userAgent: { ...(draft.browser ? { browser: draft.browser } : {}), ...(draft.bot ? { bot: true } : {}) },
        };
      }),
    );

function valueOf(event: EnrichedEvent, dimension: Dimension): string {
  const derived = deriveDimensions(event.event);
  const values: Record<Dimension, string | undefined> = {
    type: event.event.type,
    name: event.event.name,
    path: derived.pagePath,
    label: derived.label,
    selector: event.event.element?.selector,
    referrer: derived.referrerHost,
    utm_source: derived.utmSource,
    utm_medium: derived.utmMedium,
    utm_campaign: derived.utmCampaign,
    browser: event.userAgent.browser,
    os: event.userAgent.os,
    device: event.userAgent.device,
  };
  return values[dimension] ?? NONE_VALUE;
}

/** The exact answer, from the events themselves: per value, events, page views, distinct visitors and sessions. */
function exact(events: EnrichedEvent[], dimension: Dimension | typeof ALL_DIMENSION, bots: boolean) {
  const byValue = new Map<
    string,
    { events: number; pageviews: number; visitors: Set<string>; sessions: Set<string> }
  >();
  for (const event of events) {
    if ((event.userAgent.bot === true) !== bots) continue;
    const value = dimension === ALL_DIMENSION ? ALL_VALUE : valueOf(event, dimension);
    const entry = byValue.get(value) ?? { events: 0, pageviews: 0, visitors: new Set(), sessions: new Set() };
    entry.events++;
    if (event.event.type === 'pageview') entry.pageviews++;
    entry.visitors.add(event.event.anonymousId);
    entry.sessions.add(event.event.sessionId);
    byValue.set(value, entry);
  }
  return Object.fromEntries(
    [...byValue].map(([value, e]) => [value, [e.events, e.pageviews, e.visitors.size, e.sessions.size]]),
  );
}

async function answer(site: string, dimension: Dimension | typeof ALL_DIMENSION, bots: boolean) {
  const totals = await readRollup(influxql, rollupPolicy, {
    site,
    audience: bots ? 'bots' : 'people',
    dimension,
    from: START,
    to: START + 3 * HOUR,
  });
  return Object.fromEntries(
    [...totals].map(([value, t]) => [value, [t.events, t.pageviews, t.visitors.estimate(), t.sessions.estimate()]]),
  );
}

async function store(events: EnrichedEvent[]): Promise<void> {
  await influxql.write(events.map(toPoint), rawPolicy, 'ns');
}

async function recomputeTouched(site: string, events: EnrichedEvent[], maxValues?: number): Promise<void> {
  for (const hour of new Set(events.map((e) => hourOf(e.eventTime))))
    await recomputeHour(options(maxValues), site, hour);
}

describe('recomputeHour', () => {
  it('answers exactly what a scan of the raw events answers, per dimension, for people and bots apart', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => eventsArbitrary(uniqueName('prop'))),
        async (events) => {
          const site = events[0]!.site;
          // Half the events arrive twice (a redelivery), and every hour is recomputed twice (a replay).
          await store(events);
          await store(events.slice(0, Math.ceil(events.length / 2)));
          await recomputeTouched(site, events);
          await recomputeTouched(site, events);
          for (const dimension of [ALL_DIMENSION, ...DIMENSIONS] as const)
            for (const bots of [false, true])
              expect(await answer(site, dimension, bots), `${dimension} bots=${bots}`).toEqual(
                exact(events, dimension, bots),
              );
        },
      ),
      { numRuns: 8, seed: 20261206 },
    );
  });

  it('counts a late event in its own hour when that hour is recomputed', async () => {
    const site = uniqueName('late');
    const events = fc.sample(eventsArbitrary(site), { numRuns: 1, seed: 7 })[0]!;
    await store(events);
    await recomputeTouched(site, events);
    const late = { ...events[0]!, event: { ...events[0]!.event, id: `${site}-late-event-0001` } };
    await store([late]);
    await recomputeHour(options(), site, hourOf(late.eventTime));
    expect(await answer(site, 'type', false)).toEqual(exact([...events, late], 'type', false));
  });

  it('bounds the values per hour with (other) and never counts a value twice when it moves into (other)', async () => {
    const site = uniqueName('bound');
    const events = fc.sample(eventsArbitrary(site), { numRuns: 1, seed: 11 })[0]!;
    await store(events);
    await recomputeTouched(site, events, 1_000);
    await recomputeTouched(site, events, 2);
    const byPath = await answer(site, 'path', false);
    const hours = new Set(events.map((e) => hourOf(e.eventTime))).size;
    expect(Object.keys(byPath).filter((value) => value !== OTHER_VALUE).length).toBeLessThanOrEqual(2 * hours);
    const total = exact(events, ALL_DIMENSION, false)[ALL_VALUE]?.[0] ?? 0;
    expect(Object.values(byPath).reduce((sum, [count]) => sum + count!, 0)).toBe(total);
  });
});
