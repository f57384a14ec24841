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

/** Whitespace other than single inner spaces: only such text changes when collapsed. */
const UNCOLLAPSED = /[^\S ]| {2}|^ | $/;

/** Runs of whitespace as one space, none at either end. Most text has none to collapse, and is returned as it is. */
const collapse = (text: string) => (UNCOLLAPSED.test(text) ? text.replace(/\s+/g, ' ').trim() : text);

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

/** Anything normalisePath would change: a query or fragment, an escape, `//`, an index file, a trailing slash, no leading slash. */
const UNNORMALISED = /[?#%]|\/\/|\/index\.html?$|.\/$|^(?!\/)/i;

/** Percent escapes upper-cased, `//` collapsed, `/index.html` and a trailing slash dropped; `/` stays `/`. */
export function normalisePath(path: string): string {
  if (!UNNORMALISED.test(path)) return path;
  const bare = path.split(/[?#]/, 1)[0] ?? '';
  const normalised = bare
    .replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase())
    .replace(/\/{2,}/g, '/')
    .replace(/\/index\.html?$/i, '/')
    .replace(/(.)\/$/, '$1');
  return normalised.startsWith('/') ? normalised : `/${normalised}`;
}

/**
 * Whether a URL's query may hold a UTM tag. URLSearchParams decodes names (`%75tm_source` is `utm_source`) and the
 * URL parser drops tabs and line breaks (`u\ttm_source` too), so only a query with `utm`, `%` or one of those can.
 */
const UTM_HINT = /utm|[%\t\n\r]/;

function mayHoldUtm(url: string): boolean {
  const query = url.indexOf('?');
  return query >= 0 && UTM_HINT.test(url.slice(query));
}

function utm(url: URL, name: string): string | undefined {
  const value = collapse(url.searchParams.get(name) ?? '').toLowerCase();
  return value ? cut(value) : undefined;
}

/**
 * Every dimension derived from the event. A URL is parsed only when an answer
 * needs it: the page URL for a referrer to compare it with, a query that may
 * hold UTM tags, or a missing path; most events need none.
 */
export function deriveDimensions(event: EnrichedEvent['event']): DerivedDimensions {
  const derived: DerivedDimensions = {};
  const label = elementLabel(event);
  if (label !== undefined) derived.label = label;
  const page = event.page;
  // Events outside a page (server-side, identify) have no page dimensions.
  if (!page) return derived;
  const referrer = parseUrl(page.referrer);
  const needsUrl = referrer !== undefined || mayHoldUtm(page.url) || !page.path;
  const url = needsUrl ? parseUrl(page.url) : undefined;
  if (referrer) {
    const host = hostOf(referrer);
    if (host && (!url || host !== hostOf(url))) derived.referrerHost = host;
  }
  if (url) {
    const utmSource = utm(url, 'utm_source');
    const utmMedium = utm(url, 'utm_medium');
    const utmCampaign = utm(url, 'utm_campaign');
    if (utmSource !== undefined) derived.utmSource = utmSource;
    if (utmMedium !== undefined) derived.utmMedium = utmMedium;
    if (utmCampaign !== undefined) derived.utmCampaign = utmCampaign;
  }
  derived.pagePath = normalisePath(page.path || url?.pathname || '/');
  return derived;
}
