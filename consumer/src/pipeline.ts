// Assembles the consumer's resources: InfluxDB writer, Kafka consumer, the
// dead-letter producer and the metrics. start() joins the group; stop() finishes
// the chunk in flight, commits it and disconnects everything.
import { InfluxDB } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { ConsumerConfig } from './config.ts';
import { createEventConsumer, type EventConsumer, type WrittenChunk } from './consumer.ts';
import { createDeadLetterPublisher } from './dead-letter.ts';
import { createInfluxWriter, influxHealthy } from './influx-writer.ts';
import { createKafka } from './kafka.ts';
import { createMetrics, type ConsumerMetrics } from './metrics.ts';

export interface PipelineOptions {
  config: Readonly<ConsumerConfig>;
  logger: Logger;
  onChunkCommitted?: (chunk: WrittenChunk) => void;
  onFatal?: (error: Error) => void;
  /** Process metrics (CPU, heap, event loop) in the registry. Default: true */
  defaultMetrics?: boolean;
}

export interface Pipeline {
  readonly consumer: EventConsumer;
  readonly metrics: ConsumerMetrics;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Joined the group, not failed, and InfluxDB answers /health. */
  ready(): Promise<boolean>;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { config, logger } = options;
  const influx = new InfluxDB({ url: config.influx.url, token: config.influx.token || undefined, timeout: config.influx.timeoutMs });
  const writer = createInfluxWriter({ client: influx, org: config.influx.org, bucket: config.influx.bucket, gzipThresholdBytes: config.influx.gzipThresholdBytes, logger });
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId, logger });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const deadLetters = createDeadLetterPublisher({ producer, topic: config.kafka.deadLetterTopic, logger });
  let consumer: EventConsumer | undefined;
  const metrics = createMetrics({ collectLag: (gauge) => consumer?.collectLag(gauge) ?? Promise.resolve(), defaultMetrics: options.defaultMetrics ?? true });
  consumer = createEventConsumer({ kafka, config, writer, deadLetters, metrics, logger, onChunkCommitted: options.onChunkCommitted, onFatal: options.onFatal });
  const eventConsumer = consumer;

  return {
    consumer: eventConsumer,
    metrics,
    async start() {
      await producer.connect();
      await eventConsumer.start();
    },
    async stop() {
      try {
        await eventConsumer.stop();
      } finally {
        await producer.disconnect();
      }
    },
    async ready() {
      const status = eventConsumer.status();
      return status.joined && !status.failed && (await influxHealthy(config.influx.url, 1_000));
    },
  };
}
