import { describe, expect, it } from 'vitest';
import { clickThrough, emptyTally, tallyElementEvent, topKeys } from '../src/server/element.ts';

describe('element figures', () => {
  it('counts clicks, unique clickers, text changes and the checked state left', () => {
    const tally = emptyTally();
    const events = [
      { type: 'click', anonymousId: 'a', selector: '#buy', path: '/pricing' },
      { type: 'click', anonymousId: 'a', selector: '#buy', path: '/pricing' },
      { type: 'click', anonymousId: 'b', selector: 'main>button', path: '/' },
      { type: 'input', anonymousId: 'b', path: '/' },
      { type: 'change', checked: true },
      { type: 'change', checked: true },
      { type: 'change', checked: false },
      { type: 'change' },
    ];
    for (const event of events) tallyElementEvent(tally, event);
    expect(tally.clicks).toBe(3);
    expect(tally.clickers.estimate()).toBe(2);
    expect(tally.changes).toBe(1);
    expect(tally.toggles).toEqual({ on: 2, off: 1 });
    expect(topKeys(tally.selectors)).toEqual(['#buy', 'main>button']);
    expect(topKeys(tally.pages)).toEqual(['/', '/pricing']);
  });

  it('lists at most ten selectors, most used first', () => {
    const tally = emptyTally();
    for (let i = 0; i < 15; i++)
      for (let n = 0; n <= i; n++) tallyElementEvent(tally, { type: 'click', selector: `#s${i}` });
    expect(topKeys(tally.selectors)).toEqual(Array.from({ length: 10 }, (_, i) => `#s${14 - i}`));
  });

  it('caps click-through at 1 and has none without page visitors', () => {
    expect(clickThrough(5, 20)).toBe(0.25);
    expect(clickThrough(21, 20)).toBe(1);
    expect(clickThrough(0, 0)).toBeNull();
  });
});
