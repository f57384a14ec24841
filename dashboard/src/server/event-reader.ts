// Runs the dashboard's Flux queries and shapes their rows for the API. Any
// failure to reach or query InfluxDB becomes DASHBOARD_STORAGE_UNAVAILABLE.
import { FIELD, TAG } from '@eventline/contract';
import type { QueryApi, ParameterizedQuery } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { decodeCursor, encodeCursor, isoToNs } from './cursor.ts';
import { createBucketCompletenessTally } from './bucket-completeness.ts';
import { createCompletenessTally } from './completeness.ts';
import { DashboardError } from './errors.ts';
import {
  eventsSpanQuery,
  fieldValuesQuery,
  positionsQuery,
  sequencedRowsQuery,
  timeseriesQuery,
  topQuery,
  type EventFilter,
} from './queries.ts';
import type { TimeRange } from './time-range.ts';
import { toApiEvent } from './to-api-event.ts';
import type {
  ApiEvent,
  BucketCompleteness,
  CompletenessReport,
  EventPage,
  TimeSeries,
  TopDimension,
  TopList,
} from '@eventline/contract/read-api';

/** Most matching events a top list counts when searching. */
export const SEARCH_TOP_MAX_MATCHES = 10_000;

export const TOP_FIELDS: Record<TopDimension, string> = { element: FIELD.elementSelector, page: FIELD.path };

export interface EventReader {
  events(filter: EventFilter, limit: number, cursor?: string): Promise<EventPage>;
  timeseries(filter: EventFilter, intervalMs: number): Promise<TimeSeries>;
  top(filter: EventFilter, dimension: TopDimension, limit: number): Promise<TopList>;
  /** Received vs expected events from the sequence numbers, with up to `maxExamples` sessions that have gaps. */
  completeness(range: TimeRange, site: string | undefined, maxExamples: number): Promise<CompletenessReport>;
  /** Received vs expected events of one site per bucket of `buckets`; `bucketOf` names an event time's bucket. */
  completenessByBucket(
    range: TimeRange,
    site: string,
    buckets: readonly string[],
    bucketOf: (time: number) => string,
  ): Promise<BucketCompleteness[]>;
}

/** Most InfluxDB queries one page of events is fetched with. */
const MAX_SPANS = 4;

/**
 * Splits point times into at most `max` spans, cutting at the largest gaps, so
 * a page whose events are far apart (a search) does not read everything in
 * between; a page of consecutive events is one span.
 */
export function spansAround(times: readonly bigint[], max: number): [bigint, bigint][] {
  const sorted = [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const cuts = sorted
    .slice(1)
    .map((time, i) => ({ after: i, gap: time - sorted[i]! }))
    .sort((a, b) => (b.gap > a.gap ? 1 : b.gap < a.gap ? -1 : 0))
    .slice(0, max - 1)
    .map((cut) => cut.after)
    .sort((a, b) => a - b);
  const spans: [bigint, bigint][] = [];
  let start = 0;
  for (const after of [...cuts, sorted.length - 1]) {
    spans.push([sorted[start]!, sorted[after]!]);
    start = after + 1;
  }
  return spans;
}

function newestFirst(a: ApiEvent, b: ApiEvent): number {
  const [ta, tb] = [isoToNs(a.time), isoToNs(b.time)];
  if (ta !== tb) return ta > tb ? -1 : 1;
  return a.id > b.id ? -1 : a.id < b.id ? 1 : 0;
}

export function createEventReader(deps: {
  queryApi: QueryApi;
  bucket: string;
  logger: Logger | FastifyBaseLogger;
}): EventReader {
  const logger = deps.logger.child({ module: 'event-reader' });

  function storageError(error: unknown): DashboardError {
    logger.error({ err: error }, 'InfluxDB query failed');
    return new DashboardError('DASHBOARD_STORAGE_UNAVAILABLE', undefined, { cause: error });
  }

  async function rows(query: ParameterizedQuery): Promise<Record<string, unknown>[]> {
    try {
      return await deps.queryApi.collectRows<Record<string, unknown>>(query);
    } catch (error) {
      throw storageError(error);
    }
  }

  return {
    async events(filter, limit, cursorText) {
      const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
      // One extra position tells whether another page exists without a count query.
      const positions = await rows(positionsQuery(deps.bucket, filter, limit + 1, cursor));
      const times = positions.slice(0, limit).map((row) => isoToNs(String(row['_time'])));
      if (times.length === 0) return { events: [], nextCursor: null };
      const wanted = new Set(times.map(String));
      const spans = await Promise.all(
        spansAround(times, MAX_SPANS).map(([first, last]) => rows(eventsSpanQuery(deps.bucket, filter, first, last))),
      );
      const events = spans
        .flat()
        .filter((row) => wanted.has(String(isoToNs(String(row['_time'])))))
        .map(toApiEvent)
        .sort(newestFirst);
      const last = events[events.length - 1];
      const nextCursor =
        positions.length > limit && last ? encodeCursor({ timeNs: isoToNs(last.time), id: last.id }) : null;
      return { events, nextCursor };
    },

    async timeseries(filter, intervalMs) {
      const found = await rows(timeseriesQuery(deps.bucket, filter, intervalMs));
      const buckets = [...new Set(found.map((row) => Date.parse(String(row['_time']))))].sort((a, b) => a - b);
      const index = new Map(buckets.map((time, i) => [time, i]));
      const series: Record<string, number[]> = {};
      let total = 0;
      for (const row of found) {
        const type = String(row[TAG.type]);
        const counts = (series[type] ??= new Array<number>(buckets.length).fill(0));
        const count = Number(row['_value']) || 0;
        counts[index.get(Date.parse(String(row['_time'])))!] = count;
        total += count;
      }
      return { intervalMs, buckets, series, total };
    },

    async top(filter, dimension, limit) {
      const field = TOP_FIELDS[dimension];
      if (!filter.q) {
        const found = await rows(topQuery(deps.bucket, filter, field, limit));
        return {
          top: found.map((row) => ({ key: String(row['key']), count: Number(row['_value']) })),
          truncated: false,
        };
      }
      // Flux 1.8 has no safe join, so a search is counted here: the matching
      // point times first (bounded), then the field's values in their span.
      const matches = await rows(positionsQuery(deps.bucket, filter, SEARCH_TOP_MAX_MATCHES + 1));
      const times = new Set(
        matches.slice(0, SEARCH_TOP_MAX_MATCHES).map((row) => String(isoToNs(String(row['_time'])))),
      );
      if (times.size === 0) return { top: [], truncated: false };
      const sorted = [...times].map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const counts = new Map<string, number>();
      for (const row of await rows(
        fieldValuesQuery(deps.bucket, filter, field, sorted[0]!, sorted[sorted.length - 1]!),
      )) {
        const key = String(row['_value'] ?? '');
        if (key !== '' && times.has(String(isoToNs(String(row['_time']))))) counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const top = [...counts]
        .map(([key, count]) => ({ key, count }))
        .sort((a, b) => b.count - a.count || (a.key < b.key ? 1 : -1))
        .slice(0, limit);
      return { top, truncated: matches.length > SEARCH_TOP_MAX_MATCHES };
    },

    async completeness(range, site, maxExamples) {
      // Rows are streamed, not collected: the query returns every event in the
      // range, and the tally keeps only the sequence being read.
      const tally = createCompletenessTally({ maxExamples });
      try {
        for await (const { values, tableMeta } of deps.queryApi.iterateRows(
          sequencedRowsQuery(deps.bucket, range, site),
        )) {
          const tabId: unknown = tableMeta.get(values, FIELD.tabId);
          tally.add({
            site: String(tableMeta.get(values, TAG.site)),
            sessionId: String(tableMeta.get(values, FIELD.sessionId)),
            ...(typeof tabId === 'string' && tabId ? { tabId } : {}),
            seq: Number(tableMeta.get(values, FIELD.seq)),
            id: String(tableMeta.get(values, FIELD.id)),
          });
        }
      } catch (error) {
        throw storageError(error);
      }
      return tally.finish();
    },

    async completenessByBucket(range, site, buckets, bucketOf) {
      const tally = createBucketCompletenessTally(bucketOf);
      try {
        for await (const { values, tableMeta } of deps.queryApi.iterateRows(
          sequencedRowsQuery(deps.bucket, range, site),
        ))
          tally.add({
            sequence: `${String(tableMeta.get(values, FIELD.sessionId))}\n${String(tableMeta.get(values, FIELD.tabId) ?? '')}`,
            seq: Number(tableMeta.get(values, FIELD.seq)),
            time: Date.parse(String(tableMeta.get(values, '_time'))),
          });
      } catch (error) {
        throw storageError(error);
      }
      return tally.finish(buckets);
    },
  };
}
