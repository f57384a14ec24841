import { describe, expect, it } from 'vitest';
import { RETRY, parseRetryAfter, retryDelay } from '../../src/queue/backoff.ts';

describe('backoff', () => {
  it('doubles the delay per attempt up to the cap', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4].map((a) => retryDelay(a, noJitter))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelay(30, noJitter)).toBe(RETRY.maxDelay);
  });

  it('spreads retries with jitter within half of the delay', () => {
    expect(retryDelay(3, () => 1)).toBe(2_000);
    const delays = new Set(Array.from({ length: 50 }, () => retryDelay(3)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(2_000);
      expect(d).toBeLessThanOrEqual(4_000);
    }
  });

  it('reads Retry-After as seconds or as an HTTP date, and caps it', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('86400', now)).toBe(RETRY.maxRetryAfter);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
