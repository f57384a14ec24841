// Starts delivery in a dedicated Worker loaded from a same-origin file (strict
// CSPs refuse blob: workers). If the worker cannot start (CSP worker-src, a
// constructor that throws, no Worker at all), the same file is loaded as a page
// script and the same delivery code runs on the main thread. Both URLs go
// through the `eventline` Trusted Types policy.
import { proxy, wrap } from 'comlink';
import type { Transport } from '../types.ts';
import type { DeliveryApi, DeliveryConfig, DeliveryReport } from '../worker/protocol.ts';
import { FALLBACK_GLOBAL } from '../worker/fallback-global.ts';
import { scriptUrl } from './trusted-types.ts';

export interface Connection {
  api: DeliveryApi;
  close(): void;
}

type Registry = Record<string, DeliveryApi | undefined>;

export async function connect(
  url: string,
  config: DeliveryConfig,
  report: (r: DeliveryReport) => void,
  transport: Transport | undefined,
  warn: (message: string) => void,
): Promise<Connection> {
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
