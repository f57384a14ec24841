import { FIELD, HEADERS, MEASUREMENT, TAG, preferredSlot, type EnrichedEvent } from '@eventline/contract';
import { createBucket, createTopics } from '@eventline/infra';
import { testInfra, uniqueName } from '@eventline/testkit';
import type { IHeaders } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { TRUNCATED_VALUE_BYTES } from '../src/dead-letter.ts';
import { splitPointTime } from '../src/stored-points.ts';
import { normalizeText } from '../src/to-point.ts';
import {
  allCommitted,
  asMessages,
  enrichedEvents,
  fieldsAt,
  groupOffsets,
  pointIds,
  pointRows,
  produce,
  testKafka,
} from './support/fixtures.ts';
import { startConsumer, testResources } from './support/test-consumer.ts';
import { eventually } from '@eventline/testkit';

const offsets = (groupId: string, topic: string) => groupOffsets(testInfra().brokers, groupId, topic);

/** Reads every message of the dead-letter topic `dlq`, waiting until there are `count`. */
async function readDeadLetters(dlq: string, count: number): Promise<{ value: Buffer | null; headers: IHeaders }[]> {
  const letters: { value: Buffer | null; headers: IHeaders }[] = [];
  const reader = testKafka(testInfra().brokers).consumer({ groupId: `${dlq}-reader` });
  await reader.connect();
  await reader.subscribe({ topic: dlq, fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => void letters.push({ value: message.value, headers: message.headers ?? {} }),
  });
  try {
    await eventually(`${count} dead letters`, async () => letters.length >= count);
  } finally {
    await reader.disconnect();
  }
  return letters;
}

const tricky = 'a,b c=d "quoted" back\\slash \\ end\\ tab\there é 😀 中文';

function fullEvent(
  base: EnrichedEvent,
  overrides: Partial<EnrichedEvent['event']> = {},
  site = base.site,
): EnrichedEvent {
  return {
    ...base,
    site,
    event: {
      ...base.event,
      name: `name ${tricky}`,
      userId: 'user=1, "x"',
      page: {
        url: 'https://shop.example/a b?q=1,2&x="y"',
        path: '/a b',
        title: `title\nline2\r\nline3\rline4 ${tricky}`,
        referrer: 'https://ref.example/',
      },
      element: {
        tag: 'textarea',
        id: 'i d',
        name: 'n=1',
        selector: 'div[data-x="a,b"] > #i\\ d',
        text: `multi\nline ${tricky}`,
        attributes: { 'k,1': 'v "1"\nnext', emoji: '😀' },
        inputType: 'text',
        checked: false,
        valueLength: 12,
        changed: true,
        value: `typed\r\nvalue ${tricky}`,
      },
      properties: { 'a key': 'v\\al"ue\n', n: 1.5, b: true, z: null },
      ...overrides,
    },
  };
}

describe('consumer (real Kafka and InfluxDB)', () => {
  it('stores N events as exactly N points with the right tags, fields and times, special characters included', async () => {
    const { topic, bucket, env } = await testResources('store');
    const { brokers, influxUrl } = testInfra();
    const plain = enrichedEvents(2_000);
    const special = enrichedEvents(3, {
      site: 'site, with spaces=and "quotes" é😀',
      startMs: Date.now() - 3_600_000,
    }).map((e) => fullEvent(e));
    const events = [...plain, ...special];
    await produce(testKafka(brokers), topic, asMessages(events));
    await startConsumer(env);

    await eventually('all points', async () => (await pointIds(influxUrl, bucket)).length >= events.length);
    const ids = await pointIds(influxUrl, bucket);
    expect(ids).toHaveLength(events.length);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.event.id)));

    const rows = new Map((await pointRows(influxUrl, bucket)).map((r) => [r[FIELD.id] as string, r]));
    for (const e of [plain[0]!, plain[1]!, ...special]) {
      const row = rows.get(e.event.id)!;
      const el = e.event.element!;
      expect(row['_measurement']).toBe(MEASUREMENT);
      expect(row[TAG.site]).toBe(e.site);
      expect(row[TAG.type]).toBe(e.event.type);
      expect(BigInt(Date.parse(row['_time'] as string))).toBe(BigInt(e.eventTime));
      // Flux returns RFC 3339 with nanoseconds: alone in its millisecond, an event takes its preferred slot.
      expect(splitPointTime(row['_time'] as string)).toEqual({ ms: e.eventTime, slot: preferredSlot(e.event) });
      expect(Number(row[TAG.shard])).toBeGreaterThanOrEqual(0);
      expect(row).toMatchObject({
        [FIELD.name]: normalizeText(e.event.name),
        [FIELD.seq]: e.event.seq,
        [FIELD.anonymousId]: e.event.anonymousId,
        [FIELD.sessionId]: e.event.sessionId,
        [FIELD.url]: e.event.page!.url,
        [FIELD.path]: e.event.page!.path,
        [FIELD.title]: normalizeText(e.event.page!.title!),
        [FIELD.elementTag]: el.tag,
        [FIELD.elementSelector]: el.selector,
        [FIELD.elementText]: normalizeText(el.text!),
        [FIELD.clientTimestamp]: e.event.timestamp,
        [FIELD.receivedAt]: e.receivedAt,
        [FIELD.browser]: 'Chrome',
        [FIELD.browserVersion]: '131',
        [FIELD.os]: 'Linux',
        [FIELD.device]: 'desktop',
      });
      expect(JSON.parse(row[FIELD.properties] as string)).toEqual(e.event.properties);
    }
    const full = rows.get(special[0]!.event.id)!;
    const fullEl = special[0]!.event.element!;
    expect(full).toMatchObject({
      [FIELD.userId]: special[0]!.event.userId,
      [FIELD.referrer]: 'https://ref.example/',
      [FIELD.elementId]: fullEl.id,
      [FIELD.elementName]: fullEl.name,
      [FIELD.elementInputType]: 'text',
      [FIELD.elementChecked]: false,
      [FIELD.elementValueLength]: 12,
      [FIELD.elementChanged]: true,
      [FIELD.elementValue]: normalizeText(fullEl.value!),
    });
    expect(full[FIELD.title]).toBe(`title line2 line3 line4 ${tricky}`);
    expect(JSON.parse(full[FIELD.elementAttributes] as string)).toEqual(fullEl.attributes);
    // Absent optional values are omitted, not stored empty.
    const plainFields = await fieldsAt(influxUrl, bucket, rows.get(plain[0]!.event.id)!['_time'] as string);
    expect(plainFields).toEqual(
      [
        FIELD.id,
        FIELD.name,
        FIELD.seq,
        FIELD.anonymousId,
        FIELD.sessionId,
        FIELD.url,
        FIELD.path,
        FIELD.title,
        FIELD.elementTag,
        FIELD.elementId,
        FIELD.elementSelector,
        FIELD.elementText,
        FIELD.properties,
        FIELD.clientTimestamp,
        FIELD.receivedAt,
        FIELD.browser,
        FIELD.browserVersion,
        FIELD.os,
        FIELD.device,
        // Derived when the point is made (contract/src/dimensions.ts).
        FIELD.label,
        FIELD.pagePath,
      ].sort(),
    );
  });

  it('sends poison messages to the dead-letter topic with the reason and origin, and stores every valid event around them', async () => {
    const { topic, dlq, bucket, env } = await testResources('poison');
    const { brokers, influxUrl } = testInfra();
    const valid = enrichedEvents(600);
    const tooLate = { ...enrichedEvents(1)[0]!, eventTime: 9_300_000_000_000 };
    const badSite = { ...enrichedEvents(1)[0]!, site: 'ends with a backslash\\' };
    const poison = [
      { value: 'this is not json {', headers: { [HEADERS.site]: 'shop' } },
      { value: JSON.stringify({ ...valid[0]!, event: { ...valid[0]!.event, type: 'bogus' } }) },
      { value: null },
      { value: JSON.stringify(tooLate) },
      { value: JSON.stringify(badSite) },
    ];
    const messages = asMessages(valid);
    // Same key as their neighbours, so the poison sits between valid events in one partition.
    const key = messages[0]!.key;
    messages.splice(300, 0, ...poison.map((p) => ({ key, ...p })));
    await produce(testKafka(brokers), topic, messages);
    const app = await startConsumer(env);

    const letters: { value: string | null; headers: IHeaders }[] = [];
    const kafka = testKafka(brokers);
    const reader = kafka.consumer({ groupId: `${dlq}-reader` });
    await reader.connect();
    await reader.subscribe({ topic: dlq, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) =>
        void letters.push({ value: message.value?.toString() ?? null, headers: message.headers ?? {} }),
    });
    try {
      await eventually('dead letters', async () => letters.length >= poison.length);
      await eventually('valid points', async () => (await pointIds(influxUrl, bucket)).length >= valid.length);
    } finally {
      await reader.disconnect();
    }
    const ids = await pointIds(influxUrl, bucket);
    expect(ids).toHaveLength(valid.length);
    expect(new Set(ids)).toEqual(new Set(valid.map((e) => e.event.id)));

    expect(letters).toHaveLength(poison.length);
    const header = (l: (typeof letters)[number], name: string) => l.headers[name]?.toString();
    expect(letters.map((l) => header(l, HEADERS.error)?.split(':')[0])).toEqual([
      'CONSUMER_MESSAGE_NOT_JSON',
      'CONSUMER_MESSAGE_INVALID',
      'CONSUMER_MESSAGE_EMPTY',
      'CONSUMER_POINT_UNREPRESENTABLE',
      'CONSUMER_POINT_UNREPRESENTABLE',
    ]);
    expect(letters.map((l) => l.value)).toEqual(poison.map((p) => p.value));
    const firstOffset = Number(header(letters[0]!, HEADERS.sourceOffset));
    expect(firstOffset).toBeGreaterThan(0);
    letters.forEach((letter, i) => {
      expect(header(letter, HEADERS.sourceTopic)).toBe(topic);
      expect(header(letter, HEADERS.sourcePartition)).toBe(header(letters[0]!, HEADERS.sourcePartition));
      expect(Number(header(letter, HEADERS.sourceOffset))).toBe(firstOffset + i);
    });
    expect(header(letters[0]!, HEADERS.site)).toBe('shop');
    expect(header(letters[1]!, HEADERS.error)).toContain('/event/type');

    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/eventline_consumer_dead_letters_total\{code="CONSUMER_MESSAGE_NOT_JSON"\} 1/);
    expect(metrics).toMatch(/eventline_consumer_dead_letters_total\{code="CONSUMER_POINT_UNREPRESENTABLE"\} 2/);
    expect(metrics).toMatch(new RegExp(`eventline_consumer_points_written_total ${valid.length}\\b`));
    expect(metrics).toMatch(new RegExp(`eventline_consumer_lag_messages\\{topic="${topic}",partition="\\d"\\} 0`));
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', joined: true, partitions: [0, 1, 2] });
  });

  it('isolates a point InfluxDB refuses, dead-letters it and stores its neighbours in the same chunk', async () => {
    const { topic, dlq, bucket, env } = await testResources('refused');
    const { brokers, influxUrl } = testInfra();
    // A field type conflict that only one event hits: its shard (2020) already has `seq` as a string.
    const refusedTime = Date.UTC(2020, 0, 1);
    const conflict = await fetch(`${influxUrl}/api/v2/write?bucket=${encodeURIComponent(bucket)}&precision=ms`, {
      method: 'POST',
      body: `${MEASUREMENT},${TAG.site}=shop,${TAG.type}=click ${FIELD.seq}="text" ${refusedTime - 1}`,
    });
    expect(conflict.status).toBe(204);
    const valid = enrichedEvents(400);
    const refused = enrichedEvents(1, { startMs: refusedTime, runId: 'refused' })[0]!;
    const messages = asMessages([...valid.slice(0, 200), refused, ...valid.slice(200)]).map((m) => ({
      ...m,
      key: 'one-partition',
    }));
    await produce(testKafka(brokers), topic, messages);
    const app = await startConsumer({ ...env, EVENTLINE_CONSUMER_BATCH_SIZE: '1000' });

    await eventually('valid points', async () => (await pointIds(influxUrl, bucket)).length >= valid.length);
    await eventually('the dead letter', async () =>
      (await app.inject('/metrics')).body.includes(
        'eventline_consumer_dead_letters_total{code="CONSUMER_POINT_REJECTED"} 1',
      ),
    );
    const ids = await pointIds(influxUrl, bucket);
    expect(ids).toHaveLength(valid.length);
    expect(ids).not.toContain(refused.event.id);

    const admin = testKafka(brokers).admin();
    await admin.connect();
    try {
      const [dlqEnd] = await admin.fetchTopicOffsets(dlq);
      expect(dlqEnd?.high).toBe('1');
      const committed = await admin.fetchOffsets({ groupId: env.EVENTLINE_CONSUMER_GROUP, topics: [topic] });
      expect(committed[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0)).toBe(messages.length);
    } finally {
      await admin.disconnect();
    }
  });

  it('dead-letters nothing and commits nothing while the database is missing, and stores every event once it exists', async () => {
    const { topic, dlq, group, env } = await testResources('nodb');
    const { brokers, influxUrl } = testInfra();
    const database = uniqueName('nodb').replace(/-/g, '_');
    const events = enrichedEvents(900);
    await produce(testKafka(brokers), topic, asMessages(events));
    const app = await startConsumer({
      ...env,
      EVENTLINE_INFLUX_BUCKET: `${database}/events`,
      EVENTLINE_CONSUMER_RETRY_MAX_MS: '1000',
    });

    const retries = async () =>
      Number(
        (await app.inject('/metrics')).body.match(/eventline_consumer_batches_total\{outcome="retry"\} (\d+)/)?.[1] ??
          0,
      );
    await eventually('writes refused for the missing database', async () => (await retries()) >= 6);
    expect((await offsets(group, topic)).committed).toEqual([-1, -1, -1]);
    expect((await offsets(group, dlq)).end).toEqual([0]);
    expect((await app.inject('/metrics')).body).not.toContain('eventline_consumer_dead_letters_total{');

    await createBucket(influxUrl, database, 'events');
    const bucket = `${database}/events`;
    await eventually(
      'every event once the database exists',
      async () => (await pointIds(influxUrl, bucket)).length >= events.length,
    );
    expect(new Set(await pointIds(influxUrl, bucket))).toEqual(new Set(events.map((e) => e.event.id)));
    await eventually('every offset committed', () => allCommitted(brokers, group, topic));
    expect((await offsets(group, dlq)).end).toEqual([0]);
  });

  it('dead-letters only the point older than the retention policy keeps and stores its neighbours', async () => {
    const { topic, dlq, group, env } = await testResources('retention');
    const { brokers, influxUrl } = testInfra();
    const bucket = await createBucket(influxUrl, uniqueName('retention').replace(/-/g, '_'), 'hour', '1h');
    const valid = enrichedEvents(300, { startMs: Date.now() - 600_000 });
    const old = enrichedEvents(1, { startMs: Date.now() - 2 * 86_400_000, runId: 'beyond-retention' })[0]!;
    const messages = asMessages([...valid.slice(0, 150), old, ...valid.slice(150)]).map((m) => ({
      ...m,
      key: 'one-partition',
    }));
    await produce(testKafka(brokers), topic, messages);
    await startConsumer({ ...env, EVENTLINE_INFLUX_BUCKET: bucket, EVENTLINE_CONSUMER_BATCH_SIZE: '1000' });

    const [letter] = await readDeadLetters(dlq, 1);
    expect(letter!.headers[HEADERS.error]?.toString()).toMatch(
      /^CONSUMER_POINT_REJECTED: .*points beyond retention policy/,
    );
    expect(JSON.parse(letter!.value!.toString()).event.id).toBe(old.event.id);
    await eventually('the valid points', async () => (await pointIds(influxUrl, bucket)).length >= valid.length);
    expect(new Set(await pointIds(influxUrl, bucket))).toEqual(new Set(valid.map((e) => e.event.id)));
    await eventually(
      'every offset committed',
      async () =>
        (await offsets(group, topic)).committed.reduce((sum, c) => sum + Math.max(0, c), 0) === messages.length,
    );
    expect((await offsets(group, dlq)).end).toEqual([1]);
  });

  it('publishes dead letters too large for the dead-letter topic in smaller sends, and one too large alone cut down with a header saying so', async () => {
    const { topic, bucket, env } = await testResources('toolarge');
    const { brokers, influxUrl } = testInfra();
    const dlq = uniqueName('toolarge-dlq');
    await createTopics(brokers, [
      { topic: dlq, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '24000' }] },
    ]);
    const valid = enrichedEvents(200);
    const huge = `not json ${'x'.repeat(100_000)}`;
    // Each fits the topic alone, but not all in one send.
    const small = Array.from({ length: 40 }, (_, i) => `not json ${i} ${'y'.repeat(1_000)}`);
    const poison = [...small.slice(0, 20), huge, ...small.slice(20)];
    const messages = asMessages(valid);
    messages.splice(100, 0, ...poison.map((value) => ({ key: messages[0]!.key, value })));
    await produce(testKafka(brokers), topic, messages);
    await startConsumer({ ...env, EVENTLINE_KAFKA_DLQ_TOPIC: dlq });

    const letters = await readDeadLetters(dlq, poison.length);
    expect(letters).toHaveLength(poison.length);
    const cut = letters[20]!;
    expect(cut.value!.toString()).toBe(huge.slice(0, TRUNCATED_VALUE_BYTES));
    expect(cut.headers[HEADERS.deadLetterTruncated]?.toString()).toBe(
      `value cut to its first ${TRUNCATED_VALUE_BYTES} of ${huge.length} bytes`,
    );
    expect(cut.headers[HEADERS.error]?.toString()).toMatch(/^CONSUMER_MESSAGE_NOT_JSON/);
    const rest = letters.filter((_, i) => i !== 20);
    expect(rest.map((l) => l.value!.toString())).toEqual(small);
    expect(rest.every((l) => l.headers[HEADERS.deadLetterTruncated] === undefined)).toBe(true);
    await eventually('the valid points', async () => (await pointIds(influxUrl, bucket)).length >= valid.length);
  });
});
