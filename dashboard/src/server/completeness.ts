// Data completeness from sequence numbers: every session numbers its events
// 0, 1, 2, … without gaps, so the numbers seen in a range say how many events
// should be there. Pure and streaming: it holds one session at a time, so
// memory is bounded by the largest session, not by the range.

/** One stored event, as far as completeness is concerned. */
export interface SequencedRow {
  site: string;
  sessionId: string;
  seq: number;
  id: string;
}

export interface CompletenessFigures {
  /** Distinct sessions with at least one event in the range. */
  sessions: number;
  /** Distinct event ids received. */
  received: number;
  /** Events the sequence numbers call for: per session, max(seq) − min(seq) + 1 of the numbers seen in the range. */
  expected: number;
  /** Sequence numbers between a session's first and last seen that are not stored. */
  missing: number;
  /** Stored copies beyond the first of an event id (the same id at different point times); must be 0. */
  duplicates: number;
  sessionsWithGaps: number;
  /** (expected − missing) / expected, 1 when complete; null when there is nothing to expect. */
  completeness: number | null;
}

export interface SiteCompleteness extends CompletenessFigures {
  site: string;
}

export interface GapExample {
  site: string;
  sessionId: string;
  /** Lowest and highest sequence numbers seen in the range. */
  firstSeq: number;
  lastSeq: number;
  missing: number;
  /** Missing sequence numbers as inclusive [from, to] ranges, lowest first, at most MAX_RANGES_PER_EXAMPLE. */
  ranges: [number, number][];
}

export interface CompletenessReport {
  total: CompletenessFigures;
  /** One entry per site, by site name. */
  sites: SiteCompleteness[];
  /** Sessions with the most missing events, most first (on a tie for the last place, the one seen first stays). */
  gapExamples: GapExample[];
}

/** Missing ranges listed per example session; `missing` still counts all of them. */
export const MAX_RANGES_PER_EXAMPLE = 20;

/** The counted figures; `completeness` is derived from them. */
type Totals = Omit<CompletenessFigures, 'completeness'>;

const emptyTotals = (): Totals => ({ sessions: 0, received: 0, expected: 0, missing: 0, duplicates: 0, sessionsWithGaps: 0 });

function figures(totals: Totals): CompletenessFigures {
  return { ...totals, completeness: totals.expected === 0 ? null : (totals.expected - totals.missing) / totals.expected };
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

const byWorstGap = (a: GapExample, b: GapExample) => b.missing - a.missing || (a.site < b.site ? -1 : a.site > b.site ? 1 : a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0);

export interface CompletenessTally {
  /** Adds one stored event. All rows of a session must arrive together (in any order within the session). */
  add(row: SequencedRow): void;
  finish(): CompletenessReport;
}

export function createCompletenessTally(options: { maxExamples: number }): CompletenessTally {
  const total = emptyTotals();
  const sites = new Map<string, Totals>();
  const examples: GapExample[] = [];
  let current: { site: string; sessionId: string; seqs: Set<number>; ids: Set<string>; rows: number } | undefined;

  function closeSession(): void {
    if (!current) return;
    const seqs = [...current.seqs].sort((a, b) => a - b);
    const [firstSeq, lastSeq] = [seqs[0]!, seqs[seqs.length - 1]!];
    const expected = lastSeq - firstSeq + 1;
    const missing = expected - seqs.length;
    const site = sites.get(current.site) ?? emptyTotals();
    sites.set(current.site, site);
    for (const totals of [total, site]) {
      totals.sessions += 1;
      totals.received += current.ids.size;
      totals.expected += expected;
      totals.missing += missing;
      totals.duplicates += current.rows - current.ids.size;
      if (missing > 0) totals.sessionsWithGaps += 1;
    }
    if (missing > 0 && options.maxExamples > 0) {
      const worst = examples[examples.length - 1];
      if (examples.length < options.maxExamples || (worst && missing > worst.missing)) {
        examples.push({ site: current.site, sessionId: current.sessionId, firstSeq, lastSeq, missing, ranges: missingRanges(seqs, MAX_RANGES_PER_EXAMPLE) });
        examples.sort(byWorstGap);
        if (examples.length > options.maxExamples) examples.pop();
      }
    }
    current = undefined;
  }

  return {
    add(row) {
      if (current && (current.site !== row.site || current.sessionId !== row.sessionId)) closeSession();
      current ??= { site: row.site, sessionId: row.sessionId, seqs: new Set(), ids: new Set(), rows: 0 };
      current.seqs.add(row.seq);
      current.ids.add(row.id);
      current.rows += 1;
    },
    finish() {
      closeSession();
      return {
        total: figures(total),
        sites: [...sites].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([site, totals]) => ({ site, ...figures(totals) })),
        gapExamples: examples,
      };
    },
  };
}
