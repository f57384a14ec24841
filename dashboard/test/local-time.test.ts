import { describe, expect, it } from 'vitest';
import { DashboardError } from '../src/server/errors.ts';
import { checkTimeZone, localBucket, localBuckets } from '../src/server/local-time.ts';

const HOUR = 3_600_000;

describe('time zones', () => {
  it('accepts UTC and IANA names the runtime knows, and refuses anything else', () => {
    expect(() => checkTimeZone('UTC')).not.toThrow();
    expect(() => checkTimeZone('Europe/Paris')).not.toThrow();
    for (const name of ['Mars/Olympus', 'europe/paris', '+02:00', 'Europe/Paris\u0000', '../etc/passwd'])
      expect(() => checkTimeZone(name), name).toThrow(DashboardError);
  });

  it('cuts days at local midnight', () => {
    // 2026-11-02 23:00 UTC is midnight on 3 November in Paris (UTC+1).
    const at = Date.UTC(2026, 10, 2, 23);
    expect(localBucket(at - HOUR, 'Europe/Paris', 'day')).toBe('2026-11-02');
    expect(localBucket(at, 'Europe/Paris', 'day')).toBe('2026-11-03');
    expect(localBucket(at, 'UTC', 'day')).toBe('2026-11-02');
    expect(localBucket(at, 'America/New_York', 'hour')).toBe('2026-11-02T18');
    expect(localBucket(at, 'Asia/Tokyo', 'month')).toBe('2026-11');
  });

  it('gives a local day of 23 or 25 hours across daylight saving changes', () => {
    // Paris leaves summer time on 25 October 2026.
    const from = Date.UTC(2026, 9, 24, 22);
    const hours = Array.from({ length: 26 }, (_, i) => localBucket(from + i * HOUR, 'Europe/Paris', 'day'));
    expect(hours.filter((day) => day === '2026-10-25')).toHaveLength(25);
    expect(localBuckets({ from, to: from + 26 * HOUR }, 'Europe/Paris', 'day')).toEqual([
      { name: '2026-10-25', start: from },
      { name: '2026-10-26', start: from + 25 * HOUR },
    ]);
  });

  it('refuses a zone that is not a whole number of hours off UTC: hourly rollups cannot be cut there', () => {
    expect(() =>
      localBuckets({ from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 2) }, 'Asia/Calcutta', 'day'),
    ).toThrow(/minutes off whole hours/);
  });
});
