import { describe, expect, it } from 'vitest';
import {
  findZoneChoices,
  DEFAULT_ANALYZE,
  effectiveZone,
  isWholeHourZone,
  parseAnalyze,
  rawPeriod,
  resolvePeriod,
  writeAnalyze,
} from '../src/ui/analyze-state.ts';
import { localBucketOf } from '@eventline/contract/local-time';
import { formatChange } from '../src/ui/format-v2.ts';

const NOW = Date.parse('2026-11-18T23:30:00Z');

describe('the Analyze view in the URL', () => {
  it('round-trips a full view: period, zone, comparison, metric, chips and steps', () => {
    const search =
      '?range=custom&start=2026-11-02&end=2026-11-03&tz=Europe%2FParis&compare=year&metric=pageviews' +
      '&filter=device%3Amobile&filter=path%3A%2Fa%3Ab&step=pageview%3A%2F&step=click%3ABuy+now&element=Buy+now';
    const state = parseAnalyze(search);
    expect(state).toEqual({
      range: 'custom',
      start: '2026-11-02',
      end: '2026-11-03',
      tz: 'Europe/Paris',
      compare: 'year',
      metric: 'pageviews',
      chips: ['device:mobile', 'path:/a:b'],
      steps: ['pageview:/', 'click:Buy now'],
      element: 'Buy now',
    });
    const params = new URLSearchParams();
    writeAnalyze(state, params);
    expect(parseAnalyze(`?${params}`)).toEqual(state);
  });

  it('falls back to defaults for what it does not understand and writes nothing for them', () => {
    const state = parseAnalyze('?range=forever&metric=money&filter=colour:red&filter=device:&step=hover:x&tz=<b>');
    expect(state).toEqual(DEFAULT_ANALYZE);
    const params = new URLSearchParams();
    writeAnalyze(state, params);
    expect(params.toString()).toBe('');
    expect(parseAnalyze('?range=custom&start=2026-11-05&end=2026-11-01').range).toBe(DEFAULT_ANALYZE.range);
  });
});

describe('periods in a time zone', () => {
  it('cuts days at the zone’s midnight', () => {
    // 23:30 UTC on the 18th is already the 19th in Paris.
    expect(resolvePeriod({ range: 'today', start: '', end: '' }, 'Europe/Paris', NOW)).toEqual({
      from: '2026-11-18T23:00:00.000Z',
      to: '2026-11-19T23:00:00.000Z',
      firstDay: '2026-11-19',
      lastDay: '2026-11-19',
    });
    expect(resolvePeriod({ range: 'yesterday', start: '', end: '' }, 'UTC', NOW).firstDay).toBe('2026-11-17');
    expect(resolvePeriod({ range: '7d', start: '', end: '' }, 'UTC', NOW)).toMatchObject({
      firstDay: '2026-11-12',
      lastDay: '2026-11-18',
    });
    expect(resolvePeriod({ range: 'lastmonth', start: '', end: '' }, 'America/New_York', NOW)).toEqual({
      from: '2026-10-01T04:00:00.000Z',
      to: '2026-11-01T04:00:00.000Z',
      firstDay: '2026-10-01',
      lastDay: '2026-10-31',
    });
    const year = resolvePeriod({ range: '12mo', start: '', end: '' }, 'UTC', NOW);
    expect([year.firstDay, year.lastDay]).toEqual(['2025-12-01', '2026-11-30']);
    expect(rawPeriod(year)).toEqual({ from: '2026-10-31T00:00:00.000Z', to: year.to });
  });

  it('accepts only zones a whole number of hours off UTC, and says so when the browser’s is not', () => {
    expect(isWholeHourZone('Europe/Paris')).toBe(true);
    expect(isWholeHourZone('Asia/Kolkata')).toBe(false);
    expect(isWholeHourZone('Not/AZone')).toBe(false);
    expect(effectiveZone('Asia/Kathmandu')).toMatchObject({
      zone: 'UTC',
      note: expect.stringContaining('Asia/Kathmandu'),
    });
    expect(effectiveZone('Asia/Tokyo')).toEqual({ zone: 'Asia/Tokyo' });
  });

  it('finds the local bucket of an instant as the API names it', () => {
    expect(localBucketOf(NOW, 'Europe/Paris', 'day')).toBe('2026-11-19');
    expect(localBucketOf(NOW, 'UTC', 'hour')).toBe('2026-11-18T23');
    expect(localBucketOf(NOW, 'UTC', 'month')).toBe('2026-11');
  });

  it('signs changes and calls a change from nothing new', () => {
    expect(formatChange(3)).toMatch(/^\+300\s?%$/);
    expect(formatChange(null)).toBe('new');
  });
});

describe('zones to offer', () => {
  it('lists the whole-hour zones a slice at a time, and a cancelled search never answers', async () => {
    const zones = await new Promise<string[]>((resolve) => findZoneChoices(resolve));
    expect(zones[0]).toBe('UTC');
    expect(zones).toContain('Europe/Paris');
    expect(zones).toContain('America/New_York');
    expect(zones).not.toContain('Asia/Kolkata');
    expect(zones).not.toContain('Asia/Kathmandu');
    let answered = false;
    findZoneChoices(() => (answered = true))();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
  });
});
