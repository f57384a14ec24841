// Persistence of the queue in IndexedDB, so events survive reloads and closed
// tabs. Records are tagged with the tab that owns them; a tab only takes over
// records whose owner is gone (see ownership.ts). Falls back to memory.

export interface StoredEvent {
  id: string;
  /** The event as sent, serialized once at enqueue so resends are byte-identical. */
  json: string;
  bytes: number;
  /** When it was queued (ms), for the age cap. */
  at: number;
  /** Tab (delivery instance) responsible for sending it. */
  owner: string;
}

export interface QueueStore {
  put(records: readonly StoredEvent[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  /** Re-tags every record whose owner is not live (and is not `owner`) as `owner`'s, and returns them, oldest first. */
  claim(owner: string, isLive: (owner: string) => boolean): Promise<StoredEvent[]>;
  clear(): Promise<void>;
  close(): void;
}

const STORE = 'queue';

export function memoryStore(): QueueStore {
  const records = new Map<string, StoredEvent>();
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
    close() {},
  };
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export function openIndexedDbStore(name: string, idb: IDBFactory = indexedDB): Promise<QueueStore> {
  return new Promise((resolve, reject) => {
    const request = idb.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
    request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
    request.onsuccess = () => {
      const db = request.result;
      const write = (fn: (store: IDBObjectStore) => void): Promise<void> => {
        const tx = db.transaction(STORE, 'readwrite');
        fn(tx.objectStore(STORE));
        return done(tx);
      };
      resolve({
        put: (list) => (list.length ? write((s) => list.forEach((r) => s.put(r))) : Promise.resolve()),
        remove: (ids) => (ids.length ? write((s) => ids.forEach((id) => s.delete(id))) : Promise.resolve()),
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
        close: () => db.close(),
      });
    };
  });
}
