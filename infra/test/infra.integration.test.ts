import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createTestBucket, createTestTopic, testInfra, uniqueName } from '@eventline/testkit';

describe('local infrastructure', () => {
  it('round-trips messages through the real KRaft broker with a consumer group', async () => {
    const { brokers } = testInfra();
    const topic = await createTestTopic('roundtrip', 3);
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: uniqueName('group') });
    await producer.connect();
    const sent = Array.from({ length: 20 }, (_, i) => ({ key: `visitor-${i % 4}`, value: `message-${i}` }));
    await producer.send({ topic, acks: -1, messages: sent });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { key: string; value: string }[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: String(message.key), value: String(message.value) });
          if (received.length === sent.length) resolve();
        },
      });
    });
    await consumer.disconnect();
    await producer.disconnect();
    expect(received.map((m) => m.value).sort()).toEqual(sent.map((m) => m.value).sort());
    for (const key of ['visitor-0', 'visitor-1']) {
      const order = received.filter((m) => m.key === key).map((m) => Number(m.value.split('-')[1]));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('writes and queries back a point through @influxdata/influxdb-client with Flux', async () => {
    const { influxUrl } = testInfra();
    const bucket = await createTestBucket('roundtrip');
    const client = new InfluxDB({ url: influxUrl, token: '' });
    const writer = client.getWriteApi('', bucket, 'ns');
    const time = new Date('2026-01-02T03:04:05.678Z');
    writer.writePoint(
      new Point('probe')
        .tag('site', 'a,b c=d')
        .stringField('text', 'say "hi", x=1 \\ ok')
        .intField('n', 42)
        .timestamp(time),
    );
    await writer.close();
    const rows = await client
      .getQueryApi('')
      .collectRows<{ _field: string; _value: unknown; site: string; _time: string }>(
        `from(bucket: "${bucket}") |> range(start: 2026-01-01T00:00:00Z, stop: 2026-02-01T00:00:00Z) |> filter(fn: (r) => r._measurement == "probe")`,
      );
    expect(rows.map((r) => [r._field, r._value, r.site, r._time]).sort()).toEqual([
      ['n', 42, 'a,b c=d', '2026-01-02T03:04:05.678Z'],
      ['text', 'say "hi", x=1 \\ ok', 'a,b c=d', '2026-01-02T03:04:05.678Z'],
    ]);
  });
});
