// The contract limits the SDK enforces, as plain constants so the minifier can
// inline them (it cannot inline properties of the frozen LIMITS object, and
// every byte counts on the main thread). test/unit/limits.test.ts checks they
// equal @eventline/contract/limits.

/** Events per batch. */
export const BATCH_EVENTS = 500;
/** Bytes of one serialized event. 32 KiB */
export const EVENT_BYTES = 32 * 1024;
/** Bytes of one beacon (and of one keepalive fetch). 64 KiB */
export const BEACON_BYTES = 64 * 1024;
export const NAME_MAX = 200;
export const URL_MAX = 2048;
export const TEXT_MAX = 200;
export const TAG_MAX = 64;
export const SELECTOR_MAX = 512;
export const MAX_PROPERTIES = 50;
export const PROPERTY_KEY_MAX = 100;
export const PROPERTY_VALUE_MAX = 1024;
/** Property naming what was left out of an event shrunk to fit EVENT_BYTES. */
export const TRIMMED_PROPERTY = '$trimmed';
