import { describe, expect, it } from 'vitest';
import {
  Backoff,
  CLIENT_BACKOFF,
  SERVICE_BACKOFF,
  backoffDelay,
  delayCeiling,
  parseRetryAfter,
  spreadRetryAfter,
} from '../src/backoff.ts';

const fixed = (value: number) => () => value;

describe('backoffDelay', () => {
  it('grows the ceiling per attempt up to the cap, counting the first retry as attempt 1', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((attempt) => delayCeiling(CLIENT_BACKOFF, attempt))).toEqual([
      1_000, 2_000, 4_000, 8_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('draws uniformly between the floor and the ceiling (full jitter)', () => {
    expect(backoffDelay(CLIENT_BACKOFF, 3, { random: fixed(0) })).toBe(CLIENT_BACKOFF.minDelayMs);
    expect(backoffDelay(CLIENT_BACKOFF, 3, { random: fixed(0.999999) })).toBe(4_000);
    const draws = Array.from({ length: 2_000 }, () => backoffDelay(SERVICE_BACKOFF, 10));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(SERVICE_BACKOFF.minDelayMs);
    expect(Math.max(...draws)).toBeLessThanOrEqual(SERVICE_BACKOFF.maxDelayMs);
    expect(new Set(draws).size).toBeGreaterThan(500);
  });

  it('never waits less than Retry-After, and spreads clients told the same Retry-After', () => {
    const draws = Array.from({ length: 1_000 }, () => backoffDelay(CLIENT_BACKOFF, 1, { retryAfterMs: 5_000 }));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(5_000);
    expect(Math.max(...draws)).toBeLessThanOrEqual(6_000);
    expect(new Set(draws).size).toBeGreaterThan(200);
  });

  it('keeps growing behind a small Retry-After, and treats Retry-After 0 as absent', () => {
    expect(backoffDelay(CLIENT_BACKOFF, 8, { retryAfterMs: 1_000, random: fixed(0.5) })).toBeGreaterThan(30_000);
    expect(backoffDelay(CLIENT_BACKOFF, 1, { retryAfterMs: 0, random: fixed(0) })).toBe(CLIENT_BACKOFF.minDelayMs);
  });

  it('caps a huge Retry-After', () => {
    const delay = backoffDelay(CLIENT_BACKOFF, 1, { retryAfterMs: 86_400_000, random: fixed(0) });
    expect(delay).toBe(CLIENT_BACKOFF.maxRetryAfterMs);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');

  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('5', now)).toBe(5_000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 06 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
  });

  it('reads a date in the past as 0 and ignores what it cannot read', () => {
    expect(parseRetryAfter('Sun, 06 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('spreadRetryAfter', () => {
  it('answers between the base and twice the base, in whole seconds', () => {
    expect(spreadRetryAfter(5, fixed(0))).toBe(5);
    expect(spreadRetryAfter(5, fixed(0.999))).toBe(10);
    const values = new Set(Array.from({ length: 500 }, () => spreadRetryAfter(5)));
    expect([...values].every((v) => v >= 5 && v <= 10)).toBe(true);
    expect(values.size).toBeGreaterThan(3);
  });
});

describe('Backoff', () => {
  const top = () => 0.999_999;

  it('counts failures per key, grows the delay with them, and forgets a key after a success', () => {
    const backoff = new Backoff(SERVICE_BACKOFF, top);
    expect(backoff.failed('0')).toBe(250);
    expect(backoff.failed('0')).toBe(500);
    expect(backoff.failed('1')).toBe(250);
    backoff.succeeded('0');
    expect(backoff.failuresOf('0')).toBe(0);
    expect(backoff.failed('0')).toBe(250);
    expect(backoff.failuresOf('1')).toBe(1);
  });

  it('draws each delay with full jitter above the floor', () => {
    expect(new Backoff(SERVICE_BACKOFF, () => 0).failed('0')).toBe(SERVICE_BACKOFF.minDelayMs);
  });
});
