import { describe, expect, it } from 'vitest';
import { PART_CHARS } from '../src/hour-parts.ts';
import { decodePart, encodeParts, HourSequences, mergeSequenceHours, sequenceKey } from '../src/sequence-runs.ts';

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
    expect(decodePart('')).toEqual([]);
  });

  it('splits a busy hour into parts InfluxDB can hold, and reads back every entry', () => {
    const hour = new HourSequences();
    for (let s = 0; s < 20_000; s++) for (const seq of [0, 1, 2, 9, 2 ** 40]) hour.add(`session-${s}`, `tab-${s}`, seq);
    const entries = hour.entries();
    const parts = encodeParts(entries);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(PART_CHARS);
    expect(parts.flatMap(decodePart)).toEqual(entries);
  });

  it('refuses a part cut short', () => {
    const hour = new HourSequences();
    hour.add('s', 't', 300);
    const [part] = encodeParts(hour.entries());
    const bytes = Buffer.from(part!, 'base64');
    expect(() => decodePart(bytes.subarray(0, 5).toString('base64'))).toThrow(/inside a key/);
    expect(() => decodePart(bytes.subarray(0, bytes.length - 1).toString('base64'))).toThrow(/inside a number/);
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
    const { received, missing } = mergeSequenceHours(hours, byHour);
    // a: 0–4 in hour 0, 5–9 in hour 2 (3 and 4 came first in hour 0), 10–11 missing after 9, 12 in hour 3.
    // b, alone in hour 1: 0, 1, 5 received, 2–4 missing. c: 0 in hour 2.
    expect(Object.fromEntries(received)).toEqual({ '0': 5, '1': 3, '2': 6, '3': 1 });
    expect(Object.fromEntries(missing)).toEqual({ '0': 0, '1': 3, '2': 2, '3': 0 });
  });
});
