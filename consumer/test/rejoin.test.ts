// The consumer's orchestration across a group join, with the real placer and
// encoder against an in-memory store standing in for InfluxDB, and kafkajs's
// batches driven by hand: a batch of the previous membership whose write is
// still in flight when the group is joined again (kafkajs lets it run on,
// tulios/kafkajs#1097) must not make two events share a point. An integration
// test cannot time this interleaving; here it is exact.
import type { EnrichedEvent } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createEventConsumer } from '../src/consumer.ts';
import type { DeadLetter } from '../src/dead-letter.ts';
import { ConsumerError } from '../src/errors.ts';
import type { InfluxWriter } from '../src/influx-writer.ts';
import { createMetrics } from '../src/metrics.ts';
import { createPointPlacer, type StoredPoint } from '../src/point-placer.ts';

const TOPIC = 'events';

/** Points by series and time, as InfluxDB keeps them: a later write to the same point replaces it. */
function memoryStore() {
  const points = new Map<string, StoredPoint>();
  const parse = (line: string): StoredPoint => {
    const [series = '', ...rest] = line.split(' ');
    const time = BigInt(rest[rest.length - 1]!);
    const tag = (name: string) => new RegExp(`,${name}=([^,]+)`).exec(series)?.[1];
    return {
      site: tag('site')!,
      type: tag('type')!,
      shard: Number(tag('shard')),
      ms: Number(time / 1_000_000n),
      slot: Number(time % 1_000_000n),
      id: /[ ,]id="([^"]+)"/.exec(line)![1]!,
    };
  };
  return {
    write(lines: readonly string[]) {
      for (const point of lines.map(parse))
        points.set(`${point.site} ${point.type} ${point.shard} ${point.ms} ${point.slot}`, point);
    },
    load: async (shard: number, fromMs: number, toMs: number) =>
      [...points.values()].filter((p) => p.shard === shard && p.ms >= fromMs && p.ms < toMs),
    ids: () => [...points.values()].map((p) => p.id),
  };
}

/** kafkajs as far as the consumer uses it: join events and batches are the test's to deliver. */
function handDrivenKafka() {
  const listeners = new Map<string, (event: { payload: unknown }) => void>();
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const consumer = {
    events: { GROUP_JOIN: 'join', REBALANCING: 'rebalancing', CRASH: 'crash' },
    on: (name: string, listener: (event: { payload: unknown }) => void) => listeners.set(name, listener),
    connect: async () => {},
    subscribe: async () => {},
    run: async (options: { eachBatch: typeof eachBatch }) => {
      eachBatch = options.eachBatch;
    },
    disconnect: async () => {},
  };
  const admin = {
    connect: async () => {},
    disconnect: async () => {},
    listTopics: async () => [TOPIC, 'events.dlq'],
  };
  let generation = 0;
  return {
    kafka: { consumer: () => consumer, admin: () => admin } as unknown as Kafka,
    join() {
      generation++;
      listeners.get('join')!({ payload: { memberId: 'member', memberAssignment: { [TOPIC]: [0] } } });
    },
    /** Delivers `messages` of partition 0 as one batch; it goes stale once the group is joined again. */
    batch(messages: KafkaMessage[]) {
      const joinedAs = generation;
      const payload = {
        batch: { topic: TOPIC, partition: 0, messages },
        heartbeat: async () => {},
        isRunning: () => true,
        isStale: () => generation !== joinedAs,
        pause: () => () => {},
        resolveOffset: () => {},
        commitOffsetsIfNecessary: async () => {},
      } as unknown as EachBatchPayload;
      return eachBatch!(payload);
    },
  };
}

/**
 * Two tabs of one session, both numbering from 0, in one millisecond: tab A's n and tab B's n prefer the same
 * slot, so where each lands depends on what was placed before it.
 */
function collidingEvents(perTab: number): EnrichedEvent[] {
  const eventTime = Date.now() - 60_000;
  return Array.from({ length: perTab * 2 }, (_, i) => ({
    event: sampleEvent({
      id: `event-rejoin-${String(i).padStart(4, '0')}`,
      type: 'click',
      seq: Math.floor(i / 2),
      timestamp: eventTime,
      sessionId: 'session',
      tabId: i % 2 === 0 ? 'tab-a' : 'tab-b',
    }),
    site: 'shop',
    receivedAt: eventTime,
    eventTime,
    userAgent: {},
  }));
}

async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** How the write in flight at the join ends: it lands, or it times out and InfluxDB applies it later anyway. */
const OUTCOMES = ['lands', 'times out and lands later'] as const;

it.each(OUTCOMES)(
  'gives no two events one point when the group is joined again while a write of the previous membership %s',
  async (outcome) => {
    const store = memoryStore();
    const kafka = handDrivenKafka();
    let endFirstWrite = () => {};
    let landLate = () => {};
    let writes = 0;
    const writer = {
      write(lines: string[]) {
        writes++;
        if (writes > 1) {
          store.write(lines);
          return Promise.resolve([]);
        }
        // The first write hangs until ended; meanwhile the group is joined again (a rebalance, a restart).
        queueMicrotask(() => kafka.join());
        return new Promise((resolve, reject) => {
          endFirstWrite = () => {
            if (outcome === 'lands') {
              store.write(lines);
              resolve([]);
              return;
            }
            landLate = () => store.write(lines);
            reject(new ConsumerError('CONSUMER_INFLUX_TIMEOUT'));
          };
        });
      },
    } as InfluxWriter;
    const deadLettered: DeadLetter[] = [];
    const consumer = createEventConsumer({
      kafka: kafka.kafka,
      config: loadConfig({ EVENTLINE_CONSUMER_BATCH_SIZE: '2' }),
      writer,
      placer: createPointPlacer({ load: store.load }),
      deadLetters: { publish: async (letters: DeadLetter[]) => void deadLettered.push(...letters) },
      metrics: createMetrics({ collectLag: async () => {}, defaultMetrics: false }),
      logger: pino({ level: 'silent' }),
    });
    await consumer.start();
    const events = collidingEvents(6);
    const messages = events.map(
      (event, offset) =>
        ({ offset: String(offset), timestamp: '0', value: Buffer.from(JSON.stringify([event])) }) as KafkaMessage,
    );

    kafka.join();
    const old = kafka.batch(messages);
    await ticks(5);
    // Nothing was committed: the new membership is given the partition from the first offset.
    const current = kafka.batch(messages);
    await ticks(20);
    endFirstWrite();
    await Promise.all([old, current]);
    landLate();

    expect(deadLettered).toEqual([]);
    expect(store.ids().sort()).toEqual(events.map((e) => e.event.id).sort());
  },
);
