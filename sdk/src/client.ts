// The main thread: capture, identity, consent and the unload path, nothing
// else. Every captured event is held here until the worker reports it delivered
// or dropped (a request on the network can still fail and wait for a retry);
// when the page is hidden or unloads, whatever is still held goes out by
// sendBeacon (the worker's timers die with the page; the beacon does not).
// A beacon's answer is never known, so beaconed events stay in the worker's
// queue until one of its own sends gets a 2xx (storage dedupes the copy).
// Every step is also reported to the page (report.ts): captured and beaconed
// here, the rest as the worker reports it.
import type { Event } from '@eventline/contract';
import type { EventType } from '@eventline/contract/limits';
import { BATCH_EVENTS, NAME_MAX, URL_MAX } from './limits.ts';
import type { FlushResult, Options, Properties } from './types.ts';
import type { DeliveryReport } from './worker/protocol.ts';
import { startAutocapture } from './capture/autocapture.ts';
import type { ElementDescriptor } from './capture/element.ts';
import { watchNavigation } from './capture/pageviews.ts';
import { clip, cleanProperties } from './capture/properties.ts';
import { anonymousId, nextInSession, read, resetIdentity, write } from './identity.ts';
import { applyConsent, consent, decide, isConsentChange, resetConsent, waitingCount, withConsent } from './consent.ts';
import { newId } from './ids.ts';
import { report } from './report.ts';
import { envelope, takeBatch, utf8Bytes } from './queue/batch.ts';
import { connect, type Connection } from './transport/connect.ts';
import { resolveOptions, type Resolved } from './options.ts';

let o: Resolved | undefined;
/** Captured and not yet delivered: JSON by id, oldest first. */
const held = new Map<string, string>();
/** Undefined until there is consent: no worker, no IndexedDB before. */
let connection: Promise<Connection | undefined> | undefined;
/** Events ingest accepted, as the worker reported them: what a flush that timed out still knows. */
let delivered = 0;

/** Aborting it removes every listener the SDK added. */
let listeners = new AbortController();
/** Starts the worker once there is consent. */
let start = (): void => {};

const log = (...args: unknown[]): void => {
  if (o?.debug) console.info('[eventline]', ...args);
};

/** Follows the site's consent: delivery starts with it, and what is held goes with a refusal. */
function followConsent(): void {
  if (!o) return;
  applyConsent(o, start, () => {
    held.clear();
    void connection?.then((c) => c?.api.clear());
  });
}

function emit(
  type: EventType,
  name: string,
  element?: ElementDescriptor,
  properties?: Properties,
  referrer = '',
): void {
  if (!o || consent() === 'out') return;
  const timestamp = Date.now();
  const page: Event['page'] = { url: clip(location.href, URL_MAX), path: clip(location.pathname, URL_MAX) };
  if (document.title) page.title = clip(document.title);
  if (referrer) page.referrer = clip(referrer, URL_MAX);
  // What happened is read now; who did it (identity, in localStorage) only once there is consent.
  const build = (): void => {
    const { sessionId, seq } = nextInSession(o!.sessionTimeout, timestamp);
    const event: Event = {
      v: 1,
      id: newId(),
      type,
      name: clip(String(name), NAME_MAX) || type,
      timestamp,
      seq,
      anonymousId: anonymousId(),
      sessionId,
      page,
    };
    const userId = read('user');
    if (userId) event.userId = userId;
    if (element) event.element = element;
    const cleaned = cleanProperties(properties);
    if (cleaned) event.properties = cleaned;
    const json = JSON.stringify(event);
    held.set(event.id, json);
    // The whole event only in debug mode: any script on the page can read reports.
    report({ kind: 'captured', count: 1, ids: [event.id], ...(o!.debug && { event }) });
    // The worker has them too; this copy only serves the unload path. It stays
    // bounded: the worker reports every event it delivers or drops (maxQueue).
    void connection!.then((c) => {
      if (!c) return void setTimeout(beacon, o?.flushInterval);
      void c.api.enqueue([json]);
    });
  };
  withConsent(build);
}

const view = (referrer: string, properties?: Properties): void =>
  emit('pageview', 'pageview', undefined, properties, referrer);

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

function onDelivery(r: DeliveryReport): void {
  // The worker logs sends, retries and drops itself in debug mode.
  if (r.kind === 'delivered') delivered += r.count;
  if (r.kind === 'delivered' || r.kind === 'dropped') for (const id of r.ids) held.delete(id);
  report(r);
}

export function init(options: Options, defaultWorkerUrl: () => string): void {
  if (o) return;
  if (!options?.writeKey || !options.endpoint) return console.error('[eventline] writeKey and endpoint required');
  const r = (o = resolveOptions(options));
  const warn = (message: string): void => void (r.debug && console.warn(`[eventline] ${message}`));
  start = () =>
    void (connection ??= connect(
      String(r.workerUrl ?? defaultWorkerUrl()),
      r.config,
      onDelivery,
      r.transport,
      warn,
    ).catch((error: unknown) => void warn(`beacons only: ${String(error)}`)));
  followConsent();

  const { signal } = (listeners = new AbortController());
  const onHide = (e: globalThis.Event): void => {
    if (e.type === 'pagehide' || document.visibilityState === 'hidden') beacon();
  };
  addEventListener('pagehide', onHide, { signal });
  document.addEventListener('visibilitychange', onHide, { signal });
  // Workers get no reliable `online` event (Chromium's network emulation, for one, never fires it there).
  addEventListener('online', () => void connection?.then((c) => c?.api.online()), { signal });
  addEventListener('storage', (e) => isConsentChange(e) && followConsent(), { signal });

  startAutocapture(r.captures, emit, signal);
  if (r.captures('pageviews')) {
    view(document.referrer);
    watchNavigation(view, signal);
  }
}

export function track(name: string, properties?: Properties): void {
  emit('custom', name, undefined, properties);
}

export function pageview(properties?: Properties): void {
  view(document.referrer, properties);
}

export function identify(userId: string, traits?: Properties): void {
  // Without consent yet the user id is not stored either: it waits, in order, with the events.
  if (userId)
    withConsent(() => {
      write('user', clip(String(userId)));
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
export function flush(timeout = o?.timeout ?? 10_000): Promise<FlushResult> {
  const before = delivered;
  // What the page itself knows: this page's events only.
  const known = (timedOut: boolean, beaconed = 0): FlushResult => ({
    delivered: delivered - before,
    pending: held.size + waitingCount(),
    beaconed,
    timedOut,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    // Without a worker (beacons only, or no consent yet) beaconed events are sent, their answer unknown.
    connection?.then((c) => (c ? c.api.flush() : known(false, beacon()))) ?? known(false),
    new Promise<FlushResult>((resolve) => (timer = setTimeout(() => resolve(known(true)), timeout))),
  ]).finally(() => clearTimeout(timer));
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
