import { describe, expect, it } from 'vitest';
import { PART_CHARS } from '../src/hour-parts.ts';
import { decodePart, encodeParts, HourSequences, sequenceKey } from '../src/sequence-runs.ts';

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
