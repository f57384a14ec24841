// The retry policy, in one place: exponential backoff with jitter, and how long
// a server's Retry-After may hold us back.

export const RETRY = Object.freeze({
  /** First retry after about this long. 1 s */
  initialDelay: 1_000,
  multiplier: 2,
  /** Backoff never waits longer than this. 60 s */
  maxDelay: 60_000,
  /** Fraction of the delay that is random, so tabs and visitors do not retry in step. */
  jitter: 0.5,
  /** A Retry-After longer than this is capped. 10 min */
  maxRetryAfter: 10 * 60_000,
});

export type RetryPolicy = typeof RETRY;

/** Delay before retry number `attempt` (1-based). */
export function retryDelay(attempt: number, random: () => number = Math.random, policy: RetryPolicy = RETRY): number {
  const base = Math.min(policy.maxDelay, policy.initialDelay * policy.multiplier ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - policy.jitter * random()));
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number,
  policy: RetryPolicy = RETRY,
): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(policy.maxRetryAfter, Math.max(0, ms));
}
