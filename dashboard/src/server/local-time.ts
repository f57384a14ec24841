// Local hours, days and months of an IANA time zone, for answers cut at local
// midnight from hourly rollups. Zones are validated against the runtime's own
// list (Intl.supportedValuesOf), and only zones whose offset is a whole number
// of hours over the range can be cut exactly from hourly buckets.
import { bucketName, localParts } from '@eventline/contract/local-time';
import type { TimeseriesInterval } from '@eventline/contract/read-api';
import { DashboardError } from './errors.ts';

const HOUR_MS = 3_600_000;

/** The allowlist: every zone the runtime knows, and UTC, which V8 leaves out of the list. */
const TIME_ZONES = new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);

/** Throws DASHBOARD_INVALID_TIMEZONE unless `timeZone` is on the allowlist. */
export function checkTimeZone(timeZone: string): void {
  if (!TIME_ZONES.has(timeZone))
    throw new DashboardError('DASHBOARD_INVALID_TIMEZONE', `${JSON.stringify(timeZone)} is not an IANA time zone name`);
}

/**
 * Bucket names found so far, by zone, interval and hour: a page names the same 720 hours of a month for its chart,
 * comparison, bots and completeness, and formatting one costs microseconds. Emptied when full.
 */
const known = new Map<string, string>();
const MAX_KNOWN = 100_000;

/** The local bucket holding the UTC hour starting at `hourMs`: 2026-11-02T14, 2026-11-02 or 2026-11. */
export function localBucket(hourMs: number, timeZone: string, interval: TimeseriesInterval): string {
  const key = `${timeZone} ${interval} ${hourMs}`;
  let name = known.get(key);
  if (name === undefined) {
    name = nameBucket(hourMs, timeZone, interval);
    if (known.size >= MAX_KNOWN) known.clear();
    known.set(key, name);
  }
  return name;
}

function nameBucket(hourMs: number, timeZone: string, interval: TimeseriesInterval): string {
  const parts = localParts(hourMs, timeZone);
  if (parts.minute !== '00')
    throw new DashboardError(
      'DASHBOARD_INVALID_TIMEZONE',
      `${timeZone} is ${parts.minute} minutes off whole hours at ${new Date(hourMs).toISOString()}; answers are cut from hourly rollups`,
    );
  return bucketName(parts, interval);
}

/** One local bucket of an answer: its name and the UTC hour it starts at (within the range). */
export interface LocalBucket {
  name: string;
  start: number;
}

/** Every local bucket of a range of whole hours, in order, so empty ones are answered as zeros. */
export function localBuckets(
  range: { from: number; to: number },
  timeZone: string,
  interval: TimeseriesInterval,
): LocalBucket[] {
  const buckets: LocalBucket[] = [];
  for (let hour = range.from; hour < range.to; hour += HOUR_MS) {
    const name = localBucket(hour, timeZone, interval);
    if (buckets[buckets.length - 1]?.name !== name) buckets.push({ name, start: hour });
  }
  return buckets;
}
