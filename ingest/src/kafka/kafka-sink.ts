// The EventSink on kafkajs: an idempotent producer with acks = all and gzip.
// A send that fails leaves its outcome unknown (the broker may have written it),
// and an idempotent producer would then reuse its sequence numbers for other
// messages, which the broker could take for duplicates and silently drop. So
// after any failure the producer is discarded and a new one (with a new
// producer id) connects in the background; until then sends fail at once.
// Ready means connected and the topic exists.
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzipSync, unzip } from 'node:zlib';
import kafkajs, { CompressionTypes, Kafka, Partitioners, type Producer } from 'kafkajs';
import type { FastifyBaseLogger } from 'fastify';
import { backoffDelay, SERVICE_BACKOFF, type BackoffPolicy } from '@eventline/kit/backoff';
import { kafkaLogging } from '@eventline/kit/kafka-log';
import { SinkUnavailableError, type EventSink, type SinkMessage } from './event-sink.ts';

/**
 * zlib level for the GZIP codec. kafkajs compresses at zlib's default (6);
 * level 1 costs several times less CPU for somewhat larger record batches,
 * which showed in the benchmark on two cores. Consumers decompress it unchanged.
 */
const GZIP_LEVEL = 1;
const unzipAsync = promisify(unzip);
// kafkajs keeps codecs in a process-wide table; this replaces only how GZIP compresses.
// (CompressionCodecs is not among the names Node detects in kafkajs' CommonJS exports.)
// The sink runs on a thread of its own (kafka-worker.ts), so it compresses there, synchronously: a round trip
// through libuv's thread pool per record batch cost more than the compression of a batch of this size.
kafkajs.CompressionCodecs[CompressionTypes.GZIP] = () => ({
  compress: async (encoder: { buffer: Buffer }) => gzipSync(encoder.buffer, { level: GZIP_LEVEL }),
  decompress: (buffer: Buffer) => unzipAsync(buffer),
});

export interface KafkaSinkOptions {
  brokers: readonly string[];
  topic: string;
  clientId: string;
  /** Client-side limit for one request to the broker, ms. */
  requestTimeoutMs: number;
  /** Retries of a request within one send before it fails. */
  retries: number;
  logger: FastifyBaseLogger;
  /** How long to wait between connection attempts. Default: SERVICE_BACKOFF */
  reconnect?: BackoffPolicy;
  /** Called whenever readiness changes. */
  onReadyChange?: (ready: boolean) => void;
}

export function createKafkaSink(options: KafkaSinkOptions): EventSink {
  const logger = options.logger.child({ module: 'kafka-sink' });
  const reconnect = options.reconnect ?? SERVICE_BACKOFF;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: Math.min(1_000, options.requestTimeoutMs),
    requestTimeout: options.requestTimeoutMs,
    retry: { retries: options.retries, initialRetryTime: 100, maxRetryTime: 1_000 },
    ...kafkaLogging(logger),
  });
  let producer: Producer | undefined;
  let connecting: Promise<void> | undefined;
  let closed = false;
  const stop = new AbortController();

  const newProducer = () =>
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: options.retries, initialRetryTime: 100, maxRetryTime: 1_000 },
    });

  async function connectUntilClosed(): Promise<void> {
    for (let attempt = 1; !closed; attempt++) {
      const candidate = newProducer();
      try {
        await candidate.connect();
        await assertTopicExists();
        if (closed) {
          await candidate.disconnect();
          return;
        }
        producer = candidate;
        options.onReadyChange?.(true);
        logger.info({ brokers: options.brokers, topic: options.topic }, 'connected to Kafka');
        return;
      } catch (error) {
        await candidate.disconnect().catch(() => {});
        const delay = backoffDelay(reconnect, attempt);
        logger.warn({ err: error, attempt, retryInMs: delay }, 'cannot connect to Kafka');
        await sleep(delay, undefined, { signal: stop.signal }).catch(() => {});
      }
    }
  }

  /** Auto-creation is off: a missing topic would make every send fail, so it keeps the sink unready and says why. */
  async function assertTopicExists(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(options.topic)) {
        throw new Error(`topic "${options.topic}" does not exist; create it (topic auto-creation is off)`);
      }
    } finally {
      await admin.disconnect();
    }
  }

  function startConnecting(): void {
    if (connecting || closed) return;
    connecting = connectUntilClosed().finally(() => {
      connecting = undefined;
    });
  }

  return {
    start: startConnecting,
    isReady: () => producer !== undefined && !closed,
    async send(messages: readonly SinkMessage[]) {
      const current = producer;
      if (!current || closed)
        throw new SinkUnavailableError(closed ? 'the Kafka sink is closed' : 'not connected to Kafka');
      try {
        await current.send({
          topic: options.topic,
          acks: -1,
          timeout: options.requestTimeoutMs,
          compression: CompressionTypes.GZIP,
          messages: messages as SinkMessage[],
        });
      } catch (error) {
        if (producer === current) {
          producer = undefined;
          options.onReadyChange?.(false);
          logger.warn({ err: error }, 'Kafka send failed; replacing the producer');
          void current.disconnect().catch(() => {});
          startConnecting();
        }
        throw new SinkUnavailableError(`Kafka did not acknowledge: ${(error as Error).message}`, { cause: error });
      }
    },
    async close() {
      closed = true;
      stop.abort();
      await connecting;
      const current = producer;
      producer = undefined;
      options.onReadyChange?.(false);
      await current?.disconnect();
    },
  };
}
