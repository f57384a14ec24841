// Turns the API's `from`/`to` (ISO-8601 or relative presets) into a validated,
// bounded range, and picks a chart interval that gives a readable number of buckets.
import { wholeHours } from '@eventline/contract/answer-range';
import { DashboardError } from './errors.ts';

export const RANGE_LIMITS = Object.freeze({
  /** Longest range a query of raw events may cover. 31 days */
  maxRangeMs: 31 * 24 * 3600_000,
  /** Longest range an answer from the rollups may cover. 12 months (a leap year) */
  maxAnswerRangeMs: 366 * 24 * 3600_000,
  /** Range of an answer when `from` is omitted. 30 days */
  defaultAnswerRangeMs: 30 * 24 * 3600_000,
  /** Range used when `from` is omitted. 1 h */
  defaultRangeMs: 3600_000,
  /** Most buckets a time series may have. */
  maxBuckets: 1_000,
  /** What an automatic interval aims for. */
  targetBuckets: 60,
});

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const RELATIVE = /^-(\d{1,6})(s|m|h|d|w)$/;
const DURATION = /^(\d{1,6})(s|m|h|d|w)$/;
// Date-time with an explicit zone (Z or ±hh:mm); a date alone means midnight UTC.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2})))?$/;

/**
 * Whether the fields of an ISO match name a real instant. Date.parse rolls
 * impossible ones over (2026-02-30 is March 2, T24:00 the next day), which
 * would silently query a range nobody asked for.
 */
function isRealDateTime(match: RegExpExecArray): boolean {
  const [year, month, day, hour = 0, minute = 0, second = 0, zoneHours = 0, zoneMinutes = 0] = match
    .slice(1)
    .map((field) => (field === undefined ? undefined : Number(field)));
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  return (
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    zoneHours <= 23 &&
    zoneMinutes <= 59
  );
}

export interface TimeRange {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
}

/** Parses `now`, `-15m`/`-1h`/`-7d` (relative to `now`) or ISO-8601 with a zone. */
export function parseTime(value: string, now: number, name: string): number {
  if (value === 'now') return now;
  const relative = RELATIVE.exec(value);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  const iso = ISO.exec(value);
  if (iso && isRealDateTime(iso)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new DashboardError('DASHBOARD_INVALID_TIME', `${name}=${JSON.stringify(value)}`);
}

export function resolveRange(
  query: { from?: string | undefined; to?: string | undefined },
  now = Date.now(),
  limits: { defaultMs: number; maxMs: number } = {
    defaultMs: RANGE_LIMITS.defaultRangeMs,
    maxMs: RANGE_LIMITS.maxRangeMs,
  },
): TimeRange {
  const to = query.to === undefined ? now : parseTime(query.to, now, 'to');
  const from = query.from === undefined ? to - limits.defaultMs : parseTime(query.from, now, 'from');
  if (from >= to)
    throw new DashboardError(
      'DASHBOARD_INVALID_RANGE',
      `from (${new Date(from).toISOString()}) is not before to (${new Date(to).toISOString()})`,
    );
  if (to - from > limits.maxMs)
    throw new DashboardError('DASHBOARD_RANGE_TOO_LARGE', `at most ${limits.maxMs / UNIT_MS.d} days`);
  return { from, to };
}

/** A range for answers from the hourly rollups: up to 12 months, widened to whole hours. */
export function resolveAnswerRange(
  query: { from?: string | undefined; to?: string | undefined },
  now = Date.now(),
): TimeRange {
  const range = resolveRange(query, now, {
    defaultMs: RANGE_LIMITS.defaultAnswerRangeMs,
    maxMs: RANGE_LIMITS.maxAnswerRangeMs,
  });
  return wholeHours(range);
}

/** `30s`, `5m`, `1h`, `1d` → milliseconds. */
export function parseInterval(value: string): number {
  const match = DURATION.exec(value);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : 0;
  if (ms <= 0)
    throw new DashboardError(
      'DASHBOARD_INVALID_QUERY',
      `interval=${JSON.stringify(value)} must look like 30s, 5m, 1h or 1d`,
    );
  return ms;
}

const NICE_INTERVALS_MS = [1, 5, 10, 15, 30]
  .map((s) => s * 1_000)
  .concat([1, 2, 5, 10, 15, 30].map((m) => m * 60_000))
  .concat([1, 2, 3, 6, 12].map((h) => h * 3_600_000))
  .concat([1, 2, 7].map((d) => d * 86_400_000));

/** The smallest round interval that keeps the range within the target number of buckets. */
export function autoInterval(range: TimeRange): number {
  const span = range.to - range.from;
  return (
    NICE_INTERVALS_MS.find((ms) => span / ms <= RANGE_LIMITS.targetBuckets) ??
    NICE_INTERVALS_MS[NICE_INTERVALS_MS.length - 1]!
  );
}

export function chooseInterval(range: TimeRange, requested: string | undefined): number {
  if (requested === undefined) return autoInterval(range);
  const ms = parseInterval(requested);
  if ((range.to - range.from) / ms > RANGE_LIMITS.maxBuckets) {
    throw new DashboardError(
      'DASHBOARD_TOO_MANY_BUCKETS',
      `${requested} gives more than ${RANGE_LIMITS.maxBuckets} buckets`,
    );
  }
  return ms;
}

/** Milliseconds as a Flux duration literal's text (`90000` → `90s`). */
export function fluxDurationText(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`;
}
