import { describe, expect, it } from 'vitest';
import {
  eventsSpanQuery,
  positionsQuery,
  sequencedRowsQuery,
  timeseriesQuery,
  topQuery,
} from '../src/server/queries.ts';

const filter = { range: { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 2) }, types: ['click'], site: 'demo' };
const HOSTILE = '") |> drop(columns: ["_value"])\n${x} \\';

describe('Flux queries', () => {
  it('keeps hostile search text inside one escaped string literal', () => {
    const query = positionsQuery('db/rp', { ...filter, q: HOSTILE }, 10).toString();
    expect(query).toContain('substr: "\\") |> drop(columns: [\\"_value\\"])\\n\\${x} \\\\"');
    expect(query).not.toContain('|> drop(columns: ["_value"])');
  });

  it('escapes bucket, site and cursor id the same way', () => {
    const query = positionsQuery('a"b', { ...filter, site: 'x" or true or "' }, 5, {
      timeNs: 1n,
      id: 'i"d',
    }).toString();
    expect(query).toContain('from(bucket: "a\\"b")');
    expect(query).toContain('r["site"] == "x\\" or true or \\""');
    expect(query).toContain('r._value < "i\\"d"');
    expect(query).toContain('stop: time(v: "1970-01-01T00:00:00.000000002Z")');
  });

  it('reads only the id field for a page without search, and only strings for a search', () => {
    expect(positionsQuery('db/rp', filter, 51).toString()).toContain('r._field == "id"');
    expect(positionsQuery('db/rp', filter, 51).toString()).toContain('limit(n: 51)');
    expect(positionsQuery('db/rp', { ...filter, q: 'x' }, 51).toString()).toContain(
      'contains(value: r._field, set: ["name", "el_text", "el_selector", "el_id", "path", "title"])',
    );
  });

  it('pivots whole events between two point times, inclusive', () => {
    const query = eventsSpanQuery('db/rp', filter, 1_000_000_000n, 3_000_000_000n).toString();
    expect(query).toContain(
      'range(start: time(v: "1970-01-01T00:00:01.000000000Z"), stop: time(v: "1970-01-01T00:00:03.000000001Z"))',
    );
    expect(query).toContain('pivot(rowKey: ["_time"]');
  });

  it('builds counts per window and top-N with typed parameters', () => {
    expect(timeseriesQuery('db/rp', filter, 300_000).toString()).toContain(
      'aggregateWindow(every: duration(v: "300s")',
    );
    expect(topQuery('db/rp', filter, 'path', 7).toString()).toContain('r._field == "path"');
    expect(topQuery('db/rp', { ...filter, types: [] }, 'path', 7).toString()).not.toContain(
      'contains(value: r["type"]',
    );
  });

  it('reads only id, seq, session and tab for completeness, grouped by site, session and tab, with the site escaped', () => {
    const query = sequencedRowsQuery('db/rp', filter.range, 'x" or true or "').toString();
    expect(query).toContain(
      'r._field == "id" or r._field == "seq" or r._field == "session_id" or r._field == "tab_id"',
    );
    expect(query).toContain('r["site"] == "x\\" or true or \\""');
    expect(query).toContain('group(columns: ["site", "session_id", "tab_id"])');
    expect(sequencedRowsQuery('db/rp', filter.range).toString()).not.toContain('r["site"]');
  });
});
