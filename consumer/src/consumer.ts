// The consumer-group worker: Kafka batches in, InfluxDB points out. A partition's
// offset is committed only after InfluxDB acknowledged the points of exactly the
// messages below it and the dead-letter topic acknowledged the rest; when either
// fails the partition is paused, backs off and is fetched again from its last
// committed position. Points are idempotent, so redelivery never duplicates.
// A rebalance noticed by a heartbeat ends the batch after the chunk in flight.
import type { EnrichedEvent } from '@eventline/contract';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Gauge } from 'prom-client';
import type { ConsumerConfig } from './config.ts';
import type { DeadLetter, DeadLetterPublisher } from './dead-letter.ts';
import { decodeMessage } from './decode-message.ts';
import { ConsumerError, isRetriable } from './errors.ts';
import type { InfluxWriter } from './influx-writer.ts';
import type { ConsumerMetrics } from './metrics.ts';
import { touchedHours, type TouchedHoursPublisher } from './touched-hours.ts';
import { Backoff, WRITE_SIZE_DEFAULTS, WriteSize } from './retry.ts';

/** What one committed chunk contained; for benchmarks and tests. */
export interface WrittenChunk {
  topic: string;
  partition: number;
  points: number;
  deadLetters: number;
  /** Kafka timestamps (epoch ms) of the messages written as points. */
  timestamps: number[];
  /** When InfluxDB acknowledged the write (epoch ms). */
  writtenAt: number;
}

interface DecodedChunk {
  messages: KafkaMessage[];
  lines: string[];
  /** The message of each line, by index. */
  pointMessages: KafkaMessage[];
  letters: DeadLetter[];
  /** Lines InfluxDB refused (moved to `letters`). */
  rejected: number;
  /** The events of `lines`, for the buckets they touch. */
  events: EnrichedEvent[];
}

export interface EventConsumerOptions {
  kafka: Kafka;
  config: Pick<ConsumerConfig, 'kafka' | 'batchSize' | 'retry'>;
  writer: InfluxWriter;
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
  const { config, writer, deadLetters, metrics } = options;
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

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    joined = true;
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

  /** Decodes messages into points and dead letters. CPU only; runs while the previous chunk's write is in flight. */
  function decodeChunk(partition: number, messages: KafkaMessage[]): DecodedChunk {
    const lines: string[] = [];
    const pointMessages: KafkaMessage[] = [];
    const letters: DeadLetter[] = [];
    const events: EnrichedEvent[] = [];
    for (const message of messages) {
      const decoded = decodeMessage(message.value);
      if (decoded.ok) {
        lines.push(decoded.line);
        pointMessages.push(message);
        events.push(decoded.event);
      } else {
        letters.push({ topic, partition, message, error: decoded.error });
      }
    }
    return { messages, lines, pointMessages, letters, rejected: 0, events };
  }

  /**
   * Writes the points, then publishes the dead letters, then announces the touched hours (the rollups' one hook:
   * after the points are durable, before the commit); throws a retriable error when any is not durable.
   */
  async function store(partition: number, chunk: DecodedChunk, beat: () => Promise<void>): Promise<void> {
    const rejected = await heartbeating(beat, () => timedWrite(chunk.lines));
    chunk.rejected = rejected.length;
    for (const { index, reason } of rejected) {
      chunk.letters.push({
        topic,
        partition,
        message: chunk.pointMessages[index]!,
        error: new ConsumerError('CONSUMER_POINT_REJECTED', reason),
      });
    }
    await heartbeating(beat, () => deadLetters.publish(chunk.letters));
    if (options.touchedHours) await heartbeating(beat, () => options.touchedHours!.publish(touchedHours(chunk.events)));
  }

  async function eachBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
    pause,
  }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    const key = String(partition);
    let revoked: Error | undefined;
    const beat = async (): Promise<void> => {
      try {
        await heartbeat();
      } catch (error) {
        if (REVOKED.has((error as { type?: string }).type ?? '')) revoked ??= error as Error;
        else logger.debug({ err: error }, 'heartbeat failed; the next one or the commit will tell');
      }
    };
    // Equal chunks of at most the partition's write size, so a batch of 1.1 × that is not written as a full chunk and a tiny one.
    const count = Math.ceil(batch.messages.length / writeSize.of(key));
    const size = Math.ceil(batch.messages.length / count);
    const slices = Array.from({ length: count }, (_, i) => batch.messages.slice(i * size, (i + 1) * size));
    let next: DecodedChunk | undefined = slices.length > 0 ? decodeChunk(partition, slices[0]!) : undefined;
    for (let i = 0; next; i++) {
      const chunk: DecodedChunk = next;
      if (!isRunning() || isStale()) return;
      // The partition may already be someone else's: write nothing more, and let kafkajs rejoin at once.
      if (revoked) throw revoked;
      const storing = store(partition, chunk, beat);
      // Handled below; this only keeps a failure during the next decode from counting as unhandled.
      storing.catch(() => {});
      // Decode the following chunk while this one is being written (after letting the request go out);
      // it is only used if this one commits.
      await new Promise((resolve) => setImmediate(resolve));
      next = i + 1 < slices.length ? decodeChunk(partition, slices[i + 1]!) : undefined;
      try {
        await storing;
      } catch (error) {
        if (!isRetriable(error)) throw error;
        if (error instanceof ConsumerError && error.code === 'CONSUMER_INFLUX_TIMEOUT') writeSize.timedOut(key);
        const delayMs = backoff.failed(key);
        metrics.batches.inc({ outcome: 'retry' });
        logger.warn(
          {
            partition,
            fromOffset: chunk.messages[0]!.offset,
            failures: backoff.failuresOf(key),
            retryInMs: delayMs,
            writeSize: writeSize.of(key),
            reason: (error as Error).message,
          },
          'could not store a chunk; partition paused',
        );
        pauseFor(pause, partition, delayMs);
        return;
      }
      const writtenAt = Date.now();
      const lastOffset = chunk.messages[chunk.messages.length - 1]!.offset;
      resolveOffset(lastOffset);
      await commitOffsetsIfNecessary({
        topics: [{ topic, partitions: [{ partition, offset: (BigInt(lastOffset) + 1n).toString() }] }],
      });
      if (backoff.failuresOf(key) > 0) logger.info({ partition }, 'writes succeed again');
      backoff.succeeded(key);
      writeSize.succeeded(key);
      const points = chunk.lines.length - chunk.rejected;
      metrics.batches.inc({ outcome: 'committed' });
      metrics.pointsWritten.inc(points);
      for (const letter of chunk.letters) metrics.deadLetters.inc({ code: letter.error.code });
      const timestamps = chunk.pointMessages.map((m) => Number(m.timestamp));
      for (const timestamp of timestamps) metrics.eventLag.observe(Math.max(0, writtenAt - timestamp) / 1000);
      options.onChunkCommitted?.({
        topic,
        partition,
        points,
        deadLetters: chunk.letters.length,
        timestamps,
        writtenAt,
      });
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
