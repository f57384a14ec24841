// The ingest service's configuration: its schema, defaults and variables,
// read by the kit's loader (every problem at once, frozen, passed down).
// Nothing else in the service reads the environment.
import { Type, type Static } from 'typebox';
import { LIMITS, RECORD_MAX_BYTES, TOPICS } from '@eventline/contract';
import { loadConfig as load, LogLevelSchema, type Env } from '@eventline/kit/config';

export const WriteKeySchema = Type.Object(
  {
    /** The public key the SDK sends with every batch. */
    key: Type.String({ minLength: 1, maxLength: 128 }),
    /** The site its events are stored under. */
    site: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
    /** Origins (`https://shop.example`) whose pages may use the key; `*` allows any. */
    origins: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { minItems: 1 }),
  },
  { additionalProperties: false },
);

// What the schema alone cannot say: keys are unique, and origins are spelled exactly as browsers send them.
const WriteKeysSchema = Type.Refine(
  Type.Array(
    Type.Refine(
      WriteKeySchema,
      (entry) => entry.origins.every((origin) => canonicalOrigin(origin) === origin),
      originProblem,
    ),
    { minItems: 1 },
  ),
  (keys) => new Set(keys.map((entry) => entry.key)).size === keys.length,
  (keys) => {
    const repeated = keys.find((entry, index) => keys.findIndex((other) => other.key === entry.key) !== index);
    return `the key "${repeated?.key}" is listed twice`;
  },
);

const ConfigSchema = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  pathPrefix: Type.String({ pattern: '^(/[A-Za-z0-9._~-]+)*$' }),
  segmentPath: Type.String({ pattern: '^(/[A-Za-z0-9._~-]+)+$' }),
  logLevel: LogLevelSchema,
  trustProxy: Type.Union([Type.Boolean(), Type.Integer({ minimum: 1 })]),
  writeKeys: WriteKeysSchema,
  bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: LIMITS.batchBytes }),
  maxEventBytes: Type.Integer({ minimum: 256, maximum: LIMITS.eventBytes }),
  maxEvents: Type.Integer({ minimum: 1, maximum: LIMITS.batchEvents }),
  rateLimitMax: Type.Integer({ minimum: 0 }),
  rateLimitWindowMs: Type.Integer({ minimum: 1000 }),
  corsMaxAgeSeconds: Type.Integer({ minimum: 0 }),
  retryAfterSeconds: Type.Integer({ minimum: 1 }),
  shutdownTimeoutMs: Type.Integer({ minimum: 1000 }),
  requestTimeoutMs: Type.Integer({ minimum: 1000 }),
  headersTimeoutMs: Type.Integer({ minimum: 1000 }),
  connectionTimeoutMs: Type.Integer({ minimum: 1000 }),
  keepAliveTimeoutMs: Type.Integer({ minimum: 1000 }),
  kafkaBrokers: Type.Array(Type.String({ pattern: '^[^\\s,:]+:[0-9]{1,5}$' }), { minItems: 1 }),
  kafkaTopic: Type.String({ minLength: 1, maxLength: 249, pattern: '^[A-Za-z0-9._-]+$' }),
  kafkaClientId: Type.String({ minLength: 1 }),
  kafkaRequestTimeoutMs: Type.Integer({ minimum: 100 }),
  kafkaRetries: Type.Integer({ minimum: 0, maximum: 10 }),
  produceTimeoutMs: Type.Integer({ minimum: 100 }),
  lingerMs: Type.Integer({ minimum: 0, maximum: 1000 }),
  produceBatchMaxMessages: Type.Integer({ minimum: LIMITS.batchEvents }),
  // At least one record of the largest size, so every record can be sent.
  produceBatchMaxBytes: Type.Integer({ minimum: RECORD_MAX_BYTES }),
  bufferMaxMessages: Type.Integer({ minimum: LIMITS.batchEvents }),
  // At least two full batches, so one request of any allowed size always fits an empty buffer.
  bufferMaxBytes: Type.Integer({ minimum: 2 * LIMITS.batchBytes }),
  shedProduceWaitMs: Type.Integer({ minimum: 0 }),
  shedEventLoopDelayMs: Type.Integer({ minimum: 0 }),
  shedEventLoopUtilization: Type.Number({ minimum: 0, maximum: 1 }),
  // @fastify/under-pressure samples no more often than its histogram's 10 ms resolution.
  shedSampleIntervalMs: Type.Integer({ minimum: 10, maximum: 60_000 }),
});

export type WriteKey = Static<typeof WriteKeySchema>;
export type IngestConfig = Readonly<Static<typeof ConfigSchema>>;

export const DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  /** Path in front of `/v1/batch`, e.g. `/t` for `/t/v1/batch`. */
  pathPrefix: '',
  /** Path after the prefix under which the Segment-compatible API answers: `/segment/v1/batch`, `/segment/t`. */
  segmentPath: '/segment',
  logLevel: 'info',
  trustProxy: false,
  bodyLimitBytes: LIMITS.batchBytes, // 512 KiB, after gzip decoding
  maxEventBytes: LIMITS.eventBytes, // 32 KiB, serialized
  maxEvents: LIMITS.batchEvents, // 500
  rateLimitMax: 600, // requests per window per client IP; 0 turns rate limiting off
  rateLimitWindowMs: 60_000, // 1 min
  corsMaxAgeSeconds: 86_400, // 1 day; Chromium caps it at 2 h
  retryAfterSeconds: 5, // 5 s, sent with 503
  shutdownTimeoutMs: 15_000, // 15 s to drain before exiting anyway
  // Slow clients (slowloris): Fastify leaves these off or at Node's lenient defaults.
  requestTimeoutMs: 30_000, // 30 s to receive a whole request, headers and body, then 408; 512 KiB at ~20 KB/s
  headersTimeoutMs: 10_000, // 10 s to receive the request line and headers, then 408
  // 30 s without a byte in either direction closes the socket; must outlast the produce timeout.
  connectionTimeoutMs: 30_000,
  // 72 s an idle keep-alive connection stays open (Fastify's default: above common load balancers' 60 s).
  keepAliveTimeoutMs: 72_000,
  kafkaBrokers: ['127.0.0.1:9092'],
  kafkaTopic: TOPICS.events,
  kafkaClientId: 'eventline-ingest',
  kafkaRequestTimeoutMs: 2_000, // 2 s per produce request
  kafkaRetries: 2, // attempts after the first, within one send
  produceTimeoutMs: 5_000, // 5 s: longest a request waits for its acknowledgement
  lingerMs: 2, // 2 ms to gather concurrent requests into one send
  produceBatchMaxMessages: 5_000, // records per Kafka send
  produceBatchMaxBytes: 1024 * 1024, // 1 MiB of keys and values per Kafka send: any partition's batch fits the broker's 1 MiB limit uncompressed
  bufferMaxMessages: 50_000, // messages waiting for Kafka before 503
  bufferMaxBytes: 64 * 1024 * 1024, // 64 MiB of keys and values waiting for Kafka before 503
  // Load shedding by latency (503 with Retry-After, before the body is read); 0 turns each bound off.
  shedProduceWaitMs: 100, // 100 ms the oldest unacknowledged request may have waited for Kafka (beyond the linger) before new ones get 503
  shedEventLoopDelayMs: 50, // 50 ms mean event-loop delay over a sample before event requests get 503
  shedEventLoopUtilization: 0, // share of a sample the event loop was busy (0–1) before event requests get 503; off
  shedSampleIntervalMs: 200, // 200 ms between event-loop samples; shedding starts or stops at most this often
});

/** Environment variable for each setting. */
export const ENV = Object.freeze({
  host: 'EVENTLINE_INGEST_HOST',
  port: 'EVENTLINE_INGEST_PORT',
  pathPrefix: 'EVENTLINE_INGEST_PATH_PREFIX',
  segmentPath: 'EVENTLINE_INGEST_SEGMENT_PATH',
  logLevel: 'EVENTLINE_INGEST_LOG_LEVEL',
  trustProxy: 'EVENTLINE_INGEST_TRUST_PROXY',
  writeKeys: 'EVENTLINE_WRITE_KEYS',
  bodyLimitBytes: 'EVENTLINE_INGEST_BODY_LIMIT_BYTES',
  maxEventBytes: 'EVENTLINE_INGEST_MAX_EVENT_BYTES',
  maxEvents: 'EVENTLINE_INGEST_MAX_EVENTS',
  rateLimitMax: 'EVENTLINE_INGEST_RATE_LIMIT_MAX',
  rateLimitWindowMs: 'EVENTLINE_INGEST_RATE_LIMIT_WINDOW_MS',
  corsMaxAgeSeconds: 'EVENTLINE_INGEST_CORS_MAX_AGE_S',
  retryAfterSeconds: 'EVENTLINE_INGEST_RETRY_AFTER_S',
  shutdownTimeoutMs: 'EVENTLINE_INGEST_SHUTDOWN_TIMEOUT_MS',
  requestTimeoutMs: 'EVENTLINE_INGEST_REQUEST_TIMEOUT_MS',
  headersTimeoutMs: 'EVENTLINE_INGEST_HEADERS_TIMEOUT_MS',
  connectionTimeoutMs: 'EVENTLINE_INGEST_CONNECTION_TIMEOUT_MS',
  keepAliveTimeoutMs: 'EVENTLINE_INGEST_KEEP_ALIVE_TIMEOUT_MS',
  kafkaBrokers: 'EVENTLINE_KAFKA_BROKERS',
  kafkaTopic: 'EVENTLINE_KAFKA_TOPIC',
  kafkaClientId: 'EVENTLINE_KAFKA_CLIENT_ID',
  kafkaRequestTimeoutMs: 'EVENTLINE_KAFKA_REQUEST_TIMEOUT_MS',
  kafkaRetries: 'EVENTLINE_KAFKA_RETRIES',
  produceTimeoutMs: 'EVENTLINE_INGEST_PRODUCE_TIMEOUT_MS',
  lingerMs: 'EVENTLINE_INGEST_LINGER_MS',
  produceBatchMaxMessages: 'EVENTLINE_INGEST_PRODUCE_BATCH_MAX',
  produceBatchMaxBytes: 'EVENTLINE_INGEST_PRODUCE_BATCH_MAX_BYTES',
  bufferMaxMessages: 'EVENTLINE_INGEST_BUFFER_MAX',
  bufferMaxBytes: 'EVENTLINE_INGEST_BUFFER_MAX_BYTES',
  shedProduceWaitMs: 'EVENTLINE_INGEST_SHED_PRODUCE_WAIT_MS',
  shedEventLoopDelayMs: 'EVENTLINE_INGEST_SHED_EVENT_LOOP_DELAY_MS',
  shedEventLoopUtilization: 'EVENTLINE_INGEST_SHED_EVENT_LOOP_UTILIZATION',
  shedSampleIntervalMs: 'EVENTLINE_INGEST_SHED_SAMPLE_INTERVAL_MS',
} satisfies Record<keyof IngestConfig, string>);

export const WRITE_KEYS_FILE_ENV = 'EVENTLINE_WRITE_KEYS_FILE';

/** Reads, validates and freezes the configuration; throws the kit's ConfigError naming every problem. */
export function loadConfig(env: Env): IngestConfig {
  return load(
    {
      service: 'ingest',
      schema: ConfigSchema,
      defaults: DEFAULTS,
      env: {
        ...ENV,
        writeKeys: {
          name: ENV.writeKeys,
          file: WRITE_KEYS_FILE_ENV,
          hint:
            'set it to a JSON array like [{"key":"…","site":"…","origins":["https://…"]}], ' +
            `or ${WRITE_KEYS_FILE_ENV} to a file holding one`,
        },
      },
      checks: timeoutProblems,
    },
    env,
  );
}

function canonicalOrigin(origin: string): string | undefined {
  if (origin === '*') return origin;
  try {
    return new URL(origin).origin;
  } catch {
    return undefined;
  }
}

function originProblem(entry: WriteKey): string {
  const origin = entry.origins.find((candidate) => canonicalOrigin(candidate) !== candidate)!;
  const canonical = canonicalOrigin(origin);
  const hint = canonical && canonical !== 'null' ? `; write it as "${canonical}"` : '';
  return `"${origin}" is not an origin like https://shop.example${hint}`;
}

/** What the schema cannot say: how the timeouts must relate. */
function timeoutProblems(config: IngestConfig): string[] {
  const problems: string[] = [];
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    problems.push(
      `${ENV.headersTimeoutMs} (${config.headersTimeoutMs}) must not exceed ${ENV.requestTimeoutMs} ` +
        `(${config.requestTimeoutMs}): the headers are part of the request`,
    );
  }
  if (config.shedProduceWaitMs >= config.produceTimeoutMs) {
    problems.push(
      `${ENV.shedProduceWaitMs} (${config.shedProduceWaitMs}) must be below ${ENV.produceTimeoutMs} ` +
        `(${config.produceTimeoutMs}): a request stops waiting for Kafka after the produce timeout anyway`,
    );
  }
  if (config.connectionTimeoutMs <= config.produceTimeoutMs) {
    problems.push(
      `${ENV.connectionTimeoutMs} (${config.connectionTimeoutMs}) must exceed ${ENV.produceTimeoutMs} ` +
        `(${config.produceTimeoutMs}): a connection is idle while its request waits for Kafka`,
    );
  }
  return problems;
}
