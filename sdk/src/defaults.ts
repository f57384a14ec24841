// Defaults of every option, in one place (see Options in types.ts for their
// meaning). Split by thread so each bundle carries only its own.

/** 2 s */
const flushInterval = 2_000;
/** Also bounds what waits for consent on the page (consent.ts). */
export const MAX_QUEUE = 1_000;
/** 10 s: a 64 KiB batch needs about 5 s at 100 kbit/s. Also the bound of flush() and shutdown(). */
export const TIMEOUT = 10_000;

/** Options the main thread uses (`debug` is off when undefined). */
export const CAPTURE_DEFAULTS = {
  flushInterval,
  respectDoNotTrack: true,
  /** 30 min */
  sessionTimeout: 30 * 60_000,
};

/** Options the delivery engine uses. */
export const DELIVERY_DEFAULTS = {
  flushInterval,
  maxQueue: MAX_QUEUE,
  batchSize: 20,
  /** 7 days */
  maxAge: 7 * 24 * 3_600_000,
  compress: true,
  timeout: TIMEOUT,
  debug: false,
};
