import { describe, expect, it } from 'vitest';
import {
  autoInterval,
  chooseInterval,
  fluxDurationText,
  parseTime,
  RANGE_LIMITS,
  resolveRange,
} from '../src/server/time-range.ts';

const NOW = Date.UTC(2026, 10, 25, 8, 0, 0);

describe('time range', () => {
  it('reads ISO-8601 with a zone, `now` and relative presets', () => {
    expect(parseTime('2026-11-25T07:00:00Z', NOW, 'from')).toBe(Date.UTC(2026, 10, 25, 7));
    expect(parseTime('2026-11-25T09:00:00.5+02:00', NOW, 'from')).toBe(Date.UTC(2026, 10, 25, 7, 0, 0, 500));
    expect(parseTime('now', NOW, 'to')).toBe(NOW);
    expect(parseTime('-15m', NOW, 'from')).toBe(NOW - 15 * 60_000);
    expect(parseTime('-7d', NOW, 'from')).toBe(NOW - 7 * 86_400_000);
  });

  it('rejects times without a zone, garbage and impossible dates', () => {
    for (const text of ['2026-11-25T07:00:00', 'yesterday', '-1y', '2026-13-45T00:00:00Z', '1700000000000']) {
      expect(() => parseTime(text, NOW, 'from'), text).toThrow(
        expect.objectContaining({ code: 'DASHBOARD_INVALID_TIME' }),
      );
    }
  });

  it('rejects dates and times that Date.parse would roll over into another day', () => {
    // Date.parse accepts each of these as another instant: 2026-02-30 is March 2, T24:00 the next midnight.
    const rolledOver = [
      '2026-02-30T00:00:00Z',
      '2026-02-29',
      '2026-04-31T12:00:00Z',
      '2026-11-25T24:00:00Z',
      '2026-02-28T24:00Z',
    ];
    const outOfRange = [
      '2026-11-25T07:60:00Z',
      '2026-11-25T07:00:60Z',
      '2026-11-25T07:00:00+24:00',
      '2026-11-25T07:00:00+01:60',
      '2026-00-10T00:00:00Z',
      '2026-01-00',
    ];
    for (const text of rolledOver) expect(Number.isFinite(Date.parse(text)), text).toBe(true);
    for (const text of [...rolledOver, ...outOfRange]) {
      expect(() => parseTime(text, NOW, 'from'), text).toThrow(
        expect.objectContaining({ code: 'DASHBOARD_INVALID_TIME', message: expect.stringContaining(text) }),
      );
    }
    expect(parseTime('2028-02-29T00:00:00Z', NOW, 'from')).toBe(Date.UTC(2028, 1, 29));
    expect(parseTime('2026-12-31T23:59:59.999Z', NOW, 'to')).toBe(Date.UTC(2026, 11, 31, 23, 59, 59, 999));
    expect(parseTime('2026-11-25T08:30:00+0130', NOW, 'from')).toBe(Date.UTC(2026, 10, 25, 7));
  });

  it('defaults to the last hour and requires from < to within the longest range', () => {
    expect(resolveRange({}, NOW)).toEqual({ from: NOW - 3_600_000, to: NOW });
    expect(() => resolveRange({ from: 'now', to: 'now' }, NOW)).toThrow(
      expect.objectContaining({ code: 'DASHBOARD_INVALID_RANGE' }),
    );
    expect(() => resolveRange({ from: '-32d' }, NOW)).toThrow(
      expect.objectContaining({ code: 'DASHBOARD_RANGE_TOO_LARGE' }),
    );
    expect(resolveRange({ from: '-31d' }, NOW).from).toBe(NOW - RANGE_LIMITS.maxRangeMs);
  });

  it('picks round intervals that keep a chart near its target bucket count', () => {
    expect(autoInterval({ from: 0, to: 15 * 60_000 })).toBe(15_000);
    expect(autoInterval({ from: 0, to: 3_600_000 })).toBe(60_000);
    expect(autoInterval({ from: 0, to: 86_400_000 })).toBe(30 * 60_000);
    expect(autoInterval({ from: 0, to: 7 * 86_400_000 })).toBe(3 * 3_600_000);
    for (const span of [1_000, 60_000, 3_600_000, 86_400_000, RANGE_LIMITS.maxRangeMs]) {
      expect(span / autoInterval({ from: 0, to: span })).toBeLessThanOrEqual(RANGE_LIMITS.targetBuckets);
    }
  });

  it('accepts a requested interval unless it makes too many buckets', () => {
    expect(chooseInterval({ from: 0, to: 3_600_000 }, '5m')).toBe(300_000);
    expect(() => chooseInterval({ from: 0, to: 86_400_000 }, '1s')).toThrow(
      expect.objectContaining({ code: 'DASHBOARD_TOO_MANY_BUCKETS' }),
    );
    expect(() => chooseInterval({ from: 0, to: 3_600_000 }, '0m')).toThrow(
      expect.objectContaining({ code: 'DASHBOARD_INVALID_QUERY' }),
    );
    expect(fluxDurationText(90_000)).toBe('90s');
  });
});
