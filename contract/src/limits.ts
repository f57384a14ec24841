// Size limits of the event contract. Kept free of runtime dependencies so the
// browser SDK can import them without pulling a schema library into its bundle.

/** Version of the event contract carried by every event as `v`. */
export const CONTRACT_VERSION = 1 as const;

export const LIMITS = Object.freeze({
  /** Events in one batch. */
  batchEvents: 500,
  /** Serialized bytes of one batch body (uncompressed). 512 KiB */
  batchBytes: 512 * 1024,
  /** Serialized bytes of one event. 32 KiB */
  eventBytes: 32 * 1024,
  /** navigator.sendBeacon refuses bodies above this in Chromium. 64 KiB */
  beaconBytes: 64 * 1024,
  /** Characters of an event id (client generated, URL-safe). */
  idMinLength: 16,
  idMaxLength: 64,
  /** Characters of an event name. */
  nameMaxLength: 200,
  /** Characters of a URL. */
  urlMaxLength: 2048,
  /** Characters of a page title, element text or any short label. */
  textMaxLength: 200,
  /** Characters of an element's tag name (custom elements' names have no limit of their own). */
  tagMaxLength: 64,
  /** Characters of a CSS selector. */
  selectorMaxLength: 512,
  /** Keys in `properties`, `element.attributes` or `traits`. */
  maxProperties: 50,
  /** Characters of a property key. */
  propertyKeyMaxLength: 100,
  /** Characters of a string property value. */
  propertyValueMaxLength: 1024,
});

/**
 * Property an SDK adds to an event it had to shrink to fit `eventBytes`: the
 * keys of the properties it left out, comma-separated (cut to
 * `propertyValueMaxLength`). An event that carries it is complete in every
 * other field.
 */
export const TRIMMED_PROPERTY = '$trimmed';

/**
 * Kinds of event. `change` is a checkbox or radio toggle; `input` a text field left after editing; `submit` a form
 * submitted; `pageleave` the end of a page view's visible stretch, with its engagement.
 */
export const EVENT_TYPES = [
  'click',
  'input',
  'change',
  'submit',
  'pageview',
  'pageleave',
  'identify',
  'custom',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Kinds of stored event: the SDK's, and those only Segment-compatible clients send
 * (ingest maps their `group`, `alias` and `screen` calls). Storage tags and the dashboard's filters use these.
 */
export const STORED_EVENT_TYPES = [...EVENT_TYPES, 'group', 'alias', 'screen'] as const;
export type StoredEventType = (typeof STORED_EVENT_TYPES)[number];
