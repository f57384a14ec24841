// The page's connection to delivery, loaded only once there is consent
// (eventline.connect.js), so the main-thread bundle carries nothing capture
// does not need. Starts delivery in a dedicated Worker loaded from a
// same-origin file (strict CSPs refuse blob: workers). If the worker cannot
// start (CSP worker-src, a constructor that throws, no Worker at all), the same
// file is loaded as a page script and the same delivery code runs on the main
// thread. Both URLs go through the `eventline` Trusted Types policy. The
// worker's reports reach the page here: an event delivered or dropped is no
// longer held for the unload beacon. Events go to a worker and its reports come
// back as one-way messages (protocol.ts): a Comlink call per hand-over and per
// report, with its reply, was most of the page's work for a captured event.
import { proxy, wrap } from 'comlink';
import { report } from '../report.ts';
import type { FlushResult, Transport } from '../types.ts';
import type { DeliveryApi, DeliveryConfig, DeliveryReport, WorkerApi, WorkerMessage } from '../worker/protocol.ts';
import { FALLBACK_GLOBAL } from '../worker/fallback-global.ts';
import { scriptUrl } from './trusted-types.ts';

/** What the page needs of delivery, whether it runs in a worker or on the page. */
type Delivery = Pick<DeliveryApi, 'flush' | 'clear' | 'online'> & { enqueue(events: string[]): unknown; close(): void };

export interface Connection {
  /** Hands events (JSON of an `Event`) to delivery; nothing to wait for. */
  enqueue(events: string[]): void;
  clear(): Promise<void>;
  /**
   * The worker's flush, or after `timeout` ms what the page knows: what the worker reported delivered meanwhile,
   * the page's own events still held.
   */
  flush(timeout: number): Promise<FlushResult>;
  close(): void;
}

type Registry = Record<string, DeliveryApi | undefined>;

/**
 * `held`: the page's copy of every captured event not yet delivered (JSON by id). `signal` ends the page's
 * listeners (shutdown).
 */
export async function connect(
  url: string,
  config: DeliveryConfig,
  held: Map<string, string>,
  transport: Transport | undefined,
  warn: (message: string) => void,
  signal: AbortSignal,
): Promise<Connection> {
  let delivered = 0;
  const relay = (r: DeliveryReport): void => {
    // The worker logs sends, retries and drops itself in debug mode.
    if (r.kind === 'delivered') delivered += r.count;
    if (r.kind === 'delivered' || r.kind === 'dropped') for (const id of r.ids) held.delete(id);
    report(r);
  };
  const api = await start(url, config, relay, transport, warn);
  // Workers get no reliable `online` event (Chromium's network emulation, for one, never fires it there).
  addEventListener('online', () => void api.online(), { signal });
  return {
    enqueue: (events) => void api.enqueue(events),
    clear: () => api.clear(),
    close: api.close,
    flush(timeout) {
      const before = delivered;
      let timer: ReturnType<typeof setTimeout> | undefined;
      return Promise.race([
        api.flush(),
        new Promise<FlushResult>(
          (resolve) =>
            (timer = setTimeout(
              () => resolve({ delivered: delivered - before, pending: held.size, beaconed: 0, timedOut: true }),
              timeout,
            )),
        ),
      ]).finally(() => clearTimeout(timer));
    },
  };
}

async function start(
  url: string,
  config: DeliveryConfig,
  report: (r: DeliveryReport) => void,
  transport: Transport | undefined,
  warn: (message: string) => void,
): Promise<Delivery> {
  let worker: Worker | undefined;
  try {
    const w = (worker = new Worker(scriptUrl(url)));
    w.addEventListener('message', ({ data }: MessageEvent<WorkerMessage | undefined>) => {
      if (data?.type === 'report') report(data.report);
    });
    const api = wrap<WorkerApi>(w) as unknown as WorkerApi;
    await Promise.race([
      api.start(config, transport && proxy(transport)),
      new Promise((_, reject) => (w.onerror = reject)),
    ]);
    return {
      enqueue: (events) => w.postMessage({ type: 'enqueue', events } satisfies WorkerMessage),
      flush: () => api.flush(),
      clear: () => api.clear(),
      online: () => api.online(),
      close: () => w.terminate(),
    };
  } catch (error) {
    worker?.terminate();
    warn(`main-thread delivery: ${(error as Error).message}`);
  }
  const registry = globalThis as unknown as Registry;
  const api =
    registry[FALLBACK_GLOBAL] ??
    (await new Promise<DeliveryApi>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = scriptUrl(url);
      // A file that loads but registers nothing fails at start() below.
      script.onload = () => resolve(registry[FALLBACK_GLOBAL]!);
      script.onerror = reject;
      document.head.appendChild(script);
    }));
  await api.start(config, report, transport);
  return { ...api, close: () => void api.stop() };
}
