// @vitest-environment happy-dom
// The main-thread API end to end, with the delivery engine on the main thread
// (no Worker here, as when CSP forbids one) and a recording transport.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { Event } from '@eventline/contract';
import { validateEvent } from '@eventline/contract';
import * as client from '../../src/client.ts';
import { TITLE_DELAY } from '../../src/capture/pageviews.ts';
import { createDeliveryApi } from '../../src/worker/api.ts';
import { FALLBACK_GLOBAL } from '../../src/worker/fallback-global.ts';
import { onReport } from '../../src/report.ts';
import type { Options, Report, TransportRequest, TransportResponse } from '../../src/types.ts';

let requests: TransportRequest[];
const events = (): Event[] => requests.flatMap((r) => (JSON.parse(r.body as string) as { events: Event[] }).events);
let keyCount = 0;

/** Reports from now until the end of the test. */
function collectReports(): Report[] {
  const reports: Report[] = [];
  onTestFinished(onReport((r) => reports.push(r)));
  return reports;
}

const steps = (reports: Report[], id: string) => reports.filter((r) => r.ids.includes(id)).map((r) => r.kind);

function start(options: Partial<Options> = {}): void {
  client.init(
    {
      writeKey: `key-${++keyCount}`,
      endpoint: 'https://ingest.example/',
      compress: false,
      flushInterval: 60_000,
      transport: async (request) => {
        requests.push(request);
        return { status: 200, body: { accepted: 1, rejected: [] } };
      },
      ...options,
    },
    () => 'https://cdn.example/eventline.worker.js',
    () => import('../../src/transport/connect.ts'),
  );
}

beforeEach(() => {
  requests = [];
  localStorage.clear();
  (globalThis as Record<string, unknown>)[FALLBACK_GLOBAL] = createDeliveryApi();
});

afterEach(async () => {
  await client.shutdown();
  vi.restoreAllMocks();
});

describe('main-thread API', () => {
  it('captures a page view at init and custom events, all valid per the contract, numbered from 0', async () => {
    start();
    client.track('signup', { plan: 'pro' });
    client.identify('user-1', { role: 'admin' });
    client.track('after-identify');
    expect(await client.flush()).toEqual({ delivered: 4, pending: 0, beaconed: 0, timedOut: false });
    const sent = events();
    expect(sent.map((e) => [e.type, e.name, e.seq])).toEqual([
      ['pageview', 'pageview', 0],
      ['custom', 'signup', 1],
      ['identify', 'identify', 2],
      ['custom', 'after-identify', 3],
    ]);
    for (const e of sent) expect(validateEvent(e)).toMatchObject({ ok: true });
    expect(sent[1]?.properties).toEqual({ plan: 'pro' });
    expect(sent[3]?.userId).toBe('user-1');
    expect(requests[0]?.url).toBe(`https://ingest.example/v1/batch?writeKey=key-${keyCount}`);
  });

  it('beacons what is not yet on the network when the page is hidden, once, and keeps it queued until a 2xx', async () => {
    start();
    client.track('before-unload');
    await new Promise((resolve) => setTimeout(resolve, 50));
    window.dispatchEvent(new Event('pagehide'));
    window.dispatchEvent(new Event('pagehide'));
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ keepalive: true, headers: { 'Content-Type': 'text/plain' } });
    const beaconed = events();
    // The page leave is captured as the page goes, before the beacon carries everything held.
    expect(beaconed.map((e) => e.name)).toEqual(['pageview', 'before-unload', 'pageleave']);
    // The beacon's answer is never known: the queue sends the same events itself, and only its 2xx removes them.
    expect(await client.flush()).toEqual({ delivered: 3, pending: 0, beaconed: 0, timedOut: false });
    expect(requests).toHaveLength(2);
    expect(events().slice(3)).toEqual(beaconed);
    await client.flush();
    expect(requests).toHaveLength(2);
  });

  it('delivers events whose beacon the server refused', async () => {
    const answers: TransportResponse[] = [{ status: 503, retryAfter: '1' }];
    start({
      autocapture: false,
      transport: async (request) => {
        requests.push(request);
        return answers.shift() ?? { status: 200, body: { accepted: 1, rejected: [] } };
      },
    });
    const reports = collectReports();
    client.track('refused-beacon');
    await vi.waitFor(() => expect(reports.map((r) => r.kind)).toContain('queued'));
    document.dispatchEvent(new Event('visibilitychange'));
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    onTestFinished(() => void delete (document as { visibilityState?: unknown }).visibilityState);
    document.dispatchEvent(new Event('visibilitychange'));
    expect(requests).toHaveLength(1);
    expect(await client.flush()).toEqual({ delivered: 1, pending: 0, beaconed: 0, timedOut: false });
    const id = reports[0]!.ids[0]!;
    expect(requests.map((r) => (JSON.parse(r.body as string) as { events: Event[] }).events.map((e) => e.id))).toEqual([
      [id],
      [id],
    ]);
    expect(steps(reports, id)).toEqual(['captured', 'queued', 'beacon', 'sent', 'delivered']);
  });

  it('captures nothing under Do Not Track or GPC until the visitor opts in, also when respectDoNotTrack is passed as undefined', async () => {
    vi.spyOn(navigator, 'doNotTrack', 'get').mockReturnValue('1');
    start({ respectDoNotTrack: undefined });
    client.track('ignored');
    await client.flush();
    expect(requests).toEqual([]);
    client.optIn();
    client.track('consented');
    await client.flush();
    expect(events().map((e) => e.name)).toEqual(['consented']);
  });

  it('stops capturing and drops the queue on optOut, and remembers it', async () => {
    start();
    client.track('queued');
    client.optOut();
    client.track('after-opt-out');
    await client.flush();
    expect(requests).toEqual([]);
    await client.shutdown();
    start();
    client.track('next-page');
    await client.flush();
    expect(requests).toEqual([]);
  });

  it('ignores a second init and refuses one without writeKey or endpoint', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    client.init(
      { writeKey: '', endpoint: '' },
      () => '',
      () => import('../../src/transport/connect.ts'),
    );
    expect(error).toHaveBeenCalledOnce();
    start({ autocapture: false });
    start();
    client.track('once');
    await client.flush();
    expect(events().map((e) => e.name)).toEqual(['once']);
  });

  it('records SPA navigations as page views with the previous URL as referrer', async () => {
    start({ autocapture: { clicks: false, inputs: false, toggles: false } });
    const before = location.href;
    history.pushState({}, '', '/next-route?tab=2');
    history.pushState({}, '', '/next-route?tab=2#section');
    // A page view is captured once the route has rendered (its title set).
    await new Promise((resolve) => setTimeout(resolve, TITLE_DELAY * 2));
    await client.flush();
    const views = events().filter((e) => e.type === 'pageview');
    expect(views).toHaveLength(2);
    expect(views[1]?.page).toMatchObject({ path: '/next-route', referrer: before });
  });

  it('sends a page view whose title is still settling with a flush, and with a shutdown', async () => {
    start({ autocapture: { clicks: false, inputs: false, toggles: false } });
    history.pushState({}, '', '/flushed-route');
    await client.flush();
    history.pushState({}, '', '/shut-down-route');
    await client.shutdown();
    const paths = events()
      .filter((e) => e.type === 'pageview')
      .map((e) => e.page.path);
    expect(paths.slice(1)).toEqual(['/flushed-route', '/shut-down-route']);
  });
});

describe('delivery reports', () => {
  it('reports an event captured, queued, sent and delivered, in that order, as plain data', async () => {
    start({ autocapture: false });
    const reports = collectReports();
    client.track('signup', { plan: 'pro' });
    await client.flush();
    const [captured] = reports;
    // Ids and counts only: any script on the page can read reports, so the event (user id, properties) stays out.
    expect(captured).toEqual({ kind: 'captured', count: 1, ids: [expect.any(String)] });
    const id = captured!.ids[0]!;
    expect(steps(reports, id)).toEqual(['captured', 'queued', 'sent', 'delivered']);
    expect(reports.find((r) => r.kind === 'delivered')).toEqual({ kind: 'delivered', count: 1, ids: [id] });
    for (const report of reports) {
      expect(Object.getPrototypeOf(report)).toBe(Object.prototype);
      expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    }
  });

  it('puts the whole captured event in its report in debug mode only', async () => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
    start({ autocapture: false, debug: true });
    const reports = collectReports();
    client.track('signup', { plan: 'pro' });
    const [captured] = reports;
    expect(captured).toMatchObject({
      kind: 'captured',
      count: 1,
      event: { type: 'custom', name: 'signup', properties: { plan: 'pro' } },
    });
    expect(captured?.kind === 'captured' && captured.event?.id).toBe(captured?.ids[0]);
  });

  it('reports retries with their delay and reason, and drops with their reason', async () => {
    const answers: TransportResponse[] = [
      { status: 503, body: { code: 'INGEST_UNAVAILABLE' } },
      { status: 400, body: { code: 'INGEST_INVALID_BATCH', message: 'bad' } },
    ];
    start({
      autocapture: false,
      transport: async (request) => {
        requests.push(request);
        return answers.shift() ?? { status: 200, body: { accepted: 1, rejected: [] } };
      },
    });
    const reports = collectReports();
    client.track('doomed');
    await client.flush();
    const id = reports[0]!.ids[0]!;
    const retry = reports.find((r) => r.kind === 'retry');
    expect(retry).toEqual({
      kind: 'retry',
      count: 1,
      ids: [id],
      delay: expect.any(Number),
      reason: 'HTTP 503 INGEST_UNAVAILABLE',
    });
    // The first retry: full jitter between 250 ms and 1 s.
    expect(retry?.kind === 'retry' && retry.delay).toBeGreaterThanOrEqual(250);
    expect(retry?.kind === 'retry' && retry.delay).toBeLessThanOrEqual(1_000);
    // flush() skips the backoff's own wait (it would not skip a server's Retry-After).
    await client.flush();
    expect(reports.find((r) => r.kind === 'dropped')).toEqual({
      kind: 'dropped',
      count: 1,
      ids: [id],
      reason: 'HTTP 400 INGEST_INVALID_BATCH: bad',
    });
    expect(steps(reports, id)).toEqual(['captured', 'queued', 'sent', 'retry', 'sent', 'dropped']);
  });

  it('reports what the page beacons when it is hidden', async () => {
    start({ autocapture: false });
    client.track('leaving');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reports = collectReports();
    window.dispatchEvent(new Event('pagehide'));
    const sent = events().map((e) => e.id);
    expect(sent).toHaveLength(1);
    expect(reports).toEqual([{ kind: 'beacon', count: 1, ids: sent }]);
  });

  it('keeps capturing and delivering when a report listener throws', async () => {
    start({ autocapture: false });
    onTestFinished(
      onReport(() => {
        throw new Error('listener bug');
      }),
    );
    client.track('still-delivered');
    expect(await client.flush()).toEqual({ delivered: 1, pending: 0, beaconed: 0, timedOut: false });
    expect(events().map((e) => e.name)).toEqual(['still-delivered']);
  });
});

describe('bounded start-up and flush', () => {
  it('queues and delivers in memory when IndexedDB never answers, and flush() resolves', async () => {
    // Safari 14.1: indexedDB.open can stay unanswered for good.
    vi.spyOn(indexedDB, 'open').mockImplementation(() => ({}) as IDBOpenDBRequest);
    start({ autocapture: false });
    client.track('despite-idb');
    const started = Date.now();
    expect(await client.flush()).toEqual({ delivered: 1, pending: 0, beaconed: 0, timedOut: false });
    // The open gets 3 s, then the queue runs in memory (generous: the machine may be loaded).
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(events().map((e) => e.name)).toEqual(['despite-idb']);
  }, 20_000);

  it('resolves flush(timeout) and shutdown(timeout) in time, saying what was not delivered', async () => {
    // A delivery engine that never finishes starting (a worker that never answers).
    (globalThis as Record<string, unknown>)[FALLBACK_GLOBAL] = {
      ...createDeliveryApi(),
      start: () => new Promise(() => {}),
    };
    start({ autocapture: false });
    client.track('stuck');
    const started = Date.now();
    expect(await client.flush(300)).toEqual({ delivered: 0, pending: 1, beaconed: 0, timedOut: true });
    await client.shutdown(300);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 20_000);
});

describe('consent', () => {
  /** What the browser does in this tab when another tab of the site writes the key. */
  function otherTabWrites(value: string | null): void {
    if (value === null) localStorage.removeItem('eventline:consent');
    else localStorage.setItem('eventline:consent', value);
    window.dispatchEvent(new StorageEvent('storage', { key: 'eventline:consent', newValue: value }));
  }

  it('follows optOut() and optIn() made in another tab at once, dropping what it held', async () => {
    start({ autocapture: false, flushInterval: 60_000 });
    client.track('before');
    await new Promise((resolve) => setTimeout(resolve, 50));
    otherTabWrites('out');
    client.track('after-opt-out-elsewhere');
    expect(await client.flush()).toEqual({ delivered: 0, pending: 0, beaconed: 0, timedOut: false });
    window.dispatchEvent(new Event('pagehide'));
    expect(requests).toEqual([]);
    otherTabWrites('in');
    client.track('after-opt-in-elsewhere');
    await client.flush();
    expect(events().map((e) => e.name)).toEqual(['after-opt-in-elsewhere']);
  });

  it('with requireConsent stores and sends nothing until optIn(), then sends what waited, as it was captured', async () => {
    const open = vi.spyOn(indexedDB, 'open');
    start({ requireConsent: true });
    const capturedAt = Date.now();
    client.track('waiting', { step: 1 });
    client.identify('user-7');
    client.track('after-identify');
    expect(await client.flush()).toEqual({ delivered: 0, pending: 4, beaconed: 0, timedOut: false });
    window.dispatchEvent(new Event('pagehide'));
    expect(requests).toEqual([]);
    expect(Object.keys(localStorage)).toEqual([]);
    expect(open).not.toHaveBeenCalled();
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.optIn();
    // The page leave captured as the page was hidden waited too.
    expect(await client.flush()).toEqual({ delivered: 5, pending: 0, beaconed: 0, timedOut: false });
    const sent = events();
    expect(sent.map((e) => [e.type, e.name, e.seq, e.userId])).toEqual([
      ['pageview', 'pageview', 0, undefined],
      ['custom', 'waiting', 1, undefined],
      ['identify', 'identify', 2, 'user-7'],
      ['custom', 'after-identify', 3, 'user-7'],
      ['pageleave', 'pageleave', 4, 'user-7'],
    ]);
    expect(sent[1]?.timestamp).toBeLessThanOrEqual(capturedAt + 5);
    for (const e of sent) expect(validateEvent(e)).toMatchObject({ ok: true });
    expect(localStorage.getItem('eventline:consent')).toBe('in');
  });

  it('with requireConsent discards what waited on optOut() and remembers the refusal', async () => {
    start({ requireConsent: true, autocapture: false });
    client.track('never-sent');
    client.optOut();
    client.track('neither');
    expect(await client.flush()).toEqual({ delivered: 0, pending: 0, beaconed: 0, timedOut: false });
    await client.shutdown();
    start({ requireConsent: true, autocapture: false });
    client.track('next-page');
    expect(await client.flush()).toEqual({ delivered: 0, pending: 0, beaconed: 0, timedOut: false });
    expect(requests).toEqual([]);
  });
});
