// The UI's client for the read API. The token comes from the page (the server
// embeds the local default) or from what the viewer entered, kept in localStorage.

// The answers' types are the contract's, imported as types only; the limits
// module is plain values, so the bundle carries no schema library.
import type { ErrorBody } from '@eventline/kit/errors';
import { EXPORT_TRUNCATED_HEADER } from '@eventline/contract/read-api/limits';
import type {
  CompletenessResponse as Completeness,
  EventsResponse,
  TimeseriesResponse,
  TopResponse,
} from '@eventline/contract/read-api';

export type { ApiEvent, CompletenessFigures } from '@eventline/contract/read-api';
export type { Completeness };
export type EventPage = EventsResponse;
export type TimeSeries = TimeseriesResponse;
export type TopList = TopResponse;

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

export function currentToken(): string {
  const embedded = document.querySelector<HTMLMetaElement>('meta[name="eventline-token"]')?.content ?? '';
  return embedded || localStorage.getItem(STORAGE_KEY) || '';
}

export function saveToken(token: string): void {
  localStorage.setItem(STORAGE_KEY, token);
}

async function request(path: string, params: URLSearchParams, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${path}?${params}`, { headers: { authorization: `Bearer ${currentToken()}` }, signal });
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
