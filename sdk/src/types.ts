// Public types of the SDK. Self-contained on purpose: the published `.d.ts`
// must not point at packages a user of the SDK does not install.

/** A flat property value; nested objects are sent as (truncated) JSON strings. */
export type PropertyValue = string | number | boolean | null;

/** Free-form properties of an event; `undefined` values are left out. */
export type Properties = Record<string, unknown>;

/** Which interactions autocapture records. */
export interface AutocaptureOptions {
  /** Clicks on links, buttons, `[role=button]`, submit/button inputs and `[data-track]`. Default: true */
  clicks?: boolean;
  /** Text fields, textareas and selects when they lose focus (identity, length, changed; never the value unless `data-track-value`). Default: true */
  inputs?: boolean;
  /** Checkbox and radio toggles with their checked state. Default: true */
  toggles?: boolean;
  /** Form submissions (`submit` events: the form, its action URL and the caption of the button that sent it). Default: true */
  forms?: boolean;
  /** Page views: the first load (a prerendered page when it is shown), every SPA navigation (History API, `popstate`) and a return from the back/forward cache; an object tunes what counts. Default: true */
  pageviews?: boolean | PageviewOptions;
  /** A `pageleave` event when a page is hidden, left or navigated away from, with engaged time and maximum scroll depth. Default: true */
  engagement?: boolean;
}

/** What counts as a new page view in a single-page app. */
export interface PageviewOptions {
  /** Hash-routed apps: a change of the hash (`#/settings`) is a page view, and the hash's path is part of `page.path`. Default: false */
  hash?: boolean;
  /** A `history.replaceState` that changes only the query (a search box, filters) is a page view. Default: false */
  replaceQuery?: boolean;
}

/** One HTTP request the SDK wants to make; what a custom {@link Transport} receives. */
export interface TransportRequest {
  url: string;
  /** JSON text, or its gzip bytes when `headers['Content-Encoding']` is `gzip`. */
  body: string | Uint8Array;
  headers: Record<string, string>;
  /** True for requests that must outlive the page (beacons, keepalive fetches). */
  keepalive: boolean;
  /** Give up after this many ms: the network transport aborts the request and the batch is retried. Absent for beacons. */
  timeout?: number;
}

export interface TransportResponse {
  status: number;
  /** The `Retry-After` header, if any. */
  retryAfter?: string | null;
  /** The parsed JSON body, if any. */
  body?: unknown;
}

/** Replaces the network, e.g. in tests. It runs on the main thread; the worker calls it through Comlink. It should honour `request.timeout` (reject, or answer status 0): a request that never settles stalls the queue. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

export interface Options {
  /** Write key of the site, sent as `?writeKey=`. Required. */
  writeKey: string;
  /** Base URL of the ingest service, e.g. `https://ingest.example.com`. Required. */
  endpoint: string;
  /** `false` turns autocapture off, an object switches kinds one by one. Default: true */
  autocapture?: boolean | AutocaptureOptions;
  /** Events per request; a full batch is sent at once. Capped at 500. Default: 20 */
  batchSize?: number;
  /** Longest time an event waits for its batch to fill, in ms. Default: 2000 */
  flushInterval?: number;
  /** Most events kept while they cannot be delivered; the oldest are dropped beyond it. Default: 1000 */
  maxQueue?: number;
  /** Undelivered events older than this are dropped, in ms. Default: 604800000 (7 days) */
  maxAge?: number;
  /** Capture nothing when the browser sends Do Not Track or Global Privacy Control (until `optIn()`). Default: true */
  respectDoNotTrack?: boolean;
  /**
   * Store and send nothing until `optIn()` (or an `optIn()` remembered from an earlier visit, in any tab): no
   * localStorage, no IndexedDB, no worker, no request. What is captured meanwhile (`identify()` calls too) waits
   * in memory, up to `maxQueue` events, and is sent on `optIn()`; `optOut()` or leaving the page discards it.
   * Default: false
   */
  requireConsent?: boolean;
  /** Inactivity after which a new session starts, in ms. Default: 1800000 (30 minutes) */
  sessionTimeout?: number;
  /** URL of `eventline.worker.js`; must be same-origin with the page. Default: next to the SDK file */
  workerUrl?: string | URL;
  /** Longest wait for the answer to a batch request, in ms; then it is aborted and retried with backoff. Also the default timeout of `flush()` and `shutdown()`. Default: 10000 */
  timeout?: number;
  /** gzip request bodies in the worker when that makes them smaller. Default: true */
  compress?: boolean;
  /** Replaces `fetch`/`sendBeacon`, e.g. in tests. Default: the network */
  transport?: Transport;
  /** Log every batch, beacon, retry and drop to the console. Default: false */
  debug?: boolean;
  /**
   * Sees every event before it is stored or sent and returns it (changed or not), or `null` to drop it. The event it
   * returns must still follow the contract (ingest refuses it otherwise). An event it throws on is dropped. Default: none
   */
  beforeSend?: (event: CapturedEvent) => CapturedEvent | null;
  /**
   * Query and fragment parameters whose values are kept in every URL sent (page, referrer, link targets, form
   * actions); every other parameter keeps its name and loses its value. Default: all kept but common secrets
   * (token, password, email, code, key, session, phone, … as whole words of the name)
   */
  queryAllowlist?: string[];
}

export interface FlushResult {
  /** Events the server accepted during this flush. */
  delivered: number;
  /** Events still queued afterwards, to be sent later: the network failed, the server asked to wait (Retry-After), consent is pending, or the flush timed out. */
  pending: number;
  /** Events handed to `sendBeacon` because no delivery worker could start (e.g. Trusted Types or CSP forbid it): sent, but whether they arrived is never known. */
  beaconed: number;
  /**
   * The flush gave up after its timeout (a worker or IndexedDB that does not answer, a worker connection still
   * loading); `delivered` then counts what the worker reported meanwhile and `pending` only this page's events.
   */
  timedOut: boolean;
}

/** An event as the SDK sends it (the Eventline event contract), as the `captured` report carries it in debug mode. */
export interface CapturedEvent {
  v: 1;
  /** Unique id; storage deduplicates on it. Every report about this event lists it in `ids`. */
  id: string;
  type: 'click' | 'input' | 'change' | 'submit' | 'pageview' | 'pageleave' | 'identify' | 'custom';
  name: string;
  /** Client time of capture, epoch ms. */
  timestamp: number;
  /** Sequence number per session and tab, from 0. */
  seq: number;
  anonymousId: string;
  sessionId: string;
  /** The page load that captured the event (`seq` counts per session and tab). */
  tabId?: string;
  userId?: string;
  page: { url: string; path: string; title?: string; referrer?: string };
  /** The element of a click, field or toggle: identity and label, never a typed value unless the field opts in. */
  element?: {
    tag: string;
    id?: string;
    name?: string;
    selector: string;
    text?: string;
    attributes?: Record<string, string>;
    inputType?: string;
    checked?: boolean;
    valueLength?: number;
    changed?: boolean;
    value?: string;
    /** Absolute URL of a clicked link or a submitted form's action, secrets masked. */
    href?: string;
  };
  properties?: Record<string, PropertyValue>;
  /** Of a `pageleave`: engaged time (visible and active) in ms since the page view's last `pageleave`, and its maximum scroll depth in percent. */
  engagement?: { engagedMs: number; scrollDepth: number };
}

/** Fields every report has. */
interface ReportOf<K extends string> {
  kind: K;
  /** How many events the report is about (`ids.length`). */
  count: number;
  /** Ids of those events ({@link CapturedEvent.id}). */
  ids: string[];
}

/**
 * What the SDK is doing, one step at a time: plain data, the same from the
 * worker and from the main-thread fallback. For one event the order is
 * `captured` → `queued` → `sent` → `delivered`, with `retry` (then `sent`
 * again) on a failed attempt; `beacon` comes in between when the page is
 * hidden or left first, and `sent` → `delivered` still follow if the page lives
 * on (a beacon's answer is never known, so the queue sends the event again);
 * `dropped` ends it for good.
 */
export type Report =
  /** Captured on the main thread (autocapture or an API call); `event` only with `debug`, since any script on the page can read reports. */
  | (ReportOf<'captured'> & { event?: CapturedEvent })
  /** Handed to the delivery queue (the worker's, persisted in IndexedDB; oversized events are trimmed there, see `TRIMMED_PROPERTY` in the README). */
  | ReportOf<'queued'>
  /** A request carrying the events is on the network. */
  | ReportOf<'sent'>
  /** Ingest answered 2xx and accepted the events. */
  | ReportOf<'delivered'>
  /** The request failed (network, 408, 429, 5xx): the events are sent again in `delay` ms. */
  | (ReportOf<'retry'> & { delay: number; reason: string })
  /** Given up: refused by ingest (4xx, or rejected one by one), too large even without its properties, quarantined (the server kept failing on this one event while accepting others), or pushed out by `maxQueue` / `maxAge`. */
  | (ReportOf<'dropped'> & { reason: string })
  /** Handed to `navigator.sendBeacon` as the page was hidden or left (the browser does not tell whether it arrived, so the event stays queued). */
  | ReportOf<'beacon'>;

export type ReportKind = Report['kind'];

/** Receives every {@link Report}; what it throws is reported to the page (window `error`) and never reaches the SDK. */
export type ReportListener = (report: Report) => void;

declare global {
  interface WindowEventMap {
    /** Every {@link Report} of the SDK, as `event.detail`. */
    'eventline:report': CustomEvent<Report>;
  }
}
