import { describe, expect, it } from 'vitest';
import { SLOTS_PER_MS, fnv1a32, pointTimeNs, preferredSlot } from '../src/storage.ts';

describe('pointTimeNs', () => {
  it('is the event time in ms followed by the slot as six digits', () => {
    expect(pointTimeNs(1_764_000_000_123, 42)).toBe('1764000000123000042');
    expect(pointTimeNs(1_764_000_000_123, 999_999)).toBe('1764000000123999999');
    expect(pointTimeNs(7, 0)).toBe('7000000');
    expect(pointTimeNs(0, 5)).toBe('5');
  });

  it('agrees with exact integer arithmetic', () => {
    for (const [ms, slot] of [
      [1, 1],
      [9_223_372_036_853, 999_999],
      [1_700_000_000_000, 100_000],
    ] as const)
      expect(BigInt(pointTimeNs(ms, slot))).toBe(BigInt(ms) * 1_000_000n + BigInt(slot));
  });
});

describe('preferredSlot', () => {
  it('gives consecutive sequence numbers of one session consecutive, distinct slots', () => {
    const slots = Array.from({ length: 20_000 }, (_, seq) =>
      preferredSlot({ id: `e${seq}`, sessionId: 'sess-a', seq }),
    );
    expect(new Set(slots).size).toBe(20_000);
    expect(slots[1]).toBe((slots[0]! + 1) % SLOTS_PER_MS);
  });

  it('is the same for a resent event and stays within one millisecond', () => {
    const slot = preferredSlot({ id: 'e7', sessionId: 'sess-b', seq: 7 });
    expect(preferredSlot({ id: 'e7', sessionId: 'sess-b', seq: 7 })).toBe(slot);
    expect(preferredSlot({ id: 'e8', sessionId: 'sess-b', seq: 1_000_000_000 })).toBeLessThan(SLOTS_PER_MS);
  });

  it('asks by the id for an event outside any session', () => {
    expect(preferredSlot({ id: 'evt_0123456789abcdef' })).toBe(fnv1a32('evt_0123456789abcdef') % SLOTS_PER_MS);
  });

  it('matches the published FNV-1a test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
});
