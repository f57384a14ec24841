// The dimensions an answer can be broken down by that are derived from what an
// event carries rather than stored as sent: element label, referrer host, UTM
// tags from the page URL, a normalised page path. Computed once, when the event
// becomes a point, so raw queries and rollups read the same values.
import type { EnrichedEvent } from './enriched-event.ts';

/** Characters of an element label; longer visible text is cut with an ellipsis. */
export const LABEL_MAX_LENGTH = 80;

/** Elements whose text is what the user typed: their text is never a label. */
const TYPED_TAGS = new Set(['input', 'textarea', 'select']);

export interface DerivedDimensions {
  /** The element's `data-track-name`, else its visible text (never typed text), else its selector. */
  label?: string;
  /** Lower-case host of the referrer, without `www.`; absent for a direct visit or a same-site referrer. */
  referrerHost?: string;
  utmSource?: string;
  utmMedium?: string;
  utmCampaign?: string;
  /** The page path without a trailing slash, repeated slashes, `index.html` or letter case variations of percent escapes. */
  pagePath?: string;
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

function cut(text: string): string {
  return text.length <= LABEL_MAX_LENGTH ? text : `${text.slice(0, LABEL_MAX_LENGTH - 1).trimEnd()}…`;
}

/**
 * What a person would call the element. `aria-label` is not sent by the SDK
 * today, so the chain is data-track-name, visible text, selector. Text of
 * inputs, text areas and selects is skipped (the SDK already never sends a
 * typed value as text; this keeps it so for any other sender), and so is the
 * text of `input` and `change` events, which describe fields.
 */
export function elementLabel(event: EnrichedEvent['event']): string | undefined {
  const element = event.element;
  if (!element) return undefined;
  const named = collapse(element.attributes?.['name'] ?? '');
  if (named) return cut(named);
  const typed = TYPED_TAGS.has(element.tag.toLowerCase()) || event.type === 'input' || event.type === 'change';
  const text = typed ? '' : collapse(element.text ?? '');
  if (text) return cut(text);
  return element.selector ? cut(element.selector) : undefined;
}

function parseUrl(text: string | undefined): URL | undefined {
  if (!text) return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^www\./, '');

/** Percent escapes upper-cased, `//` collapsed, `/index.html` and a trailing slash dropped; `/` stays `/`. */
export function normalisePath(path: string): string {
  const bare = path.split(/[?#]/, 1)[0] ?? '';
  const normalised = bare
    .replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase())
    .replace(/\/{2,}/g, '/')
    .replace(/\/index\.html?$/i, '/')
    .replace(/(.)\/$/, '$1');
  return normalised.startsWith('/') ? normalised : `/${normalised}`;
}

const utm = (url: URL | undefined, name: string) => {
  const value = collapse(url?.searchParams.get(name) ?? '').toLowerCase();
  return value ? cut(value) : undefined;
};

export function deriveDimensions(event: EnrichedEvent['event']): DerivedDimensions {
  const page = parseUrl(event.page?.url);
  const referrer = parseUrl(event.page?.referrer);
  const referrerHost = referrer && (!page || hostOf(referrer) !== hostOf(page)) ? hostOf(referrer) : undefined;
  const derived: DerivedDimensions = {
    label: elementLabel(event),
    referrerHost: referrerHost || undefined,
    utmSource: utm(page, 'utm_source'),
    utmMedium: utm(page, 'utm_medium'),
    utmCampaign: utm(page, 'utm_campaign'),
    // Events outside a page (server-side, identify) have no path.
    pagePath: event.page ? normalisePath(event.page.path || page?.pathname || '/') : undefined,
  };
  for (const key of Object.keys(derived) as (keyof DerivedDimensions)[])
    if (derived[key] === undefined) delete derived[key];
  return derived;
}
