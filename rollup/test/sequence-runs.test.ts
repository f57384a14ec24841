import { describe, expect, it } from 'vitest';
import { PART_CHARS } from '../src/hour-parts.ts';
import {
  encodeParts,
  HourSequenceRuns,
  HourSequences,
  mergeSequenceHours,
  sequenceKey,
  type SequenceEntry,
} from '../src/sequence-runs.ts';

const decoded = (...parts: string[]) => HourSequenceRuns.decode(parts).entries();

describe('an hour of sequence numbers', () => {
  it('keeps each sequence as runs of consecutive numbers, copies once, session and tab apart', () => {
    const hour = new HourSequences();
    for (const seq of [5, 0, 1, 2, 2, 7, 8, 1_000_000]) hour.add('s', 'tab', seq);
    hour.add('s', undefined, 3);
    expect(hour.entries()).toEqual([
      {
        key: sequenceKey('s', 'tab'),
        runs: [
          [0, 2],
          [5, 5],
          [7, 8],
          [1_000_000, 1_000_000],
        ],
      },
      { key: sequenceKey('s', undefined), runs: [[3, 3]] },
    ]);
  });

  it('stores an empty hour as one empty part', () => {
    expect(encodeParts([])).toEqual(['']);
    expect(decoded('')).toEqual([]);
  });

  it('splits a busy hour into parts InfluxDB can hold, and reads back every entry', () => {
    const hour = new HourSequences();
    for (let s = 0; s < 20_000; s++) for (const seq of [0, 1, 2, 9, 2 ** 40]) hour.add(`session-${s}`, `tab-${s}`, seq);
    const entries = hour.entries();
    const parts = encodeParts(entries);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(PART_CHARS);
    expect(decoded(...parts)).toEqual(entries);
  });

  it('refuses a part cut short', () => {
    const hour = new HourSequences();
    hour.add('s', 't', 300);
    const [part] = encodeParts(hour.entries());
    const bytes = Buffer.from(part!, 'base64');
    expect(() => decoded(bytes.subarray(0, 5).toString('base64'))).toThrow(/inside a key/);
    expect(() => decoded(bytes.subarray(0, bytes.length - 1).toString('base64'))).toThrow(/inside a number/);
  });
});

describe('merging hours', () => {
  const HOUR = 3_600_000;
  const byHour = (hour: number) => String(hour / HOUR);

  it('tells keys apart that share their low 32 bits, and merges a key found in three hours', () => {
    // Keys are 8 bytes (latin1); the first two collide in the low half, which picks the slot.
    const [a, b, c] = ['\x01\x00\x00\x00wxyz', '\x02\x00\x00\x00wxyz', '\xff\xfe\xfd\xfcwxyz'];
    const hours = [
      { hour: 0, entries: [{ key: a!, runs: [[0, 4]] as [number, number][] }] },
      {
        hour: HOUR,
        entries: [
          {
            key: b!,
            runs: [
              [0, 1],
              [5, 5],
            ] as [number, number][],
          },
        ],
      },
      {
        hour: 2 * HOUR,
        entries: [
          { key: c!, runs: [[0, 0]] as [number, number][] },
          { key: a!, runs: [[3, 9]] as [number, number][] },
        ],
      },
      { hour: 3 * HOUR, entries: [{ key: a!, runs: [[12, 12]] as [number, number][] }] },
    ];
    const { received, missing } = mergeSequenceHours(
      hours.map(({ hour, entries }) => ({ hour, entries: HourSequenceRuns.of(entries) })),
      byHour,
    );
    // a: 0–4 in hour 0, 5–9 in hour 2 (3 and 4 came first in hour 0), 10–11 missing after 9, 12 in hour 3.
    // b, alone in hour 1: 0, 1, 5 received, 2–4 missing. c: 0 in hour 2.
    expect(Object.fromEntries(received)).toEqual({ '0': 5, '1': 3, '2': 6, '3': 1 });
    expect(Object.fromEntries(missing)).toEqual({ '0': 0, '1': 3, '2': 2, '3': 0 });
  });

  /** Every number counts in the first hour that received it; a gap counts in the hour of the number before it. */
  function byNumbers(hours: readonly { hour: number; entries: HourSequenceRuns }[]) {
    const firstHour = new Map<string, Map<number, number>>();
    for (const { hour, entries } of [...hours].sort((a, b) => a.hour - b.hour))
      for (const { key, runs } of entries.entries()) {
        const numbers = firstHour.get(key) ?? new Map<number, number>();
        for (const [first, last] of runs) for (let n = first; n <= last; n++) if (!numbers.has(n)) numbers.set(n, hour);
        firstHour.set(key, numbers);
      }
    const totals = { received: new Map<string, number>(), missing: new Map<string, number>() };
    for (const { hour } of hours) for (const map of Object.values(totals)) map.set(byHour(hour), 0);
    const add = (map: Map<string, number>, hour: number, n: number) =>
      map.set(byHour(hour), map.get(byHour(hour))! + n);
    for (const numbers of firstHour.values()) {
      const sorted = [...numbers.keys()].sort((a, b) => a - b);
      sorted.forEach((n, i) => {
        add(totals.received, numbers.get(n)!, 1);
        if (i + 1 < sorted.length && sorted[i + 1]! > n + 1)
          add(totals.missing, numbers.get(n)!, sorted[i + 1]! - n - 1);
      });
    }
    return totals;
  }

  let state = 7;
  const next = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  /** 8-byte keys whose high halves repeat and whose low halves take 1 024 values: slots collide, keys stay apart. */
  const keys = Array.from({ length: 3_000 }, (_, n) => {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32BE(n % 97, 0);
    bytes.writeUInt32BE(Math.floor(next() * 1_024), 4);
    return bytes.toString('latin1');
  });
  /** An hour holding each of `keys` with probability `share`, with up to three runs apart. */
  const hourOf = (hour: number, among: readonly string[], share: number) => ({
    hour,
    entries: HourSequenceRuns.of(
      [...new Set(among)].flatMap((key): SequenceEntry[] => {
        if (next() >= share) return [];
        const runs: [number, number][] = [];
        for (let first = Math.floor(next() * 5); first < 30 && runs.length < 3;) {
          const last = first + Math.floor(next() * 4);
          runs.push([first, last]);
          first = last + 2 + Math.floor(next() * 8);
        }
        return [{ key, runs }];
      }),
    ),
  });
  const expectMerged = (hours: { hour: number; entries: HourSequenceRuns }[]) => {
    // In any order: the merge sorts them.
    const { received, missing } = mergeSequenceHours([...hours].reverse(), byHour);
    expect({ received, missing }).toEqual(byNumbers(hours));
  };

  it('counts as the numbers themselves do, over thousands of keys whose slots collide', () => {
    expectMerged(Array.from({ length: 6 }, (_, h) => hourOf(h * HOUR, keys, 0.4)));
  });

  it('counts the same when the newest hour is read again, more hours follow, or the range starts later', () => {
    const hours = Array.from({ length: 8 }, (_, h) => hourOf(h * HOUR, keys, 0.3));
    expectMerged(hours);
    // The newest hour again, as events arrive: keys counted alone before, keys already in several hours, keys twice
    // in the hours added, and new keys.
    const fresh = Array.from({ length: 200 }, (_, n) => `fresh-${String(n).padStart(2, '0')}`);
    for (let round = 0; round < 3; round++) {
      hours[7] = hourOf(7 * HOUR, [...keys.slice(0, 1_500), ...fresh], 0.5);
      expectMerged(hours);
    }
    hours.push(hourOf(8 * HOUR, [...keys, ...fresh], 0.3), hourOf(9 * HOUR, [...keys, ...fresh], 0.3));
    expectMerged(hours);
    expectMerged(hours.slice(2));
    expectMerged(hours.slice(0, 3));
  });
});
