// Assembles the consumer's resources: InfluxDB writer, Kafka consumer, the
// dead-letter producer and the metrics. start() joins the group; stop() finishes
// the chunk in flight, commits it and disconnects everything.
import { InfluxDB } from '@influxdata/influxdb-client';
import { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaLogging } from '@eventline/kit/kafka-log';
import type { ConsumerConfig } from './config.ts';
import { createEventConsumer, type EventConsumer, type WrittenChunk } from './consumer.ts';
import { createDeadLetterPublisher } from './dead-letter.ts';
import { createTouchedHoursPublisher } from './touched-hours.ts';
import { createInfluxWriter, influxHealthy } from './influx-writer.ts';
import { createMetrics, type ConsumerMetrics } from './metrics.ts';
import { createPointPlacer } from './point-placer.ts';
import { createStoredPointReader } from './stored-points.ts';

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
  const influx = new InfluxDB({
    url: config.influx.url,
    token: config.influx.token || undefined,
    timeout: config.influx.timeoutMs,
  });
  const writer = createInfluxWriter({
    client: influx,
    org: config.influx.org,
    bucket: config.influx.bucket,
    gzipThresholdBytes: config.influx.gzipThresholdBytes,
    logger,
  });
  const placer = createPointPlacer({
    load: createStoredPointReader({ client: influx, org: config.influx.org, bucket: config.influx.bucket }),
  });
  const kafka = new Kafka({
    brokers: [...config.kafka.brokers],
    clientId: config.kafka.clientId,
    ...kafkaLogging(logger),
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const deadLetters = createDeadLetterPublisher({ producer, topic: config.kafka.deadLetterTopic, logger });
  const touchedHours = createTouchedHoursPublisher({ producer, topic: config.kafka.touchedHoursTopic, logger });
  // The lag gauge is collected at scrape time, by when `consumer` exists.
  const metrics = createMetrics({
    collectLag: (gauge) => consumer.collectLag(gauge),
    defaultMetrics: options.defaultMetrics ?? true,
  });
  const consumer: EventConsumer = createEventConsumer({
    kafka,
    config,
    writer,
    placer,
    deadLetters,
    touchedHours,
    metrics,
    logger,
    onChunkCommitted: options.onChunkCommitted,
    onFatal: options.onFatal,
  });

  return {
    consumer,
    metrics,
    async start() {
      await producer.connect();
      await consumer.start();
    },
    async stop() {
      try {
        await consumer.stop();
      } finally {
        await producer.disconnect();
      }
    },
    async ready() {
      const status = consumer.status();
      return status.joined && !status.failed && (await influxHealthy(config.influx.url, 1_000));
    },
  };
}
