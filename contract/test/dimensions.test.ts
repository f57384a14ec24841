import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deriveDimensions, elementLabel, LABEL_MAX_LENGTH, normalisePath } from '../src/dimensions.ts';
import { sampleEvent } from '../src/testing.ts';

describe('elementLabel', () => {
  it('prefers the data-track-name, then the visible text, then the selector', () => {
    const element = { tag: 'button', selector: '#buy', text: 'Buy  now', attributes: { name: 'checkout' } };
    expect(elementLabel(sampleEvent({ element }))).toBe('checkout');
    expect(elementLabel(sampleEvent({ element: { ...element, attributes: {} } }))).toBe('Buy now');
    expect(elementLabel(sampleEvent({ element: { tag: 'button', selector: '#buy', text: ' ' } }))).toBe('#buy');
  });

  it('never labels with the text of a field, even if a sender put typed text there', () => {
    const field = { tag: 'textarea', selector: 'form > textarea', text: 'my secret message' };
    expect(elementLabel(sampleEvent({ type: 'click', element: field }))).toBe('form > textarea');
    const input = { tag: 'div', selector: '#editor', text: 'typed into a contenteditable' };
    expect(elementLabel(sampleEvent({ type: 'input', element: input }))).toBe('#editor');
    expect(elementLabel(sampleEvent({ type: 'change', element: input }))).toBe('#editor');
  });

  it('cuts visible text to about 80 characters', () => {
    const label = elementLabel(sampleEvent({ element: { tag: 'a', selector: 'a', text: 'word '.repeat(40) } }));
    expect(label!.length).toBeLessThanOrEqual(LABEL_MAX_LENGTH);
    expect(label).toMatch(/^word word .*…$/);
  });

  it('has no label without an element', () => {
    expect(elementLabel(sampleEvent({ type: 'pageview', element: undefined }))).toBeUndefined();
  });
});

describe('normalisePath', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['/pricing/', '/pricing'],
    ['//docs//intro', '/docs/intro'],
    ['/blog/index.html', '/blog'],
    ['/a%2fb', '/a%2Fb'],
    ['/search?q=x#top', '/search'],
    ['/Case/Kept', '/Case/Kept'],
  ])('%s → %s', (path, expected) => expect(normalisePath(path)).toBe(expected));
});

describe('deriveDimensions', () => {
  it('reads UTM tags from the page URL and the referrer host', () => {
    const event = sampleEvent({
      page: {
        url: 'https://shop.example/pricing/?utm_source=Newsletter&utm_medium=email&utm_campaign=Black%20Friday',
        path: '/pricing/',
        referrer: 'https://www.Google.com/search?q=shop',
      },
    });
    expect(deriveDimensions(event)).toMatchObject({
      referrerHost: 'google.com',
      utmSource: 'newsletter',
      utmMedium: 'email',
      utmCampaign: 'black friday',
      pagePath: '/pricing',
    });
  });

  it('leaves out a same-site referrer, a malformed one and absent UTM tags', () => {
    const internal = sampleEvent({
      page: { url: 'https://shop.example/cart', path: '/cart', referrer: 'https://www.shop.example/' },
    });
    expect(deriveDimensions(internal)).not.toHaveProperty('referrerHost');
    expect(deriveDimensions(internal)).not.toHaveProperty('utmSource');
    const malformed = sampleEvent({ page: { url: 'not a url', path: '/x', referrer: 'also not' } });
    expect(deriveDimensions(malformed)).toEqual({ label: 'Buy now', pagePath: '/x' });
  });
});

/**
 * The dimensions as first defined, without the shortcuts that skip work whose answer is known (text with nothing to
 * collapse, paths with nothing to normalise, URLs left unparsed): the shortcuts must never change an answer.
 */
const plain = {
  collapse: (text: string) => text.replace(/\s+/g, ' ').trim(),
  normalisePath(path: string): string {
    const normalised = (path.split(/[?#]/, 1)[0] ?? '')
      .replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase())
      .replace(/\/{2,}/g, '/')
      .replace(/\/index\.html?$/i, '/')
      .replace(/(.)\/$/, '$1');
    return normalised.startsWith('/') ? normalised : `/${normalised}`;
  },
  parse(text: string | undefined): URL | undefined {
    try {
      return text ? new URL(text) : undefined;
    } catch {
      return undefined;
    }
  },
  cut: (text: string) => (text.length <= LABEL_MAX_LENGTH ? text : `${text.slice(0, LABEL_MAX_LENGTH - 1).trimEnd()}…`),
  dimensions(event: ReturnType<typeof sampleEvent>): Record<string, string> {
    const host = (url: URL) => url.hostname.toLowerCase().replace(/^www\./, '');
    const page = plain.parse(event.page?.url);
    const referrer = plain.parse(event.page?.referrer);
    const utm = (name: string) => {
      const value = plain.collapse(page?.searchParams.get(name) ?? '').toLowerCase();
      return value ? plain.cut(value) : undefined;
    };
    const element = event.element;
    const named = element && plain.collapse(element.attributes?.['name'] ?? '');
    const typed =
      element &&
      (['input', 'textarea', 'select'].includes(element.tag.toLowerCase()) ||
        event.type === 'input' ||
        event.type === 'change');
    const text = element && !typed ? plain.collapse(element.text ?? '') : '';
    const all: Record<string, string | undefined> = {
      label: !element
        ? undefined
        : named
          ? plain.cut(named)
          : text
            ? plain.cut(text)
            : element.selector
              ? plain.cut(element.selector)
              : undefined,
      referrerHost: (referrer && (!page || host(referrer) !== host(page)) ? host(referrer) : undefined) || undefined,
      utmSource: utm('utm_source'),
      utmMedium: utm('utm_medium'),
      utmCampaign: utm('utm_campaign'),
      pagePath: event.page ? plain.normalisePath(event.page.path || page?.pathname || '/') : undefined,
    };
    return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined)) as Record<string, string>;
  },
};

describe('shortcuts', () => {
  const piece = (options: string[]) =>
    fc.array(fc.constantFrom(...options), { maxLength: 6 }).map((parts) => parts.join(''));
  const text = piece(['a', 'B', ' ', '  ', '\t', '\n', '\u00a0', 'x y', '']);
  const path = piece(['/', '//', 'a', 'index.html', 'INDEX.HTM', '%2f', '%2F', '?', '#', '.', '\n', 'b/']);
  const query = piece([
    '?',
    '&',
    'utm_source=',
    'utm_medium=X',
    'utm_campaign=Y%20Z',
    '%75tm_source=',
    'u\ttm_source=',
    'q=1',
    'a',
    '#',
    ' ',
  ]);
  const host = fc.constantFrom('shop.example', 'www.shop.example', 'WWW.Other.example', 'other.example', '');
  const url = fc
    .tuple(fc.constantFrom('https://', 'http://', 'not a url ', ''), host, path, query)
    .map(([scheme, h, p, q]) => `${scheme}${h}${p}${q}`);

  it('normalisePath gives what the plain definition gives', () => {
    fc.assert(
      fc.property(path, (p) => normalisePath(p) === plain.normalisePath(p)),
      { numRuns: 2_000 },
    );
  });

  it('deriveDimensions gives what the plain definition gives', () => {
    const event = fc.record({
      url,
      referrer: fc.option(url, { nil: undefined }),
      path,
      page: fc.boolean(),
      name: fc.option(text, { nil: undefined }),
      text: fc.option(text, { nil: undefined }),
      type: fc.constantFrom('click', 'input', 'change', 'pageview'),
      tag: fc.constantFrom('button', 'INPUT', 'a'),
    });
    fc.assert(
      fc.property(event, (e) => {
        const sample = sampleEvent({
          type: e.type as 'click',
          page: e.page
            ? { url: e.url, path: e.path, ...(e.referrer === undefined ? {} : { referrer: e.referrer }) }
            : undefined,
          element: {
            tag: e.tag,
            selector: '#s',
            ...(e.text === undefined ? {} : { text: e.text }),
            ...(e.name === undefined ? {} : { attributes: { name: e.name } }),
          },
        });
        expect(deriveDimensions(sample)).toEqual(plain.dimensions(sample));
      }),
      { numRuns: 3_000 },
    );
  });
});
