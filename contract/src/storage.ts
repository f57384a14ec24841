// How an event is stored in InfluxDB: one measurement, two low-cardinality tags,
// everything else as fields. The consumer writes with these names and the
// dashboard reads with them; neither spells a name of its own.
import type { EnrichedEvent } from './enriched-event.ts';

export const MEASUREMENT = 'events';

/** Tags are indexed and define series: keep them bounded (sites × 11 event types). */
export const TAG = Object.freeze({ site: 'site', type: 'type' });

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

/** FNV-1a, 32 bit: cheap, stable across platforms and good enough to spread ids over a millisecond. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The point's timestamp in nanoseconds, as a decimal string: the event time in
 * milliseconds plus a sub-millisecond offset from the event id. Together with
 * the tags it is the point's identity, so a redelivered event overwrites itself.
 */
export function pointTimeNs(event: Pick<EnrichedEvent, 'eventTime'> & { event: { id: string } }): string {
  const subMillisecond = fnv1a32(event.event.id) % 1_000_000;
  return (BigInt(event.eventTime) * 1_000_000n + BigInt(subMillisecond)).toString();
}
