// Entry of eventline.worker.js. In a worker it exposes the delivery API through
// Comlink; loaded with a <script> tag (the fallback when workers are forbidden)
// it registers the same API on the page instead.
import { expose } from 'comlink';
import { createDeliveryApi } from './api.ts';
import { FALLBACK_GLOBAL } from './fallback-global.ts';

const api = createDeliveryApi();
if (typeof (globalThis as { importScripts?: unknown }).importScripts === 'function') expose(api);
else (globalThis as Record<string, unknown>)[FALLBACK_GLOBAL] = api;
