// Persistence in IndexedDB (fake-indexeddb), and a delivery engine that picks
// up what an earlier page left behind.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { sampleEvent } from '@eventline/contract/testing';
import { openIndexedDbStore, type StoredEvent } from '../../src/queue/store.ts';
import { createDelivery } from '../../src/queue/delivery.ts';
import { DELIVERY_DEFAULTS } from '../../src/defaults.ts';

let dbCount = 0;
const record = (owner: string, at = Date.now()): StoredEvent => {
  const event = sampleEvent();
  return { id: event.id, json: JSON.stringify(event), bytes: 300, at, owner };
};

describe('IndexedDB persistence', () => {
  it('keeps queued events across a reopen (a reload)', async () => {
    const name = `persist-${++dbCount}`;
    const first = await openIndexedDbStore(name);
    const records = [record('tab-1', 1), record('tab-1', 2), record('tab-1', 3)];
    await first.put(records);
    await first.remove([records[1]!.id]);
    first.close();
    const second = await openIndexedDbStore(name);
    expect(await second.claim('tab-2', () => false)).toEqual(
      [records[0], records[2]].map((r) => ({ ...r, owner: 'tab-2' })),
    );
    second.close();
  });

  it('keeps what an earlier SDK version (database version 1, queue only) stored, and adds the backoff state', async () => {
    const name = `upgrade-${++dbCount}`;
    const old = record('closed-tab', 1);
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore('queue', { keyPath: 'id' });
      request.onerror = () => reject(request.error ?? new Error('open failed'));
      request.onsuccess = () => {
        const db = request.result;
        const tx = db.transaction('queue', 'readwrite');
        tx.objectStore('queue').put(old);
        tx.oncomplete = () => {
          db.close();
          resolve();
        };
      };
    });
    const store = await openIndexedDbStore(name);
    expect(await store.claim('new-tab', () => false)).toEqual([{ ...old, owner: 'new-tab' }]);
    expect(await store.loadBackoff()).toBeUndefined();
    await store.saveBackoff({ retryAt: 123, attempt: 2, serverAsked: true });
    expect(await store.loadBackoff()).toEqual({ retryAt: 123, attempt: 2, serverAsked: true });
    store.close();
  });

  it('never hands one tab the events of another tab that is still open', async () => {
    const store = await openIndexedDbStore(`tabs-${++dbCount}`);
    const mine = record('me');
    const live = record('open-tab');
    const dead = record('closed-tab');
    await store.put([mine, live, dead]);
    const claimed = await store.claim('me', (owner) => owner === 'open-tab');
    expect(claimed.map((r) => r.id)).toEqual([dead.id]);
    // Claimed once: nobody else gets them again.
    expect(await store.claim('third-tab', (owner) => owner === 'open-tab' || owner === 'me')).toEqual([]);
    store.close();
  });

  it('resends on the next page what the previous page persisted but could not send', async () => {
    const name = `resend-${++dbCount}`;
    const events = [sampleEvent({ seq: 0 }), sampleEvent({ seq: 1 })];
    const config = { ...DELIVERY_DEFAULTS, url: 'u', writeKey: 'k', flushInterval: 60_000 };
    const deps = {
      config,
      report: () => {},
      sender: { send: async () => ({ kind: 'retry' as const, reason: 'offline' }) },
    };

    const firstStore = await openIndexedDbStore(name);
    const first = createDelivery({
      ...deps,
      store: firstStore,
      owner: 'page-1',
      claimOrphans: () => firstStore.claim('page-1', () => false),
    });
    await first.enqueue(events.map((e) => JSON.stringify(e)));
    expect(await first.flush()).toEqual({ delivered: 0, pending: 2, beaconed: 0, timedOut: false });
    first.stop();
    firstStore.close();

    const bodies: string[] = [];
    const secondStore = await openIndexedDbStore(name);
    const second = createDelivery({
      ...deps,
      store: secondStore,
      owner: 'page-2',
      claimOrphans: () => secondStore.claim('page-2', () => false),
      sender: { send: async (body) => (bodies.push(body), { kind: 'ok', rejected: [] }) },
    });
    expect(await second.flush()).toEqual({ delivered: 2, pending: 0, beaconed: 0, timedOut: false });
    expect((JSON.parse(bodies[0]!) as { events: unknown[] }).events).toEqual(events);
    expect(await secondStore.claim('page-3', () => false)).toEqual([]);
    second.stop();
    secondStore.close();
  });
});
