import { HEADERS } from '@eventline/contract';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../src/decode-message.ts';
import { preparePoint } from '../src/to-point.ts';
import { enrichedEvents } from './support/fixtures.ts';

describe('decodeMessage', () => {
  it('turns a record of one enriched event (the format before envelopes) into that event, ready to place', () => {
    const event = enrichedEvents(1)[0]!;
    const decoded = decodeMessage(Buffer.from(JSON.stringify(event)));
    expect(decoded).toEqual({
      ok: true,
      envelope: false,
      events: [{ index: 0, event, point: preparePoint(event) }],
      refused: [],
    });
  });

  it('unpacks an envelope in order and refuses its bad events one by one, with their own JSON', () => {
    const [a, b] = enrichedEvents(2);
    const bad = { ...a!, site: 'x\n' };
    const decoded = decodeMessage(Buffer.from(JSON.stringify([a, { hello: 'world' }, bad, b])));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.envelope).toBe(true);
    expect(decoded.events.map((e) => [e.index, e.event])).toEqual([
      [0, a],
      [3, b],
    ]);
    expect(decoded.refused.map((r) => [r.index, r.error.code, JSON.parse(r.value.toString())])).toEqual([
      [1, 'CONSUMER_MESSAGE_INVALID', { hello: 'world' }],
      [2, 'CONSUMER_POINT_UNREPRESENTABLE', bad],
    ]);
    expect(HEADERS.sourceIndex).toBe('eventline-source-index');
  });

  it.each([
    ['an empty value', null, 'CONSUMER_MESSAGE_EMPTY'],
    ['a zero-length value', Buffer.alloc(0), 'CONSUMER_MESSAGE_EMPTY'],
    ['text that is not JSON', Buffer.from('{"event":'), 'CONSUMER_MESSAGE_NOT_JSON'],
    ['JSON that is not an enriched event', Buffer.from('{"hello":"world"}'), 'CONSUMER_MESSAGE_INVALID'],
    ['an empty envelope', Buffer.from('[]'), 'CONSUMER_MESSAGE_INVALID'],
    [
      'an event InfluxDB cannot store',
      Buffer.from(JSON.stringify({ ...enrichedEvents(1)[0]!, site: 'x\n' })),
      'CONSUMER_POINT_UNREPRESENTABLE',
    ],
  ])('refuses %s with a reason', (_, value, code) => {
    const decoded = decodeMessage(value);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error.code).toBe(code);
  });

  it('turns an unexpected failure into a dead letter carrying the error instead of throwing', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'tag')");
    const decoded = decodeMessage(Buffer.from(JSON.stringify(enrichedEvents(1)[0]!)), () => {
      throw bug;
    });
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error).toMatchObject({ code: 'CONSUMER_DECODE_FAILED', retriable: false, cause: bug });
    expect(decoded.error.message).toContain("TypeError: Cannot read properties of undefined (reading 'tag')");
  });
});
