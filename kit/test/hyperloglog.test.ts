import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HyperLogLog } from '../src/hyperloglog.ts';

const sketchOf = (values: Iterable<string>) => {
  const sketch = new HyperLogLog();
  for (const value of values) sketch.addValue(value);
  return sketch;
};
const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
const relativeError = (estimate: number, exact: number) => Math.abs(estimate - exact) / exact;

describe('HyperLogLog', () => {
  it('is exact up to 2 048 values and within 2 % of exact counts from there to 200 000', { timeout: 60_000 }, () => {
    expect(new HyperLogLog().estimate()).toBe(0);
    expect(sketchOf(ids('exact', 2_048)).estimate()).toBe(2_048);
    for (const count of [10, 1_000, 2_100, 5_000, 10_000, 40_000, 100_000, 200_000]) {
      const estimate = sketchOf(ids(`visitor-${count}`, count)).estimate();
      expect(relativeError(estimate, count), `${count}: ${estimate}`).toBeLessThanOrEqual(0.02);
    }
  });

  it('counts a value added twice once', () => {
    const sketch = sketchOf([...ids('a', 5_000), ...ids('a', 5_000)]);
    expect(relativeError(sketch.estimate(), 5_000)).toBeLessThanOrEqual(0.02);
  });

  it('merges like a union: overlapping buckets are not summed', { timeout: 30_000 }, () => {
    // 24 hourly buckets of 3 000 visitors each, half of whom came back from the hour before.
    const merged = new HyperLogLog();
    const everyone = new Set<string>();
    for (let hour = 0; hour < 24; hour++) {
      const visitors = Array.from({ length: 3_000 }, (_, i) => `v-${hour * 1_500 + i}`);
      for (const visitor of visitors) everyone.add(visitor);
      merged.merge(HyperLogLog.deserialize(sketchOf(visitors).serialize()));
    }
    expect(relativeError(merged.estimate(), everyone.size)).toBeLessThanOrEqual(0.02);
  });

  it('survives serialization in both forms and keeps small sketches small', { timeout: 30_000 }, () => {
    const small = sketchOf(ids('s', 50));
    expect(small.serialize().startsWith('x')).toBe(true);
    expect(small.serialize().length).toBeLessThan(600);
    const large = sketchOf(ids('l', 100_000));
    expect(large.serialize().startsWith('d')).toBe(true);
    for (const sketch of [small, large])
      expect(HyperLogLog.deserialize(sketch.serialize()).estimate()).toBe(sketch.estimate());
  });

  it('refuses text it did not produce', () => {
    const badRank = Buffer.alloc(16_384, 0);
    badRank[0] = 60;
    for (const text of ['', 's', 'xAA', `d${Buffer.alloc(10).toString('base64')}`, `d${badRank.toString('base64')}`])
      expect(() => HyperLogLog.deserialize(text), text).toThrow(RangeError);
  });

  it('merging is order-independent and idempotent (a bucket merged twice changes nothing)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { maxLength: 50 }), { maxLength: 8 }), (buckets) => {
        const forward = new HyperLogLog();
        const backward = new HyperLogLog();
        const sketches = buckets.map(sketchOf);
        for (const sketch of sketches) forward.merge(sketch).merge(sketch);
        for (const sketch of [...sketches].reverse()) backward.merge(sketch);
        expect(forward.serialize().length).toBe(backward.serialize().length);
        expect(forward.estimate()).toBe(backward.estimate());
      }),
    );
  });
});
