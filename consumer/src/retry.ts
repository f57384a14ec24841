// The one retry policy of the consumer: exponential back-off with jitter for a
// partition whose write failed, and smaller writes for a partition whose writes
// time out. Both are kept per partition and undone by successes.

export interface RetryPolicy {
  /** Delay after the first failure (ms). Default: 200 */
  initialDelayMs: number;
  /** Longest delay (ms). Default: 5000 */
  maxDelayMs: number;
  /** Growth per consecutive failure. Default: 2 */
  multiplier: number;
  /** Relative spread, so partitions that failed together do not retry in lockstep. Default: 0.2 */
  jitter: number;
}

export const RETRY_DEFAULTS: Readonly<RetryPolicy> = Object.freeze({
  initialDelayMs: 200,
  maxDelayMs: 5_000,
  multiplier: 2,
  jitter: 0.2,
});

/** Delay before attempt `failures + 1`, given `failures` ≥ 1 consecutive failures. */
export function backoffDelay(policy: RetryPolicy, failures: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.max(0, failures - 1));
  return Math.max(1, Math.round(base * (1 + policy.jitter * (2 * random() - 1))));
}

export class Backoff {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly policy: RetryPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** Records a failure of `key` and returns how long to wait before the next attempt. */
  failed(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    return backoffDelay(this.policy, failures, this.random);
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /** Consecutive failures of `key`. */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

export interface WriteSizePolicy {
  /** Most points in one write, and the size writes return to. Default: EVENTLINE_CONSUMER_BATCH_SIZE */
  maxPoints: number;
  /** How many times timeouts can halve the size: it never falls below maxPoints / 2^maxHalvings. Default: 6 */
  maxHalvings: number;
  /** Successful writes in a row after which a reduced size doubles again. Default: 8 */
  recoverAfter: number;
}

export const WRITE_SIZE_DEFAULTS = Object.freeze({ maxHalvings: 6, recoverAfter: 8 });

/**
 * How many points a partition writes at once. A write that exceeds the timeout
 * would time out again at the same size however often it is retried, so each
 * timeout halves the size (down to the bound) and a slow InfluxDB still takes
 * smaller writes; a run of successes doubles it back towards `maxPoints`.
 */
export class WriteSize {
  private readonly state = new Map<string, { halvings: number; successes: number }>();

  constructor(private readonly policy: WriteSizePolicy) {}

  of(key: string): number {
    const halvings = this.state.get(key)?.halvings ?? 0;
    return Math.max(1, Math.ceil(this.policy.maxPoints / 2 ** halvings));
  }

  timedOut(key: string): void {
    const halvings = Math.min(this.policy.maxHalvings, (this.state.get(key)?.halvings ?? 0) + 1);
    this.state.set(key, { halvings, successes: 0 });
  }

  succeeded(key: string): void {
    const state = this.state.get(key);
    if (!state) return;
    state.successes += 1;
    if (state.successes < this.policy.recoverAfter) return;
    if (state.halvings <= 1) this.state.delete(key);
    else this.state.set(key, { halvings: state.halvings - 1, successes: 0 });
  }
}
