// The one retry policy of the service: how long to wait before reconnecting to
// Kafka after a failure. Exponential with full jitter, capped.

export interface RetryPolicy {
  /** First delay, ms. Default: 250 */
  initialDelayMs: number;
  /** Growth per attempt. Default: 2 */
  multiplier: number;
  /** Longest delay, ms. Default: 5000 */
  maxDelayMs: number;
  /** Fraction of the delay that is randomized, 0..1. Default: 0.5 */
  jitter: number;
}

export const RECONNECT_DEFAULTS: Readonly<RetryPolicy> = Object.freeze({
  initialDelayMs: 250,
  multiplier: 2,
  maxDelayMs: 5_000,
  jitter: 0.5,
});

/** Delay before retry number `attempt` (0-based). */
export function retryDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** attempt);
  return Math.round(base * (1 - policy.jitter * random()));
}
