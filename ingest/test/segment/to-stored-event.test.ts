import { describe, expect, it } from 'vitest';
import { validateStoredEvent } from '@eventline/contract';
import { toStoredEvent, type Mapping } from '../../src/segment/to-stored-event.ts';

const RECEIVED_AT = Date.UTC(2026, 11, 6, 12, 0, 0);
const ctx = { receivedAt: RECEIVED_AT };
const base = {
  messageId: 'node-next-1765000000000-0b7e5b1e-8e2f-4a3c-9d55-2f0c3f7d6a11',
  timestamp: '2026-12-06T11:59:58.000Z',
  anonymousId: 'anon-1',
};

function mapped(result: Mapping) {
  if (!result.ok) throw new Error(`expected a mapping, got ${JSON.stringify(result.issues)}`);
  expect(validateStoredEvent(result.value.event).ok).toBe(true);
  return result.value;
}

describe('toStoredEvent', () => {
  it('maps track to a custom event named by `event`, keeping the messageId as the event id', () => {
    const { event } = mapped(
      toStoredEvent({ ...base, type: 'track', event: 'Order Completed', properties: { total: 30, coupon: null } }, ctx),
    );
    expect(event).toEqual({
      v: 1,
      id: base.messageId,
      type: 'custom',
      name: 'Order Completed',
      timestamp: Date.parse(base.timestamp),
      anonymousId: 'anon-1',
      properties: { total: 30, coupon: null },
    });
  });

  it('maps page to a pageview on the page context.page describes, and screen to screen', () => {
    const page = mapped(
      toStoredEvent(
        {
          ...base,
          type: 'page',
          name: 'Pricing',
          category: 'Docs',
          properties: { plan: 'pro' },
          context: {
            page: { url: 'https://shop.example/pricing?x=1', title: 'Pricing', referrer: 'https://a.example/' },
          },
        },
        ctx,
      ),
    ).event;
    expect(page).toMatchObject({
      type: 'pageview',
      name: 'Pricing',
      page: {
        url: 'https://shop.example/pricing?x=1',
        path: '/pricing',
        title: 'Pricing',
        referrer: 'https://a.example/',
      },
      properties: { category: 'Docs', plan: 'pro' },
    });
    expect(mapped(toStoredEvent({ ...base, type: 'page' }, ctx)).event.name).toBe('pageview');
    expect(mapped(toStoredEvent({ ...base, type: 'screen', name: 'Home' }, ctx)).event).toMatchObject({
      type: 'screen',
      name: 'Home',
    });
  });

  it('maps identify traits, group traits with the groupId and alias previousId to flat properties', () => {
    const identify = mapped(
      toStoredEvent(
        {
          ...base,
          type: 'identify',
          userId: 42,
          traits: { email: 'a@b.example', address: { city: 'Oslo' }, tags: ['x'] },
        },
        ctx,
      ),
    ).event;
    expect(identify).toMatchObject({
      type: 'identify',
      name: 'identify',
      userId: '42',
      properties: { email: 'a@b.example', 'address.city': 'Oslo', tags: '["x"]' },
    });
    expect(
      mapped(toStoredEvent({ ...base, type: 'group', groupId: 'acme', traits: { plan: 'pro' } }, ctx)).event,
    ).toMatchObject({ type: 'group', name: 'group', properties: { plan: 'pro', groupId: 'acme' } });
    expect(
      mapped(toStoredEvent({ ...base, type: 'alias', userId: 'u-2', previousId: 'anon-1' }, ctx)).event,
    ).toMatchObject({ type: 'alias', name: 'alias', userId: 'u-2', properties: { previousId: 'anon-1' } });
  });

  it('reads a null field as an absent one, as analytics-next sends userId and category', () => {
    const { event } = mapped(
      toStoredEvent({ ...base, type: 'page', userId: null, category: null, name: null, properties: null }, ctx),
    );
    expect(event).toMatchObject({ type: 'pageview', name: 'pageview' });
    expect(event).not.toHaveProperty('userId');
    expect(event).not.toHaveProperty('properties');
  });

  it('stores a message with only a userId under that id, outside any session', () => {
    const { anonymousId: _a, ...withoutAnonymousId } = base;
    const { event } = mapped(toStoredEvent({ ...withoutAnonymousId, type: 'track', event: 'x', userId: 'u-1' }, ctx));
    expect(event).toMatchObject({ anonymousId: 'u-1', userId: 'u-1' });
    expect(event).not.toHaveProperty('seq');
    expect(event).not.toHaveProperty('sessionId');
  });

  it('derives the same URL-safe id for the same message every time, from the messageId or the whole message', () => {
    const odd = { ...base, messageId: 'abc:123', type: 'track', event: 'x' };
    const first = mapped(toStoredEvent(odd, ctx)).event.id;
    expect(first).toMatch(/^sg-[A-Za-z0-9_-]{43}$/);
    expect(mapped(toStoredEvent({ ...odd, timestamp: '2026-12-06T11:00:00Z' }, ctx)).event.id).toBe(first);
    const { messageId: _m, ...noId } = odd;
    const derived = mapped(toStoredEvent(noId, ctx)).event.id;
    expect(mapped(toStoredEvent(structuredClone(noId), { receivedAt: RECEIVED_AT + 5_000 })).event.id).toBe(derived);
    expect(mapped(toStoredEvent({ ...noId, event: 'y' }, ctx)).event.id).not.toBe(derived);
  });

  it('takes the time from timestamp, then originalTimestamp, then receipt, and returns sentAt and context.userAgent', () => {
    const { timestamp: _t, ...untimed } = base;
    expect(mapped(toStoredEvent({ ...untimed, type: 'track', event: 'x' }, ctx)).event.timestamp).toBe(RECEIVED_AT);
    const value = mapped(
      toStoredEvent(
        {
          ...untimed,
          type: 'track',
          event: 'x',
          originalTimestamp: '2026-12-06T11:00:00Z',
          sentAt: '2026-12-06T11:00:01Z',
          context: { userAgent: 'Mozilla/5.0 Firefox/140.0' },
        },
        ctx,
      ),
    );
    expect(value).toMatchObject({
      event: { timestamp: Date.UTC(2026, 11, 6, 11) },
      sentAt: Date.UTC(2026, 11, 6, 11, 0, 1),
      userAgent: 'Mozilla/5.0 Firefox/140.0',
    });
  });

  it('lays a batch context under the message context', () => {
    const { event } = mapped(
      toStoredEvent(
        { ...base, type: 'track', event: 'x', context: { page: { title: 'Own' } } },
        { ...ctx, batchContext: { page: { url: 'https://shop.example/' } } },
      ),
    );
    expect(event.page).toBeUndefined();
    const inherited = mapped(
      toStoredEvent(
        { ...base, type: 'track', event: 'x' },
        { ...ctx, batchContext: { page: { url: 'https://s.example/a' } } },
      ),
    );
    expect(inherited.event.page).toEqual({ url: 'https://s.example/a', path: '/a' });
  });

  it('takes the type from the endpoint and refuses one that contradicts it', () => {
    expect(mapped(toStoredEvent({ ...base, event: 'x' }, { ...ctx, call: 'track' })).event.type).toBe('custom');
    expect(toStoredEvent({ ...base, type: 'page' }, { ...ctx, call: 'track' })).toEqual({
      ok: false,
      issues: [{ path: '/type', message: 'must be "track" at this endpoint' }],
    });
    expect(toStoredEvent({ ...base }, ctx)).toEqual({ ok: false, issues: [{ path: '/type', message: 'is required' }] });
  });

  it('names what is wrong in the Segment message, at its path there', () => {
    const issuesOf = (message: unknown) => {
      const result = toStoredEvent(message, ctx);
      if (result.ok) throw new Error('expected a refusal');
      return result.issues;
    };
    expect(issuesOf({ type: 'track', event: 'x', messageId: base.messageId })).toEqual([
      { path: '', message: 'must have a userId or an anonymousId' },
    ]);
    expect(issuesOf({ ...base, type: 'track' })).toEqual([{ path: '/event', message: 'is required' }]);
    expect(issuesOf({ ...base, type: 'group' })).toEqual([{ path: '/groupId', message: 'is required' }]);
    expect(issuesOf({ ...base, type: 'alias', userId: 'u' })).toEqual([
      { path: '/previousId', message: 'is required' },
    ]);
    expect(issuesOf({ ...base, type: 'track', event: 'x', timestamp: 'yesterday' })).toEqual([
      { path: '/timestamp', message: 'must be an ISO 8601 date-time' },
    ]);
    expect(issuesOf({ ...base, type: 'hover' })[0]?.path).toBe('/type');
    expect(issuesOf('track')[0]?.message).toMatch(/object/);
    expect(issuesOf({ ...base, type: 'track', event: 'e'.repeat(300) })).toEqual([
      { path: '/event', message: 'must not have more than 200 characters' },
    ]);
    expect(issuesOf({ ...base, type: 'identify', traits: { bio: 'x'.repeat(5_000) } })).toEqual([
      { path: '/traits/bio', message: 'must not have more than 1024 characters' },
    ]);
  });
});
