// The main thread: capture, identity and the unload path, nothing else. Every
// captured event is held here until the worker reports it is on the network;
// when the page is hidden or unloads, whatever is still held goes out by
// sendBeacon (the worker's timers die with the page; the beacon does not).
// A beacon's answer is never known, so beaconed events stay in the worker's
// queue until one of its own sends gets a 2xx (storage dedupes the copy).
// Every step is also reported to the page (report.ts): captured, queued and
// beaconed here, the rest as the worker reports it.
import type { EventType } from '@eventline/contract/limits';
import { BATCH_EVENTS } from './limits.ts';
import type { CapturedEvent, FlushResult, Options, Properties } from './types.ts';
import type { DeliveryReport } from './worker/protocol.ts';
import { startAutocapture } from './capture/autocapture.ts';
import { buildEvent, type At, type EventSettings } from './capture/build-event.ts';
import type { ElementDescriptor } from './capture/element.ts';
import { trackEngagement } from './capture/engagement.ts';
import { maskUrl } from './capture/mask-url.ts';
import { watchPageviews } from './capture/pageviews.ts';
import { clip, stringOf } from './capture/properties.ts';
import { read, resetIdentity, write } from './identity.ts';
import { report } from './report.ts';
import { envelope, takeBatch, utf8Bytes } from './queue/batch.ts';
import type { Connection } from './transport/connect.ts';
import { resolveOptions, type Resolved } from './options.ts';

let o: Resolved | undefined;
let settings: EventSettings;
/** Captured and not yet on the network: JSON by id, oldest first. */
const held = new Map<string, string>();
/** Captured and not yet handed to the worker: [id, JSON]. */
let handing: Array<[id: string, json: string]> = [];
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

function emit(type: EventType, name: unknown, element?: ElementDescriptor, properties?: Properties, at?: At): void {
  if (!o || !allowed) return;
  let event: CapturedEvent | null;
  let json: string;
  // Nothing a caller passes, nor a beforeSend that throws, reaches the host app: such an event is dropped.
  try {
    event = buildEvent(settings, type, name, element, properties, at);
    if (o.beforeSend) event = o.beforeSend(event);
    if (!event) return;
    json = JSON.stringify(event);
  } catch (error) {
    return log('dropped an event that could not be built', error);
  }
  held.set(event.id, json);
  report({ kind: 'captured', count: 1, ids: [event.id], event });
  if (handing.push([event.id, json]) === 1) setTimeout(handOver);
}

/**
 * Hands what was captured to the worker in one message per task, after the
 * interaction that captured it: a postMessage per event was most of the SDK's
 * time in an event handler. The worker has them too; the held copy only serves
 * the unload path. It stays bounded: the worker reports every event it sends
 * or drops (maxQueue).
 */
function handOver(): void {
  const batch = handing;
  handing = [];
  if (batch.length)
    void connection.then((c) => {
      if (!c) return void setTimeout(beacon, o?.flushInterval);
      const ids = batch.map(([id]) => id);
      report({ kind: 'queued', count: ids.length, ids });
      void c.api.enqueue(batch.map(([, json]) => json));
    });
}

const view = (url: string, referrer: string): void =>
  emit('pageview', 'pageview', undefined, undefined, { url, referrer });

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

/** Loads the delivery connection's code (eventline.connect.js: Comlink and the worker start-up), which the page needs only once init has run. */
export type LoadConnect = () => Promise<typeof import('./transport/connect.ts')>;

export function init(options: Options, defaultWorkerUrl: () => string, loadConnect: LoadConnect): void {
  if (o) return;
  if (!options?.writeKey || !options.endpoint) return console.error('[eventline] writeKey and endpoint required');
  const r = (o = resolveOptions(options));
  allowed = consent(r.respectDoNotTrack);
  const warn = (message: string): void => void (r.debug && console.warn(`[eventline] ${message}`));
  // Until it has loaded (or if it cannot load), captured events are held here and beaconed.
  connection = loadConnect()
    .then(({ connect }) => connect(String(r.workerUrl ?? defaultWorkerUrl()), r.config, onDelivery, r.transport, warn))
    .catch((error: unknown) => void warn(`beacons only: ${String(error)}`));

  const { signal } = (listeners = new AbortController());
  const mask = (url: string): string => maskUrl(url, r.queryAllowlist);
  settings = { sessionTimeout: r.sessionTimeout, mask, hash: r.pageviews.hash };
  // Capture listens first, so what the page's leaving captures (its page leave, a page view
  // whose title had not settled) is held before the beacon below goes out.
  startAutocapture(r.captures, emit, mask, signal);
  let engagement: false | { leave(url: string): void } = false;
  if (r.captures('pageviews'))
    watchPageviews(
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
  // Workers get no reliable `online` event (Chromium's network emulation, for one, never fires it there).
  addEventListener('online', () => void connection.then((c) => c?.api.online()), { signal });
}

/** Never throws, whatever `properties` holds (cycles, BigInt, getters that throw, objects without a prototype). */
export function track(name: string, properties?: Properties): void {
  emit('custom', name, undefined, properties);
}

export function pageview(properties?: Properties): void {
  emit('pageview', 'pageview', undefined, properties, { referrer: document.referrer });
}

export function identify(userId: string, traits?: Properties): void {
  if (!allowed || !userId) return;
  write('user', clip(stringOf(userId) ?? ''));
  emit('identify', 'identify', undefined, traits);
}

export const reset = resetIdentity;

export function optOut(): void {
  write('consent', 'out');
  allowed = false;
  held.clear();
  handing = [];
  void connection.then((c) => c?.api.clear());
}

export function optIn(): void {
  write('consent', 'in');
  allowed = true;
}

export async function flush(): Promise<FlushResult> {
  handOver();
  const c = await connection;
  if (c) return c.api.flush();
  beacon();
  return { delivered: 0, pending: held.size };
}

export async function shutdown(): Promise<void> {
  if (!o) return;
  listeners.abort();
  handOver();
  const c = await connection;
  if (c) {
    await c.api.flush();
    c.close();
  } else beacon();
  o = undefined;
  held.clear();
  connection = Promise.resolve(undefined);
}
