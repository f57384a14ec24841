import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, isoToNs, nsToIso } from '../src/server/cursor.ts';

describe('cursor', () => {
  it('round-trips a nanosecond position and an id', () => {
    const cursor = { timeNs: 1_795_593_509_896_000_123n, id: 'evt_abc-DEF_123456' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('rejects anything that is not a cursor it made', () => {
    for (const text of [
      'nonsense',
      Buffer.from('["12x","a"]').toString('base64url'),
      Buffer.from('{"t":1}').toString('base64url'),
      '',
    ]) {
      expect(() => decodeCursor(text)).toThrow(expect.objectContaining({ code: 'DASHBOARD_INVALID_CURSOR' }));
    }
  });

  it('converts RFC 3339 times with any precision to nanoseconds and back', () => {
    expect(isoToNs('2026-11-25T07:58:28.896000123Z')).toBe(1_795_593_508_896_000_123n);
    expect(isoToNs('2026-11-25T07:58:28Z')).toBe(1_795_593_508_000_000_000n);
    expect(isoToNs('2026-11-25T07:58:28.5Z')).toBe(1_795_593_508_500_000_000n);
    expect(nsToIso(1_795_593_508_896_000_123n)).toBe('2026-11-25T07:58:28.896000123Z');
    expect(nsToIso(isoToNs('1970-01-01T00:00:00.000000001Z'))).toBe('1970-01-01T00:00:00.000000001Z');
  });
});
