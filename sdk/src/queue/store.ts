// Persistence of the queue in IndexedDB, so events survive reloads and closed
// tabs. Records are tagged with the tab that owns them; a tab only takes over
// records whose owner is gone (see ownership.ts). The backoff state is kept
// beside them, so the next page honours a Retry-After the last one was given.
// resilient-store.ts keeps this working when IndexedDB is slow, missing or lost.

export interface StoredEvent {
  id: string;
  /** The event as sent, serialized once at enqueue so resends are byte-identical. */
  json: string;
  bytes: number;
  /** When it was queued (ms), for the age cap. */
  at: number;
  /** Tab (delivery instance) responsible for sending it. */
  owner: string;
  /** Times it failed on its own while the server accepted other events (see delivery.ts); absent for none. */
  strikes?: number;
}

/** When the next send may go, shared by every tab of the site. */
export interface BackoffState {
  /** Epoch ms before which nothing is sent on schedule. */
  retryAt: number;
  /** Failed attempts in a row. */
  attempt: number;
  /** The server asked for the wait (Retry-After): `flush()` honours it too. */
  serverAsked: boolean;
}

export interface QueueStore {
  put(records: readonly StoredEvent[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  /** Re-tags every record whose owner is not live (and is not `owner`) as `owner`'s, and returns them, oldest first. */
  claim(owner: string, isLive: (owner: string) => boolean): Promise<StoredEvent[]>;
  clear(): Promise<void>;
  loadBackoff(): Promise<BackoffState | undefined>;
  saveBackoff(state: BackoffState): Promise<void>;
  close(): void;
}

const STORE = 'queue';
const STATE = 'state';
const BACKOFF_KEY = 'backoff';

export function memoryStore(): QueueStore {
  const records = new Map<string, StoredEvent>();
  let backoff: BackoffState | undefined;
  return {
    async put(list) {
      for (const r of list) records.set(r.id, { ...r });
    },
    async remove(ids) {
      for (const id of ids) records.delete(id);
    },
    async claim(owner, isLive) {
      const claimed = [...records.values()].filter((r) => r.owner !== owner && !isLive(r.owner));
      for (const r of claimed) r.owner = owner;
      return claimed.sort((a, b) => a.at - b.at).map((r) => ({ ...r }));
    },
    async clear() {
      records.clear();
    },
    async loadBackoff() {
      return backoff && { ...backoff };
    },
    async saveBackoff(state) {
      backoff = { ...state };
    },
    close() {},
  };
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/**
 * Opens the queue database. `onClose` is called when the browser closes the
 * connection itself (site data cleared, Safari's "connection lost", another
 * tab upgrading the schema); every operation afterwards rejects.
 */
export function openIndexedDbStore(
  name: string,
  idb: IDBFactory = indexedDB,
  onClose: () => void = () => {},
): Promise<QueueStore> {
  return new Promise((resolve, reject) => {
    const request = idb.open(name, 2);
    request.onupgradeneeded = (e) => {
      const db = request.result;
      if (e.oldVersion < 1) db.createObjectStore(STORE, { keyPath: 'id' });
      if (e.oldVersion < 2) db.createObjectStore(STATE);
    };
    request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
    request.onsuccess = () => {
      const db = request.result;
      db.onclose = onClose;
      db.onversionchange = () => {
        db.close();
        onClose();
      };
      // async, so a transaction on a closed connection (which throws at once) rejects like any other failure.
      const run = async (name: string, fn: (store: IDBObjectStore) => void): Promise<void> => {
        const tx = db.transaction(name, 'readwrite');
        fn(tx.objectStore(name));
        return done(tx);
      };
      const write = (fn: (store: IDBObjectStore) => void): Promise<void> => run(STORE, fn);
      resolve({
        put: async (list) => (list.length ? write((s) => list.forEach((r) => s.put(r))) : undefined),
        remove: async (ids) => (ids.length ? write((s) => ids.forEach((id) => s.delete(id))) : undefined),
        clear: () => write((s) => s.clear()),
        async claim(owner, isLive) {
          const claimed: StoredEvent[] = [];
          await write((s) => {
            const all = s.getAll();
            all.onsuccess = () => {
              for (const r of all.result as StoredEvent[]) {
                if (r.owner === owner || isLive(r.owner)) continue;
                r.owner = owner;
                s.put(r);
                claimed.push(r);
              }
            };
          });
          return claimed.sort((a, b) => a.at - b.at);
        },
        async loadBackoff() {
          let state: BackoffState | undefined;
          await run(STATE, (s) => {
            const get = s.get(BACKOFF_KEY);
            get.onsuccess = () => void (state = get.result as BackoffState | undefined);
          });
          return state;
        },
        saveBackoff: (state) => run(STATE, (s) => s.put(state, BACKOFF_KEY)),
        close: () => db.close(),
      });
    };
  });
}
