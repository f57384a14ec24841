import { describe, expect, it } from 'vitest';
import { fnv1a32, pointTimeNs } from '../src/storage.ts';

describe('pointTimeNs', () => {
  it('is the event time in ms plus a sub-millisecond offset derived from the id', () => {
    const ns = BigInt(pointTimeNs({ eventTime: 1_764_000_000_123, event: { id: 'evt_0123456789abcdef' } }));
    expect(ns / 1_000_000n).toBe(1_764_000_000_123n);
    expect(ns % 1_000_000n).toBe(BigInt(fnv1a32('evt_0123456789abcdef') % 1_000_000));
  });

  it('is deterministic and separates different ids in the same millisecond', () => {
    const a = pointTimeNs({ eventTime: 5, event: { id: 'aaaaaaaaaaaaaaaa1' } });
    expect(pointTimeNs({ eventTime: 5, event: { id: 'aaaaaaaaaaaaaaaa1' } })).toBe(a);
    expect(pointTimeNs({ eventTime: 5, event: { id: 'aaaaaaaaaaaaaaaa2' } })).not.toBe(a);
  });

  it('matches the published FNV-1a test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
});
