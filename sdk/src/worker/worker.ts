// Entry of eventline.worker.js. In a worker it exposes the delivery API through
// Comlink, and takes events and sends reports as one-way messages (each costs
// the page one postMessage or one message event, not a Comlink call and its
// reply); loaded with a <script> tag (the fallback when workers are forbidden)
// it registers the same API on the page instead.
import { expose } from 'comlink';
import { createDeliveryApi } from './api.ts';
import { FALLBACK_GLOBAL } from './fallback-global.ts';
import type { WorkerApi, WorkerMessage } from './protocol.ts';

const api = createDeliveryApi();
if (typeof (globalThis as { importScripts?: unknown }).importScripts === 'function') {
  const post = (message: WorkerMessage): void => postMessage(message);
  addEventListener('message', ({ data }: MessageEvent<WorkerMessage | undefined>) => {
    if (data?.type === 'enqueue') void api.enqueue(data.events);
  });
  expose({
    ...api,
    start: (config, transport) => api.start(config, (report) => post({ type: 'report', report }), transport),
  } satisfies WorkerApi);
} else (globalThis as Record<string, unknown>)[FALLBACK_GLOBAL] = api;
