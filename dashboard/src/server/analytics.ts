// Answers of read API v2 from the hourly rollups: overview with comparison,
// time series in local buckets, breakdowns with (other). Unique counts merge
// HyperLogLog sketches across hours, so a visitor seen on many days counts once.
// Any failure to reach or query InfluxDB becomes DASHBOARD_STORAGE_UNAVAILABLE.
import {
  ALL_DIMENSION,
  ALL_VALUE,
  bucketEnd,
  FIELD,
  hourOf,
  MEASUREMENT,
  OTHER_VALUE,
  RETENTION,
  ROLLUP_FIELD,
  ROLLUP_MEASUREMENTS,
  ROLLUP_TAG,
  TAG,
  type Audience,
  type Dimension,
} from '@eventline/contract';
import type {
  AnalyticsTimeseriesResponse,
  BucketCompleteness,
  EventPage,
  BreakdownsResponse,
  ElementResponse,
  FunnelStep,
  Metric,
  MetricValues,
  OverviewResponse,
  TimeseriesInterval,
} from '@eventline/contract/read-api';
import { comparisonRange, defaultInterval, wholeHours, type Comparison } from '@eventline/contract/answer-range';
import { HyperLogLog } from '@eventline/kit/hyperloglog';
import { ident, type InfluxQL } from '@eventline/rollup/influxql';
import type { RollupCache } from '@eventline/rollup/rollup-cache';
import { filterColumns, rawWhere, readRaw, rowMatches, type DimensionFilter } from '@eventline/rollup/raw-reader';
import {
  readRollup,
  totalsByDimension,
  type KeyOf,
  type RollupQuery,
  type ValueTotals,
} from '@eventline/rollup/rollup-reader';
import { ACTION_COLUMNS, actionOf, checkedOf, readJourneyHours } from '@eventline/rollup/journeys';
import { readSequenceHours } from '@eventline/rollup/sequence-reader';
import { mergeSequenceHours } from '@eventline/rollup/sequence-runs';
import type { FastifyBaseLogger } from 'fastify';
import { bucketCompleteness } from './bucket-completeness.ts';
import { decodeCursor, encodeCursor, isoToNs, nsToIso } from './cursor.ts';
import { DashboardError } from './errors.ts';
import { clickThrough, emptyTally, tallyElementEvent, topKeys } from './element.ts';
import { computeFunnel, Trails, trailsOf, type FunnelEvent, type FunnelResult, type Trail } from './funnel.ts';
import { localBucket, localBuckets } from './local-time.ts';
import type { TimeRange } from './time-range.ts';
import { toApiEvent } from './to-api-event.ts';

export interface AnswerScope {
  site: string;
  range: TimeRange;
  timeZone: string;
  audience: Audience;
  /** Every one must hold; answers with filters come from the raw events. Default: none */
  filters?: readonly DimensionFilter[];
}

export interface Analytics {
  /** The sites with rolled-up events, by name. */
  sites(): Promise<string[]>;
  overview(scope: AnswerScope, compare: Comparison): Promise<Omit<OverviewResponse, 'range' | 'timezone'>>;
  timeseries(
    scope: AnswerScope,
    metric: Metric,
    interval: TimeseriesInterval | undefined,
  ): Promise<Omit<AnalyticsTimeseriesResponse, 'range' | 'timezone'>>;
  /** Several dimensions from one read of the rollups (or one scan of the raw events), in the order asked. */
  breakdowns(
    scope: AnswerScope,
    dimensions: readonly Dimension[],
    metric: Metric,
    limit: number,
  ): Promise<Omit<BreakdownsResponse, 'range' | 'timezone'>>;
  /** Raw events, newest first, `limit` to a page; every filter applied. */
  events(scope: AnswerScope, limit: number, cursor: string | undefined): Promise<EventPage>;
  /**
   * Exact, per session or visitor: from the journey rollups, or from the raw events when filtered or when the
   * journeys do not cover the range (hours rolled up before they existed); the range is bounded like raw queries.
   */
  funnel(
    scope: AnswerScope,
    steps: readonly FunnelStep[],
    within: 'session' | 'visitor',
    windowMs: number,
  ): Promise<FunnelResult>;
  /** One element by label, from the raw events (range bounded like funnels); its page visitors from the rollups. */
  element(scope: AnswerScope, label: string): Promise<Omit<ElementResponse, 'range' | 'timezone'>>;
  /**
   * Completeness of `buckets` (each hour's bucket named by `bucketOf`) from the sequence rollups; undefined when
   * they do not cover the range (hours rolled up before they existed), and only the raw events can answer.
   */
  completeness(
    site: string,
    range: TimeRange,
    buckets: readonly string[],
    bucketOf: (hour: number) => string,
  ): Promise<BucketCompleteness[] | undefined>;
}

/** Next actions listed per funnel step. */
export const FUNNEL_NEXT_ACTIONS = 5;

const FUNNEL_COLUMNS = [FIELD.anonymousId, FIELD.sessionId, FIELD.bot, ...ACTION_COLUMNS];

/** One metric of the totals: a unique count estimates its sketch (16 Ki registers when large), so only when asked. */
function figure(totals: ValueTotals | undefined, metric: Metric): number {
  if (!totals) return 0;
  switch (metric) {
    case 'visitors':
      return totals.visitors.estimate();
    case 'sessions':
      return totals.sessions.estimate();
    case 'pageviews':
      return totals.pageviews;
    case 'events':
      return totals.events;
  }
}

function figures(totals: ValueTotals | undefined): MetricValues {
  return {
    visitors: figure(totals, 'visitors'),
    sessions: figure(totals, 'sessions'),
    pageviews: figure(totals, 'pageviews'),
    events: figure(totals, 'events'),
  };
}

/** The top `limit` values by `metric`, then (other) for the rest, stored (other) included. */
function topRows(
  byValue: Map<string, ValueTotals>,
  metric: Metric,
  limit: number,
): BreakdownsResponse['breakdowns'][number]['rows'] {
  // Ranked by the metric alone; the other figures only for the rows shown.
  const ranked = [...byValue]
    .filter(([value]) => value !== OTHER_VALUE)
    .map(([value, totals]) => ({ value, totals, rank: figure(totals, metric) }))
    .sort((a, b) => b.rank - a.rank || (a.value < b.value ? -1 : 1));
  const stored = byValue.get(OTHER_VALUE);
  const rest = ranked
    .slice(limit)
    .map((row) => row.totals)
    .concat(stored ? [stored] : []);
  const rows = ranked.slice(0, limit).map((row) => ({ value: row.value, ...figures(row.totals) }));
  if (rest.length > 0) {
    const other: ValueTotals = {
      events: 0,
      pageviews: 0,
      visitors: new HyperLogLog(),
      sessions: new HyperLogLog(),
    };
    for (const totals of rest) {
      other.events += totals.events;
      other.pageviews += totals.pageviews;
      other.visitors.merge(totals.visitors);
      other.sessions.merge(totals.sessions);
    }
    rows.push({ value: OTHER_VALUE, ...figures(other) });
  }
  return rows;
}

const iso = (range: TimeRange) => ({ from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() });

export function createAnalytics(deps: {
  influxql: InfluxQL;
  rawPolicy: string;
  rollupCache?: RollupCache | undefined;
  logger: FastifyBaseLogger;
}): Analytics {
  const logger = deps.logger.child({ module: 'analytics' });

  /** A read of InfluxDB: a failure is logged with what was read and answered 503; the API's own errors pass. */
  async function stored<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof DashboardError) throw error;
      logger.error({ err: error }, `InfluxDB ${what} query failed`);
      throw new DashboardError('DASHBOARD_STORAGE_UNAVAILABLE', undefined, { cause: error });
    }
  }

  async function read(
    scope: AnswerScope,
    dimension: RollupQuery['dimension'],
    range: TimeRange = scope.range,
    keyOf?: KeyOf,
    fields?: RollupQuery['fields'],
    cuts?: RollupQuery['cuts'],
  ): Promise<Map<string, ValueTotals>> {
    const query = {
      site: scope.site,
      audience: scope.audience,
      dimension,
      from: range.from,
      to: range.to,
      fields,
      cuts,
    };
    const filters = scope.filters ?? [];
    return filters.length > 0
      ? stored('raw events', () => readRaw(deps.influxql, deps.rawPolicy, { ...query, filters }, keyOf))
      : stored('rollup', () => readRollup(deps.influxql, RETENTION.rollupPolicy, query, keyOf, deps.rollupCache));
  }

  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

  /** Raw events in time order, of sessions (events outside any session belong to none) or visitors. */
  async function* funnelEvents(scope: AnswerScope, within: 'session' | 'visitor'): AsyncGenerator<FunnelEvent> {
    // Rows come in time order (one series without GROUP BY), which the funnel needs.
    const filters = scope.filters ?? [];
    const columns = [...new Set([...FUNNEL_COLUMNS, ...filterColumns(filters)])];
    const { where, params } = rawWhere({ site: scope.site, ...scope.range }, filters);
    const statement = `SELECT ${columns.map(ident).join(',')}
      FROM ${ident(deps.influxql.database)}.${ident(deps.rawPolicy)}.${ident(MEASUREMENT)} WHERE ${where}`;
    const bots = scope.audience === 'bots';
    const actorColumn = within === 'session' ? FIELD.sessionId : FIELD.anonymousId;
    for await (const chunk of deps.influxql.rows(statement, params)) {
      for (const row of chunk) {
        const actor = text(row[actorColumn]);
        if (actor === undefined || (row[FIELD.bot] === true) !== bots || !rowMatches(row, filters)) continue;
        yield {
          time: Number(row['time']),
          actor,
          action: actionOf(row),
        };
      }
    }
  }

  /**
   * The actors' trails from the journey rollups of the hours around the range, its events only; undefined when
   * the journeys do not cover it.
   */
  async function journeyTrails(
    scope: AnswerScope,
    within: 'session' | 'visitor',
  ): Promise<Iterable<Trail> | undefined> {
    const { from, to } = scope.range;
    const hours = await stored('journey rollup', () =>
      readJourneyHours(
        deps.influxql,
        RETENTION.rollupPolicy,
        { site: scope.site, from: hourOf(from), to: bucketEnd('hour', hourOf(to - 1)) },
        deps.rollupCache,
      ),
    );
    if (!hours) return undefined;
    const bots = scope.audience === 'bots';
    const trails = new Trails();
    for (const { entries } of hours.sort((a, b) => a.hour - b.hour))
      for (const { session, visitor, bot, times, actions } of entries) {
        const actor = within === 'session' ? session : visitor;
        if (bot !== bots || actor === '' || times.length === 0) continue;
        if (times[0]! >= from && times[times.length - 1]! < to) trails.addRun(actor, times, actions);
        else {
          // An hour at an edge of the range: its events outside are left out.
          const inside = times.flatMap((time, i) => (time >= from && time < to ? [i] : []));
          if (inside.length > 0)
            trails.addRun(
              actor,
              inside.map((i) => times[i]!),
              inside.map((i) => actions[i]!),
            );
        }
      }
    return trails.ordered();
  }

  /**
   * One page of raw events, newest first, ties in time by id descending. The raw events are streamed newest first
   * and the stream is left once the page is full and the events sharing the boundary's time are all read.
   */
  async function eventPage(scope: AnswerScope, limit: number, cursorText: string | undefined): Promise<EventPage> {
    const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
    const filters = scope.filters ?? [];
    const { where, params } = rawWhere({ site: scope.site, ...scope.range }, filters);
    if (cursor) params['cursor'] = nsToIso(cursor.timeNs);
    const statement = `SELECT * FROM ${ident(deps.influxql.database)}.${ident(deps.rawPolicy)}.${ident(MEASUREMENT)}
      WHERE ${where}${cursor ? ' AND time <= $cursor' : ''} ORDER BY time DESC`;
    const bots = scope.audience === 'bots';
    const found: { timeNs: bigint; id: string; row: Record<string, unknown> }[] = [];
    read: for await (const chunk of deps.influxql.rows(statement, params, { times: 'rfc3339' })) {
      for (const row of chunk) {
        const timeNs = isoToNs(String(row['time']));
        // Full, and past every event of the boundary's time: nothing later can belong on this page.
        if (found.length > limit && timeNs < found[limit - 1]!.timeNs) break read;
        if ((row[FIELD.bot] === true) !== bots || !rowMatches(row, filters)) continue;
        const id = String(row[FIELD.id] ?? '');
        if (cursor && timeNs === cursor.timeNs && id >= cursor.id) continue;
        found.push({ timeNs, id, row });
      }
    }
    found.sort((a, b) => (a.timeNs === b.timeNs ? (a.id < b.id ? 1 : -1) : a.timeNs < b.timeNs ? 1 : -1));
    const page = found.slice(0, limit);
    const events = page.map(({ timeNs, row }) => toApiEvent({ ...row, _time: nsToIso(timeNs) }));
    const last = page[page.length - 1];
    return { events, nextCursor: found.length > limit && last ? encodeCursor(last) : null };
  }

  async function tallyElement(scope: AnswerScope, label: string) {
    const filters = scope.filters ?? [];
    const columns = [
      ...new Set([
        TAG.type,
        FIELD.anonymousId,
        FIELD.elementSelector,
        FIELD.pagePath,
        FIELD.elementChecked,
        FIELD.bot,
        ...filterColumns(filters),
      ]),
    ];
    const { where, params } = rawWhere({ site: scope.site, ...scope.range }, filters);
    params['label'] = label;
    const statement = `SELECT ${columns.map(ident).join(',')}
      FROM ${ident(deps.influxql.database)}.${ident(deps.rawPolicy)}.${ident(MEASUREMENT)}
      WHERE ${where} AND ${ident(FIELD.label)} = $label`;
    const tally = emptyTally();
    const bots = scope.audience === 'bots';
    await stored('element', async () => {
      for await (const chunk of deps.influxql.rows(statement, params))
        for (const row of chunk) {
          if ((row[FIELD.bot] === true) !== bots || !rowMatches(row, filters)) continue;
          tallyElementEvent(tally, {
            type: String(row[TAG.type]),
            anonymousId: text(row[FIELD.anonymousId]),
            selector: text(row[FIELD.elementSelector]),
            path: text(row[FIELD.pagePath]),
            checked: checkedOf(row),
          });
        }
    });
    return tally;
  }

  return {
    async sites() {
      const statement = `SELECT last(${ident(ROLLUP_FIELD.events)})
        FROM ${ident(deps.influxql.database)}.${ident(RETENTION.rollupPolicy)}.${ident(ROLLUP_MEASUREMENTS.month)}
        WHERE ${ident(ROLLUP_TAG.dimension)} = $all GROUP BY ${ident(ROLLUP_TAG.site)}`;
      const names = new Set<string>();
      await stored('sites', async () => {
        for await (const chunk of deps.influxql.rows(statement, { all: ALL_DIMENSION }))
          for (const row of chunk) names.add(String(row[ROLLUP_TAG.site]));
      });
      return [...names].sort();
    },

    events(scope, limit, cursor) {
      return stored('events', () => eventPage(scope, limit, cursor));
    },

    async completeness(site, range, buckets, bucketOf) {
      const hours = await stored('sequence rollup', () =>
        readSequenceHours(deps.influxql, RETENTION.rollupPolicy, { site, ...range }, deps.rollupCache),
      );
      if (!hours) return undefined;
      const { received, missing } = mergeSequenceHours(hours, bucketOf);
      return bucketCompleteness(buckets, received, missing);
    },

    async element(scope, label) {
      const hours = wholeHours(scope.range);
      const [tally, byPath] = await Promise.all([tallyElement(scope, label), read(scope, 'path', hours)]);
      const visitors = new HyperLogLog();
      for (const path of tally.pages.keys()) {
        const totals = byPath.get(path);
        if (totals) visitors.merge(totals.visitors);
      }
      const clickers = tally.clickers.estimate();
      const pageVisitors = visitors.estimate();
      return {
        label,
        selectors: topKeys(tally.selectors),
        pages: topKeys(tally.pages),
        clicks: tally.clicks,
        clickers,
        pageVisitors,
        clickThrough: clickThrough(clickers, pageVisitors),
        changes: tally.changes,
        toggles: tally.toggles,
      };
    },

    async funnel(scope, steps, within, windowMs) {
      const fromJourneys = scope.filters?.length ? undefined : await journeyTrails(scope, within);
      const trails =
        fromJourneys ??
        (await stored('funnel', async () => {
          const events: FunnelEvent[] = [];
          for await (const event of funnelEvents(scope, within)) events.push(event);
          return trailsOf(events);
        }));
      return computeFunnel(trails, steps, windowMs, FUNNEL_NEXT_ACTIONS);
    },

    async overview(scope, compare) {
      const compareRange = comparisonRange(scope.range, compare);
      const [current, previous] = await Promise.all([
        read(scope, ALL_DIMENSION),
        read(scope, ALL_DIMENSION, compareRange),
      ]);
      const now = figures(current.get(ALL_VALUE));
      const before = figures(previous.get(ALL_VALUE));
      const compared = (metric: Metric) => ({
        value: now[metric],
        previous: before[metric],
        change: before[metric] === 0 ? null : (now[metric] - before[metric]) / before[metric],
      });
      return {
        compareRange: iso(compareRange),
        metrics: {
          visitors: compared('visitors'),
          sessions: compared('sessions'),
          pageviews: compared('pageviews'),
          events: compared('events'),
        },
      };
    },

    async timeseries(scope, metric, requested) {
      const interval = requested ?? defaultInterval(scope.range);
      const buckets = localBuckets(scope.range, scope.timeZone, interval);
      // Only the metric asked for: a count over months then reads no sketches at all.
      const byBucket = await read(
        scope,
        ALL_DIMENSION,
        scope.range,
        (_value, start) => localBucket(start, scope.timeZone, interval),
        [metric],
        buckets.map((bucket) => bucket.start),
      );
      return {
        metric,
        interval,
        buckets: buckets.map((bucket) => bucket.name),
        values: buckets.map((bucket) => figure(byBucket.get(bucket.name), metric)),
      };
    },

    async breakdowns(scope, dimensions, metric, limit) {
      const byDimension = await totalsByDimension(dimensions, (keyOf) => read(scope, dimensions, scope.range, keyOf));
      return {
        metric,
        breakdowns: dimensions.map((dimension) => ({
          dimension,
          rows: topRows(byDimension.get(dimension) ?? new Map(), metric, limit),
        })),
      };
    },
  };
}
