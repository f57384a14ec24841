// How an event is stored in InfluxDB: one measurement, three low-cardinality tags,
// everything else as fields. The consumer writes with these names and the
// dashboard reads with them; neither spells a name of its own. A point's identity
// is its series (the tags) and its time; see POINT IDENTITY below.

export const MEASUREMENT = 'events';

/**
 * Tags are indexed and define series: keep them bounded (sites × 11 event types ×
 * partitions of the events topic). `shard` is the Kafka partition the consumer
 * read the event from; points written before it existed have no `shard` tag.
 */
export const TAG = Object.freeze({ site: 'site', type: 'type', shard: 'shard' });

/** High-cardinality values are fields: they never create series. */
export const FIELD = Object.freeze({
  id: 'id',
  name: 'name',
  seq: 'seq',
  anonymousId: 'anonymous_id',
  sessionId: 'session_id',
  tabId: 'tab_id',
  userId: 'user_id',
  url: 'url',
  path: 'path',
  title: 'title',
  referrer: 'referrer',
  elementTag: 'el_tag',
  elementId: 'el_id',
  elementName: 'el_name',
  elementSelector: 'el_selector',
  elementText: 'el_text',
  /** JSON object of the element's `data-track-*` attributes. */
  elementAttributes: 'el_attributes',
  elementInputType: 'el_input_type',
  elementChecked: 'el_checked',
  elementValueLength: 'el_value_length',
  elementChanged: 'el_changed',
  elementValue: 'el_value',
  elementHref: 'el_href',
  /** Of `pageleave` events: engaged time in ms and maximum scroll depth in percent. */
  engagedMs: 'engaged_ms',
  scrollDepth: 'scroll_depth',
  /** JSON object of the event's properties. */
  properties: 'properties',
  /** The client's own clock, epoch ms. */
  clientTimestamp: 'client_ts',
  receivedAt: 'received_at',
  browser: 'ua_browser',
  browserVersion: 'ua_browser_version',
  os: 'ua_os',
  device: 'ua_device',
  /** `true` when ingest recognised a crawler or headless browser (isbot); absent otherwise. */
  bot: 'ua_bot',
  // Derived when the event becomes a point (dimensions.ts), so every reader sees the same values.
  label: 'label',
  referrerHost: 'ref_host',
  utmSource: 'utm_source',
  utmMedium: 'utm_medium',
  utmCampaign: 'utm_campaign',
  pagePath: 'page_path',
});

/** FNV-1a, 32 bit: cheap, stable across platforms and good enough to spread sessions over a millisecond. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// POINT IDENTITY. A point's time is the event time in milliseconds plus a slot,
// the nanoseconds within that millisecond (0 … 999 999). The consumer of one Kafka
// partition is the only writer of the series with that partition's `shard`, so it
// can give every event a slot no other event of its series holds in that
// millisecond (consumer/src/point-placer.ts); the preferred slot below is where
// it starts looking.

/** Slots (nanoseconds) in one millisecond. */
export const SLOTS_PER_MS = 1_000_000;

/**
 * The slot an event asks for first: its session's hash plus its sequence number,
 * so the events of one session never ask for the same slot (fewer than a million
 * apart in sequence), and a resend asks for the same one again. An event outside
 * any session (a server-side call without one) asks by its id's hash.
 */
export function preferredSlot(event: { id: string; sessionId?: string | undefined; seq?: number | undefined }): number {
  if (event.sessionId === undefined || event.seq === undefined) return fnv1a32(event.id) % SLOTS_PER_MS;
  return (fnv1a32(event.sessionId) + event.seq) % SLOTS_PER_MS;
}

/** The point time in nanoseconds, as a decimal string: `eventTimeMs` · 10⁶ + `slot`. */
export function pointTimeNs(eventTimeMs: number, slot: number): string {
  if (eventTimeMs === 0) return String(slot);
  const digits = String(slot);
  return `${eventTimeMs}${'000000'.slice(digits.length)}${digits}`;
}
