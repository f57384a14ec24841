import { touchedHourKey } from '@eventline/contract';
import type { Producer } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConsumerError } from '../src/errors.ts';
import { createTouchedHoursPublisher, touchedHours } from '../src/touched-hours.ts';

const HOUR = 3_600_000;
const T = Date.UTC(2026, 11, 6, 10);

describe('touchedHours', () => {
  it('lists each (site, hour) of a chunk once, a late event in its own hour, each with the span of its event times', () => {
    const hours = touchedHours([
      { site: 'shop', eventTime: T + 500 },
      { site: 'shop', eventTime: T + HOUR - 1 },
      { site: 'blog', eventTime: T + 10 },
      { site: 'shop', eventTime: T + 5 },
      { site: 'shop', eventTime: T - 20 * HOUR },
    ]);
    expect(hours).toEqual([
      { site: 'shop', hour: T, span: { first: T + 5, last: T + HOUR - 1 } },
      { site: 'blog', hour: T, span: { first: T + 10, last: T + 10 } },
      { site: 'shop', hour: T - 20 * HOUR, span: { first: T - 20 * HOUR, last: T - 20 * HOUR } },
    ]);
  });
});

describe('touched-hours publisher', () => {
  const logger = pino({ level: 'silent' });

  it('keys each bucket so its announcements stay ordered on one partition, and waits for every replica', async () => {
    const sent: Parameters<Producer['send']>[0][] = [];
    const producer = { send: async (record: (typeof sent)[number]) => void sent.push(record) } as unknown as Producer;
    await createTouchedHoursPublisher({ producer, topic: 'touched', logger }).publish([{ site: 'shop', hour: T }]);
    expect(sent).toEqual([
      {
        topic: 'touched',
        acks: -1,
        messages: [
          { key: touchedHourKey({ site: 'shop', hour: T }), value: JSON.stringify({ site: 'shop', hour: T }) },
        ],
      },
    ]);
  });

  it('sends nothing for a chunk without points, and turns a refusal into a retriable error', async () => {
    let sends = 0;
    const failing = {
      send: async () => {
        sends++;
        throw new Error('broker gone');
      },
    } as unknown as Producer;
    const publisher = createTouchedHoursPublisher({ producer: failing, topic: 'touched', logger });
    await publisher.publish([]);
    expect(sends).toBe(0);
    const error = await publisher.publish([{ site: 'shop', hour: T }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsumerError);
    expect(error).toMatchObject({ code: 'CONSUMER_TOUCHED_HOURS_UNAVAILABLE', retriable: true });
  });
});
