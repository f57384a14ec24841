import { describe, expect, it } from 'vitest';
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
