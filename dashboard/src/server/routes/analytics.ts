// Read API v2: overview, time series, breakdowns, completeness per bucket and
// funnels of one site from the rollups (from the raw events when filtered, or
// over hours rolled up before sequence and journey rollups existed), and
// elements and event pages from the raw events, in a time zone, for people or
// for bots. Read-only.
import {
  AnalyticsEventsQuerySchema,
  AnalyticsEventsResponseSchema,
  AnalyticsTimeseriesQuerySchema,
  AnalyticsTimeseriesResponseSchema,
  BreakdownQuerySchema,
  BreakdownResponseSchema,
  BreakdownsQuerySchema,
  BreakdownsResponseSchema,
  BucketCompletenessQuerySchema,
  BucketCompletenessResponseSchema,
  type BucketCompleteness,
  ElementQuerySchema,
  ElementResponseSchema,
  FunnelQuerySchema,
  FunnelResponseSchema,
  type FunnelStep,
  OverviewQuerySchema,
  OverviewResponseSchema,
  parseFilter,
  SitesResponseSchema,
} from '@eventline/contract/read-api';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { hourOf } from '@eventline/contract';
import { defaultInterval } from '@eventline/contract/answer-range';
import type { AnswerScope } from '../analytics.ts';
import { DashboardError } from '../errors.ts';
import { checkTimeZone, localBucket, localBuckets } from '../local-time.ts';
import { API_ROUTE } from '../schemas.ts';
import { createSingleFlight } from '../single-flight.ts';
import { parseInterval, RANGE_LIMITS, resolveAnswerRange, resolveRange } from '../time-range.ts';

const DAY_MS = 86_400_000;

interface AnswerQuery {
  site: string;
  from?: string;
  to?: string;
  timezone: string;
  bots: string;
  filter?: string[];
}

function scopeOf(query: AnswerQuery, range = resolveAnswerRange(query)): AnswerScope {
  checkTimeZone(query.timezone);
  const filters = (query.filter ?? []).map(parseFilter);
  // A filtered answer scans the raw events, which are bounded (and kept) like every raw query.
  if (filters.length > 0 && range.to - range.from > RANGE_LIMITS.maxRangeMs)
    throw new DashboardError(
      'DASHBOARD_RANGE_TOO_LARGE',
      `with a filter, at most ${RANGE_LIMITS.maxRangeMs / DAY_MS} days`,
    );
  return {
    site: query.site,
    range,
    timeZone: query.timezone,
    audience: query.bots === 'only' ? 'bots' : 'people',
    filters,
  };
}

/** The scope of an answer from raw events: any range up to 31 days, 7 by default (filters as every answer). */
function rawScopeOf(query: AnswerQuery): AnswerScope {
  return scopeOf(query, resolveRange(query, Date.now(), { defaultMs: 7 * DAY_MS, maxMs: RANGE_LIMITS.maxRangeMs }));
}

const answered = (scope: Pick<AnswerScope, 'range' | 'timeZone'>) => ({
  range: { from: new Date(scope.range.from).toISOString(), to: new Date(scope.range.to).toISOString() },
  timezone: scope.timeZone,
});

const analytics: FastifyPluginAsyncTypebox = async (app) => {
  // A month's band is a raw scan of seconds: a reload, or a second viewer, joins the one running.
  const completenessScans = createSingleFlight<BucketCompleteness[]>();
  app.get(
    '/v2/sites',
    {
      schema: {
        ...API_ROUTE,
        tags: ['analytics'],
        summary: 'The sites there are answers for',
        response: { ...API_ROUTE.response, 200: SitesResponseSchema },
      },
    },
    async (request) => ({ sites: request.share ? [request.share.site] : await app.analytics.sites() }),
  );

  app.get(
    '/v2/overview',
    {
      schema: {
        ...API_ROUTE,
        tags: ['analytics'],
        summary: 'Visitors, sessions, page views and events of a range, against the previous period or year',
        querystring: OverviewQuerySchema,
        response: { ...API_ROUTE.response, 200: OverviewResponseSchema },
      },
    },
    async (request) => {
      const scope = scopeOf(request.query);
      return { ...answered(scope), ...(await app.analytics.overview(scope, request.query.compare)) };
    },
  );

  app.get(
    '/v2/timeseries',
    {
      schema: {
        ...API_ROUTE,
        tags: ['analytics'],
        summary: 'One metric per local hour, day or month',
        querystring: AnalyticsTimeseriesQuerySchema,
        response: { ...API_ROUTE.response, 200: AnalyticsTimeseriesResponseSchema },
      },
    },
    async (request) => {
      const scope = scopeOf(request.query);
      const { metric, interval } = request.query;
      return { ...answered(scope), ...(await app.analytics.timeseries(scope, metric, interval)) };
    },
  );

  app.get(
    '/v2/funnel',
    {
      schema: {
        ...API_ROUTE,
        tags: ['analytics'],
        summary: 'Ordered steps within a session or visitor and a window: conversion, drop-off, next actions',
        querystring: FunnelQuerySchema,
        response: { ...API_ROUTE.response, 200: FunnelResponseSchema },
      },
    },
    async (request) => {
      const { query } = request;
      const scope = rawScopeOf(query);
      const windowMs = parseInterval(query.window);
      const result = await app.analytics.funnel(scope, query.step as FunnelStep[], query.within, windowMs);
      return { ...answered(scope), within: query.within, windowMs, ...result };
    },
  );

  app.get(
    '/v2/events',
    {
      schema: {
        ...API_ROUTE,
        tags: ['analytics'],
        summary: 'Raw events, newest first, a page at a time, with every filter applied',
        querystring: AnalyticsEventsQuerySchema,
        response: { ...API_ROUTE.response, 200: AnalyticsEventsResponseSchema },
      },
    },
    async (request) => {
      const { query } = request;
      const scope = rawScopeOf(query);
      return { ...answered(scope), ...(await app.analytics.events(scope, query.limit, query.cursor)) };
    },
  );

  app.get(
    '/v2/element',
    {
      schema: {
        ...API_ROUTE,
        tags: ['analytics'],
        summary: 'One element by label: clicks, unique clickers and click-through, text changes, checkbox on/off',
        querystring: ElementQuerySchema,
        response: { ...API_ROUTE.response, 200: ElementResponseSchema },
      },
    },
    async (request) => {
      const scope = rawScopeOf(request.query);
      return { ...answered(scope), ...(await app.analytics.element(scope, request.query.label)) };
    },
  );

  app.get(
    '/v2/completeness',
    {
      schema: {
        ...API_ROUTE,
        tags: ['analytics', 'completeness'],
        summary: 'Events received against those the sequence numbers call for, per local hour, day or month',
        querystring: BucketCompletenessQuerySchema,
        response: { ...API_ROUTE.response, 200: BucketCompletenessResponseSchema },
      },
    },
    async (request) => {
      const { query } = request;
      checkTimeZone(query.timezone);
      const range = resolveAnswerRange(query);
      // From the sequence rollups; hours rolled up before they existed are read from the raw events, bounded (and
      // kept) like every raw query, so the range is too.
      if (range.to - range.from > RANGE_LIMITS.maxRangeMs)
        throw new DashboardError('DASHBOARD_RANGE_TOO_LARGE', `at most ${RANGE_LIMITS.maxRangeMs / DAY_MS} days`);
      const interval = query.interval ?? defaultInterval(range);
      const bucketOf = (time: number) => localBucket(hourOf(time), query.timezone, interval);
      const key = JSON.stringify([query.site, range.from, range.to, query.timezone, interval]);
      const names = localBuckets(range, query.timezone, interval).map((bucket) => bucket.name);
      const buckets = await completenessScans.run(
        key,
        async () =>
          (await app.analytics.completeness(query.site, range, names, bucketOf)) ??
          app.reader.completenessByBucket(range, query.site, names, bucketOf),
      );
      return { ...answered({ range, timeZone: query.timezone }), interval, buckets };
    },
  );

  app.get(
    '/v2/breakdown',
    {
      schema: {
        ...API_ROUTE,
        tags: ['analytics'],
        summary: 'The top values of a dimension by a metric, with (other)',
        querystring: BreakdownQuerySchema,
        response: { ...API_ROUTE.response, 200: BreakdownResponseSchema },
      },
    },
    async (request) => {
      const scope = scopeOf(request.query);
      const { dimension, metric, limit } = request.query;
      const { breakdowns } = await app.analytics.breakdowns(scope, [dimension], metric, limit);
      return { ...answered(scope), dimension, metric, rows: breakdowns[0]!.rows };
    },
  );

  app.get(
    '/v2/breakdowns',
    {
      schema: {
        ...API_ROUTE,
        tags: ['analytics'],
        summary: 'Several breakdowns from one read: what a page of breakdowns asks for, in one request',
        querystring: BreakdownsQuerySchema,
        response: { ...API_ROUTE.response, 200: BreakdownsResponseSchema },
      },
    },
    async (request) => {
      const scope = scopeOf(request.query);
      const { dimension, metric, limit } = request.query;
      return { ...answered(scope), ...(await app.analytics.breakdowns(scope, dimension, metric, limit)) };
    },
  );
};

export default analytics;
