// Page views for multi-page sites and SPAs: the first load (or, for a
// prerendered page, its activation: a page never shown is never counted),
// every History API navigation (wrapped, not replaced) and popstate, and a
// return from the back/forward cache. A `replaceState` that changes only the
// query (a search box, filters) is the same page unless `replaceQuery` is set;
// the hash is not part of the page unless `hash` is set (hash-routed apps).
// The title is read once the route has rendered, not when the URL changed;
// anything captured before that settles the page view first, so what happens
// on a route always comes after its page view.
import type { PageviewOptions } from '../types.ts';

/** How long after a navigation the title is read: routers set it as they render the new route. 100 ms */
export const TITLE_DELAY = 100;

/** Called with the URL of the page, of the one before it, and whether an SPA navigation ended that one's page view. */
export type OnView = (url: string, referrer: string, navigated?: boolean) => void;

/** The part of `url` that names a page: all of it in hash mode, otherwise all but the hash. */
const pageOf = (url: string, hash?: boolean): string => (hash ? url : url.split('#')[0]!);

/** The URL without its query (and without the hash, unless in hash mode, where the hash's own query goes). */
const routeOf = (url: string, hash?: boolean): string => {
  const [base, fragment = ''] = url.split('#');
  return base!.split('?')[0]! + (hash ? '#' + fragment.split('?')[0] : '');
};

/**
 * Counts the page view of this load (at once, or on activation when prerendered), then every navigation, until
 * `signal` aborts. Returns what records a page view whose title is still settling at once (none: nothing).
 */
export function watchPageviews(
  onView: OnView,
  options: PageviewOptions,
  referrer: string,
  signal: AbortSignal,
): () => void {
  const { hash } = options;
  const at = { signal };
  let last = location.href;
  let pending: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settle = (): void => {
    clearTimeout(timer);
    const record = pending;
    pending = undefined;
    record?.();
  };
  const view = (url: string, from: string): void => {
    settle();
    pending = () => onView(url, from, true);
    timer = setTimeout(settle, TITLE_DELAY);
  };
  const check = (replace?: boolean): void => {
    const previous = last;
    const url = (last = location.href);
    if (signal.aborted || pageOf(previous, hash) === pageOf(url, hash)) return;
    if (replace && !options.replaceQuery && routeOf(previous, hash) === routeOf(url, hash)) return;
    // A referrer never carries its fragment, as in document.referrer; in hash mode the fragment is the page.
    view(url, pageOf(previous, hash));
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      check(method === 'replaceState');
    };
  }
  addEventListener('popstate', () => check(), at);
  if (hash) addEventListener('hashchange', () => check(), at);
  // A restored page runs again without loading: a new view of it.
  addEventListener('pageshow', (e) => void (e.persisted && onView(location.href, referrer)), at);
  // The page is hidden or leaving before the title settled: count it now, with the title it has.
  addEventListener('pagehide', settle, at);
  document.addEventListener('visibilitychange', settle, at);
  const first = (): void => onView(location.href, referrer);
  if ((document as Document & { prerendering?: boolean }).prerendering)
    document.addEventListener('prerenderingchange', first, { once: true, signal });
  else first();
  return settle;
}
