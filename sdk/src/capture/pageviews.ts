// Page views for multi-page sites and SPAs: the History API is wrapped (not
// replaced) and popstate observed; a view is a change of URL other than its hash.

const current = (): string => location.href.split('#')[0]!;

/** Calls `onView(previousUrl)` on every navigation until `signal` aborts. */
export function watchNavigation(onView: (referrer: string) => void, signal: AbortSignal): void {
  let last = current();
  const check = (): void => {
    const previous = last;
    if (!signal.aborted && previous !== (last = current())) onView(previous);
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      check();
    };
  }
  addEventListener('popstate', check, { signal });
}
