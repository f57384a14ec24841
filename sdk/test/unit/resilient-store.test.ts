// The queue store when IndexedDB misbehaves: an open that never answers, a
// connection the browser closes (site data cleared), a database deleted under
// it. Operations must never reject and never lose what this tab holds.
import 'fake-indexeddb/auto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sampleEvent } from '@eventline/contract/testing';
import { resilientStore } from '../../src/queue/resilient-store.ts';
import { memoryStore, openIndexedDbStore, type QueueStore, type StoredEvent } from '../../src/queue/store.ts';

let dbCount = 0;
const record = (owner = 'me', at = Date.now()): StoredEvent => {
  const event = sampleEvent();
  return { id: event.id, json: JSON.stringify(event), bytes: 300, at, owner };
};
const never = (): Promise<QueueStore> => new Promise(() => {});

function make(open: (onClose: () => void) => Promise<QueueStore>, openTimeout = 200) {
  const store = resilientStore({ open, openTimeout, random: () => 0 });
  onTestFinished(() => store.close());
  return store;
}

describe('resilient queue store', { timeout: 30_000 }, () => {
  it('starts in memory when IndexedDB does not answer within the timeout, and keeps what it is given', async () => {
    const store = make(never);
    const started = Date.now();
    await store.ready;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(store.persistent()).toBe(false);
    const r = record();
    await store.put([r]);
    await store.saveBackoff({ retryAt: 5, attempt: 1, serverAsked: true });
    expect(await store.loadBackoff()).toEqual({ retryAt: 5, attempt: 1, serverAsked: true });
    expect(await store.claim('me', () => false)).toEqual([]);
  });

  it('writes what it held in memory to the database once it opens after all', async () => {
    const backing = memoryStore();
    let opens = 0;
    const store = make(async () => (++opens === 1 ? never() : backing));
    await store.ready;
    const held = [record(), record()];
    await store.put(held);
    await expect.poll(() => store.persistent(), { timeout: 15_000 }).toBe(true);
    expect((await backing.claim('next-page', () => false)).map((r) => r.id).sort()).toEqual(
      held.map((r) => r.id).sort(),
    );
  });

  it('falls back to memory when the browser closes the connection, never rejects, and reopens with what it held', async () => {
    const name = `closed-${++dbCount}`;
    let close = (): void => {};
    const store = make((onClose) => {
      close = onClose;
      return openIndexedDbStore(name, indexedDB, onClose);
    });
    await store.ready;
    expect(store.persistent()).toBe(true);
    const before = record();
    await store.put([before]);
    // What Chromium does when site data is cleared: the connection is closed under the page.
    const db = await new Promise<IDBDatabase>((resolve) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => resolve(r.result);
    });
    db.close();
    await new Promise<void>((resolve) => {
      const r = indexedDB.deleteDatabase(name);
      r.onsuccess = () => resolve();
    });
    close();
    const during = record();
    await expect(store.put([during])).resolves.toBeUndefined();
    await expect(store.remove([before.id])).resolves.toBeUndefined();
    await expect.poll(() => store.persistent(), { timeout: 15_000 }).toBe(true);
    const reopened = await openIndexedDbStore(name);
    onTestFinished(() => reopened.close());
    expect((await reopened.claim('next-page', () => false)).map((r) => r.id)).toEqual([during.id]);
  });

  it('notices a database deleted under it (another tab, or site data cleared) and reopens it', async () => {
    const name = `deleted-${++dbCount}`;
    const store = make((onClose) => openIndexedDbStore(name, indexedDB, onClose));
    await store.ready;
    const held = record();
    await store.put([held]);
    await new Promise<void>((resolve) => {
      const r = indexedDB.deleteDatabase(name);
      r.onsuccess = () => resolve();
    });
    await expect.poll(() => store.persistent(), { timeout: 15_000 }).toBe(true);
    const reopened = await openIndexedDbStore(name);
    onTestFinished(() => reopened.close());
    // Written back: the page's events survive a close of the tab after the wipe.
    await expect
      .poll(async () => (await reopened.claim('probe', () => false)).map((r) => r.id), { timeout: 15_000 })
      .toEqual([held.id]);
  });
});
