import { describe, expect, it } from 'vitest';
import { RECONNECT_DEFAULTS, retryDelay } from '../src/retry.ts';

describe('reconnect backoff', () => {
  it('grows by the multiplier from the initial delay up to the cap', () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 10].map((attempt) => retryDelay(RECONNECT_DEFAULTS, attempt, noJitter))).toEqual([
      250, 500, 1000, 2000, 5000,
    ]);
  });

  it('randomizes at most the jitter fraction of each delay', () => {
    expect(retryDelay(RECONNECT_DEFAULTS, 2, () => 0.999)).toBeGreaterThanOrEqual(500);
    expect(retryDelay(RECONNECT_DEFAULTS, 2, () => 0.999)).toBeLessThan(1000);
  });
});
