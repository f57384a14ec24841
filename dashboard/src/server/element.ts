// One element's figures from its raw events: clicks and unique clickers, how
// often a text field was changed, how often a checkbox was left on or off, and
// where it was seen. Pure and streaming: memory is a sketch and two bounded
// tallies, not the events.
import { HyperLogLog } from '@eventline/kit/hyperloglog';

/** One raw event of the element, as far as its figures are concerned. */
export interface ElementEvent {
  type: string;
  anonymousId?: string;
  selector?: string;
  path?: string;
  checked?: boolean;
}

/** Selectors and pages listed per element. */
export const ELEMENT_TOP = 10;
/** Distinct selectors or pages tallied before the rarest are dropped (a label on thousands of generated URLs). */
const TALLY_BOUND = 1_000;

export interface ElementTally {
  clicks: number;
  clickers: HyperLogLog;
  changes: number;
  toggles: { on: number; off: number };
  /** Every page path it was seen on, for the page visitors (bounded by TALLY_BOUND). */
  pages: Map<string, number>;
  selectors: Map<string, number>;
}

export function emptyTally(): ElementTally {
  return {
    clicks: 0,
    clickers: new HyperLogLog(),
    changes: 0,
    toggles: { on: 0, off: 0 },
    pages: new Map(),
    selectors: new Map(),
  };
}

function count(tally: Map<string, number>, key: string | undefined): void {
  if (key === undefined || key === '') return;
  if (!tally.has(key) && tally.size >= TALLY_BOUND) return;
  tally.set(key, (tally.get(key) ?? 0) + 1);
}

export function tallyElementEvent(tally: ElementTally, event: ElementEvent): void {
  count(tally.selectors, event.selector);
  count(tally.pages, event.path);
  if (event.type === 'click') {
    tally.clicks += 1;
    if (event.anonymousId) tally.clickers.addValue(event.anonymousId);
  } else if (event.type === 'input') tally.changes += 1;
  else if (event.type === 'change' && event.checked !== undefined) tally.toggles[event.checked ? 'on' : 'off'] += 1;
}

/** The keys of a tally, most first (ties by key), at most ELEMENT_TOP. */
export const topKeys = (tally: Map<string, number>): string[] =>
  [...tally]
    .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1))
    .slice(0, ELEMENT_TOP)
    .map(([key]) => key);

/** clickers / page visitors, at most 1 (both are estimates); null without visitors. */
export function clickThrough(clickers: number, pageVisitors: number): number | null {
  return pageVisitors === 0 ? null : Math.min(1, clickers / pageVisitors);
}
