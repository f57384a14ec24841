// The read API: events (cursor-paginated, newest first), their CSV export,
// counts per type over time, top elements and pages, and data completeness
// from the sequence numbers. Read-only.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { csvHeader, csvRow } from '../csv.ts';
import type { EventFilter } from '../queries.ts';
import {
  API_LIMITS,
  CompletenessQuerySchema,
  CompletenessResponseSchema,
  EventsQuerySchema,
  EventsResponseSchema,
  EXPORT_TRUNCATED_HEADER,
  ExportQuerySchema,
  TimeseriesQuerySchema,
  TimeseriesResponseSchema,
  TopQuerySchema,
  TopResponseSchema,
} from '@eventline/contract/read-api';
import { API_ROUTE } from '../schemas.ts';
import { chooseInterval, resolveRange } from '../time-range.ts';

function toFilter(
  query: { from?: string; to?: string; type?: string; site?: string; q?: string },
  now = Date.now(),
): EventFilter {
  return {
    range: resolveRange(query, now),
    types: query.type ? [...new Set(query.type.split(','))] : [],
    site: query.site,
    q: query.q?.trim() || undefined,
  };
}

const rangeJson = (filter: EventFilter) => ({
  from: new Date(filter.range.from).toISOString(),
  to: new Date(filter.range.to).toISOString(),
});

const api: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/events',
    {
      schema: {
        ...API_ROUTE,
        tags: ['events'],
        summary: 'Events, newest first, one page at a time',
        querystring: EventsQuerySchema,
        response: {
          ...API_ROUTE.response,
          200: EventsResponseSchema,
        },
      },
    },
    async (request) => {
      const filter = toFilter(request.query);
      const page = await app.reader.events(filter, request.query.limit, request.query.cursor);
      return { ...page, range: rangeJson(filter) };
    },
  );

  app.get(
    '/events.csv',
    {
      schema: {
        ...API_ROUTE,
        tags: ['events'],
        summary: 'The filtered events as a CSV attachment, newest first',
        description: `At most \`limit\` rows (default and most: ${API_LIMITS.maxExportRows}). When the range holds more, the export has the newest \`limit\` and the \`${EXPORT_TRUNCATED_HEADER}: true\` header; narrow the range to export the rest.`,
        querystring: ExportQuerySchema,
        response: {
          ...API_ROUTE.response,
          200: {
            description: "RFC 4180 CSV; cells that look like formulas are prefixed with `'`",
            headers: {
              [EXPORT_TRUNCATED_HEADER]: {
                type: 'string',
                enum: ['true'],
                description: 'Present when events beyond `limit` were left out',
              },
            },
            content: { 'text/csv': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (request, reply) => {
      const filter = toFilter(request.query);
      const stamp = (ms: number) => new Date(ms).toISOString().replace(/[:.]/g, '-');
      let body = csvHeader();
      let remaining = request.query.limit;
      let cursor: string | undefined;
      do {
        const page = await app.reader.events(filter, Math.min(remaining, API_LIMITS.maxPageSize), cursor);
        for (const event of page.events) body += csvRow(event);
        remaining -= page.events.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor && remaining > 0);
      // A page's cursor is only set when an older event exists, so one left over means the export is cut.
      if (cursor) reply.header(EXPORT_TRUNCATED_HEADER, 'true');
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="eventline-events-${stamp(filter.range.from)}_${stamp(filter.range.to)}.csv"`,
        )
        .send(body);
    },
  );

  app.get(
    '/stats/timeseries',
    {
      schema: {
        ...API_ROUTE,
        tags: ['stats'],
        summary: 'Event counts per type per time bucket',
        querystring: TimeseriesQuerySchema,
        response: {
          ...API_ROUTE.response,
          200: TimeseriesResponseSchema,
        },
      },
    },
    async (request) => {
      const filter = toFilter(request.query);
      const intervalMs = chooseInterval(filter.range, request.query.interval);
      return { ...(await app.reader.timeseries(filter, intervalMs)), range: rangeJson(filter) };
    },
  );

  app.get(
    '/stats/top',
    {
      schema: {
        ...API_ROUTE,
        tags: ['stats'],
        summary: 'Top elements (by CSS selector) or pages (by path) with their counts',
        querystring: TopQuerySchema,
        response: { ...API_ROUTE.response, 200: TopResponseSchema },
      },
    },
    async (request) => {
      const filter = toFilter(request.query);
      const { top, truncated } = await app.reader.top(filter, request.query.dimension, request.query.limit);
      return { dimension: request.query.dimension, top, truncated, range: rangeJson(filter) };
    },
  );

  app.get(
    '/completeness',
    {
      schema: {
        ...API_ROUTE,
        tags: ['completeness'],
        summary: 'Events received against those the sessions’ sequence numbers call for',
        querystring: CompletenessQuerySchema,
        response: {
          ...API_ROUTE.response,
          200: CompletenessResponseSchema,
        },
      },
    },
    async (request) => {
      const filter = toFilter(request.query);
      return {
        ...(await app.reader.completeness(filter.range, filter.site, request.query.examples)),
        range: rangeJson(filter),
      };
    },
  );
};

export default api;
