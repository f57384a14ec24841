// The public API of @eventline/sdk for bundlers. The worker file is resolved
// next to this module, so bundlers that understand `new URL(…, import.meta.url)`
// copy it along; pass `workerUrl` to serve it from elsewhere (same origin).
import * as client from './client.ts';
import * as reports from './report.ts';
import type { FlushResult, Options, Properties, ReportListener } from './types.ts';

export type {
  AutocaptureOptions,
  CapturedEvent,
  FlushResult,
  Options,
  PageviewOptions,
  Properties,
  PropertyValue,
  Report,
  ReportKind,
  ReportListener,
  Transport,
  TransportRequest,
  TransportResponse,
} from './types.ts';

const workerUrl = (): string => new URL('./eventline.worker.js', import.meta.url).href;
// A file of its own, loaded at init, so the main-thread bundle stays within its budget.
const loadConnect: client.LoadConnect = () =>
  import(/* webpackIgnore: true */ /* @vite-ignore */ new URL('./eventline.connect.js', import.meta.url).href);

/** Starts capture and delivery. Calls before `init` are ignored; a second `init` is ignored. */
export function init(options: Options): void {
  client.init(options, workerUrl, loadConnect);
}

/** Records a custom event. Never throws, whatever `properties` holds: a value it cannot read is left out. */
export function track(name: string, properties?: Properties): void {
  client.track(name, properties);
}

/** Records a page view (autocapture already records loads and SPA navigations). */
export function page(properties?: Properties): void {
  client.pageview(properties);
}

/** Attaches a user id to this and every later event, and records an `identify` event with the traits. */
export function identify(userId: string, traits?: Properties): void {
  client.identify(userId, traits);
}

/** Forgets the user id, the anonymous id and the session (e.g. on logout). */
export function reset(): void {
  client.reset();
}

/** Stops capturing and drops everything queued, in every open tab of the site at once; remembered in localStorage. */
export function optOut(): void {
  client.optOut();
}

/** Gives consent, in every open tab at once: resumes after `optOut()`, overrides Do Not Track / GPC, and with `requireConsent` starts storing and sending (what waited in memory goes first). */
export function optIn(): void {
  client.optIn();
}

/** Sends everything queued now; resolves within `timeout` ms (default: the `timeout` option, 10 s) with what was and was not delivered. */
export function flush(timeout?: number): Promise<FlushResult> {
  return client.flush(timeout);
}

/** Flushes (within `timeout` ms, as `flush`), removes every listener and stops the worker. `init` may be called again afterwards. */
export function shutdown(timeout?: number): Promise<void> {
  return client.shutdown(timeout);
}

/**
 * Calls `listener` with every report of what the SDK is doing (`captured`,
 * `queued`, `sent`, `delivered`, `retry`, `dropped`, `beacon`), until the
 * returned function is called. Works before `init`. The same reports are
 * dispatched on `window` as the `eventline:report` event (`event.detail`).
 */
export function onReport(listener: ReportListener): () => void {
  return reports.onReport(listener);
}
