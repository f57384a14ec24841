// The consumer's configuration, read from the environment once, validated and
// frozen. Nothing else in the consumer reads process.env.
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { TOPICS } from '@eventline/contract';
import { ConsumerError } from './errors.ts';
import { RETRY_DEFAULTS } from './retry.ts';

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
  retry: Type.Object({
    initialDelayMs: Positive,
    maxDelayMs: Positive,
    multiplier: Type.Number({ minimum: 1 }),
    jitter: Type.Number({ minimum: 0, maximum: 1 }),
  }),
  http: Type.Object({ host: Type.String({ minLength: 1 }), port: Port }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
});

export type ConsumerConfig = Static<typeof ConfigSchema>;

/** Every variable the consumer reads, its default and its meaning; the README table mirrors it. */
export const ENV = Object.freeze({
  EVENTLINE_KAFKA_BROKERS: { default: '127.0.0.1:9092', help: 'Comma-separated Kafka bootstrap brokers (host:port).' },
  EVENTLINE_KAFKA_CLIENT_ID: { default: 'eventline-consumer', help: 'Kafka client id.' },
  EVENTLINE_KAFKA_TOPIC: { default: TOPICS.events, help: 'Topic of enriched events to consume.' },
  EVENTLINE_KAFKA_DLQ_TOPIC: {
    default: TOPICS.deadLetter,
    help: 'Dead-letter topic for messages that cannot be stored.',
  },
  EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC: {
    default: TOPICS.touchedHours,
    help: 'Where the (site, hour) buckets each stored chunk touched are published, for the rollup worker.',
  },
  EVENTLINE_CONSUMER_GROUP: {
    default: 'eventline-consumer',
    help: 'Consumer group id; instances with the same id share partitions.',
  },
  EVENTLINE_CONSUMER_FROM_BEGINNING: {
    default: 'true',
    help: 'Where a group without committed offsets starts: earliest (true) or latest (false).',
  },
  EVENTLINE_CONSUMER_SESSION_TIMEOUT_MS: {
    default: '30000',
    help: "Group session timeout (ms): how soon a crashed instance's partitions move to the others.",
  },
  EVENTLINE_CONSUMER_HEARTBEAT_INTERVAL_MS: { default: '3000', help: 'Group heartbeat interval (ms).' },
  EVENTLINE_CONSUMER_FETCH_MAX_BYTES: {
    default: String(48 * 1024 * 1024),
    help: 'Bytes one fetch may return across partitions (bounds memory): 6 partitions × 8 MiB. 48 MiB',
  },
  EVENTLINE_CONSUMER_PARTITION_MAX_BYTES: {
    default: String(8 * 1024 * 1024),
    help: 'Bytes one fetch may return per partition (at most `EVENTLINE_CONSUMER_FETCH_MAX_BYTES`): several batches, so writes continue while the next ones are decoded and a backlog is not drained one small fetch at a time. 8 MiB',
  },
  EVENTLINE_CONSUMER_FETCH_MAX_WAIT_MS: {
    default: '200',
    help: 'Longest a fetch waits for new data (ms); also the delay before a resumed partition is fetched again.',
  },
  EVENTLINE_CONSUMER_CONCURRENCY: {
    default: '6',
    help: 'Partitions processed (and written to InfluxDB) concurrently; the events topic has 6 by default, so one fetch is written in one round.',
  },
  EVENTLINE_CONSUMER_BATCH_SIZE: {
    default: '5000',
    help: 'Most points in one InfluxDB write; larger Kafka batches are written in chunks of this size (smaller while writes time out).',
  },
  EVENTLINE_CONSUMER_RETRY_INITIAL_MS: {
    default: String(RETRY_DEFAULTS.initialDelayMs),
    help: 'First back-off after a failed write (ms); doubles per failure.',
  },
  EVENTLINE_CONSUMER_RETRY_MAX_MS: {
    default: String(RETRY_DEFAULTS.maxDelayMs),
    help: 'Longest back-off between write attempts (ms).',
  },
  EVENTLINE_INFLUX_URL: { default: 'http://127.0.0.1:8086', help: 'InfluxDB base URL.' },
  EVENTLINE_INFLUX_TOKEN: { default: '', help: 'InfluxDB token (InfluxDB 1.8: empty, or `user:password`).' },
  EVENTLINE_INFLUX_ORG: { default: '', help: 'InfluxDB organisation (ignored by InfluxDB 1.8).' },
  EVENTLINE_INFLUX_BUCKET: { default: 'eventline/events', help: 'Bucket; on InfluxDB 1.8 `database/retentionPolicy`.' },
  EVENTLINE_INFLUX_TIMEOUT_MS: {
    default: '10000',
    help: 'Timeout of one write request (ms); a partition whose writes time out writes smaller chunks.',
  },
  EVENTLINE_INFLUX_GZIP_THRESHOLD: {
    default: '0',
    help: 'Gzip write bodies larger than this many bytes; 0 never gzips (best on a local network).',
  },
  EVENTLINE_CONSUMER_HOST: { default: '127.0.0.1', help: 'Address of the health and metrics server.' },
  EVENTLINE_CONSUMER_PORT: {
    default: '9464',
    help: 'Port of the health and metrics server (/healthz, /readyz, /metrics).',
  },
  EVENTLINE_LOG_LEVEL: { default: 'info', help: 'pino log level (fatal, error, warn, info, debug, trace, silent).' },
});

type EnvName = keyof typeof ENV;

/** Which variable each configuration value comes from, for error messages. */
const SOURCE: Record<string, EnvName> = {
  '/kafka/brokers': 'EVENTLINE_KAFKA_BROKERS',
  '/kafka/clientId': 'EVENTLINE_KAFKA_CLIENT_ID',
  '/kafka/topic': 'EVENTLINE_KAFKA_TOPIC',
  '/kafka/deadLetterTopic': 'EVENTLINE_KAFKA_DLQ_TOPIC',
  '/kafka/touchedHoursTopic': 'EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC',
  '/kafka/groupId': 'EVENTLINE_CONSUMER_GROUP',
  '/kafka/sessionTimeoutMs': 'EVENTLINE_CONSUMER_SESSION_TIMEOUT_MS',
  '/kafka/heartbeatIntervalMs': 'EVENTLINE_CONSUMER_HEARTBEAT_INTERVAL_MS',
  '/kafka/fetchMaxBytes': 'EVENTLINE_CONSUMER_FETCH_MAX_BYTES',
  '/kafka/partitionMaxBytes': 'EVENTLINE_CONSUMER_PARTITION_MAX_BYTES',
  '/kafka/fetchMaxWaitMs': 'EVENTLINE_CONSUMER_FETCH_MAX_WAIT_MS',
  '/kafka/partitionsConcurrently': 'EVENTLINE_CONSUMER_CONCURRENCY',
  '/influx/url': 'EVENTLINE_INFLUX_URL',
  '/influx/bucket': 'EVENTLINE_INFLUX_BUCKET',
  '/influx/timeoutMs': 'EVENTLINE_INFLUX_TIMEOUT_MS',
  '/influx/gzipThresholdBytes': 'EVENTLINE_INFLUX_GZIP_THRESHOLD',
  '/batchSize': 'EVENTLINE_CONSUMER_BATCH_SIZE',
  '/retry/initialDelayMs': 'EVENTLINE_CONSUMER_RETRY_INITIAL_MS',
  '/retry/maxDelayMs': 'EVENTLINE_CONSUMER_RETRY_MAX_MS',
  '/http/host': 'EVENTLINE_CONSUMER_HOST',
  '/http/port': 'EVENTLINE_CONSUMER_PORT',
  '/logLevel': 'EVENTLINE_LOG_LEVEL',
};

const check = Compile(ConfigSchema);

/** Reads the configuration from `env` (the process environment by default). Throws CONSUMER_CONFIG_INVALID listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<ConsumerConfig> {
  const problems: string[] = [];
  const read = (name: EnvName): string => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? ENV[name].default : raw.trim();
  };
  const integer = (name: EnvName): number => {
    const raw = read(name);
    const value = Number(raw);
    if (!/^-?[0-9]+$/.test(raw) || !Number.isSafeInteger(value))
      problems.push(`${name} must be an integer, got "${raw}"`);
    return value;
  };
  const boolean = (name: EnvName): boolean => {
    const raw = read(name).toLowerCase();
    if (!['true', 'false', '1', '0'].includes(raw)) problems.push(`${name} must be true or false, got "${raw}"`);
    return raw === 'true' || raw === '1';
  };
  const gzip = integer('EVENTLINE_INFLUX_GZIP_THRESHOLD');
  const config: ConsumerConfig = {
    kafka: {
      brokers: read('EVENTLINE_KAFKA_BROKERS')
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
      clientId: read('EVENTLINE_KAFKA_CLIENT_ID'),
      topic: read('EVENTLINE_KAFKA_TOPIC'),
      deadLetterTopic: read('EVENTLINE_KAFKA_DLQ_TOPIC'),
      touchedHoursTopic: read('EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC'),
      groupId: read('EVENTLINE_CONSUMER_GROUP'),
      fromBeginning: boolean('EVENTLINE_CONSUMER_FROM_BEGINNING'),
      sessionTimeoutMs: integer('EVENTLINE_CONSUMER_SESSION_TIMEOUT_MS'),
      heartbeatIntervalMs: integer('EVENTLINE_CONSUMER_HEARTBEAT_INTERVAL_MS'),
      fetchMaxBytes: integer('EVENTLINE_CONSUMER_FETCH_MAX_BYTES'),
      partitionMaxBytes: integer('EVENTLINE_CONSUMER_PARTITION_MAX_BYTES'),
      fetchMaxWaitMs: integer('EVENTLINE_CONSUMER_FETCH_MAX_WAIT_MS'),
      partitionsConcurrently: integer('EVENTLINE_CONSUMER_CONCURRENCY'),
    },
    influx: {
      url: read('EVENTLINE_INFLUX_URL').replace(/\/+$/, ''),
      token: env['EVENTLINE_INFLUX_TOKEN'] ?? ENV.EVENTLINE_INFLUX_TOKEN.default,
      org: env['EVENTLINE_INFLUX_ORG'] ?? ENV.EVENTLINE_INFLUX_ORG.default,
      bucket: read('EVENTLINE_INFLUX_BUCKET'),
      timeoutMs: integer('EVENTLINE_INFLUX_TIMEOUT_MS'),
      gzipThresholdBytes: gzip,
    },
    batchSize: integer('EVENTLINE_CONSUMER_BATCH_SIZE'),
    retry: {
      initialDelayMs: integer('EVENTLINE_CONSUMER_RETRY_INITIAL_MS'),
      maxDelayMs: integer('EVENTLINE_CONSUMER_RETRY_MAX_MS'),
      multiplier: RETRY_DEFAULTS.multiplier,
      jitter: RETRY_DEFAULTS.jitter,
    },
    http: { host: read('EVENTLINE_CONSUMER_HOST'), port: integer('EVENTLINE_CONSUMER_PORT') },
    logLevel: read('EVENTLINE_LOG_LEVEL') as ConsumerConfig['logLevel'],
  };
  if (problems.length === 0 && !check.Check(config)) {
    for (const error of check.Errors(config))
      problems.push(`${SOURCE[error.instancePath.replace(/\/[0-9]+$/, '')] ?? error.instancePath} ${error.message}`);
  }
  if (config.kafka.heartbeatIntervalMs * 3 > config.kafka.sessionTimeoutMs) {
    problems.push(
      'EVENTLINE_CONSUMER_HEARTBEAT_INTERVAL_MS must be at most a third of EVENTLINE_CONSUMER_SESSION_TIMEOUT_MS',
    );
  }
  if (config.kafka.partitionMaxBytes > config.kafka.fetchMaxBytes) {
    problems.push('EVENTLINE_CONSUMER_PARTITION_MAX_BYTES must not be above EVENTLINE_CONSUMER_FETCH_MAX_BYTES');
  }
  if (config.retry.maxDelayMs < config.retry.initialDelayMs) {
    problems.push('EVENTLINE_CONSUMER_RETRY_MAX_MS must not be below EVENTLINE_CONSUMER_RETRY_INITIAL_MS');
  }
  if (problems.length > 0) throw new ConsumerError('CONSUMER_CONFIG_INVALID', problems.join('; '));
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) if (child && typeof child === 'object') deepFreeze(child);
  return Object.freeze(value);
}
