// Read API v2: overview, time series and breakdowns of one site from the hourly
// rollups, in a time zone, for people or for bots. Read-only.
import {
  AnalyticsTimeseriesQuerySchema,
  AnalyticsTimeseriesResponseSchema,
  BreakdownQuerySchema,
  BreakdownResponseSchema,
  ElementQuerySchema,
  ElementResponseSchema,
  FunnelQuerySchema,
  FunnelResponseSchema,
  type FunnelStep,
  OverviewQuerySchema,
  OverviewResponseSchema,
} from '@eventline/contract/read-api';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AnswerScope } from '../analytics.ts';
import { checkTimeZone } from '../local-time.ts';
import { API_ROUTE } from '../schemas.ts';
import { parseInterval, RANGE_LIMITS, resolveAnswerRange, resolveRange } from '../time-range.ts';

function scopeOf(query: { site: string; from?: string; to?: string; timezone: string; bots: string }): AnswerScope {
  checkTimeZone(query.timezone);
  return {
    site: query.site,
    range: resolveAnswerRange(query),
    timeZone: query.timezone,
    audience: query.bots === 'only' ? 'bots' : 'people',
  };
}

/** The scope of an answer from raw events: any range up to 31 days, 7 by default. */
function rawScopeOf(query: { site: string; from?: string; to?: string; timezone: string; bots: string }): AnswerScope {
  checkTimeZone(query.timezone);
  return {
    site: query.site,
    range: resolveRange(query, Date.now(), { defaultMs: 7 * 24 * 3_600_000, maxMs: RANGE_LIMITS.maxRangeMs }),
    timeZone: query.timezone,
    audience: query.bots === 'only' ? 'bots' : 'people',
  };
}

const answered = (scope: AnswerScope) => ({
  range: { from: new Date(scope.range.from).toISOString(), to: new Date(scope.range.to).toISOString() },
  timezone: scope.timeZone,
});

const analytics: FastifyPluginAsyncTypebox = async (app) => {
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
      return { ...answered(scope), ...(await app.analytics.breakdown(scope, dimension, metric, limit)) };
    },
  );
};

export default analytics;
