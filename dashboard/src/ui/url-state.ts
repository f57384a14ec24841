// The Analyze page's filters, kept in the URL query so a view can be shared
// and survives a reload. Parsing never throws: values it does not understand
// fall back to defaults, and event types not in the contract are dropped (the
// read API would refuse them on every panel).
import { STORED_EVENT_TYPES } from '@eventline/contract/limits';

export interface Filters {
  /** `-15m`/`-1h`/`-24h`/`-7d` or an ISO-8601 instant. */
  from: string;
  /** `now` or an ISO-8601 instant. */
  to: string;
  /** Comma-separated event types in STORED_EVENT_TYPES order (`click,input`), or '' for all. */
  type: string;
  /** Search text, '' for none. */
  q: string;
  /** One site, or '' for all. */
  site: string;
  /** Refresh periodically while on. */
  live: boolean;
}

/** The dashboard's views: Analyze at / (and /analyze, where share links open), the raw events at /events. */
export type View = 'analyze' | 'events';
const EVENTS_PATH = '/events';

export const viewOf = (pathname: string): View => (pathname === EVENTS_PATH ? 'events' : 'analyze');

/** The path of `view`, keeping the current one when it already shows it. */
export const pathOf = (view: View, current: string): string =>
  viewOf(current) === view ? current : view === 'events' ? EVENTS_PATH : '/';

/** How a filter change enters the browser history: `push` makes a step Back undoes, `replace` rewrites the current entry. */
export type HistoryMode = 'push' | 'replace';

export const PRESETS = [
  { label: '15 min', from: '-15m' },
  { label: '1 h', from: '-1h' },
  { label: '24 h', from: '-24h' },
  { label: '7 days', from: '-7d' },
] as const;

export const DEFAULT_FILTERS: Readonly<Filters> = Object.freeze({
  from: '-1h',
  to: 'now',
  type: '',
  q: '',
  site: '',
  live: false,
});

/** The read API's longest site name. */
export const SITE_MAX_LENGTH = 64;

const RELATIVE = /^-\d{1,6}[smhdw]$/;
const isInstant = (value: string) => /^\d{4}-\d{2}-\d{2}T/.test(value) && Number.isFinite(Date.parse(value));

/** The known types of a comma-separated list, each once, in STORED_EVENT_TYPES order; '' when none is known. */
export function parseTypes(value: string): string {
  const given = new Set(value.split(','));
  return STORED_EVENT_TYPES.filter((type) => given.has(type)).join(',');
}

export function parseFilters(search: string): Filters {
  const params = new URLSearchParams(search);
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  return {
    from: RELATIVE.test(from) || isInstant(from) ? from : DEFAULT_FILTERS.from,
    to: to === 'now' || isInstant(to) ? to : DEFAULT_FILTERS.to,
    type: parseTypes(params.get('type') ?? ''),
    q: (params.get('q') ?? '').slice(0, 200),
    site: (params.get('site') ?? '').trim().slice(0, SITE_MAX_LENGTH),
    live: params.get('live') === '1',
  };
}

/** Only what differs from the defaults, so a shared link stays short. */
export function serializeFilters(filters: Filters): string {
  const params = new URLSearchParams();
  if (filters.from !== DEFAULT_FILTERS.from) params.set('from', filters.from);
  if (filters.to !== DEFAULT_FILTERS.to) params.set('to', filters.to);
  if (filters.type) params.set('type', filters.type);
  if (filters.q) params.set('q', filters.q);
  if (filters.site) params.set('site', filters.site);
  if (filters.live) params.set('live', '1');
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The API query for these filters (`from`/`to` are passed through; the server resolves presets). */
export function apiParams(filters: Filters, extra: Record<string, string | undefined> = {}): URLSearchParams {
  const params = new URLSearchParams({ from: filters.from, to: filters.to });
  if (filters.type) params.set('type', filters.type);
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.site) params.set('site', filters.site);
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) params.set(key, value);
  return params;
}

/** The completeness query: range and site only, because sequence numbers span every type and no search applies to them. */
export function completenessParams(filters: Filters): URLSearchParams {
  const params = new URLSearchParams({ from: filters.from, to: filters.to });
  if (filters.site) params.set('site', filters.site);
  return params;
}

/** A datetime-local input's value (viewer's zone) → ISO instant, or undefined when incomplete. */
export function localInputToIso(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Epoch ms → a datetime-local input's value in the viewer's zone (minute precision). */
export function msToLocalInput(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

/** What a filter time means right now, epoch ms (mirrors the server's rules). */
export function resolveTime(value: string, now: number): number {
  if (value === 'now') return now;
  const relative = /^-(\d+)([smhdw])$/.exec(value);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]!]!;
  return Date.parse(value);
}
