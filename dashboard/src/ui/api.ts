// The UI's client for the read API. The token comes from the page (the server
// embeds the local default) or from what the viewer entered, kept in localStorage.

// The answers' types are the contract's, imported as types only; the limits
// module is plain values, so the bundle carries no schema library.
import type { ErrorBody } from '@eventline/kit/errors';
import { EXPORT_TRUNCATED_HEADER } from '@eventline/contract/read-api/limits';
import type {
  Annotation,
  AnnotationsResponse,
  ElementResponse,
  NewAnnotation,
  ShareRequest,
  ShareResponse,
  AnalyticsEventsResponse,
  AnalyticsTimeseriesResponse,
  BreakdownResponse,
  BreakdownsResponse,
  BucketCompletenessResponse,
  CompletenessResponse as Completeness,
  EventsResponse,
  FunnelResponse,
  OverviewResponse,
  SitesResponse,
  TimeseriesResponse,
  TopResponse,
} from '@eventline/contract/read-api';

export type { ApiEvent, CompletenessFigures } from '@eventline/contract/read-api';
export type { Completeness };
export type EventPage = EventsResponse;
export type TimeSeries = TimeseriesResponse;
export type TopList = TopResponse;
export type {
  AnalyticsTimeseriesResponse,
  Annotation,
  BreakdownResponse,
  BucketCompletenessResponse,
  ElementResponse,
  FunnelResponse,
  OverviewResponse,
};

export type ShareLink = ShareResponse;

/** What a share link's token says about itself (its payload, unverified: the server verifies every request). */
export function shareScope(token: string): { site: string; filters: string[]; expiresAt: number } | undefined {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      site?: unknown;
      filters?: unknown;
      exp?: unknown;
    };
    if (typeof payload.site !== 'string' || typeof payload.exp !== 'number') return undefined;
    const filters = Array.isArray(payload.filters)
      ? payload.filters.filter((filter): filter is string => typeof filter === 'string')
      : [];
    return { site: payload.site, filters, expiresAt: payload.exp * 1000 };
  } catch {
    return undefined;
  }
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

const STORAGE_KEY = 'eventline.dashboardToken';
/** The share link this tab was opened with: read from the URL fragment once, kept for the tab (the page rewrites its URL). */
const SHARE_KEY = 'eventline.shareToken';

/** The token of the share link the page was opened with, if it was; it then replaces the read token. */
export function shareToken(): string | undefined {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('share');
  if (fromLink) sessionStorage.setItem(SHARE_KEY, fromLink);
  return sessionStorage.getItem(SHARE_KEY) ?? undefined;
}

export function currentToken(): string {
  const shared = shareToken();
  if (shared) return shared;
  const embedded = document.querySelector<HTMLMetaElement>('meta[name="eventline-token"]')?.content ?? '';
  return embedded || localStorage.getItem(STORAGE_KEY) || '';
}

export function saveToken(token: string): void {
  localStorage.setItem(STORAGE_KEY, token);
}

async function request(
  path: string,
  params: URLSearchParams,
  signal?: AbortSignal,
  init: { method?: string; body?: unknown } = {},
): Promise<Response> {
  let response: Response;
  const headers: Record<string, string> = { authorization: `Bearer ${currentToken()}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const query = params.size > 0 ? `?${params}` : '';
  try {
    response = await fetch(`${path}${query}`, {
      method: init.method ?? 'GET',
      headers,
      signal,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError('The dashboard server cannot be reached', 0, 'NETWORK');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as Partial<ErrorBody>;
    throw new ApiError(body.message ?? `HTTP ${response.status}`, response.status, body.code ?? 'HTTP');
  }
  return response;
}

const json = async <T>(path: string, params: URLSearchParams, signal?: AbortSignal): Promise<T> =>
  (await request(path, params, signal)).json() as Promise<T>;

export const api = {
  events: (params: URLSearchParams, signal?: AbortSignal) => json<EventPage>('/api/events', params, signal),
  timeseries: (params: URLSearchParams, signal?: AbortSignal) =>
    json<TimeSeries>('/api/stats/timeseries', params, signal),
  top: (params: URLSearchParams, signal?: AbortSignal) => json<TopList>('/api/stats/top', params, signal),
  completeness: (params: URLSearchParams, signal?: AbortSignal) =>
    json<Completeness>('/api/completeness', params, signal),
  sites: (signal?: AbortSignal) => json<SitesResponse>('/api/v2/sites', new URLSearchParams(), signal),
  overview: (params: URLSearchParams, signal?: AbortSignal) =>
    json<OverviewResponse>('/api/v2/overview', params, signal),
  trend: (params: URLSearchParams, signal?: AbortSignal) =>
    json<AnalyticsTimeseriesResponse>('/api/v2/timeseries', params, signal),
  breakdowns: (params: URLSearchParams, signal?: AbortSignal) =>
    json<BreakdownsResponse>('/api/v2/breakdowns', params, signal),
  bucketCompleteness: (params: URLSearchParams, signal?: AbortSignal) =>
    json<BucketCompletenessResponse>('/api/v2/completeness', params, signal),
  funnel: (params: URLSearchParams, signal?: AbortSignal) => json<FunnelResponse>('/api/v2/funnel', params, signal),
  /** Raw events of one site, with the v2 filters (newest first). */
  siteEvents: (params: URLSearchParams, signal?: AbortSignal) =>
    json<AnalyticsEventsResponse>('/api/v2/events', params, signal),
  element: (params: URLSearchParams, signal?: AbortSignal) => json<ElementResponse>('/api/v2/element', params, signal),
  annotations: (params: URLSearchParams, signal?: AbortSignal) =>
    json<AnnotationsResponse>('/api/v2/annotations', params, signal),
  addAnnotation: async (body: NewAnnotation) =>
    (
      await request('/api/v2/annotations', new URLSearchParams(), undefined, { method: 'POST', body })
    ).json() as Promise<Annotation>,
  removeAnnotation: async (id: string, site: string) =>
    void (await request(`/api/v2/annotations/${encodeURIComponent(id)}`, new URLSearchParams({ site }), undefined, {
      method: 'DELETE',
    })),
  share: async (body: ShareRequest) =>
    (
      await request('/api/shares', new URLSearchParams(), undefined, { method: 'POST', body })
    ).json() as Promise<ShareLink>,
  /**
   * Downloads the CSV through a Blob, because a plain link cannot carry the
   * Authorization header. Resolves to whether the server cut the export to its
   * row limit (the range holds more events).
   */
  async exportCsv(params: URLSearchParams): Promise<{ truncated: boolean }> {
    const response = await request('/api/events.csv', params);
    const name =
      /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'eventline-events.csv';
    const url = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement('a'), { href: url, download: name });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return { truncated: response.headers.get(EXPORT_TRUNCATED_HEADER) === 'true' };
  },
};
