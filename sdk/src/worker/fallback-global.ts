/** Where eventline.worker.js puts its delivery API when it runs as a page script. */
export const FALLBACK_GLOBAL = '__eventlineDelivery';
