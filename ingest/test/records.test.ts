import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toRecords } from '../src/kafka/records.ts';

const headers = { h: '1' };
const event = (key: string, n: number, pad = 0) => ({ key, value: JSON.stringify({ n, pad: 'x'.repeat(pad) }) });

describe('toRecords', () => {
  it('writes one record per visitor, its events as a JSON array in request order', () => {
    const records = toRecords([event('a', 0), event('b', 1), event('a', 2)], headers);
    expect(records.map((r) => [r.key, JSON.parse(r.value).map((e: { n: number }) => e.n)])).toEqual([
      ['a', [0, 2]],
      ['b', [1]],
    ]);
    expect(records[0]!.headers).toBe(headers);
  });

  it('splits a visitor at the size bound, keeping order, and never leaves an event out', () => {
    const events = Array.from({ length: 10 }, (_, i) => event('a', i, 100));
    const records = toRecords(events, headers, 350);
    expect(records.length).toBeGreaterThan(3);
    for (const record of records) expect(Buffer.byteLength(record.value)).toBeLessThanOrEqual(350);
    expect(records.flatMap((r) => JSON.parse(r.value).map((e: { n: number }) => e.n))).toEqual([...Array(10).keys()]);
  });

  it('puts an event larger than the bound in a record of its own rather than dropping it', () => {
    const records = toRecords([event('a', 0, 500), event('a', 1)], headers, 100);
    expect(records.map((r) => JSON.parse(r.value).length)).toEqual([1, 1]);
  });

  it('keeps every record within the bound in UTF-8 bytes, whatever the characters, in request order', () => {
    const text = fc.array(fc.constantFrom('a', 'é', '€', '😀', '"'), { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b'), text), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 60, max: 600 }),
        (pairs, maxBytes) => {
          const events = pairs.map(([key, t], n) => ({ key, value: JSON.stringify({ n, t }) }));
          const records = toRecords(events, headers, maxBytes);
          for (const record of records) {
            const count = JSON.parse(record.value).length;
            if (count > 1) expect(Buffer.byteLength(record.value)).toBeLessThanOrEqual(maxBytes);
          }
          for (const key of ['a', 'b']) {
            const sent = records
              .filter((r) => r.key === key)
              .flatMap((r) => JSON.parse(r.value).map((e: { n: number }) => e.n));
            expect(sent).toEqual(events.flatMap((e, n) => (e.key === key ? [n] : [])));
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
