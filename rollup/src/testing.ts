// For tests of anything answered from rollups: random events of a site, and the
// exact answers, computed from the events themselves, that rollups must give.
import {
  ALL_DIMENSION,
  ALL_VALUE,
  deriveDimensions,
  NONE_VALUE,
  type Dimension,
  type EnrichedEvent,
} from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import fc from 'fast-check';

export const HOUR = 3_600_000;

const pick = <T>(items: readonly T[]) => fc.constantFrom(...items);

/** Random events of one site over `hours` hours from `start`, from a small pool of people, pages and campaigns. */
export const eventsArbitrary = (site: string, start: number, hours = 3, count = { min: 1, max: 150 }) =>
  fc
    .array(
      fc.record({
        offsetMs: fc.integer({ min: 0, max: hours * HOUR - 1 }),
        visitor: fc.integer({ min: 0, max: 30 }),
        session: fc.integer({ min: 0, max: 3 }),
        type: pick(['pageview', 'click', 'input', 'change', 'custom'] as const),
        path: pick(['/', '/pricing/', '/docs//intro', '/blog/index.html']),
        utm: pick(['', '?utm_source=news&utm_medium=email&utm_campaign=bf', '?utm_source=ads']),
        referrer: pick([undefined, 'https://www.google.com/', 'https://news.example/a']),
        label: pick([undefined, 'Buy now', 'Sign up']),
        bot: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        browser: pick(['Chrome', 'Firefox', undefined]),
      }),
      { minLength: count.min, maxLength: count.max },
    )
    .map((drafts) =>
      drafts.map((draft, i): EnrichedEvent => {
        const eventTime = start + draft.offsetMs;
        return {
          event: sampleEvent({
            id: `${site}-event-${String(i).padStart(6, '0')}`,
            type: draft.type,
            name: draft.type === 'custom' ? 'signup' : draft.type,
            timestamp: eventTime,
            seq: i,
            anonymousId: `visitor-${draft.visitor}`,
            sessionId: `session-${draft.visitor}-${draft.session}`,
            page: { url: `https://shop.example${draft.path}${draft.utm}`, path: draft.path, referrer: draft.referrer },
            element:
              draft.type === 'pageview'
                ? undefined
                : { tag: 'button', selector: '#cta', ...(draft.label ? { text: draft.label } : {}) },
          }),
          site,
          receivedAt: eventTime + 10,
          eventTime,
          userAgent: { ...(draft.browser ? { browser: draft.browser } : {}), ...(draft.bot ? { bot: true } : {}) },
        };
      }),
    );

/** The value an event has for `dimension`, as a rollup counts it (NONE_VALUE: none). */
export function valueOf(event: EnrichedEvent, dimension: Dimension): string {
  const derived = deriveDimensions(event.event);
  const values: Record<Dimension, string | undefined> = {
    type: event.event.type,
    name: event.event.name,
    path: derived.pagePath,
    label: derived.label,
    selector: event.event.element?.selector,
    referrer: derived.referrerHost,
    utm_source: derived.utmSource,
    utm_medium: derived.utmMedium,
    utm_campaign: derived.utmCampaign,
    browser: event.userAgent.browser,
    os: event.userAgent.os,
    device: event.userAgent.device,
  };
  return values[dimension] ?? NONE_VALUE;
}

/** Per value: [events, page views, distinct visitors, distinct sessions], for people or for bots. */
export function exact(
  events: readonly EnrichedEvent[],
  dimension: Dimension | typeof ALL_DIMENSION,
  bots: boolean,
): Record<string, number[]> {
  const byValue = new Map<
    string,
    { events: number; pageviews: number; visitors: Set<string>; sessions: Set<string> }
  >();
  const seen = new Set<string>();
  for (const event of events) {
    // A redelivered event is one point in storage.
    if (seen.has(event.event.id)) continue;
    seen.add(event.event.id);
    if ((event.userAgent.bot === true) !== bots) continue;
    const value = dimension === ALL_DIMENSION ? ALL_VALUE : valueOf(event, dimension);
    const entry = byValue.get(value) ?? { events: 0, pageviews: 0, visitors: new Set(), sessions: new Set() };
    entry.events++;
    if (event.event.type === 'pageview') entry.pageviews++;
    entry.visitors.add(event.event.anonymousId);
    if (event.event.sessionId) entry.sessions.add(event.event.sessionId);
    byValue.set(value, entry);
  }
  return Object.fromEntries(
    [...byValue].map(([value, e]) => [value, [e.events, e.pageviews, e.visitors.size, e.sessions.size]]),
  );
}
