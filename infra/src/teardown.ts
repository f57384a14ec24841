// Starting several processes in turn: when a later one fails to start, the
// ones already running are stopped (newest first) before the error goes up,
// so a failed start never leaves a broker or a service behind.

export interface Teardown {
  /** Registers how to stop something that has just started. */
  add(stop: () => Promise<void>): void;
  /**
   * Runs `start`; when it throws, stops everything registered, newest first,
   * and rethrows the start error (a failing stop does not hide it).
   */
  guard<T>(start: () => Promise<T>): Promise<T>;
}

export function createTeardown(): Teardown {
  const stops: Array<() => Promise<void>> = [];
  return {
    add(stop) {
      stops.push(stop);
    },
    async guard(start) {
      try {
        return await start();
      } catch (error) {
        for (const stop of stops.reverse()) await stop().catch(() => {});
        stops.length = 0;
        throw error;
      }
    },
  };
}
