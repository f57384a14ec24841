// What the Analyze view shows, kept in the URL beside the raw-events filters so
// a view can be bookmarked or sent: the period (a preset or custom days), the
// time zone days are cut in, the comparison, the chart metric, the filter chips,
// the funnel steps and the element looked at. Parsing never throws: what it does
// not understand falls back to defaults.
import type { BreakdownQuery, FunnelStep, Metric } from '@eventline/contract/read-api';
import { API_LIMITS } from '@eventline/contract/read-api/limits';
import { zoneOffsetMinutes } from '@eventline/contract/local-time';

export type Dimension = BreakdownQuery['dimension'];

export const RANGE_PRESETS = [
  { id: 'today', label: 'Today' },
  { id: 'yesterday', label: 'Yesterday' },
  { id: '7d', label: '7 d' },
  { id: '30d', label: '30 d' },
  { id: 'month', label: 'This month' },
  { id: 'lastmonth', label: 'Last month' },
  { id: '12mo', label: '12 months' },
  { id: 'custom', label: 'Custom' },
] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number]['id'];

/** The contract's metrics and dimensions, as plain values (the contract module itself carries the schema library). */
export const METRIC_LABELS: Record<Metric, string> = {
  visitors: 'Visitors',
  sessions: 'Sessions',
  pageviews: 'Page views',
  events: 'Events',
};
export const METRIC_IDS = Object.keys(METRIC_LABELS) as Metric[];

export const DIMENSION_LABELS: Record<Dimension, string> = {
  path: 'Pages',
  label: 'Elements',
  referrer: 'Referrers',
  utm_source: 'UTM source',
  utm_medium: 'UTM medium',
  utm_campaign: 'UTM campaign',
  browser: 'Browsers',
  os: 'Operating systems',
  device: 'Devices',
  name: 'Event names',
  type: 'Event types',
  selector: 'Selectors',
};
export const DIMENSION_IDS = Object.keys(DIMENSION_LABELS) as Dimension[];

export const FUNNEL_KINDS = ['pageview', 'click', 'input', 'toggle_on', 'toggle_off', 'custom'] as const;
export const MAX_STEPS = 8;
/** The read API's most `filter` parameters of one request. */
export const MAX_CHIPS = API_LIMITS.maxFilters;

export interface AnalyzeState {
  range: RangePreset;
  /** Custom range: first and last local day, YYYY-MM-DD. */
  start: string;
  end: string;
  /** IANA zone days are cut in; '' for the browser's (or UTC when the API does not accept it). */
  tz: string;
  compare: 'previous' | 'year';
  metric: Metric;
  /** Filter chips as `dimension:value`. */
  chips: string[];
  /** Funnel steps as `kind:value`. */
  steps: FunnelStep[];
  /** The element (label) looked at, '' for none. */
  element: string;
}

export const DEFAULT_ANALYZE: Readonly<AnalyzeState> = Object.freeze({
  range: '7d',
  start: '',
  end: '',
  tz: '',
  compare: 'previous',
  metric: 'visitors',
  chips: [],
  steps: [],
  element: '',
});

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TEXT_MAX = 200;

export function isChip(value: string): boolean {
  const colon = value.indexOf(':');
  return colon > 0 && (DIMENSION_IDS as string[]).includes(value.slice(0, colon)) && value.length > colon + 1;
}

export function isStep(value: string): value is FunnelStep {
  const colon = value.indexOf(':');
  return colon > 0 && (FUNNEL_KINDS as readonly string[]).includes(value.slice(0, colon)) && value.length > colon + 1;
}

export function splitPair(value: string): [string, string] {
  const colon = value.indexOf(':');
  return [value.slice(0, colon), value.slice(colon + 1)];
}

export function parseAnalyze(search: string): AnalyzeState {
  const params = new URLSearchParams(search);
  const range = params.get('range') ?? '';
  const metric = params.get('metric') ?? '';
  const start = params.get('start') ?? '';
  const end = params.get('end') ?? '';
  const custom = range === 'custom' && DAY.test(start) && DAY.test(end) && start <= end;
  const unique = (values: string[]) => [...new Set(values)];
  return {
    range: custom
      ? 'custom'
      : RANGE_PRESETS.some((p) => p.id === range && p.id !== 'custom')
        ? (range as RangePreset)
        : DEFAULT_ANALYZE.range,
    start: custom ? start : '',
    end: custom ? end : '',
    tz: /^[A-Za-z0-9_+\-/]{1,64}$/.test(params.get('tz') ?? '') ? params.get('tz')! : '',
    compare: params.get('compare') === 'year' ? 'year' : 'previous',
    metric: (METRIC_IDS as string[]).includes(metric) ? (metric as Metric) : DEFAULT_ANALYZE.metric,
    chips: unique(params.getAll('filter').filter((c) => c.length <= TEXT_MAX && isChip(c))).slice(0, MAX_CHIPS),
    steps: params
      .getAll('step')
      .filter((s) => s.length <= TEXT_MAX && isStep(s))
      .slice(0, MAX_STEPS) as FunnelStep[],
    element: (params.get('element') ?? '').slice(0, TEXT_MAX),
  };
}

/** Writes what differs from the defaults into `params` (beside the raw-events filters). */
export function writeAnalyze(state: AnalyzeState, params: URLSearchParams): void {
  if (state.range !== DEFAULT_ANALYZE.range) params.set('range', state.range);
  if (state.range === 'custom') {
    params.set('start', state.start);
    params.set('end', state.end);
  }
  if (state.tz) params.set('tz', state.tz);
  if (state.compare !== 'previous') params.set('compare', state.compare);
  if (state.metric !== DEFAULT_ANALYZE.metric) params.set('metric', state.metric);
  for (const chip of state.chips) params.append('filter', chip);
  for (const step of state.steps) params.append('step', step);
  if (state.element) params.set('element', state.element);
}

// Time zones. The API cuts days from hourly rollups, so it accepts only zones a
// whole number of hours off UTC; the browser's zone may not be one (India, Nepal).

/** Whether the API can cut days in this zone: whole hours off UTC in winter and in summer. */
export function isWholeHourZone(timeZone: string, now = Date.now()): boolean {
  try {
    const year = new Date(now).getUTCFullYear();
    return [Date.UTC(year, 0, 15), Date.UTC(year, 6, 15), now].every(
      (ms) => zoneOffsetMinutes(ms, timeZone) % 60 === 0,
    );
  } catch {
    return false;
  }
}

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The zone answers are asked in, and why it is not the one wanted when it is not. */
export function effectiveZone(wanted: string): { zone: string; note?: string } {
  const zone = wanted || browserZone();
  if (zone === 'UTC' || isWholeHourZone(zone)) return { zone };
  return {
    zone: 'UTC',
    note: `${zone} is not a whole number of hours off UTC, which daily figures need: shown in UTC`,
  };
}

/** Zones checked per slice when the browser gives no idle deadline. */
const ZONES_PER_SLICE = 20;

/**
 * Finds the zones to offer (the browser's list, whole-hour ones only) a slice at a time while the browser is idle,
 * starting `delayMs` from now: checking ~420 zones' offsets takes ~0.1 s of CPU, which the page's first answers
 * should not compete with. Calls `done` with the list; returns the cancel.
 */
export function findZoneChoices(done: (zones: string[]) => void, delayMs = 0): () => void {
  const all = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  const zones = ['UTC'];
  let next = 0;
  let cancel = () => {};
  const slice = (more: () => boolean) => {
    while (next < all.length && more()) {
      const zone = all[next++]!;
      if (zone !== 'UTC' && isWholeHourZone(zone)) zones.push(zone);
    }
    if (next < all.length) schedule();
    else done(zones);
  };
  const counted = () => {
    let left = ZONES_PER_SLICE;
    return () => left-- > 0;
  };
  function schedule() {
    if (typeof requestIdleCallback === 'function') {
      const handle = requestIdleCallback(
        (deadline) => {
          const fallback = counted();
          slice(() => deadline.timeRemaining() > 1 || (deadline.didTimeout && fallback()));
        },
        { timeout: 1_000 },
      );
      cancel = () => cancelIdleCallback(handle);
    } else {
      const handle = setTimeout(() => slice(counted()), 0);
      cancel = () => clearTimeout(handle);
    }
  }
  const start = setTimeout(schedule, delayMs);
  cancel = () => clearTimeout(start);
  return () => cancel();
}

// Periods, resolved to instants in a zone.

const DAY_MS = 86_400_000;

/** Local YYYY-MM-DD of `ms` in the zone. */
export function localDay(ms: number, timeZone: string): string {
  return new Date(ms + zoneOffsetMinutes(ms, timeZone) * 60_000).toISOString().slice(0, 10);
}

/** The instant local midnight of `day` (YYYY-MM-DD) starts in the zone. */
export function zonedMidnight(day: string, timeZone: string): number {
  const utc = Date.parse(`${day}T00:00:00Z`);
  let ms = utc - zoneOffsetMinutes(utc, timeZone) * 60_000;
  // Across a DST change the offset at the guess differs from the one at the answer.
  ms = utc - zoneOffsetMinutes(ms, timeZone) * 60_000;
  return ms;
}

const addDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const monthStart = (day: string, months = 0) => {
  const date = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
};

export interface Period {
  from: string;
  to: string;
  /** The first and last local day it covers. */
  firstDay: string;
  lastDay: string;
}

/** The period a state means at `now`, in the zone: whole local days, `to` exclusive. */
export function resolvePeriod(
  state: Pick<AnalyzeState, 'range' | 'start' | 'end'>,
  timeZone: string,
  now = Date.now(),
): Period {
  const today = localDay(now, timeZone);
  const days = (first: string, last: string): Period => ({
    from: new Date(zonedMidnight(first, timeZone)).toISOString(),
    to: new Date(zonedMidnight(addDays(last, 1), timeZone)).toISOString(),
    firstDay: first,
    lastDay: last,
  });
  switch (state.range) {
    case 'today':
      return days(today, today);
    case 'yesterday':
      return days(addDays(today, -1), addDays(today, -1));
    case '30d':
      return days(addDays(today, -29), today);
    case 'month':
      return days(monthStart(today), addDays(monthStart(today, 1), -1));
    case 'lastmonth':
      return days(monthStart(today, -1), addDays(monthStart(today), -1));
    case '12mo':
      return days(monthStart(today, -11), addDays(monthStart(today, 1), -1));
    case 'custom':
      return days(state.start, state.end);
    default:
      return days(addDays(today, -6), today);
  }
}

/** Raw-event answers (funnels, elements) reach back at most 31 days: the end of a longer period. */
export function rawPeriod(period: Period): { from: string; to: string } {
  const to = Date.parse(period.to);
  const from = Math.max(Date.parse(period.from), to - 31 * DAY_MS);
  return { from: new Date(from).toISOString(), to: period.to };
}

/** Whether the read API takes `filter=dimension:value` on its v2 answers (the engine's v2 filters). */
export const SERVER_FILTERS = true;
