// A valid event with every required field, for tests and load generators.
import type { Event } from './event.ts';

export function sampleEvent(overrides: Partial<Event> = {}): Event {
  return {
    v: 1,
    id: crypto.randomUUID(),
    type: 'click',
    name: 'click',
    timestamp: Date.now(),
    seq: 0,
    anonymousId: 'anon-0000000000000001',
    sessionId: 'sess-0000000000000001',
    page: { url: 'https://shop.example/cart', path: '/cart', title: 'Cart' },
    element: { tag: 'button', id: 'buy', selector: '#buy', text: 'Buy now' },
    ...overrides,
  };
}
