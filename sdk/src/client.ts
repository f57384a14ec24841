// The main thread: capture, identity and the unload path, nothing else. Every
// captured event is held here until the worker reports it is on the network;
// when the page is hidden or unloads, whatever is still held goes out by
// sendBeacon (the worker's timers die with the page; the beacon does not).
// A beacon's answer is never known, so beaconed events stay in the worker's
// queue until one of its own sends gets a 2xx (storage dedupes the copy).
// Every step is also reported to the page (report.ts): captured, queued and
// beaconed here, the rest as the worker reports it.
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
import { newId } from './ids.ts';
import { report } from './report.ts';
import { envelope, takeBatch, utf8Bytes } from './queue/batch.ts';
import { connect, type Connection } from './transport/connect.ts';
import { resolveOptions, type Resolved } from './options.ts';

let o: Resolved | undefined;
/** Captured and not yet on the network: JSON by id, oldest first. */
const held = new Map<string, string>();
let connection: Promise<Connection | undefined> = Promise.resolve(undefined);

/** Aborting it removes every listener the SDK added. */
let listeners = new AbortController();
let allowed = true;

const log = (...args: unknown[]): void => {
  if (o?.debug) console.info('[eventline]', ...args);
};

function consent(respectDoNotTrack: boolean): boolean {
  const stored = read('consent');
  if (stored) return stored === 'in';
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  return !(respectDoNotTrack && (nav.doNotTrack === '1' || nav.globalPrivacyControl));
}

function emit(
  type: EventType,
  name: string,
  element?: ElementDescriptor,
  properties?: Properties,
  referrer = '',
): void {
  if (!o || !allowed) return;
  const timestamp = Date.now();
  const { sessionId, seq } = nextInSession(o.sessionTimeout, timestamp);
  const page: Event['page'] = { url: clip(location.href, URL_MAX), path: clip(location.pathname, URL_MAX) };
  if (document.title) page.title = clip(document.title);
  if (referrer) page.referrer = clip(referrer, URL_MAX);
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
  report({ kind: 'captured', count: 1, ids: [event.id], event });
  // The worker has them too; this copy only serves the unload path. It stays
  // bounded: the worker reports every event it sends or drops (maxQueue).
  void connection.then((c) => {
    if (!c) return void setTimeout(beacon, o?.flushInterval);
    report({ kind: 'queued', count: 1, ids: [event.id] });
    void c.api.enqueue([json]);
  });
}

const view = (referrer: string, properties?: Properties): void =>
  emit('pageview', 'pageview', undefined, properties, referrer);

/** Sends everything still held with sendBeacon (CORS-simple text/plain, ≤ 64 KiB each), once: a beaconed event is no longer held. */
function beacon(): void {
  if (!o || !navigator.onLine) return;
  const { url, writeKey, transport } = o;
  // An event over the contract's size is refused by the server (and reported by
  // the worker); one over 64 KiB makes sendBeacon refuse, which stops here.
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
    if (!ok) break;
    const ids = batch.map((i) => i.id);
    for (const id of ids) held.delete(id);
    report({ kind: 'beacon', count: ids.length, ids });
  }
}

function onDelivery(r: DeliveryReport): void {
  // The worker logs sends, retries and drops itself in debug mode.
  if (r.kind !== 'retry') for (const id of r.ids) held.delete(id);
  report(r);
}

export function init(options: Options, defaultWorkerUrl: () => string): void {
  if (o) return;
  if (!options?.writeKey || !options.endpoint) return console.error('[eventline] writeKey and endpoint required');
  const r = (o = resolveOptions(options));
  allowed = consent(r.respectDoNotTrack);
  const warn = (message: string): void => void (r.debug && console.warn(`[eventline] ${message}`));
  connection = connect(String(r.workerUrl ?? defaultWorkerUrl()), r.config, onDelivery, r.transport, warn).catch(
    (error: unknown) => void warn(`beacons only: ${String(error)}`),
  );

  const { signal } = (listeners = new AbortController());
  const onHide = (e: globalThis.Event): void => {
    if (e.type === 'pagehide' || document.visibilityState === 'hidden') beacon();
  };
  addEventListener('pagehide', onHide, { signal });
  document.addEventListener('visibilitychange', onHide, { signal });
  // Workers get no reliable `online` event (Chromium's network emulation, for one, never fires it there).
  addEventListener('online', () => void connection.then((c) => c?.api.online()), { signal });

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
  if (!allowed || !userId) return;
  write('user', clip(String(userId)));
  emit('identify', 'identify', undefined, traits);
}

export const reset = resetIdentity;

export function optOut(): void {
  write('consent', 'out');
  allowed = false;
  held.clear();
  void connection.then((c) => c?.api.clear());
}

export function optIn(): void {
  write('consent', 'in');
  allowed = true;
}

export async function flush(): Promise<FlushResult> {
  const c = await connection;
  if (c) return c.api.flush();
  beacon();
  return { delivered: 0, pending: held.size };
}

export async function shutdown(): Promise<void> {
  if (!o) return;
  listeners.abort();
  const c = await connection;
  if (c) {
    await c.api.flush();
    c.close();
  } else beacon();
  o = undefined;
  held.clear();
  connection = Promise.resolve(undefined);
}
