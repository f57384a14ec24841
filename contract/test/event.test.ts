import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  STORED_EVENT_TYPES,
  validateEnrichedEvent,
  validateEvent,
  validateStoredEvent,
  formatIssues,
} from '../src/index.ts';
import { sampleEvent } from '../src/testing.ts';

describe('event contract', () => {
  it('accepts a complete event', () => {
    expect(validateEvent(sampleEvent())).toEqual({ ok: true, value: expect.any(Object) });
  });

  it('names the field that is wrong', () => {
    const result = validateEvent({ ...sampleEvent(), page: { url: '', path: '/' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatIssues(result.issues)).toContain('/page/url');
  });

  it('refuses unknown fields, other contract versions and unknown types', () => {
    expect(validateEvent({ ...sampleEvent(), extra: 1 }).ok).toBe(false);
    expect(validateEvent({ ...sampleEvent(), v: 2 }).ok).toBe(false);
    expect(validateEvent({ ...sampleEvent(), type: 'hover' }).ok).toBe(false);
  });

  it('refuses ids that are short or not URL-safe', () => {
    expect(validateEvent(sampleEvent({ id: 'short' })).ok).toBe(false);
    expect(validateEvent(sampleEvent({ id: 'a'.repeat(20) + ' x' })).ok).toBe(false);
  });

  it('caps properties in number and size and keeps them flat', () => {
    const many = Object.fromEntries(Array.from({ length: LIMITS.maxProperties + 1 }, (_, i) => [`k${i}`, i]));
    expect(validateEvent(sampleEvent({ properties: many })).ok).toBe(false);
    expect(validateEvent(sampleEvent({ properties: { k: 'x'.repeat(LIMITS.propertyValueMaxLength + 1) } })).ok).toBe(
      false,
    );
    expect(validateEvent({ ...sampleEvent(), properties: { nested: { a: 1 } } }).ok).toBe(false);
    expect(validateEvent(sampleEvent({ properties: { plan: 'pro', seats: 3, trial: false, coupon: null } })).ok).toBe(
      true,
    );
  });

  it('caps property and attribute names at their limit', () => {
    const atLimit = 'k'.repeat(LIMITS.propertyKeyMaxLength);
    expect(validateEvent(sampleEvent({ properties: { [atLimit]: 1 } })).ok).toBe(true);
    expect(validateEvent(sampleEvent({ properties: { [`${atLimit}k`]: 1 } })).ok).toBe(false);
    expect(validateEvent(sampleEvent({ properties: { '': 1 } })).ok).toBe(false);
    const element = { tag: 'button', selector: '#buy' };
    expect(validateEvent(sampleEvent({ element: { ...element, attributes: { [atLimit]: 'v' } } })).ok).toBe(true);
    expect(validateEvent(sampleEvent({ element: { ...element, attributes: { [`${atLimit}k`]: 'v' } } })).ok).toBe(
      false,
    );
  });

  it('accepts the tab, form submits, link targets and page leaves with their engagement, within bounds', () => {
    const leave = sampleEvent({ type: 'pageleave', name: 'pageleave', tabId: 'tab-0000000000000001' });
    delete leave.element;
    expect(validateEvent({ ...leave, engagement: { engagedMs: 5_000, scrollDepth: 100 } }).ok).toBe(true);
    expect(validateEvent({ ...leave, engagement: { engagedMs: 5_000, scrollDepth: 101 } }).ok).toBe(false);
    expect(validateEvent({ ...leave, engagement: { engagedMs: -1, scrollDepth: 0 } }).ok).toBe(false);
    expect(validateEvent({ ...leave, engagement: { engagedMs: 1.5, scrollDepth: 0 } }).ok).toBe(false);
    expect(validateEvent(sampleEvent({ tabId: '' })).ok).toBe(false);
    const link = { tag: 'a', selector: '#out', href: 'https://elsewhere.example/report.pdf' };
    expect(validateEvent(sampleEvent({ element: link })).ok).toBe(true);
    expect(validateEvent(sampleEvent({ element: { ...link, href: 'h'.repeat(LIMITS.urlMaxLength + 1) } })).ok).toBe(
      false,
    );
    expect(
      validateEvent(sampleEvent({ type: 'submit', name: 'submit', element: { tag: 'form', selector: 'form' } })).ok,
    ).toBe(true);
  });

  it('stores events outside any session and page, as server-side and Segment-compatible clients send them', () => {
    const { seq: _seq, sessionId: _sessionId, page: _page, element: _element, ...serverSide } = sampleEvent();
    for (const type of ['group', 'alias', 'screen', 'custom'] as const)
      expect(validateStoredEvent({ ...serverSide, type }).ok).toBe(true);
    expect(validateStoredEvent({ ...serverSide, type: 'hover' }).ok).toBe(false);
    expect(validateStoredEvent(sampleEvent()).ok).toBe(true);
  });

  it('keeps the SDK event whole: a session, a sequence number, a page and its own types', () => {
    const { seq: _seq, sessionId: _sessionId, ...withoutSession } = sampleEvent();
    expect(validateEvent(withoutSession).ok).toBe(false);
    expect(validateEvent(sampleEvent({ type: 'group' as never })).ok).toBe(false);
    expect(STORED_EVENT_TYPES).toEqual(expect.arrayContaining(['identify', 'group', 'alias', 'screen']));
  });

  it('refuses a stored sequence number without its session, and a session without its sequence number', () => {
    const { seq: _seq, ...withoutSeq } = sampleEvent();
    const { sessionId: _sessionId, ...withoutSession } = sampleEvent();
    expect(validateStoredEvent(withoutSeq)).toEqual({
      ok: false,
      issues: [{ path: '', message: 'must have properties seq when property sessionId is present' }],
    });
    expect(validateStoredEvent(withoutSession).ok).toBe(false);
  });

  it('validates the enriched message the consumer reads', () => {
    const event = sampleEvent();
    const enriched = {
      event,
      site: 'shop',
      receivedAt: event.timestamp,
      eventTime: event.timestamp,
      userAgent: { browser: 'Chrome' },
    };
    expect(validateEnrichedEvent(enriched).ok).toBe(true);
    expect(validateEnrichedEvent({ ...enriched, ip: '1.2.3.4' }).ok).toBe(false);
  });
});

describe('validation messages', () => {
  const issuesOf = (value: unknown) => {
    const result = validateEvent(value);
    if (result.ok) throw new Error('expected the event to be invalid');
    return result.issues;
  };

  it('names each property that is not allowed, at its own path, once', () => {
    const issues = issuesOf({ ...sampleEvent(), extra: 1, page: { url: 'https://a.example/', path: '/', bogus: 2 } });
    expect(issues).toEqual([
      { path: '/extra', message: 'property "extra" is not allowed' },
      { path: '/page/bogus', message: 'property "bogus" is not allowed' },
    ]);
    expect(formatIssues(issues)).not.toContain('schema is false');
  });

  it('quotes a hostile property name clipped and escaped', () => {
    const name = `a/b~c\u0000${'x'.repeat(500)}`;
    const [issue] = issuesOf({ ...sampleEvent(), [name]: 1 });
    expect(issue?.path).toBe(`/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    expect(issue?.message).toBe(`property ${JSON.stringify(`${name.slice(0, 64)}…`)} is not allowed`);
  });

  it('says a property name is too long rather than its value', () => {
    const name = 'k'.repeat(LIMITS.propertyKeyMaxLength + 1);
    expect(issuesOf(sampleEvent({ properties: { [name]: 1 } }))).toEqual([
      {
        path: `/properties/${name}`,
        message: `the property name must not have more than ${LIMITS.propertyKeyMaxLength} characters`,
      },
    ]);
  });

  it('gives one line for a value of the wrong type in a union, and the real problem when the type is right', () => {
    expect(issuesOf({ ...sampleEvent(), properties: { nested: { a: 1 } } })).toEqual([
      { path: '/properties/nested', message: 'must be string, number, boolean or null' },
    ]);
    expect(issuesOf(sampleEvent({ properties: { long: 'x'.repeat(LIMITS.propertyValueMaxLength + 1) } }))).toEqual([
      { path: '/properties/long', message: `must not have more than ${LIMITS.propertyValueMaxLength} characters` },
    ]);
  });

  it('lists the allowed values of an enum and a constant', () => {
    expect(issuesOf({ ...sampleEvent(), type: 'hover', v: 2 })).toEqual([
      { path: '/v', message: 'must be 1' },
      {
        path: '/type',
        message: 'must be one of "click", "input", "change", "submit", "pageview", "pageleave", "identify", "custom"',
      },
    ]);
  });

  it('keeps the issues of an event with thousands of unknown fields few', () => {
    const junk = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`junk${i}`, i]));
    expect(issuesOf({ ...sampleEvent(), ...junk }).length).toBeLessThanOrEqual(10);
  });
});
