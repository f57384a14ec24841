// The page's connection to delivery, loaded only once there is consent
// (eventline.connect.js), so the main-thread bundle carries nothing capture
// does not need. Starts delivery in a dedicated Worker loaded from a
// same-origin file (strict CSPs refuse blob: workers). If the worker cannot
// start (CSP worker-src, a constructor that throws, no Worker at all), the same
// file is loaded as a page script and the same delivery code runs on the main
// thread. Both URLs go through the `eventline` Trusted Types policy. The
// worker's reports reach the page here: an event delivered or dropped is no
// longer held for the unload beacon.
import { proxy, wrap } from 'comlink';
import { report } from '../report.ts';
import type { FlushResult, Transport } from '../types.ts';
import type { DeliveryApi, DeliveryConfig, DeliveryReport } from '../worker/protocol.ts';
import { FALLBACK_GLOBAL } from '../worker/fallback-global.ts';
import { scriptUrl } from './trusted-types.ts';

export interface Connection {
  api: DeliveryApi;
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
  const { api, close } = await start(url, config, relay, transport, warn);
  // Workers get no reliable `online` event (Chromium's network emulation, for one, never fires it there).
  addEventListener('online', () => void api.online(), { signal });
  return {
    api,
    close,
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
): Promise<Pick<Connection, 'api' | 'close'>> {
  let worker: Worker | undefined;
  try {
    worker = new Worker(scriptUrl(url));
    const api = wrap<DeliveryApi>(worker) as unknown as DeliveryApi;
    await Promise.race([
      api.start(config, proxy(report), transport && proxy(transport)),
      new Promise((_, reject) => (worker!.onerror = reject)),
    ]);
    return { api, close: () => worker!.terminate() };
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
  return { api, close: () => void api.stop() };
}
