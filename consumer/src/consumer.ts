// The consumer-group worker: Kafka batches in, InfluxDB points out. A partition's
// offset is committed only after InfluxDB acknowledged the points of exactly the
// messages below it and the dead-letter topic acknowledged the rest; when either
// fails the partition is paused, backs off and is fetched again from its last
// committed position. Points are idempotent, so redelivery never duplicates.
// A rebalance noticed by a heartbeat ends the batch after the chunk in flight.
import { HEADERS } from '@eventline/contract';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Gauge } from 'prom-client';
import { Backoff } from '@eventline/kit/backoff';
import { isRetriable } from '@eventline/kit/errors';
import type { ConsumerConfig } from './config.ts';
import type { DeadLetter, DeadLetterPublisher } from './dead-letter.ts';
import { decodeMessage, type DecodedEvent } from './decode-message.ts';
import { ConsumerError } from './errors.ts';
import type { InfluxWriter } from './influx-writer.ts';
import type { ConsumerMetrics } from './metrics.ts';
import type { PointPlacer } from './point-placer.ts';
import { pointLine } from './to-point.ts';
import { WRITE_SIZE_DEFAULTS, WriteSize } from './write-size.ts';
import { touchedHours, type TouchedHoursPublisher } from './touched-hours.ts';

/** What one committed chunk contained; for benchmarks and tests. */
export interface WrittenChunk {
  topic: string;
  partition: number;
  points: number;
  deadLetters: number;
  /** Kafka timestamps (epoch ms) of the events written as points, one per point. */
  timestamps: number[];
  /** When InfluxDB acknowledged the write (epoch ms). */
  writtenAt: number;
}

/** Where a point's event came from: its record, and its position there when the record holds several. */
interface EventSource {
  message: KafkaMessage;
  /** Undefined for a record of one event in the old format (the record is the event). */
  index: number | undefined;
  event: DecodedEvent['event'];
}

/** A chunk of messages turned into lines and dead letters, placed and ready to store. */
interface PreparedChunk {
  messages: KafkaMessage[];
  lines: string[];
  /** The source of each line, by index. */
  sources: EventSource[];
  letters: DeadLetter[];
  /** Lines InfluxDB refused (moved to `letters`). */
  rejected: number;
  /** The placer's ticket for these placements. */
  ticket: number;
}

/** One record, decoded: its events ready to place, or its dead letters. */
interface DecodedRecord {
  message: KafkaMessage;
  events: (DecodedEvent & { source: EventSource })[];
  letters: DeadLetter[];
}

/** A run of whole records of one batch, holding about a write's worth of events. */
interface DecodedChunk {
  messages: KafkaMessage[];
  events: DecodedRecord['events'];
  letters: DeadLetter[];
}

/**
 * Takes whole records from `records` (decoding as it goes) until the next one
 * would take the chunk past `maxEvents`; a chunk always holds at least one
 * record, so a record of more events than that is a chunk of its own.
 */
export function takeChunk(records: Iterator<DecodedRecord>, maxEvents: number, carried?: DecodedRecord) {
  const chunk: DecodedChunk = { messages: [], events: [], letters: [] };
  let record = carried ?? records.next().value;
  while (record) {
    if (chunk.messages.length > 0 && chunk.events.length + record.events.length > maxEvents)
      return { chunk, carried: record };
    chunk.messages.push(record.message);
    chunk.events.push(...record.events);
    chunk.letters.push(...record.letters);
    record = records.next().value;
  }
  return { chunk, carried: undefined };
}

/** The record a dead letter of one event carries: the record itself, or the event alone with its position. */
function eventRecord(source: Pick<EventSource, 'message' | 'index'>, value: Buffer): KafkaMessage {
  if (source.index === undefined) return source.message;
  const headers = { ...source.message.headers, [HEADERS.sourceIndex]: String(source.index) };
  return { ...source.message, value, headers } as KafkaMessage;
}

export interface EventConsumerOptions {
  kafka: Kafka;
  config: Pick<ConsumerConfig, 'kafka' | 'batchSize' | 'retry'>;
  writer: InfluxWriter;
  /** Gives each event its point; reset on every rebalance. */
  placer: PointPlacer;
  deadLetters: DeadLetterPublisher;
  /** Where the (site, hour) buckets of each durable chunk are announced for the rollups. Default: none (no rollups) */
  touchedHours?: TouchedHoursPublisher;
  metrics: ConsumerMetrics;
  logger: Logger;
  /** Called after each chunk's offsets are committed. */
  onChunkCommitted?: (chunk: WrittenChunk) => void;
  /** Called when kafkajs gives up and will not restart the consumer. */
  onFatal?: (error: Error) => void;
}

export interface ConsumerStatus {
  /** Member of the group with an assignment (possibly empty). */
  joined: boolean;
  /** Partitions of the topic assigned to this instance. */
  partitions: number[];
  /** Partitions currently paused by a back-off. */
  paused: number;
  /** Set when the consumer crashed for good. */
  failed?: string;
}

export interface EventConsumer {
  start(): Promise<void>;
  /** Finishes the chunk in flight, commits it, leaves the group. */
  stop(): Promise<void>;
  status(): ConsumerStatus;
  /** Refreshes the per-partition lag gauge from the broker. */
  collectLag(gauge: Gauge<'topic' | 'partition'>): Promise<void>;
}

/** Heartbeat answers meaning this member's partitions are being taken away (or already are): the errors kafkajs rejoins on. */
const REVOKED = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'NOT_COORDINATOR_FOR_GROUP',
  'UNKNOWN_MEMBER_ID',
]);

export function createEventConsumer(options: EventConsumerOptions): EventConsumer {
  const { config, writer, placer, deadLetters, metrics } = options;
  const { topic, groupId } = config.kafka;
  const logger = options.logger.child({ module: 'consumer' });
  const consumer: Consumer = options.kafka.consumer({
    groupId,
    sessionTimeout: config.kafka.sessionTimeoutMs,
    heartbeatInterval: config.kafka.heartbeatIntervalMs,
    rebalanceTimeout: Math.max(60_000, config.kafka.sessionTimeoutMs),
    maxBytes: config.kafka.fetchMaxBytes,
    maxBytesPerPartition: config.kafka.partitionMaxBytes,
    maxWaitTimeInMs: config.kafka.fetchMaxWaitMs,
  });
  const admin: Admin = options.kafka.admin();
  const backoff = new Backoff(config.retry);
  const writeSize = new WriteSize({ maxPoints: config.batchSize, ...WRITE_SIZE_DEFAULTS });
  const resumeTimers = new Map<number, NodeJS.Timeout>();
  let stopping = false;
  let joined = false;
  let partitions: number[] = [];
  let failed: string | undefined;
  /** Joins so far: a batch begun under an earlier one stores and commits nothing more. */
  let generation = 0;
  /** Writes of chunks running now, and what placements wait for after a join (the writes running at that join). */
  const writing = new Set<Promise<unknown>>();
  let drained: Promise<unknown> = Promise.resolve();

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    joined = true;
    generation++;
    // Partitions this instance held may have been written by another since: what the placer knew is stale.
    placer.reset();
    // kafkajs lets a batch of the previous membership run on (a crash and restart, a rebalance), and its write may
    // still be in flight: nothing is placed again until it landed or failed, so the placer's reads of InfluxDB see
    // its points and never give their slots to other events.
    drained = Promise.allSettled([...writing]);
    partitions = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    logger.info({ partitions, memberId: payload.memberId }, 'joined the consumer group');
  });
  consumer.on(consumer.events.REBALANCING, () => logger.info('the group is rebalancing'));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    joined = false;
    if (payload.restart) {
      logger.warn({ err: payload.error }, 'kafkajs consumer crashed; it restarts itself');
      return;
    }
    failed = payload.error.message;
    logger.fatal({ err: payload.error }, 'kafkajs consumer crashed and will not restart');
    options.onFatal?.(payload.error);
  });

  function pauseFor(pause: () => () => void, partition: number, delayMs: number): void {
    // A consumer being stopped fetches nothing more; a resume timer would only outlive it.
    if (stopping) return;
    const resume = pause();
    clearTimeout(resumeTimers.get(partition));
    resumeTimers.set(
      partition,
      setTimeout(() => {
        resumeTimers.delete(partition);
        metrics.pausedPartitions.set(resumeTimers.size);
        resume();
      }, delayMs),
    );
    metrics.pausedPartitions.set(resumeTimers.size);
  }

  function clearResumeTimers(): void {
    for (const timer of resumeTimers.values()) clearTimeout(timer);
    resumeTimers.clear();
    metrics.pausedPartitions.set(0);
  }

  /** Keeps the group session alive while `work` runs (kafkajs rate-limits heartbeat() itself). `beat` never rejects. */
  async function heartbeating<T>(beat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => void beat(), Math.max(100, Math.floor(config.kafka.heartbeatIntervalMs / 2)));
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  async function timedWrite(lines: string[]) {
    const end = metrics.writeDuration.startTimer();
    try {
      const rejected = await writer.write(lines);
      end({ outcome: rejected.length > 0 ? 'rejected' : 'ok' });
      return rejected;
    } catch (error) {
      end({ outcome: 'failed' });
      throw error;
    }
  }

  /** Decodes one record into events and dead letters. CPU only. */
  function decodeRecord(partition: number, message: KafkaMessage): DecodedRecord {
    const record = decodeMessage(message.value);
    if (!record.ok) return { message, events: [], letters: [{ topic, partition, message, error: record.error }] };
    const letters = record.refused.map((refused): DeadLetter => {
      const eventMessage = eventRecord({ message, index: refused.index }, refused.value);
      return { topic, partition, message: eventMessage, error: refused.error };
    });
    const events = record.events.map((event) => ({
      ...event,
      source: { message, index: record.envelope ? event.index : undefined, event: event.event },
    }));
    return { message, events, letters };
  }

  /**
   * Gives a chunk's events their points (in offset order) and builds the lines; undefined when a join came first
   * (the records are the new membership's to place).
   */
  async function placeChunk(
    partition: number,
    decoded: DecodedChunk,
    superseded: () => boolean,
  ): Promise<PreparedChunk | undefined> {
    await drained;
    // Placing them now would give their ids slots in the new membership's placer out of offset order.
    if (superseded()) return undefined;
    const { placements, ticket } = await placer.place(
      partition,
      decoded.events.map((d) => d.event),
    );
    const letters = [...decoded.letters];
    const lines: string[] = [];
    const sources: EventSource[] = [];
    decoded.events.forEach(({ source, event, point }, i) => {
      const placement = placements[i]!;
      if (placement instanceof ConsumerError) {
        letters.push({
          topic,
          partition,
          message: eventRecord(source, Buffer.from(JSON.stringify(event))),
          error: placement,
        });
        return;
      }
      lines.push(pointLine(point, placement));
      sources.push(source);
    });
    return { messages: decoded.messages, lines, sources, letters, rejected: 0, ticket };
  }

  /**
   * Writes the points, then publishes the dead letters, then announces the touched hours (the rollups' one hook:
   * after the points are durable, before the commit); throws a retriable error when any is not durable.
   */
  async function store(partition: number, chunk: PreparedChunk, beat: () => Promise<void>): Promise<void> {
    const rejected = await heartbeating(beat, () => timedWrite(chunk.lines));
    chunk.rejected = rejected.length;
    for (const { index, reason } of rejected) {
      const source = chunk.sources[index]!;
      chunk.letters.push({
        topic,
        partition,
        message: eventRecord(source, Buffer.from(JSON.stringify(source.event))),
        error: new ConsumerError('CONSUMER_POINT_REJECTED', reason),
      });
    }
    await heartbeating(beat, () => deadLetters.publish(chunk.letters));
    const { touchedHours: announcer } = options;
    if (announcer) {
      // The hours of the points InfluxDB kept; a refused line became a dead letter above.
      const refused = new Set(rejected.map(({ index }) => index));
      const stored = chunk.sources.filter((_, i) => !refused.has(i)).map((source) => source.event);
      await heartbeating(beat, () => announcer.publish(touchedHours(stored)));
    }
  }

  /** Commits the offset past the chunk and records what it wrote. */
  async function commit(
    partition: number,
    chunk: PreparedChunk,
    { resolveOffset, commitOffsetsIfNecessary }: Pick<EachBatchPayload, 'resolveOffset' | 'commitOffsetsIfNecessary'>,
  ): Promise<void> {
    const key = String(partition);
    const writtenAt = Date.now();
    const lastOffset = chunk.messages[chunk.messages.length - 1]!.offset;
    resolveOffset(lastOffset);
    await commitOffsetsIfNecessary({
      topics: [{ topic, partitions: [{ partition, offset: (BigInt(lastOffset) + 1n).toString() }] }],
    });
    placer.settle(partition, chunk.ticket);
    if (backoff.failuresOf(key) > 0) logger.info({ partition }, 'writes succeed again');
    backoff.succeeded(key);
    writeSize.succeeded(key);
    const points = chunk.lines.length - chunk.rejected;
    metrics.batches.inc({ outcome: 'committed' });
    metrics.pointsWritten.inc(points);
    for (const letter of chunk.letters) metrics.deadLetters.inc({ code: letter.error.code });
    const timestamps = chunk.sources.map((s) => Number(s.message.timestamp));
    for (const timestamp of timestamps) metrics.eventLag.observe(Math.max(0, writtenAt - timestamp) / 1000);
    options.onChunkCommitted?.({
      topic,
      partition,
      points,
      deadLetters: chunk.letters.length,
      timestamps,
      writtenAt,
    });
  }

  /** Pauses the partition for a back-off after a retriable failure; it is fetched again from its committed offset. */
  function retryLater(partition: number, fromOffset: string, error: unknown, pause: EachBatchPayload['pause']): void {
    const key = String(partition);
    if (error instanceof ConsumerError && error.code === 'CONSUMER_INFLUX_TIMEOUT') writeSize.timedOut(key);
    const delayMs = backoff.failed(key);
    metrics.batches.inc({ outcome: 'retry' });
    logger.warn(
      {
        partition,
        fromOffset,
        failures: backoff.failuresOf(key),
        retryInMs: delayMs,
        writeSize: writeSize.of(key),
        reason: (error as Error).message,
      },
      'could not store a chunk; partition paused',
    );
    pauseFor(pause, partition, delayMs);
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, pause } = payload;
    const { partition } = batch;
    const joinedAs = generation;
    // A later join reset the placer: this batch's records are the new membership's to place, store and commit.
    const superseded = () => generation !== joinedAs;
    let revoked: Error | undefined;
    const beat = async (): Promise<void> => {
      try {
        await heartbeat();
      } catch (error) {
        if (REVOKED.has((error as { type?: string }).type ?? '')) revoked ??= error as Error;
        else logger.debug({ err: error }, 'heartbeat failed; the next one or the commit will tell');
      }
    };
    // Records are decoded as the chunks need them, so a chunk holds about one write's worth of events.
    const records = (function* () {
      for (const message of batch.messages) yield decodeRecord(partition, message);
    })();
    let carried: DecodedRecord | undefined;
    const prepareNext = (): { fromOffset: string; prepared: Promise<PreparedChunk | undefined> } | undefined => {
      const taken = takeChunk(records, writeSize.of(String(partition)), carried);
      carried = taken.carried;
      if (taken.chunk.messages.length === 0) return undefined;
      const prepared = placeChunk(partition, taken.chunk, superseded);
      // Awaited when its turn comes; this only keeps a failure meanwhile from counting as unhandled.
      prepared.catch(() => {});
      return { fromOffset: taken.chunk.messages[0]!.offset, prepared };
    };
    for (let next = prepareNext(); next;) {
      if (!isRunning() || isStale() || superseded()) return;
      // The partition may already be someone else's: write nothing more, and let kafkajs rejoin at once.
      if (revoked) throw revoked;
      const { fromOffset, prepared } = next;
      let chunk: PreparedChunk;
      try {
        const placed = await prepared;
        // Placed with what the placer knew before a join: not written (nothing is committed, so it is redelivered).
        if (!placed || superseded()) return;
        chunk = placed;
        const storing = store(partition, chunk, beat);
        writing.add(storing);
        const done = () => writing.delete(storing);
        storing.then(done, done);
        // Prepare the following chunk while this one is being written (after letting the request go out);
        // it is only used if this one commits.
        await new Promise((resolve) => setImmediate(resolve));
        next = prepareNext();
        await storing;
      } catch (error) {
        if (!isRetriable(error)) throw error;
        retryLater(partition, fromOffset, error, pause);
        return;
      }
      // Written, but the new membership replays it from the last commit and finds each event's point by id.
      if (superseded()) return;
      await commit(partition, chunk, payload);
      // Chunks may each finish within the heartbeat timer's period, so beat between them too.
      await beat();
    }
  }

  async function requireTopics(): Promise<void> {
    const existing = new Set(await admin.listTopics());
    const required = [topic, config.kafka.deadLetterTopic];
    if (options.touchedHours) required.push(config.kafka.touchedHoursTopic);
    const missing = required.filter((t) => !existing.has(t));
    if (missing.length > 0)
      throw new ConsumerError(
        'CONSUMER_TOPIC_MISSING',
        `${missing.join(', ')} (topic auto-creation is off; create them first)`,
      );
  }

  return {
    async start() {
      await admin.connect();
      await requireTopics();
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: config.kafka.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: config.kafka.partitionsConcurrently,
        eachBatch,
      });
    },

    async stop() {
      stopping = true;
      clearResumeTimers();
      try {
        await consumer.disconnect();
      } finally {
        joined = false;
        partitions = [];
        await admin.disconnect();
      }
    },

    status() {
      return { joined, partitions, paused: resumeTimers.size, ...(failed ? { failed } : {}) };
    },

    async collectLag(gauge) {
      gauge.reset();
      if (!joined || partitions.length === 0) return;
      try {
        const [ends, committed] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId, topics: [topic] }),
        ]);
        const committedByPartition = new Map(
          (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
        );
        for (const end of ends) {
          if (!partitions.includes(end.partition)) continue;
          const position = committedByPartition.get(end.partition) ?? -1;
          const from = position >= 0 ? position : Number(end.low);
          gauge.set({ topic, partition: String(end.partition) }, Math.max(0, Number(end.high) - from));
        }
      } catch (error) {
        logger.debug({ err: error }, 'could not read partition offsets for the lag metric');
      }
    },
  };
}
