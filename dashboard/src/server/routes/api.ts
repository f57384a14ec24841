// The read API: events (cursor-paginated, newest first), their CSV export,
// counts per type over time, top elements and pages, and data completeness
// from the sequence numbers. Read-only.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { csvHeader, csvRow } from '../csv.ts';
import type { EventFilter } from '../queries.ts';
import { API_LIMITS, CompletenessQuerySchema, EventsQuerySchema, ExportQuerySchema, TimeseriesQuerySchema, TopQuerySchema } from '../schemas.ts';
import { chooseInterval, resolveRange } from '../time-range.ts';

function toFilter(query: { from?: string; to?: string; type?: string; site?: string; q?: string }, now = Date.now()): EventFilter {
  return {
    range: resolveRange(query, now),
    types: query.type ? [...new Set(query.type.split(','))] : [],
    site: query.site,
    q: query.q?.trim() || undefined,
  };
}

const rangeJson = (filter: EventFilter) => ({ from: new Date(filter.range.from).toISOString(), to: new Date(filter.range.to).toISOString() });

const api: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/events', { schema: { querystring: EventsQuerySchema } }, async (request) => {
    const filter = toFilter(request.query);
    const page = await app.reader.events(filter, request.query.limit, request.query.cursor);
    return { ...page, range: rangeJson(filter) };
  });

  app.get('/events.csv', { schema: { querystring: ExportQuerySchema } }, async (request, reply) => {
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
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="eventline-events-${stamp(filter.range.from)}_${stamp(filter.range.to)}.csv"`)
      .send(body);
  });

  app.get('/stats/timeseries', { schema: { querystring: TimeseriesQuerySchema } }, async (request) => {
    const filter = toFilter(request.query);
    const intervalMs = chooseInterval(filter.range, request.query.interval);
    return { ...(await app.reader.timeseries(filter, intervalMs)), range: rangeJson(filter) };
  });

  app.get('/stats/top', { schema: { querystring: TopQuerySchema } }, async (request) => {
    const filter = toFilter(request.query);
    const { top, truncated } = await app.reader.top(filter, request.query.dimension, request.query.limit);
    return { dimension: request.query.dimension, top, truncated, range: rangeJson(filter) };
  });

  app.get('/completeness', { schema: { querystring: CompletenessQuerySchema } }, async (request) => {
    const filter = toFilter(request.query);
    return { ...(await app.reader.completeness(filter.range, filter.site, request.query.examples)), range: rangeJson(filter) };
  });
};

export default api;
