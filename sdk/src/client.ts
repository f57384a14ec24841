// The main thread: capture, identity, consent and the unload path, nothing
// else. Every captured event is held here until the worker reports it delivered
// or dropped (a request on the network can still fail and wait for a retry);
// when the page is hidden or unloads, whatever is still held goes out by
// sendBeacon (the worker's timers die with the page; the beacon does not).
// A beacon's answer is never known, so beaconed events stay in the worker's
// queue until one of its own sends gets a 2xx (storage dedupes the copy).
// Every step is also reported to the page (report.ts): captured and beaconed
// here, the rest as the worker reports it (relayed by transport/connect.ts).
import type { EventType } from '@eventline/contract/limits';
import { BATCH_EVENTS } from './limits.ts';
import type { CapturedEvent, FlushResult, Options, Properties } from './types.ts';
import { startAutocapture } from './capture/autocapture.ts';
import { attribute, describeEvent, type At, type EventSettings } from './capture/build-event.ts';
import type { ElementDescriptor } from './capture/element.ts';
import { trackEngagement } from './capture/engagement.ts';
import { maskUrl } from './capture/mask-url.ts';
import { watchPageviews } from './capture/pageviews.ts';
import { clip, stringOf } from './capture/properties.ts';
import { resetIdentity, write } from './identity.ts';
import { applyConsent, decide, isConsentChange, resetConsent, waitingCount, withConsent } from './consent.ts';
import { report } from './report.ts';
import { envelope, takeBatch, utf8Bytes } from './queue/batch.ts';
import type { Connection } from './transport/connect.ts';
import { resolveOptions, type Resolved } from './options.ts';
import { TIMEOUT } from './defaults.ts';

let o: Resolved | undefined;
let settings: EventSettings;
/** Captured and not yet delivered: JSON by id, oldest first. */
const held = new Map<string, string>();
/** Captured and not yet handed to the worker: [id, JSON]. */
let handing: Array<[id: string, json: string]> = [];
/** Undefined until there is consent: no worker, no IndexedDB before; then undefined inside when only beacons work. */
let connection: Promise<Connection | undefined> | undefined;

/** Aborting it removes every listener the SDK added. */
let listeners = new AbortController();
/** Starts the worker once there is consent. */
let start = (): void => {};
/** Records a page view whose title is still settling, so that it comes before what is captured next. */
let settleView = (): void => {};

const log = (...args: unknown[]): void => {
  if (o?.debug) console.info('[eventline]', ...args);
};

/** Follows the site's consent: delivery starts with it, and what is held goes with a refusal. */
function followConsent(): void {
  if (!o) return;
  applyConsent(o, start, () => {
    held.clear();
    handing = [];
    void connection?.then((c) => c?.clear());
  });
}

/**
 * Runs one step of building an event. Nothing a caller passes, nor a beforeSend that throws, reaches the host
 * app: such an event is dropped.
 */
function safely(step: () => void): void {
  try {
    step();
  } catch (error) {
    log('dropped an unbuildable event', error);
  }
}

function emit(type: EventType, name: unknown, element?: ElementDescriptor, properties?: Properties, at?: At): void {
  const r = o;
  if (!r) return;
  settleView();
  safely(() => {
    // What happened is read now; who did it (identity, in localStorage) only once
    // there is consent: a refusal drops it.
    const what = describeEvent(settings, type, name, element, properties, at);
    withConsent(() =>
      safely(() => {
        let event: CapturedEvent | null = attribute(r.sessionTimeout, what);
        if (r.beforeSend) event = r.beforeSend(event);
        if (event) hold(event.id, JSON.stringify(event), event);
      }),
    );
  });
}

function hold(id: string, json: string, event: CapturedEvent): void {
  held.set(id, json);
  // The whole event only in debug mode: any script on the page can read reports.
  report({ kind: 'captured', count: 1, ids: [id], ...(o?.debug && { event }) });
  if (handing.push([id, json]) === 1) setTimeout(handOver);
}

/**
 * Hands what was captured to the worker in one message per task, after the
 * interaction that captured it: a postMessage per event was most of the SDK's
 * time in an event handler. The worker has them too; the held copy only serves
 * the unload path. It stays bounded: the worker reports every event it delivers
 * or drops (maxQueue).
 */
function handOver(): void {
  const batch = handing;
  handing = [];
  if (batch.length)
    void connection?.then((c) => {
      if (!c) return void setTimeout(beacon, o?.flushInterval);
      c.enqueue(batch.map(([, json]) => json));
    });
}

const view = (url: string, referrer: string): void =>
  emit('pageview', 'pageview', undefined, undefined, { url, referrer });

/** Sends everything still held with sendBeacon (CORS-simple text/plain, ≤ 64 KiB each), once: a beaconed event is no longer held. Returns how many went. */
function beacon(): number {
  let sent = 0;
  if (!o || !navigator.onLine) return sent;
  const { url, writeKey, transport } = o;
  let rest = [...held].map(([id, json]) => ({ id, json, bytes: utf8Bytes(json) }));
  for (let batch; rest.length; rest = rest.slice(batch.length)) {
    batch = takeBatch(rest, BATCH_EVENTS);
    const body = envelope(
      writeKey,
      Date.now(),
      batch.map((i) => i.json),
    );
    const ok = transport
      ? (transport({ url, body, headers: { 'Content-Type': 'text/plain' }, keepalive: true }).catch(() => 0), true)
      : navigator.sendBeacon(url, body);
    log('beacon', batch.length, ok);
    // A refused beacon (over 64 KiB, or the browser's keepalive quota) stays held; the next ones are still tried.
    if (!ok) continue;
    const ids = batch.map((i) => i.id);
    for (const id of ids) held.delete(id);
    sent += ids.length;
    report({ kind: 'beacon', count: ids.length, ids });
  }
  return sent;
}

/**
 * Loads the delivery connection's code (eventline.connect.js: Comlink, the worker start-up, the relay of its
 * reports), which the page needs only once there is consent.
 */
export type LoadConnect = () => Promise<typeof import('./transport/connect.ts')>;

export function init(options: Options, defaultWorkerUrl: () => string, loadConnect: LoadConnect): void {
  if (o) return;
  if (!options?.writeKey || !options.endpoint) return console.error('[eventline] writeKey and endpoint required');
  const r = (o = resolveOptions(options));
  const warn = (message: string): void => void (r.debug && console.warn(`[eventline] ${message}`));
  const { signal } = (listeners = new AbortController());
  // Until it has loaded (or if it cannot load), captured events are held here and beaconed.
  start = () =>
    void (connection ??= loadConnect()
      .then(({ connect }) =>
        connect(String(r.workerUrl ?? defaultWorkerUrl()), r.config, held, r.transport, warn, signal),
      )
      .catch((error: unknown) => void warn(`beacons only: ${String(error)}`)));
  followConsent();

  const mask = (url: string): string => maskUrl(url, r.queryAllowlist);
  settings = { sessionTimeout: r.sessionTimeout, mask, hash: r.pageviews.hash };
  // Capture listens first, so what the page's leaving captures (its page leave, a page view
  // whose title had not settled) is held before the beacon below goes out.
  startAutocapture(r.captures, emit, mask, signal);
  let engagement: false | { leave(url: string): void } = false;
  if (r.captures('pageviews'))
    settleView = watchPageviews(
      (url, referrer, navigated) => {
        if (navigated && engagement) engagement.leave(referrer);
        view(url, referrer);
      },
      r.pageviews,
      document.referrer,
      signal,
    );
  engagement =
    r.captures('engagement') &&
    trackEngagement((e, url) => emit('pageleave', 'pageleave', undefined, undefined, { url, engagement: e }), signal);
  const onHide = (e: globalThis.Event): void => {
    if (e.type === 'pagehide' || document.visibilityState === 'hidden') beacon();
  };
  addEventListener('pagehide', onHide, { signal });
  document.addEventListener('visibilitychange', onHide, { signal });
  addEventListener('storage', (e) => isConsentChange(e) && followConsent(), { signal });
}

/** Never throws, whatever `properties` holds (cycles, BigInt, getters that throw, objects without a prototype). */
export function track(name: string, properties?: Properties): void {
  emit('custom', name, undefined, properties);
}

export function pageview(properties?: Properties): void {
  emit('pageview', 'pageview', undefined, properties, { referrer: document.referrer });
}

export function identify(userId: string, traits?: Properties): void {
  // Without consent yet the user id is not stored either: it waits, in order, with the events.
  if (userId)
    withConsent(() => {
      write('user', clip(stringOf(userId) ?? ''));
      emit('identify', 'identify', undefined, traits);
    });
}

export const reset = resetIdentity;

export function optOut(): void {
  decide(false);
  followConsent();
}

export function optIn(): void {
  decide(true);
  followConsent();
}

/** Sends what is queued; resolves within `timeout` ms whatever the worker, IndexedDB or the network do. */
export function flush(timeout = o?.timeout ?? TIMEOUT): Promise<FlushResult> {
  // A page view still settling goes too (and with a shutdown, which flushes).
  settleView();
  handOver();
  const deadline = Date.now() + timeout;
  // Without a worker the page says what it knows: nothing delivered, its own events still pending.
  const known = (timedOut: boolean, beaconed = 0): FlushResult => ({
    delivered: 0,
    pending: held.size + waitingCount(),
    beaconed,
    timedOut,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A connection that is still loading or starting is waited for until the deadline, no longer.
  return Promise.race([connection, new Promise<false>((resolve) => (timer = setTimeout(resolve, timeout, false)))])
    .finally(() => clearTimeout(timer))
    .then((c) =>
      c
        ? c.flush(deadline - Date.now())
        : c === false
          ? known(true)
          : // Beacons only, as no worker could start (or no consent, and nothing held): sent, their answer unknown.
            known(false, beacon()),
    );
}

export async function shutdown(timeout?: number): Promise<void> {
  if (!o) return;
  listeners.abort();
  await flush(timeout);
  // A worker still starting is ended whenever it gets there.
  void connection?.then((c) => c?.close());
  o = undefined;
  held.clear();
  resetConsent();
  connection = undefined;
}
