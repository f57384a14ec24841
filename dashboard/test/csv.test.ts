import { describe, expect, it } from 'vitest';
import { csvCell, csvHeader, csvRow, CSV_COLUMNS } from '../src/server/csv.ts';

describe('CSV export', () => {
  it('quotes separators, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
  });

  it('defuses cells a spreadsheet would evaluate as formulas, but not numbers', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+SUM(A1)')).toBe("'+SUM(A1)");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell(-2)).toBe('-2');
  });

  it('writes one line per event with the header columns', () => {
    expect(csvHeader().trimEnd().split(',')).toEqual(CSV_COLUMNS.map(([name]) => name));
    const row = csvRow({
      id: 'e1',
      time: '2026-01-01T00:00:00.000000001Z',
      type: 'click',
      site: 'demo',
      name: 'click',
      page: { path: '/' },
      element: { tag: 'button', selector: '#b', text: 'Hi, you' },
      userAgent: {},
    });
    expect(row.endsWith('\r\n')).toBe(true);
    expect(row.trimEnd().split(',').length).toBe(CSV_COLUMNS.length + 1);
    expect(row).toContain('"Hi, you"');
  });

  it('exports the tab, a link target and the engagement of a page leave in their columns', () => {
    const cells = csvRow({
      id: 'e2',
      time: '2026-01-01T00:00:00.000000001Z',
      type: 'pageleave',
      site: 'demo',
      name: 'pageleave',
      tabId: 'tab-1',
      page: { path: '/' },
      engagement: { engagedMs: 8200, scrollDepth: 75 },
      userAgent: {},
    })
      .trimEnd()
      .split(',');
    const column = (name: string): string | undefined => cells[CSV_COLUMNS.findIndex(([n]) => n === name)];
    expect([column('tab_id'), column('engaged_ms'), column('scroll_depth')]).toEqual(['tab-1', '8200', '75']);
    const link = csvRow({
      id: 'e3',
      time: '2026-01-01T00:00:00.000000001Z',
      type: 'click',
      site: 'demo',
      name: 'click',
      page: { path: '/' },
      element: { tag: 'a', selector: '#out', href: 'https://elsewhere.example/x' },
      userAgent: {},
    });
    expect(link).toContain(',https://elsewhere.example/x,');
  });
});
