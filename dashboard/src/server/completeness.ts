// Data completeness from sequence numbers: every tab of a session (a page
// load, named by its tab id) numbers its events 0, 1, 2, … without gaps, so
// the numbers seen in a range say how many events should be there. A sequence
// is one (session, tab) pair; events of SDKs from before tab ids have none,
// and their session is one sequence. Pure and streaming: it holds one
// sequence at a time, so memory is bounded by the longest, not by the range.
import type { CompletenessFigures, CompletenessReport } from '@eventline/contract/read-api';

/** One stored event, as far as completeness is concerned. */
export interface SequencedRow {
  site: string;
  sessionId: string;
  /** The tab that numbered the event; '' or absent for events without one (one sequence per session). */
  tabId?: string;
  seq: number;
  id: string;
}

export type { CompletenessFigures, CompletenessReport };
type GapExample = CompletenessReport['gapExamples'][number];
type ReusedSeqExample = CompletenessReport['reusedSeqExamples'][number];
/** Missing ranges listed per example session; `missing` still counts all of them. */
export const MAX_RANGES_PER_EXAMPLE = 20;
/** Reused numbers listed per example session; `reused` still counts all of them. */
export const MAX_SEQS_PER_EXAMPLE = 20;

/** The counted figures; `completeness` is derived from them. */
type Totals = Omit<CompletenessFigures, 'completeness'>;

const emptyTotals = (): Totals => ({
  sessions: 0,
  received: 0,
  expected: 0,
  missing: 0,
  duplicates: 0,
  reusedSeqs: 0,
  sessionsWithGaps: 0,
});

function figures(totals: Totals): CompletenessFigures {
  return {
    ...totals,
    completeness: totals.expected === 0 ? null : (totals.expected - totals.missing) / totals.expected,
  };
}

/** Inclusive ranges of the integers between the first and last of `sorted` (ascending, distinct) that it lacks; at most `max`. */
export function missingRanges(sorted: readonly number[], max: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let i = 1; i < sorted.length && ranges.length < max; i++) {
    const [previous, current] = [sorted[i - 1]!, sorted[i]!];
    if (current > previous + 1) ranges.push([previous + 1, current - 1]);
  }
  return ranges;
}

type SessionKey = { site: string; sessionId: string; tabId?: string };
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const bySession = (a: SessionKey, b: SessionKey) =>
  compare(a.site, b.site) || compare(a.sessionId, b.sessionId) || compare(a.tabId ?? '', b.tabId ?? '');

/** Keeps `list` (worst first by `weight`) at the `max` worst examples seen; on a tie for the last place, the one seen first stays. */
function keepWorst<T extends SessionKey>(list: T[], max: number, weight: (example: T) => number, example: T): void {
  const worst = list[list.length - 1];
  if (max === 0 || (worst && list.length >= max && weight(example) <= weight(worst))) return;
  list.push(example);
  list.sort((a, b) => weight(b) - weight(a) || bySession(a, b));
  if (list.length > max) list.pop();
}

export interface CompletenessTally {
  /** Adds one stored event. All rows of a sequence (session and tab) must arrive together, in any order within it. */
  add(row: SequencedRow): void;
  finish(): CompletenessReport;
}

export function createCompletenessTally(options: { maxExamples: number }): CompletenessTally {
  const total = emptyTotals();
  const sites = new Map<string, Totals>();
  const gapExamples: GapExample[] = [];
  const reusedSeqExamples: ReusedSeqExample[] = [];
  // idBySeq holds the first id seen with each number, so a second id with it is a reuse and a second copy of it is not.
  let current:
    | {
        site: string;
        sessionId: string;
        tabId: string;
        idBySeq: Map<number, string>;
        reused: Set<number>;
        ids: Set<string>;
        rows: number;
      }
    | undefined;

  function closeSession(): void {
    if (!current) return;
    const { site: siteName, sessionId, reused } = current;
    const tab = current.tabId ? { tabId: current.tabId } : {};
    const seqs = [...current.idBySeq.keys()].sort((a, b) => a - b);
    const [firstSeq, lastSeq] = [seqs[0]!, seqs[seqs.length - 1]!];
    const expected = lastSeq - firstSeq + 1;
    const missing = expected - seqs.length;
    const site = sites.get(siteName) ?? emptyTotals();
    sites.set(siteName, site);
    for (const totals of [total, site]) {
      totals.sessions += 1;
      totals.received += current.ids.size;
      totals.expected += expected;
      totals.missing += missing;
      totals.duplicates += current.rows - current.ids.size;
      totals.reusedSeqs += reused.size;
      if (missing > 0) totals.sessionsWithGaps += 1;
    }
    if (missing > 0)
      keepWorst(gapExamples, options.maxExamples, (e) => e.missing, {
        site: siteName,
        sessionId,
        ...tab,
        firstSeq,
        lastSeq,
        missing,
        ranges: missingRanges(seqs, MAX_RANGES_PER_EXAMPLE),
      });
    if (reused.size > 0) {
      const listed = [...reused].sort((a, b) => a - b).slice(0, MAX_SEQS_PER_EXAMPLE);
      keepWorst(reusedSeqExamples, options.maxExamples, (e) => e.reused, {
        site: siteName,
        sessionId,
        ...tab,
        reused: reused.size,
        seqs: listed,
      });
    }
    current = undefined;
  }

  return {
    add(row) {
      const tabId = row.tabId ?? '';
      if (current && (current.site !== row.site || current.sessionId !== row.sessionId || current.tabId !== tabId))
        closeSession();
      current ??= {
        site: row.site,
        sessionId: row.sessionId,
        tabId,
        idBySeq: new Map(),
        reused: new Set(),
        ids: new Set(),
        rows: 0,
      };
      const first = current.idBySeq.get(row.seq);
      if (first === undefined) current.idBySeq.set(row.seq, row.id);
      else if (first !== row.id) current.reused.add(row.seq);
      current.ids.add(row.id);
      current.rows += 1;
    },
    finish() {
      closeSession();
      return {
        total: figures(total),
        sites: [...sites]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([site, totals]) => ({ site, ...figures(totals) })),
        gapExamples,
        reusedSeqExamples,
      };
    },
  };
}
