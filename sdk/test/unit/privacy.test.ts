// @vitest-environment happy-dom
// Privacy masking and element descriptors, on a DOM.
import { beforeEach, describe, expect, it } from 'vitest';
import { startAutocapture, type Emit } from '../../src/capture/autocapture.ts';
import { describe as describeElement, describeField, labelOf, selectorOf } from '../../src/capture/element.ts';
import { cleanProperties } from '../../src/capture/properties.ts';

const $ = <T extends Element>(selector: string): T => document.querySelector<T>(selector)!;

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('field descriptors', () => {
  beforeEach(() => {
    document.body.innerHTML = `
      <input id="name" name="fullName" type="text">
      <input id="pw" type="password" data-track-value>
      <input id="card" autocomplete="billing cc-number" data-track-value>
      <input id="secret" type="hidden" value="server-token">
      <input id="coupon" data-track-value>
      <textarea id="bio"></textarea>`;
  });

  it('reports length and whether it changed, never the typed value', () => {
    const el = $<HTMLInputElement>('#name');
    el.value = 'Ada Lovelace';
    expect(describeField(el, '')).toEqual({
      tag: 'input',
      id: 'name',
      name: 'fullName',
      selector: '#name',
      inputType: 'text',
      changed: true,
      valueLength: 12,
    });
    expect(describeField(el, 'Ada Lovelace').changed).toBe(false);
    expect(JSON.stringify(describeField($<HTMLTextAreaElement>('#bio'), 'x'))).not.toContain('Ada');
  });

  it('sends the value only for fields marked data-track-value', () => {
    const el = $<HTMLInputElement>('#coupon');
    el.value = 'SPRING';
    expect(describeField(el, '')).toMatchObject({ value: 'SPRING', valueLength: 6 });
  });

  it('never sends value or length of password, hidden or card fields, even when marked', () => {
    for (const id of ['#pw', '#card', '#secret']) {
      const el = $<HTMLInputElement>(id);
      el.value = '4111111111111111';
      const d = describeField(el, '');
      expect(d).not.toHaveProperty('value');
      expect(d).not.toHaveProperty('valueLength');
      expect(JSON.stringify(d)).not.toContain('4111');
    }
  });
});

describe('element descriptors', () => {
  it('builds a short selector from the nearest id and positions', () => {
    document.body.innerHTML = `<div id="shop"><ul class="items"><li><a>1</a></li><li><a class="css-1x2y3z">2</a></li></ul></div>`;
    expect(selectorOf($('li:nth-of-type(2) a'))).toBe('#shop>ul>li:nth-of-type(2)>a');
    expect(selectorOf($('#shop'))).toBe('#shop');
  });

  it("escapes ids in selectors, so generated ids like React's :r1: still select their element", () => {
    document.body.innerHTML = `<div id=":r1:"><button>a</button><button>b</button></div><p id="1st"><a>x</a></p><span id="a b.c"><i>y</i></span>`;
    const button = $('button:nth-of-type(2)');
    expect(selectorOf(button)).toBe('#\\:r1\\:>button:nth-of-type(2)');
    expect(document.querySelector(selectorOf(button))).toBe(button);
    // happy-dom cannot parse these escapes; the browser test resolves them in Chromium.
    expect(selectorOf($('p a'))).toBe('#\\31 st>a');
    expect(selectorOf($('span i'))).toBe('#a\\ b\\.c>i');
  });

  it('collects data-track-* attributes without the control ones or a nameless one (ingest refuses empty keys)', () => {
    document.body.innerHTML = `<button id="b" name="go" data-track-plan="pro" data-track-value data-track-ignore-not="x" data-track-="nameless">Go</button>`;
    expect(describeElement($('#b'))).toEqual({
      tag: 'button',
      id: 'b',
      name: 'go',
      selector: '#b',
      attributes: { plan: 'pro', 'ignore-not': 'x' },
    });
  });

  it('keeps data-track-* attributes and custom element names within the contract (at most 50, capped lengths)', () => {
    const tag = `x-${'long'.repeat(20)}`;
    const attributes = Array.from({ length: 60 }, (_, i) => `data-track-k${i}="${'v'.repeat(300)}"`).join(' ');
    document.body.innerHTML = `<${tag} id="big" ${attributes}></${tag}>`;
    const d = describeElement($('#big'));
    expect(d.tag).toBe(tag.slice(0, 64));
    expect(Object.keys(d.attributes ?? {})).toHaveLength(50);
    expect(Object.values(d.attributes ?? {}).every((v) => v.length === 200)).toBe(true);
  });

  it('labels buttons by their text, submit inputs by their caption, never text inputs by their value', () => {
    document.body.innerHTML = `<button id="a">  Add
      to <b>cart</b></button><input id="s" type="submit" value="Pay"><input id="t" data-track value="typed">`;
    expect(labelOf($('#a'))).toBe('Add to cart');
    expect(labelOf($('#s'))).toBe('Pay');
    expect(labelOf($('#t'))).toBeUndefined();
    expect(labelOf(Object.assign(document.createElement('button'), { textContent: 'x'.repeat(500) }))).toHaveLength(
      200,
    );
  });

  it('leaves the text of data-track-ignore subtrees out of a label', () => {
    document.body.innerHTML = `<a id="account">Account <span data-track-ignore>jane@example.com <b>Jane</b></span><!-- note --> menu</a><button id="only"><span data-track-ignore>secret</span></button>`;
    expect(labelOf($('#account'))).toBe('Account menu');
    expect(labelOf($('#only'))).toBeUndefined();
  });
});

describe('autocapture', () => {
  function capture(html: string) {
    document.body.innerHTML = html;
    const events: Parameters<Emit>[] = [];
    const controller = new AbortController();
    startAutocapture(
      () => true,
      (...args) => void events.push(args),
      (url) => url,
      controller.signal,
    );
    return { events, stop: () => controller.abort() };
  }

  it('captures clicks on clickable things, named by data-track', () => {
    const { events, stop } = capture(
      `<a id="l" href="#x"><span id="inner">Docs</span></a><div id="plain">x</div><div id="cta" data-track="signup">Join</div>`,
    );
    $<HTMLElement>('#inner').click();
    $<HTMLElement>('#plain').click();
    $<HTMLElement>('#cta').click();
    expect(events.map(([type, name, el]) => [type, name, el.selector])).toEqual([
      ['click', 'click', '#l'],
      ['click', 'signup', '#cta'],
    ]);
    stop();
  });

  it('ignores everything under data-track-ignore', () => {
    const { events } = capture(
      `<section data-track-ignore><button id="b">b</button><input id="i"><input id="c" type="checkbox"></section>`,
    );
    $<HTMLElement>('#b').click();
    $<HTMLInputElement>('#i').dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
    $<HTMLInputElement>('#i').dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
    $<HTMLInputElement>('#c').click();
    expect(events).toEqual([]);
  });

  it('reports a text field on blur with changed, and a checkbox with its state', () => {
    const { events } = capture(`<input id="i" value="a"><input id="c" type="checkbox">`);
    const input = $<HTMLInputElement>('#i');
    input.dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
    input.value = 'abc';
    input.dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
    $<HTMLInputElement>('#c').click();
    expect(events.map(([type, , el]) => [type, el.changed, el.valueLength, el.checked])).toEqual([
      ['input', true, 3, undefined],
      ['change', undefined, undefined, true],
    ]);
  });

  it('stops listening when aborted', () => {
    const { events, stop } = capture(`<button id="b">b</button>`);
    stop();
    $<HTMLElement>('#b').click();
    expect(events).toEqual([]);
  });
});

describe('properties', () => {
  it('flattens values to what the contract accepts', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(
      cleanProperties({
        s: 'x'.repeat(2_000),
        n: 1.5,
        b: false,
        z: null,
        u: undefined,
        f: () => 1,
        o: { a: [1] },
        c: cyclic,
        big: 10n,
      }),
    ).toEqual({
      s: 'x'.repeat(1_024),
      n: 1.5,
      b: false,
      z: null,
      o: '{"a":[1]}',
      c: '[object Object]',
      big: '10',
    });
  });

  it('never throws, whatever a value holds: no prototype, BigInt inside objects, getters and toJSON that throw', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare['a'] = 1;
    const bareCyclic = Object.create(null) as Record<string, unknown>;
    bareCyclic['self'] = bareCyclic;
    const input = {
      bare,
      bareCyclic,
      nested: { n: 12345678901234567890n },
      toJson: {
        toJSON() {
          throw new Error('toJSON');
        },
      },
      get boom(): never {
        throw new Error('getter');
      },
      ok: 1,
    };
    expect(cleanProperties(input)).toEqual({
      bare: '{"a":1}',
      nested: '{"n":"12345678901234567890"}',
      toJson: '[object Object]',
      ok: 1,
    });
  });

  it('caps the number of keys and their length', () => {
    const many = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`${i}${'k'.repeat(150)}`, i]));
    const cleaned = cleanProperties(many)!;
    expect(Object.keys(cleaned)).toHaveLength(50);
    for (const key of Object.keys(cleaned)) expect(key.length).toBeLessThanOrEqual(100);
    expect(cleanProperties(undefined)).toBeUndefined();
    expect(cleanProperties({})).toBeUndefined();
  });
});
