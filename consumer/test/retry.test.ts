import { describe, expect, it } from 'vitest';
import { Backoff, RETRY_DEFAULTS, backoffDelay } from '../src/retry.ts';

describe('backoff', () => {
  const noJitter = { ...RETRY_DEFAULTS, jitter: 0 };

  it('doubles from the initial delay up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(noJitter, n))).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  it('spreads delays by the jitter on both sides', () => {
    expect(backoffDelay(RETRY_DEFAULTS, 1, () => 0)).toBe(160);
    expect(backoffDelay(RETRY_DEFAULTS, 1, () => 1)).toBe(240);
  });

  it('counts failures per partition and forgets them after a success', () => {
    const backoff = new Backoff(noJitter);
    expect(backoff.failed('0')).toBe(200);
    expect(backoff.failed('0')).toBe(400);
    expect(backoff.failed('1')).toBe(200);
    backoff.succeeded('0');
    expect(backoff.failuresOf('0')).toBe(0);
    expect(backoff.failed('0')).toBe(200);
    expect(backoff.failuresOf('1')).toBe(1);
  });
});
