// Entry of eventline.iife.js, the script-tag build. Reads its options from the
// data-* attributes of its own <script> tag (data-write-key, data-endpoint,
// data-worker-url, data-debug; other options go through `eventline.init({...})`),
// replaces the snippet's stub `window.eventline` with the real API and replays
// the calls queued before it loaded (the stub's `onReport` needs no replay: it
// listens to the same window event as the real one).
import * as client from './client.ts';
import { merge } from './options.ts';
import { onReport } from './report.ts';
import type { Options } from './types.ts';

type Call = [method: string, args: unknown[]];
const w = window as unknown as { eventline?: { q?: Call[] } };

const script = document.currentScript as HTMLScriptElement | null;
const data = script?.dataset ?? {};
const fromTag: Partial<Options> = {
  writeKey: data['writeKey']!,
  endpoint: data['endpoint']!,
  workerUrl: data['workerUrl']!,
  debug: data['debug'] !== undefined && data['debug'] !== 'false',
};
const besideScript = (file: string): string => new URL(file, script?.src || location.href).href;
const workerUrl = (): string => besideScript('eventline.worker.js');
const loadConnect: client.LoadConnect = () => import(besideScript('eventline.connect.js'));

const api: Record<string, (...args: never[]) => unknown> = {
  init: (options?: Partial<Options>) => client.init(merge<Options>(fromTag, options), workerUrl, loadConnect),
  track: client.track,
  page: client.pageview,
  identify: client.identify,
  reset: client.reset,
  optOut: client.optOut,
  optIn: client.optIn,
  flush: client.flush,
  shutdown: client.shutdown,
  onReport,
};

const queued = w.eventline?.q ?? [];
w.eventline = api;
const initCall = queued.find(([method]) => method === 'init');
if (initCall || fromTag.writeKey) api['init']!(...((initCall?.[1] ?? []) as never[]));
for (const [method, args] of queued) if (method !== 'init') api[method]?.(...(args as never[]));
