// The one retry policy of the consumer: exponential back-off with jitter for a
// partition whose write failed. Attempts are counted per partition and reset by
// the first success.

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

export const RETRY_DEFAULTS: Readonly<RetryPolicy> = Object.freeze({ initialDelayMs: 200, maxDelayMs: 5_000, multiplier: 2, jitter: 0.2 });

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
