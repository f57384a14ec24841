import { describe, expect, it } from 'vitest';
import { LIMITS, validateEnrichedEvent, validateEvent, formatIssues } from '../src/index.ts';
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
    expect(validateEvent(sampleEvent({ properties: { k: 'x'.repeat(LIMITS.propertyValueMaxLength + 1) } })).ok).toBe(false);
    expect(validateEvent({ ...sampleEvent(), properties: { nested: { a: 1 } } }).ok).toBe(false);
    expect(validateEvent(sampleEvent({ properties: { plan: 'pro', seats: 3, trial: false, coupon: null } })).ok).toBe(true);
  });

  it('validates the enriched message the consumer reads', () => {
    const event = sampleEvent();
    const enriched = { event, site: 'shop', receivedAt: event.timestamp, eventTime: event.timestamp, userAgent: { browser: 'Chrome' } };
    expect(validateEnrichedEvent(enriched).ok).toBe(true);
    expect(validateEnrichedEvent({ ...enriched, ip: '1.2.3.4' }).ok).toBe(false);
  });
});
