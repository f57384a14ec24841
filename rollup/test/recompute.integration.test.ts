import {
  ALL_DIMENSION,
  ALL_VALUE,
  DIMENSIONS,
  ROLLUP_MEASUREMENTS,
  fnv1a32,
  hourOf,
  OTHER_VALUE,
  RETENTION,
  JOURNEY_ROLLUP,
  SEQUENCE_ROLLUP,
  type Dimension,
  type EnrichedEvent,
} from '@eventline/contract';
import { placedPointLines } from '@eventline/consumer/testing';
import { touchedHours } from '@eventline/consumer/touched-hours';
import { createTestBucket, testInfra, uniqueName } from '@eventline/testkit';
import { HyperLogLog } from '@eventline/kit/hyperloglog';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInfluxQL, type InfluxQL } from '../src/influxql.ts';
import { backfillCoarse, backfillHourParts } from '../src/backfill.ts';
import { readJourneyHours, type JourneyEntry, type JourneyHour } from '../src/journeys.ts';
import { KeptHours } from '../src/kept-hours.ts';
import { readSequenceHours, type SequenceHour } from '../src/sequence-reader.ts';
import { rollUp } from '../src/recompute.ts';
import { coalesce, recomputeHour } from '../src/recompute-hour.ts';
import { ensureRetention } from '../src/retention.ts';
import { rollupLine } from '../src/line-protocol.ts';
import { createRollupCache, type RollupCache } from '../src/rollup-cache.ts';
import { readRollup } from '../src/rollup-reader.ts';
import { eventsArbitrary, exact, HOUR } from '../src/testing.ts';

const START = Date.UTC(2026, 10, 2, 9);

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

async function answer(
  site: string,
  dimension: Dimension | typeof ALL_DIMENSION,
  bots: boolean,
  range = { from: START, to: START + 3 * HOUR },
  cache?: RollupCache,
) {
  const query = { site, audience: bots ? ('bots' as const) : ('people' as const), dimension, ...range };
  const totals = await readRollup(influxql, rollupPolicy, query, undefined, cache);
  return Object.fromEntries(
    [...totals].map(([value, t]) => [value, [t.events, t.pageviews, t.visitors.estimate(), t.sessions.estimate()]]),
  );
}

/** Stored as the consumers of two partitions store them (a visitor's events in one): raw points of two shards. */
async function store(events: EnrichedEvent[]): Promise<void> {
  for (const shard of [0, 1]) {
    const own = events.filter((e) => fnv1a32(e.event.anonymousId) % 2 === shard);
    if (own.length > 0)
      await influxql.write(
        await placedPointLines(own, {
          shard,
          influx: { url: testInfra().influxUrl, bucket: `${influxql.database}/${rawPolicy}` },
        }),
        rawPolicy,
        'ns',
      );
  }
}

async function recomputeTouched(site: string, events: EnrichedEvent[], maxValues?: number): Promise<void> {
  for (const hour of new Set(events.map((e) => hourOf(e.eventTime))))
    await recomputeHour(options(maxValues), site, hour);
}

describe('recomputeHour', () => {
  it('answers exactly what a scan of the raw events answers, per dimension, for people and bots apart', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => eventsArbitrary(uniqueName('prop'), START)),
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
    const events = fc.sample(eventsArbitrary(site, START), { numRuns: 1, seed: 7 })[0]!;
    await store(events);
    await recomputeTouched(site, events);
    const late = { ...events[0]!, event: { ...events[0]!.event, id: `${site}-late-event-0001` } };
    await store([late]);
    await recomputeHour(options(), site, hourOf(late.eventTime));
    expect(await answer(site, 'type', false)).toEqual(exact([...events, late], 'type', false));
  });

  it('bounds the values per hour with (other) and never counts a value twice when it moves into (other)', async () => {
    const site = uniqueName('bound');
    const events = fc.sample(eventsArbitrary(site, START), { numRuns: 1, seed: 11 })[0]!;
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

describe('an hour kept between recomputes', () => {
  const FROM = Date.UTC(2026, 9, 31, 22);
  /** Every rollup the site has, as read back: counts and sketches per bucket and value, sequences and journeys per hour. */
  async function stored(site: string) {
    const range = { site, from: FROM - 31 * 24 * HOUR, to: FROM + 40 * 24 * HOUR };
    const points: Record<string, unknown> = {};
    for (const measurement of Object.values(ROLLUP_MEASUREMENTS))
      for await (const chunk of influxql.rows(
        `SELECT * FROM "${rollupPolicy}"."${measurement}" WHERE "site" = $site GROUP BY *`,
        { site },
        { times: 'rfc3339' },
      ))
        for (const { time, revision, ...row } of chunk)
          if (Number(row['events']) > 0) points[`${measurement} ${String(time)} ${JSON.stringify(row)}`] = revision;
    // A session's events in an hour, whichever parts and entries they were written in.
    const journeys = new Map<string, Pick<JourneyEntry, 'times' | 'actions'>>();
    for (const { hour, entries } of (await readJourneyHours(influxql, rollupPolicy, range)) ?? [])
      for (const { session, visitor, bot, times, actions } of entries) {
        const key = `${hour} ${session} ${visitor} ${bot}`;
        const trail = journeys.get(key) ?? { times: [], actions: [] };
        journeys.set(key, { times: [...trail.times, ...times], actions: [...trail.actions, ...actions] });
      }
    const sequences = new Map(
      ((await readSequenceHours(influxql, rollupPolicy, range)) ?? []).map(({ hour, entries }) => [
        hour,
        entries.entries().sort((a, b) => a.key.localeCompare(b.key)),
      ]),
    );
    return { points, journeys: new Map([...journeys].sort(([a], [b]) => a.localeCompare(b))), sequences };
  }

  /** The events cut into chunks in a shuffled order (late ones among them), some chunks delivered twice. */
  const deliveries = (events: EnrichedEvent[], seed: number): EnrichedEvent[][] => {
    let state = seed;
    const next = (n: number) => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31), state % n);
    const shuffled = [...events];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = next(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const chunks: EnrichedEvent[][] = [];
    for (let at = 0; at < shuffled.length;) {
      const size = 1 + next(40);
      chunks.push(shuffled.slice(at, at + size));
      at += size;
      if (chunks.length > 1 && next(4) === 0) chunks.push(chunks[next(chunks.length - 1)]!);
    }
    return chunks;
  };

  it('reads only the announced spans and stores what a read of the whole hour stores, chunks late, resent and in any order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => eventsArbitrary(uniqueName('kept'), FROM, 4, { min: 30, max: 250 })),
        fc.integer({ min: 1, max: 2 ** 30 }),
        async (events, seed) => {
          const site = events[0]!.site;
          const kept = new KeptHours(64 * 2 ** 20);
          // As the worker does for each chunk the consumer stored: its hours with their spans.
          for (const chunk of deliveries(events, seed)) {
            await store(chunk);
            await rollUp(options(), touchedHours(chunk), kept);
          }
          expect(kept.size).toBe(new Set(events.map((e) => hourOf(e.eventTime))).size);
          const incremental = await stored(site);
          for (const dimension of [ALL_DIMENSION, 'path', 'label'] as const)
            for (const bots of [false, true])
              expect(await answer(site, dimension, bots, { from: FROM, to: FROM + 4 * HOUR })).toEqual(
                exact(events, dimension, bots),
              );
          // Every hour read whole, as a worker that kept nothing does.
          await rollUp(
            options(),
            events.map((e) => ({ site, hour: hourOf(e.eventTime) })),
          );
          expect(await stored(site)).toEqual(incremental);
        },
      ),
      { numRuns: 6, seed: 20261207 },
    );
  });

  it('writes nothing when the spans hold no point it has not counted, and reads the hour whole when none is kept', async () => {
    const site = uniqueName('kept-again');
    const events = fc.sample(eventsArbitrary(site, FROM, 1, { min: 40, max: 60 }), { numRuns: 1, seed: 3 })[0]!;
    await store(events);
    const hour = hourOf(events[0]!.eventTime);
    const [touched] = touchedHours(events);
    const kept = new KeptHours(64 * 2 ** 20);
    const whole = await recomputeHour(options(), site, hour, { kept, spans: [touched!.span!] });
    expect(whole).toMatchObject({ events: events.length });
    expect(whole.points).toBeGreaterThan(0);
    // A redelivered chunk: the same points again.
    await store(events.slice(0, 5));
    expect(await recomputeHour(options(), site, hour, { kept, spans: [touched!.span!] })).toEqual({
      events: events.length,
      points: 0,
    });
    // A stored event outside the announced span is not read (its own announcement will name it)…
    const later = { ...events[0]!, event: { ...events[0]!.event, id: `${site}-later` }, eventTime: hour + HOUR - 1 };
    await store([later]);
    const early = { ...touched!.span!, last: touched!.span!.first };
    expect(await recomputeHour(options(), site, hour, { kept, spans: [early] })).toMatchObject({ points: 0 });
    // …and is counted once it is.
    const [announced] = touchedHours([later]);
    expect(await recomputeHour(options(), site, hour, { kept, spans: [announced!.span!] })).toMatchObject({
      events: events.length + 1,
    });
    // Nothing kept (a restart, a rebalance): the whole hour is read.
    kept.clear();
    expect(await recomputeHour(options(), site, hour, { kept, spans: [announced!.span!] })).toMatchObject({
      events: events.length + 1,
    });
    expect(await answer(site, 'type', false, { from: hour, to: hour + HOUR })).toEqual(
      exact([...events, later], 'type', false),
    );
  });

  it('reads spans that overlap or nearly touch as one', () => {
    expect(
      coalesce([
        { first: 5, last: 9 },
        { first: 0, last: 2 },
        { first: 200_000, last: 200_001 },
      ]),
    ).toEqual([
      { first: 0, last: 9 },
      { first: 200_000, last: 200_001 },
    ]);
  });
});

describe('rollUp: days merged from hours, months from days', () => {
  // 72 hours across the end of October: two UTC months, four UTC days.
  const FROM = Date.UTC(2026, 9, 30, 12);
  const touched = (site: string, events: EnrichedEvent[]) => events.map((e) => ({ site, hour: hourOf(e.eventTime) }));
  const ranges = {
    'two whole months (month points)': { from: Date.UTC(2026, 9, 1), to: Date.UTC(2026, 11, 1) },
    'whole days and edge hours': { from: Date.UTC(2026, 9, 30, 7), to: Date.UTC(2026, 10, 3, 5) },
  };

  it('answers exactly what a scan of the raw events answers, read from months, days or hours', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => eventsArbitrary(uniqueName('grains'), FROM, 72, { min: 20, max: 300 })),
        async (events) => {
          const site = events[0]!.site;
          await store(events);
          await store(events.slice(0, 10));
          await rollUp(options(), touched(site, events));
          await rollUp(options(), touched(site, events.slice(0, 10)));
          for (const [name, range] of Object.entries(ranges))
            for (const dimension of [ALL_DIMENSION, 'path', 'utm_source'] as const)
              for (const bots of [false, true])
                expect(await answer(site, dimension, bots, range), `${name} ${dimension} bots=${bots}`).toEqual(
                  exact(events, dimension, bots),
                );
        },
      ),
      { numRuns: 4, seed: 20261207 },
    );
  });

  it('counts a late event in its day and month once its hour is rolled up again', async () => {
    const site = uniqueName('late-day');
    const events = fc.sample(eventsArbitrary(site, FROM, 72), { numRuns: 1, seed: 5 })[0]!;
    await store(events);
    await rollUp(options(), touched(site, events));
    const late = { ...events[0]!, event: { ...events[0]!.event, id: `${site}-late-event-0001` } };
    await store([late]);
    await rollUp(options(), touched(site, [late]));
    for (const range of Object.values(ranges))
      expect(await answer(site, 'type', false, range)).toEqual(exact([...events, late], 'type', false));
  });

  it('bounds a day like an hour, and a value that moves into (other) is never counted twice', async () => {
    const site = uniqueName('bound-day');
    const events = fc.sample(eventsArbitrary(site, FROM, 72), { numRuns: 1, seed: 13 })[0]!;
    await store(events);
    await rollUp(options(1_000), touched(site, events));
    await rollUp(options(2), touched(site, events));
    const total = exact(events, ALL_DIMENSION, false)[ALL_VALUE]?.[0] ?? 0;
    for (const range of Object.values(ranges)) {
      const byPath = await answer(site, 'path', false, range);
      expect(Object.values(byPath).reduce((sum, [count]) => sum + count!, 0)).toBe(total);
    }
  });

  it('backfills the days and months of hours rolled up before those grains existed', async () => {
    const site = uniqueName('backfill');
    const events = fc.sample(eventsArbitrary(site, FROM, 72), { numRuns: 1, seed: 17 })[0]!;
    await store(events);
    // As the worker did before days and months: hours only.
    for (const hour of new Set(events.map((e) => hourOf(e.eventTime)))) await recomputeHour(options(), site, hour);
    const months = ranges['two whole months (month points)'];
    expect(await answer(site, ALL_DIMENSION, false, months)).toEqual({});
    const result = await backfillCoarse(options(), { from: months.from, to: months.to });
    expect(result.buckets).toBeGreaterThanOrEqual(4 + 2);
    for (const range of Object.values(ranges))
      expect(await answer(site, ALL_DIMENSION, false, range)).toEqual(exact(events, ALL_DIMENSION, false));
  });

  it('backfills the sequence and journey rollups of hours rolled up before they existed, and only where raw events are left', async () => {
    const site = uniqueName('sequences');
    const events = fc.sample(eventsArbitrary(site, FROM, 72), { numRuns: 1, seed: 23 })[0]!;
    await store(events);
    await rollUp(options(), touched(site, events));
    const range = ranges['two whole months (month points)'];
    const query = { site, ...range };
    const written = await readSequenceHours(influxql, rollupPolicy, query);
    const journeys = await readJourneyHours(influxql, rollupPolicy, query);
    expect(written?.length).toBe(new Set(events.map((e) => hourOf(e.eventTime))).size);
    expect(journeys?.length).toBe(written?.length);
    const sequencesByHour = (hours: SequenceHour[] | undefined) =>
      new Map(hours?.map(({ hour, entries }) => [hour, entries.entries().sort((a, b) => a.key.localeCompare(b.key))]));
    const journeysByHour = (hours: JourneyHour[] | undefined) =>
      new Map(
        hours?.map(({ hour, entries }) => [hour, [...entries].sort((a, b) => a.session.localeCompare(b.session))]),
      );

    // As a version before journeys left them: the hours and their sequence numbers are there, their journeys not.
    const drop = (measurement: string) =>
      influxql.exec(`DELETE FROM "${measurement}" WHERE "${SEQUENCE_ROLLUP.tag.site}" = '${site}'`);
    await drop(JOURNEY_ROLLUP.measurement);
    expect(await readJourneyHours(influxql, rollupPolicy, query)).toBeUndefined();
    expect(await backfillHourParts(options(), range)).toEqual({ hours: written!.length, written: written!.length });
    expect(journeysByHour(await readJourneyHours(influxql, rollupPolicy, query))).toEqual(journeysByHour(journeys));

    // As a version before sequence rollups left them: neither.
    await drop(SEQUENCE_ROLLUP.measurement);
    await drop(JOURNEY_ROLLUP.measurement);
    expect(await readSequenceHours(influxql, rollupPolicy, query)).toBeUndefined();
    expect(await backfillHourParts(options(), range)).toEqual({ hours: written!.length, written: written!.length });
    expect(sequencesByHour(await readSequenceHours(influxql, rollupPolicy, query))).toEqual(sequencesByHour(written));
    expect(journeysByHour(await readJourneyHours(influxql, rollupPolicy, query))).toEqual(journeysByHour(journeys));
    expect(await backfillHourParts(options(), range)).toEqual({ hours: 0, written: 0 });
  });

  describe("a reader's cache of buckets", () => {
    const cachedAnswers = async (site: string, cache: RollupCache) => {
      const answers: Record<string, unknown> = {};
      for (const [name, range] of Object.entries(ranges))
        for (const dimension of [ALL_DIMENSION, 'path', 'browser'] as const)
          answers[`${name} ${dimension}`] = await answer(site, dimension, false, range, cache);
      return answers;
    };

    it('answers from kept buckets what it reads without them, and reads a bucket again once it changed', async () => {
      const site = uniqueName('cache');
      const events = fc.sample(eventsArbitrary(site, FROM, 72, { min: 80, max: 200 }), { numRuns: 1, seed: 19 })[0]!;
      await store(events);
      await rollUp(options(), touched(site, events));
      const cache = createRollupCache({ maxBytes: 64 * 2 ** 20 });
      const expected = (all: EnrichedEvent[]) =>
        Object.fromEntries(
          Object.keys(ranges).flatMap((name) =>
            [ALL_DIMENSION, 'path', 'browser'].map((d) => [`${name} ${d}`, exact(all, d as Dimension, false)]),
          ),
        );

      expect(await cachedAnswers(site, cache)).toEqual(expected(events));
      const cold = { ...cache.stats };
      expect(cold.hits).toBe(0);
      expect(cold.bytes).toBeGreaterThan(0);
      expect(await cachedAnswers(site, cache)).toEqual(expected(events));
      expect(cache.stats.misses, 'nothing changed: every bucket from memory').toBe(cold.misses);
      expect(cache.stats.hits).toBe(cold.misses);

      // A late event of a new visitor: its hour, day and month are recomputed, and the kept ones must not answer.
      const first = events[0]!;
      const late = {
        ...first,
        event: {
          ...first.event,
          id: `${site}-late-event-0001`,
          anonymousId: 'late-visitor',
          sessionId: 'late-session',
        },
      };
      await store([late]);
      await rollUp(options(), touched(site, [late]));
      expect(await cachedAnswers(site, cache)).toEqual(expected([...events, late]));
      expect(cache.stats.misses).toBeGreaterThan(cold.misses);

      // And one in the last hour, as events arrive: the buckets before it are added up as merged before.
      const last = events.reduce((a, b) => (b.eventTime > a.eventTime ? b : a));
      const arriving = {
        ...last,
        event: { ...last.event, id: `${site}-late-event-0002`, anonymousId: 'new-visitor', sessionId: 'new-session' },
      };
      await store([arriving]);
      await rollUp(options(), touched(site, [arriving]));
      expect(await cachedAnswers(site, cache)).toEqual(expected([...events, late, arriving]));
    });

    it('keeps hours of sequence rollups decoded, and reads an hour again once it is recomputed', async () => {
      const site = uniqueName('cache-sequences');
      const events = fc.sample(eventsArbitrary(site, FROM, 72, { min: 80, max: 200 }), { numRuns: 1, seed: 29 })[0]!;
      await store(events);
      await rollUp(options(), touched(site, events));
      const range = ranges['two whole months (month points)'];
      const byHour = (hours: SequenceHour[] | undefined) =>
        new Map(
          hours?.map(({ hour, entries }) => [hour, entries.entries().sort((a, b) => a.key.localeCompare(b.key))]),
        );
      const read = (cache?: RollupCache) => readSequenceHours(influxql, rollupPolicy, { site, ...range }, cache);
      const cache = createRollupCache({ maxBytes: 64 * 2 ** 20 });

      const uncached = byHour(await read());
      expect(byHour(await read(cache))).toEqual(uncached);
      const cold = { ...cache.stats };
      expect(cold.hits).toBe(0);
      expect(cold.misses).toBe(uncached.size);
      expect(byHour(await read(cache))).toEqual(uncached);
      expect(cache.stats.hits, 'nothing changed: every hour from memory').toBe(uncached.size);

      // A late event with the next number of a sequence: its hour is recomputed and read again, the others kept.
      const first = events[0]!;
      const sequence = events.filter(
        (e) => e.event.sessionId === first.event.sessionId && e.event.tabId === first.event.tabId,
      );
      const late = {
        ...first,
        event: { ...first.event, id: `${site}-late-seq`, seq: Math.max(...sequence.map((e) => e.event.seq ?? 0)) + 1 },
      };
      await store([late]);
      await rollUp(options(), touched(site, [late]));
      const after = byHour(await read());
      expect(after).not.toEqual(uncached);
      const hits = cache.stats.hits;
      expect(byHour(await read(cache))).toEqual(after);
      expect(cache.stats.hits - hits).toBe(uncached.size - 1);
    });

    it('never keeps points stored without a revision, and still answers them', async () => {
      const site = uniqueName('cache-legacy');
      const day = Date.UTC(2026, 9, 31);
      const sketch = (ids: string[]) => {
        const hll = new HyperLogLog();
        for (const id of ids) hll.addValue(id);
        return hll.serialize();
      };
      // As rollup points were written before revisions: the line without its last field.
      // Two days, so an answer over both also adds up buckets (nor is their merge kept).
      const lines = [day, day + 24 * HOUR].map((start, i) =>
        rollupLine({ site, audience: 'people', dimension: ALL_DIMENSION, value: ALL_VALUE, grain: 'day', start }, [
          3,
          1,
          sketch(['a', i === 0 ? 'b' : 'c']),
          sketch([`s${i}`]),
        ]).replace(/,revision=\d+i /, ' '),
      );
      for (const line of lines) {
        expect(line).not.toContain('revision');
        expect(line).toContain(`${ROLLUP_MEASUREMENTS.day},`);
      }
      await influxql.write(lines, rollupPolicy);
      const cache = createRollupCache({ maxBytes: 64 * 2 ** 20 });
      for (let i = 0; i < 2; i++) {
        expect(await answer(site, ALL_DIMENSION, false, { from: day, to: day + 24 * HOUR }, cache)).toEqual({
          [ALL_VALUE]: [3, 1, 2, 1],
        });
        expect(await answer(site, ALL_DIMENSION, false, { from: day, to: day + 48 * HOUR }, cache)).toEqual({
          [ALL_VALUE]: [6, 2, 3, 2],
        });
      }
      expect(cache.stats).toMatchObject({ hits: 0, bytes: 0 });
    });
  });
});
