// Identical requests that arrive while one is being answered share its answer
// instead of starting the same work again: a raw scan of a month for a chart's
// completeness band takes seconds, and a page reloaded (or opened by several
// people) meanwhile must not multiply it. Nothing is kept once it settles.

export interface SingleFlight<T> {
  /** The running work for `key`, or `work()` started now and shared until it settles. */
  run(key: string, work: () => Promise<T>): Promise<T>;
  /** Keys with work running, for tests and metrics. */
  readonly running: number;
}

export function createSingleFlight<T>(): SingleFlight<T> {
  const running = new Map<string, Promise<T>>();
  return {
    run(key, work) {
      const shared = running.get(key);
      if (shared) return shared;
      const started = work().finally(() => running.delete(key));
      running.set(key, started);
      return started;
    },
    get running() {
      return running.size;
    },
  };
}
