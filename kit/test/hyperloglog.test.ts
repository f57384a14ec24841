import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { EXACT_LIMIT, HyperLogLog } from '../src/hyperloglog.ts';

const sketchOf = (values: Iterable<string>) => {
  const sketch = new HyperLogLog();
  for (const value of values) sketch.addValue(value);
  return sketch;
};
const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
const inflate = (bytes: Buffer) => inflateRawSync(bytes);
const relativeError = (estimate: number, exact: number) => Math.abs(estimate - exact) / exact;

describe('HyperLogLog', () => {
  it('is exact up to 256 values and within 2 % of exact counts from there to 200 000', { timeout: 60_000 }, () => {
    expect(new HyperLogLog().estimate()).toBe(0);
    expect(EXACT_LIMIT).toBe(256);
    expect(sketchOf(ids('exact', 256)).estimate()).toBe(256);
    for (const count of [10, 257, 300, 1_000, 2_100, 5_000, 10_000, 40_000, 100_000, 200_000]) {
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
    expect(large.serialize().startsWith('z')).toBe(true);
    for (const sketch of [small, large])
      expect(HyperLogLog.deserialize(sketch.serialize()).estimate()).toBe(sketch.estimate());
  });

  it('writes its text again once it changed, by an add or a merge, in either form', () => {
    for (const size of [100, 5_000]) {
      const sketch = sketchOf(ids(`t${size}`, size));
      const before = sketch.serialize();
      sketch.addValue(`t${size}-0`);
      expect(sketch.serialize(), 'a value it had changes nothing').toBe(before);
      const grown = () => HyperLogLog.deserialize(sketch.serialize()).estimate();
      sketch.merge(sketchOf(ids(`m${size}`, size)));
      expect(grown()).toBe(sketch.estimate());
      expect(sketch.serialize()).not.toBe(before);
      const merged = sketch.serialize();
      sketch.merge(sketchOf(ids(`n${size}`, 1_000)).merge(sketchOf(ids(`r${size}`, 300))));
      expect(sketch.serialize()).not.toBe(merged);
      expect(grown()).toBe(sketch.estimate());
      const added = sketch.serialize();
      for (const id of ids(`a${size}`, 50)) sketch.addValue(id);
      expect(sketch.serialize()).not.toBe(added);
      expect(grown()).toBe(sketch.estimate());
    }
  });

  it('writes one set as one text, whatever order it was filled in', () => {
    const visitors = ids('o', 200);
    expect(sketchOf([...visitors].reverse()).serialize()).toBe(sketchOf(visitors).serialize());
  });

  it('stores registers deflated: a month of day sketches is read per answer', () => {
    // Past the exact limit a sketch is registers; each is far under the 22 KB of the uncompressed form.
    for (const [count, bound] of [
      [300, 1_500],
      [2_000, 4_500],
      [100_000, 12_000],
    ] as const) {
      const text = sketchOf(ids(`size-${count}`, count)).serialize();
      expect(text.startsWith('z'), `${count}`).toBe(true);
      expect(text.length, `${count}`).toBeLessThan(bound);
    }
  });

  it('reads sketches stored uncompressed before, and merges them with deflated ones', () => {
    const stored = sketchOf(ids('old', 5_000));
    const registers = Buffer.from(HyperLogLog.deserialize(stored.serialize()).serialize().slice(1), 'base64');
    const uncompressed = `d${Buffer.from(inflate(registers)).toString('base64')}`;
    const old = HyperLogLog.deserialize(uncompressed);
    expect(old.estimate()).toBe(stored.estimate());
    expect(old.serialize()).toBe(stored.serialize());
    const merged = HyperLogLog.deserialize(uncompressed).merge(sketchOf(ids('new', 5_000)));
    expect(relativeError(merged.estimate(), 10_000)).toBeLessThanOrEqual(0.02);
  });

  it('refuses text it did not produce', () => {
    const badRank = Buffer.alloc(16_384, 0);
    badRank[0] = 60;
    const deflated = (bytes: Buffer) => `z${deflateRawSync(bytes).toString('base64')}`;
    for (const text of [
      '',
      's',
      'xAA',
      `d${Buffer.alloc(10).toString('base64')}`,
      `d${badRank.toString('base64')}`,
      'zAAAA',
      deflated(badRank),
      deflated(Buffer.alloc(100)),
      // A deflate bomb: 16 MiB of zeros must not be inflated past the registers' size.
      deflated(Buffer.alloc(16 * 2 ** 20)),
    ])
      expect(() => HyperLogLog.deserialize(text), text.slice(0, 20)).toThrow(RangeError);
  });

  it('merges sketches of registers into exactly the sketch of the union', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 300, max: 3_000 }),
        fc.integer({ min: 300, max: 3_000 }),
        fc.integer({ min: 0, max: 300 }),
        fc.boolean(),
        (left, right, shared, stored) => {
          const a = ids('a', left);
          const b = [...a.slice(0, shared), ...ids('b', right)];
          const through = (sketch: HyperLogLog) => (stored ? HyperLogLog.deserialize(sketch.serialize()) : sketch);
          const merged = through(sketchOf(a)).merge(through(sketchOf(b)));
          expect(merged.serialize()).toBe(sketchOf([...a, ...b]).serialize());
        },
      ),
      { numRuns: 40 },
    );
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
