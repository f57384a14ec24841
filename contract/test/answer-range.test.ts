import { describe, expect, it } from 'vitest';
import { comparisonRange, defaultInterval, wholeHours } from '../src/answer-range.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string) => Date.parse(iso);

describe('answer ranges', () => {
  it('widens a range to whole hours and leaves whole hours alone', () => {
    expect(wholeHours({ from: at('2026-03-01T10:30:00Z'), to: at('2026-03-01T12:00:00.001Z') })).toEqual({
      from: at('2026-03-01T10:00:00Z'),
      to: at('2026-03-01T13:00:00Z'),
    });
    const whole = { from: at('2026-03-01T10:00:00Z'), to: at('2026-03-02T00:00:00Z') };
    expect(wholeHours(whole)).toEqual(whole);
  });

  it('chooses hours up to 2 days, days up to 92 days and months beyond', () => {
    const span = (ms: number) => defaultInterval({ from: 0, to: ms });
    expect([span(2 * DAY), span(2 * DAY + HOUR), span(92 * DAY), span(92 * DAY + HOUR)]).toEqual([
      'hour',
      'day',
      'day',
      'month',
    ]);
  });

  it('compares with the period just before, as long', () => {
    const range = { from: at('2026-03-08T00:00:00Z'), to: at('2026-03-15T00:00:00Z') };
    expect(comparisonRange(range, 'previous')).toEqual({ from: at('2026-03-01T00:00:00Z'), to: range.from });
  });

  it('compares with the same dates a year earlier, 29 February falling back to 1 March', () => {
    const range = { from: at('2028-02-29T00:00:00Z'), to: at('2028-03-02T00:00:00Z') };
    expect(comparisonRange(range, 'year')).toEqual({
      from: at('2027-03-01T00:00:00Z'),
      to: at('2027-03-02T00:00:00Z'),
    });
  });
});
