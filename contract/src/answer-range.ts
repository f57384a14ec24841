// The ranges of the read API v2's answers, worked out alike by the server,
// which answers for them, and the UI, which asks for a chart's comparison,
// bots and completeness at once instead of waiting for the server to name them.
// Plain arithmetic, no schema library.
import type { LocalInterval } from './local-time.ts';

export interface AnswerRange {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
}

export const COMPARISONS = ['previous', 'year'] as const;
export type Comparison = (typeof COMPARISONS)[number];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Answers come from hourly rollups: a range widens to whole hours. */
export function wholeHours(range: AnswerRange): AnswerRange {
  return { from: Math.floor(range.from / HOUR_MS) * HOUR_MS, to: Math.ceil(range.to / HOUR_MS) * HOUR_MS };
}

/** Hour buckets up to 2 days, days up to 92 days, months beyond. */
export function defaultInterval(range: AnswerRange): LocalInterval {
  const span = range.to - range.from;
  return span <= 2 * DAY_MS ? 'hour' : span <= 92 * DAY_MS ? 'day' : 'month';
}

/** The same range a year earlier, by calendar (29 February falls back to 1 March). */
function yearBefore(range: AnswerRange): AnswerRange {
  const shift = (ms: number) => {
    const date = new Date(ms);
    date.setUTCFullYear(date.getUTCFullYear() - 1);
    return date.getTime();
  };
  return { from: shift(range.from), to: shift(range.to) };
}

/** What a range is compared with: the period just before it, as long, or the same range a year earlier. */
export function comparisonRange(range: AnswerRange, compare: Comparison): AnswerRange {
  return compare === 'year' ? yearBefore(range) : { from: 2 * range.from - range.to, to: range.from };
}
