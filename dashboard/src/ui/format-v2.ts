// How the Analyze view shows figures and periods: the viewer's locale for
// numbers and dates, the answer's time zone for its local buckets.

// An Intl formatter is slow to make and labels are made per bucket on every render: one per set of options.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options);
  let format = dateFormats.get(key);
  if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(undefined, options)));
  return format;
}

function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options);
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(undefined, options)));
  return format;
}

/** A bucket label of the v2 time series (2026-11-02T14, 2026-11-02, 2026-11) in the viewer's locale. */
export function bucketLabel(bucket: string): string {
  const [day, hour] = bucket.split('T');
  const [year, month, date] = (day ?? '').split('-').map(Number);
  const ms = Date.UTC(year ?? 1970, (month ?? 1) - 1, date ?? 1, Number(hour ?? 0));
  const options: Intl.DateTimeFormatOptions =
    date === undefined
      ? { year: 'numeric', month: 'short' }
      : hour === undefined
        ? { weekday: 'short', month: 'short', day: 'numeric' }
        : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  return dateFormat({ ...options, timeZone: 'UTC' }).format(ms);
}

/** A local day (YYYY-MM-DD) in the viewer's locale. */
export function dayLabel(day: string): string {
  return dateFormat({ year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
    Date.parse(`${day}T00:00:00Z`),
  );
}

/** An instant, as a date and time in the zone, in the viewer's locale. */
export function instantLabel(ms: number, timeZone?: string): string {
  return dateFormat({ dateStyle: 'medium', timeStyle: 'short', timeZone }).format(ms);
}

const percent = (fractionDigits: number) => numberFormat({ style: 'percent', maximumFractionDigits: fractionDigits });

/** A change ratio as a signed percentage; `null` (nothing before) as "new". */
export function formatChange(change: number | null): string {
  if (change === null) return 'new';
  return numberFormat({ style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(change);
}

export function formatPercent(ratio: number | null, fractionDigits = 1): string {
  return ratio === null ? '—' : percent(fractionDigits).format(ratio);
}
