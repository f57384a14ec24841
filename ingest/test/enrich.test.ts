import { describe, expect, it } from 'vitest';
import { correctedEventTime, validateEnrichedEvent } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { createBatchEnricher } from '../src/enrich.ts';

describe('enrichment', () => {
  const receivedAt = 1_800_000_000_000;

  it('produces a valid EnrichedEvent holding the event unchanged, the site, the times and the user agent', () => {
    const event = sampleEvent({
      timestamp: receivedAt - 5_000,
      properties: { quote: 'say "hi"\n', n: 1.5, none: null },
    });
    const enrich = createBatchEnricher({
      site: 'shop',
      receivedAt,
      sentAt: receivedAt - 1_000,
      userAgent: { browser: 'Chrome', device: 'desktop' },
    });
    const { value, eventJson } = enrich(event);
    const parsed: unknown = JSON.parse(value);
    expect(validateEnrichedEvent(parsed).ok).toBe(true);
    expect(parsed).toEqual({
      event,
      site: 'shop',
      receivedAt,
      eventTime: correctedEventTime(event.timestamp, receivedAt - 1_000, receivedAt),
      userAgent: { browser: 'Chrome', device: 'desktop' },
    });
    expect(JSON.parse(eventJson)).toEqual(event);
  });

  it('corrects a client clock that is an hour behind, keeping the client timestamp in the event', () => {
    const hour = 3_600_000;
    const event = sampleEvent({ timestamp: receivedAt - hour - 2_000 });
    const enrich = createBatchEnricher({ site: 'shop', receivedAt, sentAt: receivedAt - hour, userAgent: {} });
    const parsed = JSON.parse(enrich(event).value) as { eventTime: number; event: { timestamp: number } };
    expect(parsed.eventTime).toBe(receivedAt - 2_000);
    expect(parsed.event.timestamp).toBe(receivedAt - hour - 2_000);
  });

  it('gives a resent event the same event time despite different network latency', () => {
    const event = sampleEvent({ timestamp: receivedAt - 10_000 });
    const first = createBatchEnricher({ site: 's', receivedAt, sentAt: receivedAt - 40, userAgent: {} })(event);
    const resent = createBatchEnricher({
      site: 's',
      receivedAt: receivedAt + 90_000,
      sentAt: receivedAt + 89_200,
      userAgent: {},
    })(event);
    expect(JSON.parse(first.value).eventTime).toBe(JSON.parse(resent.value).eventTime);
  });

  it('never places an event in the future', () => {
    const event = sampleEvent({ timestamp: receivedAt + 86_400_000 });
    const parsed = JSON.parse(
      createBatchEnricher({ site: 's', receivedAt, sentAt: receivedAt, userAgent: {} })(event).value,
    );
    expect(parsed.eventTime).toBeLessThanOrEqual(receivedAt);
  });
});
