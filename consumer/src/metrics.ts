// Prometheus metrics of one consumer instance, on its own registry so several
// instances can live in one process (tests) without clashing.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ConsumerMetrics {
  readonly registry: Registry;
  readonly pointsWritten: Counter;
  readonly writeDuration: Histogram<'outcome'>;
  readonly batches: Counter<'outcome'>;
  readonly deadLetters: Counter<'code'>;
  readonly eventLag: Histogram;
  readonly pausedPartitions: Gauge;
  readonly lag: Gauge<'topic' | 'partition'>;
}

/** `collectLag` refreshes the per-partition lag gauge at scrape time. */
export function createMetrics(options: {
  collectLag: (gauge: Gauge<'topic' | 'partition'>) => Promise<void>;
  defaultMetrics?: boolean;
}): ConsumerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'eventline_consumer_' });
  const registers = [registry];
  const collectLag = options.collectLag;
  return {
    registry,
    pointsWritten: new Counter({
      name: 'eventline_consumer_points_written_total',
      help: 'Points InfluxDB acknowledged.',
      registers,
    }),
    writeDuration: new Histogram({
      name: 'eventline_consumer_write_duration_seconds',
      help: 'Duration of one InfluxDB write request (a batch), by outcome (ok, rejected, failed).',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    batches: new Counter({
      name: 'eventline_consumer_batches_total',
      help: 'Chunks of Kafka messages handled, by outcome: committed, or retry (write or dead-letter failed; partition paused).',
      labelNames: ['outcome'],
      registers,
    }),
    deadLetters: new Counter({
      name: 'eventline_consumer_dead_letters_total',
      help: 'Messages sent to the dead-letter topic, by error code.',
      labelNames: ['code'],
      registers,
    }),
    eventLag: new Histogram({
      name: 'eventline_consumer_event_lag_seconds',
      help: 'From the Kafka message timestamp to the point being acknowledged by InfluxDB.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    pausedPartitions: new Gauge({
      name: 'eventline_consumer_paused_partitions',
      help: 'Partitions paused while their write is backing off.',
      registers,
    }),
    lag: new Gauge({
      name: 'eventline_consumer_lag_messages',
      help: "Messages behind the log end of each partition assigned to this instance (the group's committed offset).",
      labelNames: ['topic', 'partition'],
      registers,
      async collect() {
        await collectLag(this);
      },
    }),
  };
}
