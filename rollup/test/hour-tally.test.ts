import { FIELD, TAG } from '@eventline/contract';
import { describe, expect, it } from 'vitest';
import { HourTally, IntegerSet, pointTime } from '../src/hour-tally.ts';
import { KeptHours } from '../src/kept-hours.ts';

const HOUR = Date.UTC(2026, 11, 7, 18);

/** A raw row as InfluxDB answers it with RFC 3339 times: a page view of `visitor` at `ms` into the hour, slot `slot`. */
const row = (ms: number, slot: number, visitor = 'v', shard = '0') => ({
  time: new Date(HOUR + ms)
    .toISOString()
    .replace(/\.(\d{3})Z$/, (_, millis: string) =>
      `.${`${millis}${String(slot).padStart(6, '0')}`.replace(/0+$/, '')}Z`.replace('.Z', 'Z'),
    ),
  [TAG.type]: 'pageview',
  [TAG.shard]: shard,
  [FIELD.anonymousId]: visitor,
  [FIELD.sessionId]: `${visitor}-s`,
  [FIELD.seq]: ms,
  [FIELD.pagePath]: '/',
});

describe('pointTime', () => {
  it('reads the nanoseconds InfluxDB writes, trailing zeros dropped or none at all', () => {
    expect(pointTime('2026-12-07T18:00:01.5Z', HOUR)).toEqual({ ms: HOUR + 1_500, nsInHour: 1_500_000_000 });
    expect(pointTime('2026-12-07T18:59:59.999999999Z', HOUR)).toEqual({
      ms: HOUR + 3_599_999,
      nsInHour: 3_599_999_999_999,
    });
    expect(pointTime('2026-12-07T18:00:02Z', HOUR)).toEqual({ ms: HOUR + 2_000, nsInHour: 2_000_000_000 });
    expect(() => pointTime('yesterday', HOUR)).toThrow(/RFC 3339/);
  });
});

describe('IntegerSet', () => {
  it('holds what a Set holds, from 0 to 2⁵³ − 1, values alike in their low or high 32 bits included', () => {
    const set = new IntegerSet();
    const reference = new Set<number>();
    let state = 7;
    const next = () => (state = (state * 48_271) % 2_147_483_647);
    for (let i = 0; i < 50_000; i++) {
      const value = [
        next(),
        next() * 2 ** 22 + (next() % 2 ** 22),
        (next() % 64) * 2 ** 32,
        Number.MAX_SAFE_INTEGER - (next() % 100),
        0,
      ][i % 5]!;
      expect(set.add(value)).toBe(!reference.has(value));
      reference.add(value);
    }
    expect(set.size).toBe(reference.size);
    expect(set.bytes).toBeGreaterThanOrEqual(reference.size * 16);
  });
});

describe('an hour tally', () => {
  it('counts a point once however often it is read, points of one time in two series apart', () => {
    const tally = new HourTally('shop', HOUR, 1_000);
    expect(tally.add([row(5, 1), row(5, 2), row(9, 0)])).toBe(3);
    expect(tally.add([row(5, 2), row(9, 0), row(5, 1, 'w', '1'), row(7, 0)])).toBe(2);
    expect(tally.events).toBe(5);
    const all = tally.points().find((point) => point.audience === 'people' && point.dimension === 'all');
    expect(Object.values(all!.values)[0]![0]).toBe(5);
  });
});

describe('kept hours', () => {
  const tally = (hour: number, events: number) => {
    const kept = new HourTally('shop', hour, 1_000);
    kept.add(Array.from({ length: events }, (_, i) => row(i, 0, `v${i}`)));
    return kept;
  };

  it('hands a tally out once, and keeps the latest hours within its budget, none larger than it', () => {
    const [a, b, c] = [tally(HOUR, 100), tally(HOUR + 3_600_000, 100), tally(HOUR + 7_200_000, 100)];
    const kept = new KeptHours(a.bytes * 2.5);
    kept.keep(a);
    kept.keep(b);
    expect(kept.take('shop', HOUR)).toBe(a);
    expect(kept.take('shop', HOUR)).toBeUndefined();
    kept.keep(a);
    kept.keep(c);
    // b was kept least recently.
    expect(kept.size).toBe(2);
    expect(kept.take('shop', b.hour)).toBeUndefined();
    expect(kept.bytes).toBe(a.bytes + c.bytes);
    kept.keep(tally(HOUR + 10_800_000, 1_000));
    expect(kept.size).toBe(0);
  });
});
