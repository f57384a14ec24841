// Local hours, days and months of an IANA time zone, named as the read API's
// v2 time series names them (2026-11-02T14, 2026-11-02, 2026-11): one home for
// the server, which cuts answers into local buckets, and the UI, which places
// annotations in them and offers zones. Plain Intl, no schema library.

export type LocalInterval = 'hour' | 'day' | 'month';

export interface LocalParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall-clock date and time of `ms` in `timeZone` (throws a RangeError for an unknown zone). */
export function localParts(ms: number, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(ms)) parts[type] = value;
  return {
    year: parts['year']!,
    month: parts['month']!,
    day: parts['day']!,
    hour: parts['hour']!,
    minute: parts['minute']!,
  };
}

/** The name of the local bucket holding these parts. */
export function bucketName(parts: LocalParts, interval: LocalInterval): string {
  const month = `${parts.year}-${parts.month}`;
  if (interval === 'month') return month;
  const day = `${month}-${parts.day}`;
  return interval === 'day' ? day : `${day}T${parts.hour}`;
}

/** The local bucket that holds the instant `ms` in `timeZone`. */
export const localBucketOf = (ms: number, timeZone: string, interval: LocalInterval): string =>
  bucketName(localParts(ms, timeZone), interval);

/** The zone's offset from UTC at `ms`, minutes. */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return Math.round((asUtc - Math.floor(ms / 60_000) * 60_000) / 60_000);
}
