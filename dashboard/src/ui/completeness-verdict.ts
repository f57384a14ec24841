// What a product manager should conclude from the completeness figures, in
// words: whether the counts in the range can be trusted, and in which
// direction they are off. The figures alone can look contradictory (numbers
// reused by two senders make received exceed expected while nothing is
// missing), so the page states the conclusion next to them. The same holds per
// chart bucket: buckets short of complete are marked, with what to conclude.
import type { BucketCompletenessResponse, CompletenessFigures } from './api.ts';
import { formatCount, percentComplete } from './format.ts';

export interface CompletenessVerdict {
  /** good: counts can be trusted; warn: some events are not stored; bad: some are stored twice; note: the expected count is unreliable. */
  tone: 'good' | 'warn' | 'bad' | 'note';
  headline: string;
  detail: string;
}

const events = (n: number) => `${formatCount(n)} event${n === 1 ? '' : 's'}`;
const sessions = (n: number) => `${formatCount(n)} session${n === 1 ? '' : 's'}`;

export function completenessVerdict(f: CompletenessFigures): CompletenessVerdict {
  const overlap =
    f.reusedSeqs > 0
      ? ` ${formatCount(f.reusedSeqs)} sequence number${f.reusedSeqs === 1 ? ' was' : 's were'} used by two different events ` +
        '(two senders numbered one page load, e.g. the SDK installed twice), so gaps hidden behind them cannot be seen.'
      : '';
  if (f.duplicates > 0)
    return {
      tone: 'bad',
      headline: `${events(f.duplicates)} stored twice`,
      detail: `Counts in this range are too high by up to ${events(f.duplicates)}. This should never happen: please report it.${overlap}`,
    };
  if (f.missing > 0)
    return {
      tone: 'warn',
      headline: `${events(f.missing)} missing (${percentComplete(f.completeness)} complete)`,
      detail:
        `Counts in this range may be low by up to ${events(f.missing)}, from ${sessions(f.sessionsWithGaps)} with gaps ` +
        `(blocked requests, tabs closed while offline, or an outage).${overlap}`,
    };
  if (f.reusedSeqs > 0)
    return {
      tone: 'note',
      headline: 'No missing events seen, but the numbering overlaps',
      detail:
        `${formatCount(f.received)} events arrived where the numbers call for ${formatCount(f.expected)}: nothing is known to be ` +
        `lost and nothing is stored twice.${overlap}`,
    };
  return {
    tone: 'good',
    headline: 'Complete',
    detail: `All ${events(f.expected)} that the sequence numbers call for are stored, none twice: counts in this range are exact.`,
  };
}

/** A bucket below this share of its expected events is marked on the chart. 99 % */
export const INCOMPLETE_BELOW = 0.99;

export interface ChartCompleteness {
  /** Per chart bucket (aligned with the series' buckets): received / expected, or null when unknown or nothing expected. */
  ratios: (number | null)[];
  /** Indexes of the buckets below INCOMPLETE_BELOW. */
  incomplete: number[];
  /** Events known to be missing in the marked buckets. */
  missing: number;
}

/** Completeness aligned with a chart's `buckets`; buckets the answer does not cover are unknown. */
export function chartCompleteness(
  buckets: readonly string[],
  answer: BucketCompletenessResponse | undefined,
): ChartCompleteness {
  const byBucket = new Map((answer?.buckets ?? []).map((b) => [b.bucket, b]));
  const ratios = buckets.map((bucket) => byBucket.get(bucket)?.completeness ?? null);
  const incomplete = ratios.flatMap((ratio, i) => (ratio !== null && ratio < INCOMPLETE_BELOW ? [i] : []));
  const missing = incomplete.reduce((sum, i) => sum + (byBucket.get(buckets[i]!)?.missing ?? 0), 0);
  return { ratios, incomplete, missing };
}

/** What the shaded buckets mean for the figures, in words; undefined when none is shaded. */
export function chartCompletenessNote(chart: ChartCompleteness, interval: string): string | undefined {
  const count = chart.incomplete.length;
  if (count === 0) return undefined;
  const lowest = Math.min(...chart.incomplete.map((i) => chart.ratios[i] ?? 1));
  return (
    `Shaded: ${formatCount(count)} ${interval}${count === 1 ? '' : 's'} where ${events(chart.missing)} never arrived ` +
    `(lowest ${percentComplete(lowest)} complete). Figures there are too low: a dip in a shaded ${interval} is lost ` +
    'data (blocked requests, tabs closed offline, an outage), not fewer people.'
  );
}
