// Flux for every read the API makes. User input only ever reaches a query as a
// typed parameter (fluxString, fluxDateTime, fluxInteger, fluxDuration), never
// by string concatenation; names come from the contract's storage schema.
import { FIELD, MEASUREMENT, TAG } from '@eventline/contract';
import {
  flux,
  fluxDateTime,
  fluxDuration,
  fluxExpression,
  fluxInteger,
  fluxString,
  type ParameterizedQuery,
} from '@influxdata/influxdb-client';
import type { Cursor } from './cursor.ts';
import { nsToIso } from './cursor.ts';
import { fluxDurationText, type TimeRange } from './time-range.ts';

export interface EventFilter {
  range: TimeRange;
  /** Event types to keep; all when empty. */
  types: readonly string[];
  site?: string | undefined;
  /** Case-insensitive substring searched in name, element text/selector/id and page path/title. */
  q?: string | undefined;
}

/** Fields the search box looks into. */
export const SEARCHED_FIELDS = [
  FIELD.name,
  FIELD.elementText,
  FIELD.elementSelector,
  FIELD.elementId,
  FIELD.path,
  FIELD.title,
] as const;

const msToIso = (ms: number) => fluxDateTime(new Date(ms).toISOString());

function source(
  bucket: string,
  range: TimeRange,
  stop = msToIso(range.to),
  start = msToIso(range.from),
): ParameterizedQuery {
  return flux`from(bucket: ${fluxString(bucket)})
  |> range(start: ${start}, stop: ${stop})
  |> filter(fn: (r) => r._measurement == ${fluxString(MEASUREMENT)})`;
}

function tagFilters(filter: EventFilter): ParameterizedQuery {
  const types = filter.types.length
    ? flux`\n  |> filter(fn: (r) => contains(value: r[${fluxString(TAG.type)}], set: [${fluxExpression(filter.types.map((t) => fluxString(t).toString()).join(', '))}]))`
    : flux``;
  const site =
    filter.site !== undefined
      ? flux`\n  |> filter(fn: (r) => r[${fluxString(TAG.site)}] == ${fluxString(filter.site)})`
      : flux``;
  return flux`${types}${site}`;
}

/**
 * Rows of the searched string fields whose text contains the search, one per
 * matching field (callers dedupe by time). Filtering by field before looking at
 * `_value` keeps Flux from type-checking it against non-string fields. Needs
 * `import "strings"` at the top of the query.
 */
function searchRows(bucket: string, filter: EventFilter, stop?: ReturnType<typeof fluxDateTime>): ParameterizedQuery {
  const fields = fluxExpression(SEARCHED_FIELDS.map((field) => fluxString(field).toString()).join(', '));
  return flux`${source(bucket, filter.range, stop)}
  |> filter(fn: (r) => contains(value: r._field, set: [${fields}]))${tagFilters(filter)}
  |> filter(fn: (r) => strings.containsStr(v: strings.toLower(v: r._value), substr: ${fluxString((filter.q ?? '').toLowerCase())}))`;
}

/**
 * Where the next page of events is: the point times of up to `limit` events,
 * newest first, strictly after `cursor`. Without a search this reads only the
 * `id` field (every event has one), so a page costs `limit` rows, not the range.
 * A search reads only the searched string fields.
 */
export function positionsQuery(
  bucket: string,
  filter: EventFilter,
  limit: number,
  cursor?: Cursor,
): ParameterizedQuery {
  // The cursor's own timestamp stays inside the range (stop is exclusive) so a tie on time can be broken by id.
  const stop = cursor ? fluxDateTime(nsToIso(cursor.timeNs + 1n)) : msToIso(filter.range.to);
  const cursorTime = cursor ? fluxDateTime(nsToIso(cursor.timeNs)) : undefined;
  // Each series is time-ordered, so the newest `limit` overall are among the last `limit` of every series:
  // tail() before merging keeps the sort small.
  if (!filter.q) {
    const after = cursor
      ? flux`\n  |> filter(fn: (r) => r._time < ${cursorTime} or (r._time == ${cursorTime} and r._value < ${fluxString(cursor.id)}))`
      : flux``;
    return flux`${source(bucket, filter.range, stop)}
  |> filter(fn: (r) => r._field == ${fluxString(FIELD.id)})${tagFilters(filter)}${after}
  |> tail(n: ${fluxInteger(limit)})
  |> keep(columns: ["_time", "_value"])
  |> group()
  |> sort(columns: ["_time", "_value"], desc: true)
  |> limit(n: ${fluxInteger(limit)})`;
  }
  const after = cursor ? flux`\n  |> filter(fn: (r) => r._time < ${cursorTime})` : flux``;
  return flux`import "strings"
${searchRows(bucket, filter, stop)}${after}
  |> tail(n: ${fluxInteger(limit)})
  |> keep(columns: ["_time"])
  |> group()
  |> unique(column: "_time")
  |> sort(columns: ["_time"], desc: true)
  |> limit(n: ${fluxInteger(limit)})`;
}

/**
 * Every event between two point times (inclusive), one row per event with a
 * column per field. Callers keep the rows they asked for: on InfluxDB 1.8
 * pivoting a span and filtering in the server is an order of magnitude faster
 * than filtering `_time` against a set in Flux (see bench/read-api.bench.ts).
 */
export function eventsSpanQuery(
  bucket: string,
  filter: EventFilter,
  firstNs: bigint,
  lastNs: bigint,
): ParameterizedQuery {
  return flux`${source(bucket, filter.range, fluxDateTime(nsToIso(lastNs + 1n)), fluxDateTime(nsToIso(firstNs)))}${tagFilters(filter)}
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()`;
}

/**
 * Keeps one row per point of each series (a table per series: distinct points have distinct times). InfluxDB
 * 1.8.10's Flux reads can return a point twice while its series has values in the cache within the time range of
 * values on disk (influxdata/influxdb#26690, fixed upstream in 1.12 only), which late events cause; counts over raw
 * rows would count it twice.
 */
const oncePerPoint = flux`\n  |> unique(column: "_time")`;

/** Event counts per type in windows of `intervalMs`, empty windows included; only matching events when searching. */
export function timeseriesQuery(bucket: string, filter: EventFilter, intervalMs: number): ParameterizedQuery {
  const every = fluxDuration(fluxDurationText(intervalMs));
  if (filter.q) {
    return flux`import "strings"
${searchRows(bucket, filter)}
  |> group(columns: [${fluxString(TAG.type)}])
  |> unique(column: "_time")
  |> aggregateWindow(every: ${every}, fn: count, createEmpty: true, timeSrc: "_start")`;
  }
  return flux`${source(bucket, filter.range)}
  |> filter(fn: (r) => r._field == ${fluxString(FIELD.id)})${tagFilters(filter)}${oncePerPoint}
  |> group(columns: [${fluxString(TAG.type)}])
  |> aggregateWindow(every: ${every}, fn: count, createEmpty: true, timeSrc: "_start")`;
}

/** The `limit` most frequent non-empty values of one field, with their counts (without a search; see event-reader for one). */
export function topQuery(bucket: string, filter: EventFilter, field: string, limit: number): ParameterizedQuery {
  return flux`${source(bucket, filter.range)}
  |> filter(fn: (r) => r._field == ${fluxString(field)} and r._value != "")${tagFilters(filter)}${oncePerPoint}
  |> duplicate(column: "_value", as: "key")
  |> group(columns: ["key"])
  |> count()
  |> group()
  |> sort(columns: ["_value", "key"], desc: true)
  |> limit(n: ${fluxInteger(limit)})`;
}

/** One field's values with their point times, between two point times (inclusive); for counting over search matches. */
export function fieldValuesQuery(
  bucket: string,
  filter: EventFilter,
  field: string,
  firstNs: bigint,
  lastNs: bigint,
): ParameterizedQuery {
  return flux`${source(bucket, filter.range, fluxDateTime(nsToIso(lastNs + 1n)), fluxDateTime(nsToIso(firstNs)))}
  |> filter(fn: (r) => r._field == ${fluxString(field)})${tagFilters(filter)}${oncePerPoint}
  |> keep(columns: ["_time", "_value"])`;
}

/**
 * What completeness needs of every event in the range (site, session, tab, seq, id, and its time for buckets),
 * one table per sequence (site, session, tab), so the server can tally one sequence at a time.
 * Events without a tab id (SDKs before it) have none in the row: one sequence per session.
 * Events outside any session (from Segment-compatible clients) have no sequence
 * number to check and are left out.
 */
export function sequencedRowsQuery(bucket: string, range: TimeRange, site?: string): ParameterizedQuery {
  return flux`${source(bucket, range)}
  |> filter(fn: (r) => r._field == ${fluxString(FIELD.id)} or r._field == ${fluxString(FIELD.seq)} or r._field == ${fluxString(FIELD.sessionId)} or r._field == ${fluxString(FIELD.tabId)})${tagFilters({ range, types: [], site })}
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> filter(fn: (r) => exists r[${fluxString(FIELD.seq)}] and exists r[${fluxString(FIELD.sessionId)}])
  |> group(columns: [${fluxString(TAG.site)}, ${fluxString(FIELD.sessionId)}, ${fluxString(FIELD.tabId)}])
  |> keep(columns: ["_time", ${fluxString(TAG.site)}, ${fluxString(FIELD.sessionId)}, ${fluxString(FIELD.tabId)}, ${fluxString(FIELD.seq)}, ${fluxString(FIELD.id)}])`;
}
