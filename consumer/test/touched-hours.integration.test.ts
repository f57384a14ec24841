import { hourOf, touchedHourId, touchedHourKey, type TouchedHour } from '@eventline/contract';
import { createTestTopic, eventually, testInfra } from '@eventline/testkit';
import { describe, expect, it } from 'vitest';
import { asMessages, enrichedEvents, pointIds, produce, testKafka } from './support/fixtures.ts';
import { startConsumer, testResources } from './support/test-consumer.ts';

describe('touched hours', () => {
  it('announces every (site, hour) a stored chunk touched, after its points are in InfluxDB', async () => {
    const { brokers, influxUrl } = testInfra();
    const { topic, bucket, env } = await testResources('th-events');
    const touched = await createTestTopic('th-touched', 3);
    // 300 events a millisecond apart from just before an hour, across two sites: three buckets.
    const start = hourOf(Date.now() - 86_400_000) + 3_600_000 - 100;
    const events = [
      ...enrichedEvents(200, { site: 'shop', startMs: start }),
      ...enrichedEvents(100, { site: 'blog', startMs: start + 150 }),
    ];
    const expected = new Set(events.map((e) => touchedHourId({ site: e.site, hour: hourOf(e.eventTime) })));
    expect(expected.size).toBe(3);

    const announced = new Map<string, { hour: TouchedHour; storedPoints: number }>();
    const reader = testKafka(brokers).consumer({ groupId: `${touched}-reader` });
    await reader.connect();
    await reader.subscribe({ topic: touched, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const hour = JSON.parse(String(message.value)) as TouchedHour;
        expect(String(message.key)).toBe(touchedHourKey(hour));
        // What was stored by the time the announcement is read: at least the chunk that announced it.
        announced.set(touchedHourId(hour), { hour, storedPoints: (await pointIds(influxUrl, bucket)).length });
      },
    });
    try {
      await startConsumer({ ...env, EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC: touched });
      await produce(testKafka(brokers), topic, asMessages(events));
      await eventually('every bucket announced', async () => announced.size === expected.size);
      expect(new Set(announced.keys())).toEqual(expected);
      for (const { storedPoints } of announced.values()) expect(storedPoints).toBeGreaterThan(0);
    } finally {
      await reader.disconnect();
    }
  });
});
