// The ingest service's configuration: read from the environment once, checked
// against a schema with one readable line per problem, then frozen and passed
// down. Nothing else in the service reads process.env.
import { readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { LIMITS, readableErrors, RECORD_MAX_BYTES, TOPICS } from '@eventline/contract';

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

const WriteKeysSchema = Type.Array(WriteKeySchema, { minItems: 1 });

const ConfigSchema = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  pathPrefix: Type.String({ pattern: '^(/[A-Za-z0-9._~-]+)*$' }),
  segmentPath: Type.String({ pattern: '^(/[A-Za-z0-9._~-]+)+$' }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
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
  connectionTimeoutMs: 30_000, // 30 s without a byte in either direction closes the socket; must outlast the produce timeout
  keepAliveTimeoutMs: 72_000, // 72 s an idle keep-alive connection stays open (Fastify's default: above common load balancers' 60 s)
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
} satisfies Record<keyof IngestConfig, string>);

export const WRITE_KEYS_FILE_ENV = 'EVENTLINE_WRITE_KEYS_FILE';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid ingest configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const checkConfig = Compile(ConfigSchema);
type Env = Record<string, string | undefined>;

/** Reads, validates and freezes the configuration; throws a ConfigError naming every problem. */
export function loadConfig(env: Env = process.env): IngestConfig {
  const problems: string[] = [];
  const raw: Record<string, unknown> = { ...DEFAULTS };
  for (const [field, name] of Object.entries(ENV) as [keyof IngestConfig, string][]) {
    const value = env[name];
    if (value === undefined || value === '' || field === 'writeKeys') continue;
    raw[field] = parseValue(field, value);
  }
  raw['writeKeys'] = readWriteKeys(env, problems);
  const writeKeysRead = problems.length === 0;
  // Without readable write keys, still report every other problem in the same run.
  const checked = writeKeysRead ? raw : { ...raw, writeKeys: [{ key: 'k', site: 's', origins: ['*'] }] };
  for (const error of readableErrors(checkConfig.Errors(checked))) {
    const [, field, ...rest] = error.instancePath.split('/');
    const name = field ? (ENV[field as keyof IngestConfig] ?? field) : 'configuration';
    const where = rest.length > 0 ? ` (at ${rest.join('/')})` : '';
    problems.push(
      `${name}${where}: ${error.message}${field ? `, got ${JSON.stringify(valueAt(raw, error.instancePath))}` : ''}`,
    );
  }
  if (writeKeysRead && !problems.some((p) => p.startsWith(ENV.writeKeys)))
    problems.push(...writeKeyProblems(raw['writeKeys'] as WriteKey[]));
  if (problems.length === 0) problems.push(...timeoutProblems(raw as IngestConfig));
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return deepFreeze(raw as IngestConfig);
}

function parseValue(field: keyof IngestConfig, value: string): unknown {
  const defaultValue = DEFAULTS[field as keyof typeof DEFAULTS];
  if (field === 'kafkaBrokers')
    return value
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b !== '');
  if (field === 'trustProxy') {
    if (value === 'true' || value === 'false') return value === 'true';
    return /^\d+$/.test(value) ? Number(value) : value;
  }
  if (typeof defaultValue === 'number') return /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return value;
}

function readWriteKeys(env: Env, problems: string[]): unknown {
  const inline = env[ENV.writeKeys];
  const file = env[WRITE_KEYS_FILE_ENV];
  if (inline && file) {
    problems.push(`set either ${ENV.writeKeys} or ${WRITE_KEYS_FILE_ENV}, not both`);
    return undefined;
  }
  if (!inline && !file) {
    problems.push(
      `no write keys: set ${ENV.writeKeys} to a JSON array like [{"key":"…","site":"…","origins":["https://…"]}] or ${WRITE_KEYS_FILE_ENV} to a file holding one`,
    );
    return undefined;
  }
  const [source, text] = inline
    ? [ENV.writeKeys, inline]
    : [`${WRITE_KEYS_FILE_ENV} (${file})`, readText(file!, problems)];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.push(`${source}: not valid JSON (${(error as Error).message})`);
    return undefined;
  }
}

function readText(file: string, problems: string[]): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(
      `${WRITE_KEYS_FILE_ENV}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
    return undefined;
  }
}

/** What the schema cannot say: unique keys, and origins spelled exactly as browsers send them. */
function writeKeyProblems(keys: WriteKey[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [index, { key, origins }] of keys.entries()) {
    if (seen.has(key)) problems.push(`${ENV.writeKeys} (at ${index}): the key "${key}" is listed twice`);
    seen.add(key);
    for (const origin of origins) {
      if (origin === '*') continue;
      let canonical: string | undefined;
      try {
        canonical = new URL(origin).origin;
      } catch {
        canonical = undefined;
      }
      if (canonical !== origin) {
        const hint = canonical && canonical !== 'null' ? `; write it as "${canonical}"` : '';
        problems.push(`${ENV.writeKeys} (at ${index}): "${origin}" is not an origin like https://shop.example${hint}`);
      }
    }
  }
  return problems;
}

/** What the schema cannot say: how the timeouts must relate. */
function timeoutProblems(config: IngestConfig): string[] {
  const problems: string[] = [];
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    problems.push(
      `${ENV.headersTimeoutMs} (${config.headersTimeoutMs}) must not exceed ${ENV.requestTimeoutMs} (${config.requestTimeoutMs}): the headers are part of the request`,
    );
  }
  if (config.connectionTimeoutMs <= config.produceTimeoutMs) {
    problems.push(
      `${ENV.connectionTimeoutMs} (${config.connectionTimeoutMs}) must exceed ${ENV.produceTimeoutMs} (${config.produceTimeoutMs}): a connection is idle while its request waits for Kafka`,
    );
  }
  return problems;
}

function valueAt(root: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (node, part) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined),
      root,
    );
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
