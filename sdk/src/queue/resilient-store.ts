// Keeps the queue working whatever IndexedDB does. A database that does not open
// within `openTimeout` (Safari 14.1 can leave `indexedDB.open` unanswered), or
// whose connection closes or fails later (site data cleared, Safari's
// "connection lost"), is replaced at once by memory, and reopened in the
// background with the shared backoff; once it is back, what this tab still holds
// is written to it again. No operation ever rejects: a failed write leaves the
// record in memory, and delivery goes on.
import { backoffDelay, CLIENT_BACKOFF } from '@eventline/kit/backoff';
import type { BackoffState, QueueStore, StoredEvent } from './store.ts';

export interface ResilientStoreOptions {
  /** Opens the persistent store; `onClose` is called if the browser closes it later. */
  open: (onClose: () => void) => Promise<QueueStore>;
  /** Longest wait for `open`, in ms; then memory is used and opening is retried. */
  openTimeout: number;
  log?: (...args: unknown[]) => void;
  random?: () => number;
}

export interface ResilientStore extends QueueStore {
  /** Resolves once the first open succeeded, failed or timed out: operations never wait longer. */
  ready: Promise<void>;
  /** Whether records currently reach IndexedDB (false while in memory only). */
  persistent(): boolean;
}

class OpenTimeout extends Error {
  override name = 'OpenTimeoutError';
}

export function resilientStore(options: ResilientStoreOptions): ResilientStore {
  const log = options.log ?? (() => {});
  /** This tab's records, always complete: what is written back to a reopened database. */
  const mine = new Map<string, StoredEvent>();
  let backoff: BackoffState | undefined;
  let backing: QueueStore | undefined;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  function lost(store: QueueStore, error: unknown): void {
    if (backing !== store) return;
    backing = undefined;
    try {
      store.close();
    } catch {
      // Already closed by the browser.
    }
    log('IndexedDB lost, queue kept in memory until it reopens', error);
    retry();
  }

  function retry(): void {
    if (closed) return;
    attempt += 1;
    timer = setTimeout(() => void open(), backoffDelay(CLIENT_BACKOFF, attempt, { random: options.random }));
  }

  async function open(): Promise<void> {
    let store: QueueStore | undefined;
    try {
      store = await new Promise<QueueStore>((resolve, reject) => {
        let late = false;
        const timeout = setTimeout(() => {
          late = true;
          reject(new OpenTimeout(`IndexedDB did not open within ${options.openTimeout} ms`));
        }, options.openTimeout);
        options
          .open(() => store && lost(store, new Error('IndexedDB connection closed')))
          .then(
            (opened) => {
              clearTimeout(timeout);
              // One that answers after the timeout was given up on: closing it keeps no connection open.
              if (late) opened.close();
              else resolve(opened);
            },
            (error: unknown) => {
              clearTimeout(timeout);
              reject(error as Error);
            },
          );
      });
      await store.put([...mine.values()]);
      if (backoff) await store.saveBackoff(backoff);
    } catch (error) {
      store?.close();
      log('IndexedDB unavailable, queue kept in memory for now', error);
      return retry();
    }
    if (closed) return store.close();
    backing = store;
    if (attempt > 0) log('IndexedDB reopened');
    attempt = 0;
  }

  /** Runs `op` on IndexedDB when it is there; a failure switches to memory and returns `fallback`. */
  async function persisted<T>(op: (store: QueueStore) => Promise<T>, fallback: T): Promise<T> {
    await ready;
    const store = backing;
    if (!store) return fallback;
    try {
      return await op(store);
    } catch (error) {
      lost(store, error);
      return fallback;
    }
  }

  const ready = open();

  return {
    ready,
    persistent: () => backing !== undefined,
    async put(records) {
      for (const r of records) mine.set(r.id, { ...r });
      await persisted((s) => s.put(records), undefined);
    },
    async remove(ids) {
      for (const id of ids) mine.delete(id);
      await persisted((s) => s.remove(ids), undefined);
    },
    async clear() {
      mine.clear();
      await persisted((s) => s.clear(), undefined);
    },
    async claim(owner, isLive) {
      // In memory there is nothing of other tabs to take over.
      const claimed = await persisted((s) => s.claim(owner, isLive), []);
      for (const r of claimed) mine.set(r.id, { ...r });
      return claimed;
    },
    async loadBackoff() {
      return persisted((s) => s.loadBackoff(), backoff);
    },
    async saveBackoff(state) {
      backoff = { ...state };
      await persisted((s) => s.saveBackoff(state), undefined);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      backing?.close();
      backing = undefined;
    },
  };
}
