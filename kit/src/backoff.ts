// The one retry policy of Eventline, shared by the SDK worker, ingest and the
// consumer: exponential growth, full jitter above a floor, a cap, and a server's
// Retry-After as a floor under the backoff, never a replacement for it.
// Browser-safe: no Node API, so the SDK bundles it as it is.

export interface BackoffPolicy {
  /** Upper bound of the first retry's delay, ms. */
  readonly initialDelayMs: number;
  /** Growth of the upper bound per attempt. */
  readonly multiplier: number;
  /** The upper bound never grows past this, ms. */
  readonly maxDelayMs: number;
  /** No delay is shorter than this, ms. */
  readonly minDelayMs: number;
  /** A Retry-After longer than this is capped, ms. */
  readonly maxRetryAfterMs: number;
  /**
   * A Retry-After is a floor; the delay is drawn from [retryAfter, retryAfter × (1 + spread)]
   * so clients told the same Retry-After do not come back in lockstep.
   */
  readonly retryAfterSpread: number;
}

/** Defaults for a client retrying a server (the SDK). */
export const CLIENT_BACKOFF: BackoffPolicy = Object.freeze({
  initialDelayMs: 1_000, // 1 s
  multiplier: 2,
  maxDelayMs: 60_000, // 1 min
  minDelayMs: 250, // 250 ms
  maxRetryAfterMs: 10 * 60_000, // 10 min
  retryAfterSpread: 0.2,
});

/** Defaults for a service reconnecting to its own infrastructure (Kafka, InfluxDB). */
export const SERVICE_BACKOFF: BackoffPolicy = Object.freeze({
  initialDelayMs: 250, // 250 ms
  multiplier: 2,
  maxDelayMs: 5_000, // 5 s
  minDelayMs: 50, // 50 ms
  maxRetryAfterMs: 60_000, // 1 min
  retryAfterSpread: 0.2,
});

export interface DelayOptions {
  /** The server's Retry-After in ms (see parseRetryAfter); a floor under the backoff. */
  readonly retryAfterMs?: number | undefined;
  /** Uniform in [0, 1). Default: Math.random */
  readonly random?: () => number;
}

/** The upper bound of the delay before retry `attempt` (1 = the first retry). */
export function delayCeiling(policy: BackoffPolicy, attempt: number): number {
  const grown = policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt - 1);
  return Math.max(policy.minDelayMs, Math.min(policy.maxDelayMs, grown));
}

/**
 * Delay before retry `attempt` (1 = the first retry): full jitter, uniform in
 * [minDelayMs, ceiling], and never shorter than the server's Retry-After.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, options: DelayOptions = {}): number {
  const random = options.random ?? Math.random;
  const ceiling = delayCeiling(policy, attempt);
  const backoff = policy.minDelayMs + random() * (ceiling - policy.minDelayMs);
  const retryAfter = options.retryAfterMs;
  if (retryAfter === undefined || !(retryAfter > 0)) return Math.round(backoff);
  const floor = Math.min(policy.maxRetryAfterMs, retryAfter);
  const spread = floor * (1 + random() * policy.retryAfterSpread);
  return Math.round(Math.max(backoff, spread));
}

/**
 * A Retry-After header (delta-seconds or an HTTP date) in ms from `now`;
 * undefined when absent or unreadable. A date in the past (a client clock
 * ahead of the server's) reads as 0, which leaves the backoff in charge.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date names its weekday and month; anything else (e.g. "-5", which Date.parse reads as a year) is not one.
  const date = /[a-z]{3}/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * A Retry-After for a server to send, in whole seconds, spread over
 * [baseSeconds, baseSeconds × 2] so that clients refused together do not return together.
 */
export function spreadRetryAfter(baseSeconds: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(baseSeconds * (1 + random())));
}

/**
 * Consecutive failures per key (a partition, a connection) and the delay each
 * calls for; a success forgets the key, so the next failure starts over.
 */
export class Backoff {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** Records a failure of `key` and returns how long to wait before its next attempt, ms. */
  failed(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    return backoffDelay(this.policy, failures, { random: this.random });
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /** Consecutive failures of `key`. */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}
