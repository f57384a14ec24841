import { describe, expect, it } from 'vitest';
import { WRITE_SIZE_DEFAULTS, WriteSize } from '../src/write-size.ts';

describe('write size', () => {
  it("halves a partition's writes at each timeout, never below maxPoints / 2^maxHalvings", () => {
    const size = new WriteSize({ maxPoints: 5_000, ...WRITE_SIZE_DEFAULTS });
    const seen = [size.of('0')];
    for (let i = 0; i < 8; i++) {
      size.timedOut('0');
      seen.push(size.of('0'));
    }
    expect(seen).toEqual([5_000, 2_500, 1_250, 625, 313, 157, 79, 79, 79]);
    expect(size.of('1')).toBe(5_000);
  });

  it('doubles back to the full size after runs of successful writes', () => {
    const size = new WriteSize({ maxPoints: 1_000, maxHalvings: 6, recoverAfter: 3 });
    size.timedOut('0');
    size.timedOut('0');
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) {
      size.succeeded('0');
      seen.push(size.of('0'));
    }
    expect(seen).toEqual([250, 250, 500, 500, 500, 1_000, 1_000]);
  });

  it('starts a new run of successes after each timeout', () => {
    const size = new WriteSize({ maxPoints: 1_000, maxHalvings: 6, recoverAfter: 2 });
    size.timedOut('0');
    size.succeeded('0');
    size.timedOut('0');
    size.succeeded('0');
    expect(size.of('0')).toBe(250);
  });
});
