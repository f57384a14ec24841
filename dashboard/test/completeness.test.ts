import { describe, expect, it } from 'vitest';
import {
  createCompletenessTally,
  MAX_RANGES_PER_EXAMPLE,
  MAX_SEQS_PER_EXAMPLE,
  missingRanges,
  type SequencedRow,
} from '../src/server/completeness.ts';

const session = (site: string, sessionId: string, seqs: number[]): SequencedRow[] =>
  seqs.map((seq) => ({ site, sessionId, seq, id: `${sessionId}-${seq}` }));
const tally = (rows: SequencedRow[], maxExamples = 10) => {
  const t = createCompletenessTally({ maxExamples });
  rows.forEach(t.add);
  return t.finish();
};

describe('missing sequence ranges', () => {
  it('lists each hole between the first and last number as an inclusive range', () => {
    expect(missingRanges([0, 1, 4, 5, 7, 10], 10)).toEqual([
      [2, 3],
      [6, 6],
      [8, 9],
    ]);
    expect(missingRanges([3, 4, 5], 10)).toEqual([]);
    expect(missingRanges([2], 10)).toEqual([]);
    expect(missingRanges([0, 2, 4, 6], 2)).toEqual([
      [1, 1],
      [3, 3],
    ]);
  });
});

describe('completeness tally', () => {
  it('counts a gapless session as complete', () => {
    const report = tally(session('shop', 'a', [0, 1, 2, 3]));
    expect(report.total).toEqual({
      sessions: 1,
      received: 4,
      expected: 4,
      missing: 0,
      duplicates: 0,
      reusedSeqs: 0,
      sessionsWithGaps: 0,
      completeness: 1,
    });
    expect(report.gapExamples).toEqual([]);
  });

  it('counts each tab of a session as its own sequence numbered from 0, not as reused numbers', () => {
    const tab = (tabId: string, seqs: number[]): SequencedRow[] =>
      seqs.map((seq) => ({ site: 'shop', sessionId: 's', tabId, seq, id: `${tabId}-${seq}` }));
    const report = tally([...tab('a', [0, 1, 2]), ...tab('b', [0, 1, 3])]);
    expect(report.total).toMatchObject({
      sessions: 2,
      received: 6,
      expected: 7,
      missing: 1,
      reusedSeqs: 0,
      sessionsWithGaps: 1,
    });
    expect(report.gapExamples).toEqual([
      { site: 'shop', sessionId: 's', tabId: 'b', firstSeq: 0, lastSeq: 3, missing: 1, ranges: [[2, 2]] },
    ]);
  });

  it('expects only from the lowest number seen, so a session that started before the range has no gap', () => {
    expect(tally(session('shop', 'a', [40, 41, 42])).total).toMatchObject({
      received: 3,
      expected: 3,
      missing: 0,
      completeness: 1,
    });
  });

  it('counts holes in the middle of a session and lists them', () => {
    const report = tally(session('shop', 'a', [0, 1, 5, 6, 8]));
    expect(report.total).toMatchObject({
      received: 5,
      expected: 9,
      missing: 4,
      sessionsWithGaps: 1,
      completeness: 5 / 9,
    });
    expect(report.gapExamples).toEqual([
      {
        site: 'shop',
        sessionId: 'a',
        firstSeq: 0,
        lastSeq: 8,
        missing: 4,
        ranges: [
          [2, 4],
          [7, 7],
        ],
      },
    ]);
  });

  it('counts an id stored twice as one received event and one duplicate, not as a gap', () => {
    const rows = session('shop', 'a', [0, 1, 2]);
    const report = tally([rows[0]!, rows[1]!, rows[1]!, rows[2]!]);
    expect(report.total).toMatchObject({ received: 3, expected: 3, missing: 0, duplicates: 1, completeness: 1 });
  });

  it('counts a sequence number carried by two different ids as reused, apart from duplicates and gaps', () => {
    const rows = session('shop', 'a', [0, 1, 2, 3]);
    // Another sender numbered the same session: its events 1 and 2 collide with this one's.
    const other = [
      { ...rows[1]!, id: 'other-1' },
      { ...rows[2]!, id: 'other-2' },
    ];
    const report = tally([rows[0]!, rows[1]!, other[0]!, rows[2]!, other[1]!, other[1]!, rows[3]!]);
    expect(report.total).toEqual({
      sessions: 1,
      received: 6,
      expected: 4,
      missing: 0,
      duplicates: 1,
      reusedSeqs: 2,
      sessionsWithGaps: 0,
      completeness: 1,
    });
    expect(report.reusedSeqExamples).toEqual([{ site: 'shop', sessionId: 'a', reused: 2, seqs: [1, 2] }]);
    expect(report.gapExamples).toEqual([]);
  });

  it('does not count an id stored twice as a reused number', () => {
    const rows = session('shop', 'a', [0, 1]);
    const report = tally([rows[0]!, rows[0]!, rows[1]!]);
    expect(report.total).toMatchObject({ duplicates: 1, reusedSeqs: 0 });
    expect(report.reusedSeqExamples).toEqual([]);
  });

  it('keeps the sessions with the most reused numbers as examples, listing a bounded number of them', () => {
    const reusing = (sessionId: string, seqs: number[]) => [
      ...session('s', sessionId, seqs),
      ...seqs.map((seq) => ({ site: 's', sessionId, seq, id: `${sessionId}-again-${seq}` })),
    ];
    const many = Array.from({ length: 30 }, (_, i) => i);
    const report = tally([...reusing('one', [0]), ...reusing('many', many), ...reusing('two', [0, 1])], 2);
    expect(report.reusedSeqExamples.map((e) => [e.sessionId, e.reused])).toEqual([
      ['many', 30],
      ['two', 2],
    ]);
    expect(report.reusedSeqExamples[0]!.seqs).toEqual(many.slice(0, MAX_SEQS_PER_EXAMPLE));
    expect(report.total.reusedSeqs).toBe(33);
    expect(tally(reusing('one', [0]), 0).reusedSeqExamples).toEqual([]);
  });

  it('does not depend on the order of rows within a session', () => {
    expect(tally(session('shop', 'a', [5, 0, 3, 1])).total).toMatchObject({ expected: 6, missing: 2 });
  });

  it('adds up per site and overall', () => {
    const report = tally([
      ...session('blog', 'x', [0, 2]),
      ...session('shop', 'a', [0, 1]),
      ...session('shop', 'b', [3, 4, 6]),
    ]);
    expect(report.sites).toEqual([
      {
        site: 'blog',
        sessions: 1,
        received: 2,
        expected: 3,
        missing: 1,
        duplicates: 0,
        reusedSeqs: 0,
        sessionsWithGaps: 1,
        completeness: 2 / 3,
      },
      {
        site: 'shop',
        sessions: 2,
        received: 5,
        expected: 6,
        missing: 1,
        duplicates: 0,
        reusedSeqs: 0,
        sessionsWithGaps: 1,
        completeness: 5 / 6,
      },
    ]);
    expect(report.total).toMatchObject({ sessions: 3, received: 7, expected: 9, missing: 2, sessionsWithGaps: 2 });
  });

  it('keeps the sessions with the most missing events as examples, most first', () => {
    const rows = [
      ...session('s', 'one', [0, 2]),
      ...session('s', 'three', [0, 4]),
      ...session('s', 'two', [0, 3]),
      ...session('s', 'none', [0, 1]),
    ];
    expect(tally(rows, 2).gapExamples.map((e) => [e.sessionId, e.missing])).toEqual([
      ['three', 3],
      ['two', 2],
    ]);
    expect(tally(rows, 0).gapExamples).toEqual([]);
    expect(tally(rows, 0).total.sessionsWithGaps).toBe(3);
  });

  it('lists a bounded number of ranges per example but counts every missing event', () => {
    const seqs = Array.from({ length: 100 }, (_, i) => i * 2);
    const [example] = tally(session('s', 'a', seqs)).gapExamples;
    expect(example!.ranges).toHaveLength(MAX_RANGES_PER_EXAMPLE);
    expect(example!.missing).toBe(99);
  });

  it('reports no ratio when nothing is in the range', () => {
    expect(tally([]).total).toEqual({
      sessions: 0,
      received: 0,
      expected: 0,
      missing: 0,
      duplicates: 0,
      reusedSeqs: 0,
      sessionsWithGaps: 0,
      completeness: null,
    });
  });
});
