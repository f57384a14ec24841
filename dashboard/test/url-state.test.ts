import { describe, expect, it } from 'vitest';
import { STORED_EVENT_TYPES } from '@eventline/contract';
import {
  apiParams,
  completenessParams,
  DEFAULT_FILTERS,
  localInputToIso,
  parseFilters,
  parseTypes,
  pathOf,
  resolveTime,
  serializeFilters,
  viewOf,
} from '../src/ui/url-state.ts';

describe('URL state of the Analyze page', () => {
  it('round-trips every filter through the query string', () => {
    const filters = {
      from: '2026-11-25T07:00:00.000Z',
      to: '2026-11-25T08:00:00.000Z',
      type: 'click',
      q: 'buy now',
      site: 'shop',
      live: true,
    };
    expect(parseFilters(serializeFilters(filters))).toEqual(filters);
    expect(serializeFilters(DEFAULT_FILTERS)).toBe('');
    expect(serializeFilters({ ...DEFAULT_FILTERS, from: '-24h' })).toBe('?from=-24h');
  });

  it('falls back to defaults for values it does not understand', () => {
    expect(parseFilters('?from=<script>&to=tomorrow&type=<b>&live=yes')).toEqual(DEFAULT_FILTERS);
  });

  it('keeps several types, as the read API accepts them, and drops types the contract does not have', () => {
    expect(parseFilters('?type=click,input').type).toBe('click,input');
    expect(apiParams(parseFilters('?type=click,input')).get('type')).toBe('click,input');
    // One order and no repeats, so equal filters make equal links.
    expect(parseFilters('?type=input,click,input').type).toBe('click,input');
    expect(parseFilters('?type=click,scroll').type).toBe('click');
    expect(parseFilters('?type=scroll').type).toBe('');
    expect(parseFilters('?type=CLICK').type).toBe('');
    expect(parseTypes(STORED_EVENT_TYPES.join(','))).toBe(STORED_EVENT_TYPES.join(','));
    expect(serializeFilters(parseFilters('?type=input,click'))).toBe('?type=click%2Cinput');
  });

  it('passes presets to the API unresolved and trims the search', () => {
    const params = apiParams({ ...DEFAULT_FILTERS, q: '  x ' }, { limit: '50', cursor: undefined });
    expect(Object.fromEntries(params)).toEqual({ from: '-1h', to: 'now', q: 'x', limit: '50' });
  });

  it('passes the site to every query, but only range and site to completeness', () => {
    const filters = { ...DEFAULT_FILTERS, type: 'click', q: 'buy', site: 'shop' };
    expect(apiParams(filters).get('site')).toBe('shop');
    expect(Object.fromEntries(completenessParams(filters))).toEqual({ from: '-1h', to: 'now', site: 'shop' });
    expect(Object.fromEntries(completenessParams(DEFAULT_FILTERS))).toEqual({ from: '-1h', to: 'now' });
  });

  it('resolves presets and converts datetime-local input in the viewer zone', () => {
    expect(resolveTime('-15m', 1_000_000)).toBe(100_000);
    expect(resolveTime('now', 5)).toBe(5);
    expect(localInputToIso('2026-11-25T07:00')).toBe(new Date(2026, 10, 25, 7, 0).toISOString());
    expect(localInputToIso('2026-11-25')).toBeUndefined();
  });
});

describe('views', () => {
  it('shows the raw events at /events and answers everywhere else', () => {
    expect(['/', '/analyze', '/events', '/events/'].map(viewOf)).toEqual(['analyze', 'analyze', 'events', 'analyze']);
  });

  it('keeps the path that already shows a view, so a share link opened at /analyze stays there', () => {
    expect(pathOf('analyze', '/analyze')).toBe('/analyze');
    expect(pathOf('analyze', '/')).toBe('/');
    expect(pathOf('events', '/analyze')).toBe('/events');
    expect(pathOf('analyze', '/events')).toBe('/');
  });
});
