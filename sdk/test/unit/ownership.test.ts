// Tab ownership where Web Locks are missing (plain http pages: they need a
// secure context). Node has BroadcastChannel and no navigator.locks, like such a page.
import { describe, expect, it } from 'vitest';
import { sampleEvent } from '@eventline/contract/testing';
import { exclusively, holdOwnership, liveOwners } from '../../src/queue/ownership.ts';
import { memoryStore, type StoredEvent } from '../../src/queue/store.ts';

const record = (owner: string): StoredEvent => {
  const event = sampleEvent();
  return { id: event.id, json: JSON.stringify(event), bytes: 300, at: Date.now(), owner };
};

describe('tab ownership without Web Locks', () => {
  it('adopts the records of closed tabs only: open tabs answer the roll call', async () => {
    expect((globalThis.navigator as Navigator | undefined)?.locks).toBeUndefined();
    const me = holdOwnership('me');
    const open = holdOwnership('open-tab');
    const closed = holdOwnership('closed-tab');
    await Promise.all([me.held, open.held, closed.held]);
    closed.release();
    try {
      const store = memoryStore();
      const [mine, live, dead] = [record('me'), record('open-tab'), record('closed-tab')];
      await store.put([mine, live, dead]);
      const claimed = await exclusively(async () => store.claim('me', await liveOwners()));
      expect(claimed.map((r) => r.id)).toEqual([dead.id]);
    } finally {
      me.release();
      open.release();
    }
    // Once a tab is gone, its records are free.
    expect((await liveOwners())('open-tab')).toBe(false);
  });
});
