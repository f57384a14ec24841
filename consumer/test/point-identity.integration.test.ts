// Point identity against the real thing: events that share a millisecond, site
// and type each keep a point of their own, through redelivery, a consumer that
// starts over with nothing in memory, and points written before shards existed.
import { FIELD, MEASUREMENT, SLOTS_PER_MS, TAG, fnv1a32, type EnrichedEvent } from '@eventline/contract';
import { eventually, testInfra } from '@eventline/testkit';
import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { toPoint } from '../src/to-point.ts';
import { allCommitted, enrichedEvents, pointIds, pointRows, produce, testKafka } from './support/fixtures.ts';
import { startConsumer, testResources } from './support/test-consumer.ts';

/** `sessions` sessions of `perSession` clicks each, all in one millisecond, whose preferred slots all collide. */
function collidingSessions(sessions: number, perSession: number, ms: number): EnrichedEvent[] {
  const [template] = enrichedEvents(1, { startMs: ms });
  return Array.from({ length: sessions }, (_, s) => {
    const sessionId = `sess-collide-${ms}-${s}`;
    const firstSeq = ((SLOTS_PER_MS - fnv1a32(sessionId)) % SLOTS_PER_MS) + SLOTS_PER_MS;
    return Array.from({ length: perSession }, (_, i) => ({
      ...template!,
      eventTime: ms,
      event: {
        ...template!.event,
        type: 'click' as const,
        id: `ev-collide-${ms}-${s}-${i}`,
        sessionId,
        anonymousId: `anon-${s}`,
        seq: firstSeq + i,
        timestamp: ms,
      },
    }));
  }).flat();
}

/** One record per session: the envelope ingest writes. */
function envelopes(events: EnrichedEvent[]): Message[] {
  const bySession = new Map<string, EnrichedEvent[]>();
  for (const e of events) bySession.set(e.event.sessionId!, [...(bySession.get(e.event.sessionId!) ?? []), e]);
  return [...bySession.values()].map((group) => ({ key: group[0]!.event.anonymousId, value: JSON.stringify(group) }));
}

describe('point identity (real Kafka and InfluxDB)', () => {
  it('gives every event of 200 sessions colliding in the same milliseconds its own point, through redelivery and a restart', async () => {
    const { topic, bucket, env } = await testResources('identity');
    const ms = Date.now() - 60_000;
    const events = [...collidingSessions(200, 10, ms), ...collidingSessions(200, 10, ms + 1)];
    const kafka = testKafka(testInfra().brokers);
    await produce(kafka, topic, envelopes(events), 100);
    const first = await startConsumer({ ...env, EVENTLINE_CONSUMER_GROUP: `${topic}-a` });
    const { influxUrl } = testInfra();
    await eventually('every event stored', async () => (await pointIds(influxUrl, bucket)).length >= events.length);

    // Delivered again (a resend) to the running consumer, and the whole topic replayed by a consumer that starts
    // with nothing in memory: every event lands on the point it already has.
    await produce(kafka, topic, envelopes(events.slice(0, 1_000)), 100);
    await eventually('the resend committed', () => allCommitted(testInfra().brokers, `${topic}-a`, topic));
    await first.close();
    await startConsumer({ ...env, EVENTLINE_CONSUMER_GROUP: `${topic}-b` });
    await eventually('the replay committed', () => allCommitted(testInfra().brokers, `${topic}-b`, topic));

    const ids = await pointIds(influxUrl, bucket);
    expect(ids).toHaveLength(events.length);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.event.id)));
  });

  it('keeps an event stored before shards existed on its old point when it is delivered again', async () => {
    const { topic, bucket, group, env } = await testResources('legacy');
    const { influxUrl } = testInfra();
    const [old, ...fresh] = enrichedEvents(3, { startMs: Date.now() - 30_000 });
    // The line the consumer wrote before shards: no shard tag, the id's hash as the sub-millisecond part.
    const legacyLine = toPoint(old!, { shard: undefined, slot: fnv1a32(old!.event.id) % SLOTS_PER_MS });
    const written = await fetch(`${influxUrl}/api/v2/write?bucket=${encodeURIComponent(bucket)}&precision=ns`, {
      method: 'POST',
      body: legacyLine,
    });
    expect(written.status).toBe(204);
    // One event per partition, so every partition has an offset to commit.
    const messages = [old!, ...fresh].map((e, partition) => ({ partition, key: 'k', value: JSON.stringify(e) }));
    await produce(testKafka(testInfra().brokers), topic, messages);
    await startConsumer(env);
    await eventually('committed', () => allCommitted(testInfra().brokers, group, topic));

    const rows = await pointRows(influxUrl, bucket);
    expect(rows).toHaveLength(3);
    const oldRow = rows.find((r) => r[FIELD.id] === old!.event.id);
    expect(oldRow).toMatchObject({ _measurement: MEASUREMENT });
    // Flux reads a tag a series does not have as an empty string.
    expect(oldRow![TAG.shard] ?? '').toBe('');
    for (const e of fresh) expect(rows.find((r) => r[FIELD.id] === e.event.id)![TAG.shard] ?? '').not.toBe('');
  });
});
