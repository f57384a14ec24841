// Wires the delivery engine to IndexedDB, Web Locks and the network. The same
// object is exposed through Comlink in the worker and called directly by the
// main-thread fallback. Start-up is bounded: IndexedDB gets OPEN_TIMEOUT_MS,
// then the queue starts in memory and the database is retried in the background.
import { createDelivery, type Delivery } from '../queue/delivery.ts';
import { exclusively, holdOwnership, liveOwners } from '../queue/ownership.ts';
import { memoryStore, openIndexedDbStore, type QueueStore } from '../queue/store.ts';
import { resilientStore } from '../queue/resilient-store.ts';
import { createHttpSender, fetchTransport } from '../transport/http.ts';
import { newId } from '../ids.ts';
import { DELIVERY_DEFAULTS } from '../defaults.ts';
import type { DeliveryApi, DeliverySettings } from './protocol.ts';

/** IndexedDB gets this long to open before the queue starts in memory. 3 s */
export const OPEN_TIMEOUT_MS = 3_000;

export function createDeliveryApi(): DeliveryApi {
  let current: Promise<Delivery> | undefined;
  let shutdown = (): void => {};
  const use = async <T>(fn: (d: Delivery) => Promise<T>, fallback: T): Promise<T> =>
    current ? fn(await current) : fallback;

  return {
    async start(options, report, transport) {
      const config: DeliverySettings = { ...DELIVERY_DEFAULTS, ...options };
      shutdown();
      const log = config.debug ? (...args: unknown[]) => console.info('[eventline]', ...args) : undefined;
      const owner = newId();
      const lock = holdOwnership(owner);
      const open = async (): Promise<Delivery> => {
        const store: QueueStore =
          typeof indexedDB === 'undefined'
            ? memoryStore()
            : resilientStore({
                open: (onClose) => openIndexedDbStore(`eventline:${config.writeKey}`, indexedDB, onClose),
                openTimeout: OPEN_TIMEOUT_MS,
                ...(log ? { log } : {}),
              });
        await lock.held;
        const delivery = createDelivery({
          config,
          store,
          owner,
          report,
          sender: createHttpSender({
            url: config.url,
            compress: config.compress,
            timeout: config.timeout,
            transport: transport ?? fetchTransport,
          }),
          claimOrphans: () => exclusively(async () => store.claim(owner, await liveOwners())),
          ...(log ? { log } : {}),
        });
        shutdown = () => {
          delivery.stop();
          store.close();
          lock.release();
        };
        return delivery;
      };
      current = open();
      await (
        await current
      ).ready;
    },
    enqueue: (events) => use((d) => d.enqueue(events), undefined),
    flush: () => use((d) => d.flush(), { delivered: 0, pending: 0, beaconed: 0, timedOut: false }),
    clear: () => use((d) => d.clear(), undefined),
    online: () => use((d) => d.online(), undefined),
    async stop() {
      await current;
      shutdown();
      current = undefined;
    },
  };
}
