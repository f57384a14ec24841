// What a product manager should conclude from the completeness figures, in
// words: whether the counts in the range can be trusted, and in which
// direction they are off. The figures alone can look contradictory (numbers
// reused by two senders make received exceed expected while nothing is
// missing), so the page states the conclusion next to them.
import type { CompletenessFigures } from './api.ts';
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
