// The consumer's configuration: its schema, defaults and variables, read by the
// kit's loader (every problem at once, frozen, passed down). Nothing else in
// the consumer reads the environment.
import { Type, type Static } from 'typebox';
import { TOPICS } from '@eventline/contract';
import { SERVICE_BACKOFF } from '@eventline/kit/backoff';
import { loadConfig as load, LogLevelSchema, type Env } from '@eventline/kit/config';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Positive = Type.Integer({ minimum: 1 });

const ConfigSchema = Type.Object({
  kafka: Type.Object({
    brokers: Type.Array(Type.String({ pattern: '^[^\\s,]+:[0-9]+$' }), { minItems: 1 }),
    clientId: Type.String({ minLength: 1 }),
    topic: Type.String({ minLength: 1 }),
    deadLetterTopic: Type.String({ minLength: 1 }),
    touchedHoursTopic: Type.String({ minLength: 1 }),
    groupId: Type.String({ minLength: 1 }),
    fromBeginning: Type.Boolean(),
    sessionTimeoutMs: Type.Integer({ minimum: 6_000 }),
    heartbeatIntervalMs: Type.Integer({ minimum: 100 }),
    fetchMaxBytes: Positive,
    partitionMaxBytes: Positive,
    fetchMaxWaitMs: Type.Integer({ minimum: 10 }),
    partitionsConcurrently: Positive,
  }),
  influx: Type.Object({
    url: Type.String({ pattern: '^https?://' }),
    token: Type.String(),
    org: Type.String(),
    bucket: Type.String({ minLength: 1 }),
    timeoutMs: Type.Integer({ minimum: 100 }),
    gzipThresholdBytes: Type.Integer({ minimum: 0 }),
  }),
  batchSize: Type.Integer({ minimum: 1, maximum: 100_000 }),
  /** The back-off of a partition whose write failed: the kit's policy with these bounds. */
  retry: Type.Object({
    initialDelayMs: Positive,
    multiplier: Type.Number({ minimum: 1 }),
    maxDelayMs: Positive,
    minDelayMs: Type.Integer({ minimum: 0 }),
    maxRetryAfterMs: Positive,
    retryAfterSpread: Type.Number({ minimum: 0 }),
  }),
  http: Type.Object({ host: Type.String({ minLength: 1 }), port: Port }),
  logLevel: LogLevelSchema,
});

export type ConsumerConfig = Static<typeof ConfigSchema>;

export const DEFAULTS = {
  kafka: {
    brokers: ['127.0.0.1:9092'],
    clientId: 'eventline-consumer',
    topic: TOPICS.events,
    deadLetterTopic: TOPICS.deadLetter,
    touchedHoursTopic: TOPICS.touchedHours,
    groupId: 'eventline-consumer',
    fromBeginning: true,
    sessionTimeoutMs: 30_000, // 30 s: how soon a crashed instance's partitions move to the others
    heartbeatIntervalMs: 3_000, // 3 s
    fetchMaxBytes: 48 * 1024 * 1024, // 48 MiB: 6 partitions × 8 MiB
    partitionMaxBytes: 8 * 1024 * 1024, // 8 MiB: several batches, so writes continue while the next are decoded
    fetchMaxWaitMs: 200, // 200 ms; also the delay before a resumed partition is fetched again
    partitionsConcurrently: 6, // the events topic has 6 partitions by default
  },
  influx: {
    url: 'http://127.0.0.1:8086',
    token: '',
    org: '',
    bucket: 'eventline/events',
    timeoutMs: 10_000, // 10 s per write; a partition whose writes time out writes smaller chunks
    gzipThresholdBytes: 0, // 0 never gzips (best on a local network)
  },
  batchSize: 5_000, // points in one InfluxDB write
  retry: { ...SERVICE_BACKOFF, initialDelayMs: 200 }, // 200 ms, doubling, up to 5 s
  http: { host: '127.0.0.1', port: 9464 },
  logLevel: 'info',
} satisfies ConsumerConfig;

/** The variable behind each setting; the README's configuration table lists them all. */
export const ENV = Object.freeze({
  'kafka.brokers': 'EVENTLINE_KAFKA_BROKERS',
  'kafka.clientId': 'EVENTLINE_KAFKA_CLIENT_ID',
  'kafka.topic': 'EVENTLINE_KAFKA_TOPIC',
  'kafka.deadLetterTopic': 'EVENTLINE_KAFKA_DLQ_TOPIC',
  'kafka.touchedHoursTopic': 'EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC',
  'kafka.groupId': 'EVENTLINE_CONSUMER_GROUP',
  'kafka.fromBeginning': 'EVENTLINE_CONSUMER_FROM_BEGINNING',
  'kafka.sessionTimeoutMs': 'EVENTLINE_CONSUMER_SESSION_TIMEOUT_MS',
  'kafka.heartbeatIntervalMs': 'EVENTLINE_CONSUMER_HEARTBEAT_INTERVAL_MS',
  'kafka.fetchMaxBytes': 'EVENTLINE_CONSUMER_FETCH_MAX_BYTES',
  'kafka.partitionMaxBytes': 'EVENTLINE_CONSUMER_PARTITION_MAX_BYTES',
  'kafka.fetchMaxWaitMs': 'EVENTLINE_CONSUMER_FETCH_MAX_WAIT_MS',
  'kafka.partitionsConcurrently': 'EVENTLINE_CONSUMER_CONCURRENCY',
  'influx.url': 'EVENTLINE_INFLUX_URL',
  'influx.token': { name: 'EVENTLINE_INFLUX_TOKEN', secret: true },
  'influx.org': 'EVENTLINE_INFLUX_ORG',
  'influx.bucket': 'EVENTLINE_INFLUX_BUCKET',
  'influx.timeoutMs': 'EVENTLINE_INFLUX_TIMEOUT_MS',
  'influx.gzipThresholdBytes': 'EVENTLINE_INFLUX_GZIP_THRESHOLD',
  batchSize: 'EVENTLINE_CONSUMER_BATCH_SIZE',
  'retry.initialDelayMs': 'EVENTLINE_CONSUMER_RETRY_INITIAL_MS',
  'retry.maxDelayMs': 'EVENTLINE_CONSUMER_RETRY_MAX_MS',
  'http.host': 'EVENTLINE_CONSUMER_HOST',
  'http.port': 'EVENTLINE_CONSUMER_PORT',
  logLevel: 'EVENTLINE_LOG_LEVEL',
});

/** Reads, validates and freezes the configuration; throws the kit's ConfigError naming every problem. */
export function loadConfig(env: Env): Readonly<ConsumerConfig> {
  return load(
    {
      service: 'consumer',
      schema: ConfigSchema,
      defaults: DEFAULTS,
      env: ENV,
      derive: (config) => ({ ...config, influx: { ...config.influx, url: config.influx.url.replace(/\/+$/, '') } }),
      checks: relationProblems,
    },
    env,
  );
}

/** What the schema cannot say: how settings relate. */
function relationProblems(config: ConsumerConfig, name: (path: string) => string): string[] {
  const problems: string[] = [];
  if (config.kafka.heartbeatIntervalMs * 3 > config.kafka.sessionTimeoutMs)
    problems.push(`${name('kafka.heartbeatIntervalMs')} must be at most a third of ${name('kafka.sessionTimeoutMs')}`);
  if (config.kafka.partitionMaxBytes > config.kafka.fetchMaxBytes)
    problems.push(`${name('kafka.partitionMaxBytes')} must not be above ${name('kafka.fetchMaxBytes')}`);
  if (config.retry.maxDelayMs < config.retry.initialDelayMs)
    problems.push(`${name('retry.maxDelayMs')} must not be below ${name('retry.initialDelayMs')}`);
  return problems;
}
