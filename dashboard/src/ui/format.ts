// How times and counts are shown: the viewer's time zone on screen, UTC on hover.

const local = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export function localTime(iso: string): string {
  return local.format(new Date(iso));
}

/** The stored time in UTC, with milliseconds, for the hover title. */
export function utcTitle(iso: string): string {
  return `${new Date(iso).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

/** A chart bucket's start (epoch ms) for the hover readout: the viewer's zone, then UTC, as the table's time and its title. */
export function bucketTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${localTime(iso)} (${iso.slice(0, 19).replace('T', ' ')} UTC)`;
}

export function timeZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * A completeness ratio as a percentage, rounded down so that anything short of
 * complete never reads as 100 %; '—' when there is nothing to expect.
 */
export function percentComplete(ratio: number | null): string {
  if (ratio === null) return '—';
  if (ratio >= 1) return '100 %';
  return `${(Math.floor(ratio * 1000) / 10).toFixed(1)} %`;
}

/** A count with the viewer's digit grouping. */
export function formatCount(n: number): string {
  return n.toLocaleString();
}

export function shortId(id: string | undefined): string {
  return id ? (id.length > 10 ? `${id.slice(0, 8)}…` : id) : '—';
}
