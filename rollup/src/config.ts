// The rollup worker's configuration, read from the environment once, validated
// and frozen. Nothing else in the worker reads process.env.
import { DEFAULT_MAX_VALUES, RETENTION, TOPICS } from '@eventline/contract';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { RollupError } from './errors.ts';

const Duration = Type.String({ pattern: '^([1-9][0-9]*(h|d|w)|INF)$' });

const ConfigSchema = Type.Object({
  kafka: Type.Object({
    brokers: Type.Array(Type.String({ pattern: '^[^\\s,]+:[0-9]+$' }), { minItems: 1 }),
    touchedHoursTopic: Type.String({ minLength: 1 }),
    groupId: Type.String({ minLength: 1 }),
  }),
  influx: Type.Object({
    url: Type.String({ pattern: '^https?://' }),
    token: Type.String(),
    database: Type.String({ minLength: 1 }),
    rawPolicy: Type.String({ minLength: 1 }),
    timeoutMs: Type.Integer({ minimum: 100 }),
  }),
  retention: Type.Object({ raw: Duration, rollups: Duration }),
  maxValues: Type.Integer({ minimum: 1, maximum: 10_000 }),
  http: Type.Object({ host: Type.String({ minLength: 1 }), port: Type.Integer({ minimum: 0, maximum: 65535 }) }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
});

export type RollupConfig = Static<typeof ConfigSchema>;

/** Every variable the worker reads, its default and its meaning; the README table mirrors it. */
export const ENV = Object.freeze({
  EVENTLINE_KAFKA_BROKERS: { default: '127.0.0.1:9092', help: 'Comma-separated Kafka bootstrap brokers (host:port).' },
  EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC: {
    default: TOPICS.touchedHours,
    help: 'Topic the consumer announces touched (site, hour) buckets on.',
  },
  EVENTLINE_ROLLUP_GROUP: {
    default: 'eventline-rollup',
    help: 'Consumer group id; instances with the same id share the buckets.',
  },
  EVENTLINE_INFLUX_URL: { default: 'http://127.0.0.1:8086', help: 'InfluxDB base URL.' },
  EVENTLINE_INFLUX_TOKEN: { default: '', help: 'InfluxDB token (InfluxDB 1.8: empty, or `user:password`).' },
  EVENTLINE_INFLUX_BUCKET: {
    default: 'eventline/events',
    help: 'Bucket of the raw events, `database/retentionPolicy`; rollups go to the same database.',
  },
  EVENTLINE_INFLUX_TIMEOUT_MS: { default: '10000', help: 'Timeout of one InfluxDB request (ms).' },
  EVENTLINE_RAW_RETENTION: {
    default: RETENTION.rawDuration,
    help: 'How long raw events are kept (InfluxQL duration: 90d, 12w, INF); applied to the raw retention policy at start.',
  },
  EVENTLINE_ROLLUP_RETENTION: { default: RETENTION.rollupDuration, help: 'How long rollups are kept. 2 years' },
  EVENTLINE_ROLLUP_MAX_VALUES: {
    default: String(DEFAULT_MAX_VALUES),
    help: 'Most values listed per (site, dimension, hour); the rest are counted under (other).',
  },
  EVENTLINE_ROLLUP_HOST: { default: '127.0.0.1', help: 'Address of the health server.' },
  EVENTLINE_ROLLUP_PORT: { default: '9465', help: 'Port of the health server (/healthz, /readyz).' },
  EVENTLINE_LOG_LEVEL: { default: 'info', help: 'pino log level (fatal, error, warn, info, debug, trace, silent).' },
});

type EnvName = keyof typeof ENV;

const check = Compile(ConfigSchema);

/** Reads the configuration from `env`. Throws ROLLUP_CONFIG_INVALID listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<RollupConfig> {
  const problems: string[] = [];
  const read = (name: EnvName): string => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? ENV[name].default : raw.trim();
  };
  const integer = (name: EnvName): number => {
    const raw = read(name);
    if (!/^[0-9]+$/.test(raw)) problems.push(`${name} must be an integer, got "${raw}"`);
    return Number(raw);
  };
  const bucket = read('EVENTLINE_INFLUX_BUCKET');
  const [database = '', rawPolicy = ''] = bucket.split('/');
  if (!database || !rawPolicy)
    problems.push(`EVENTLINE_INFLUX_BUCKET must be database/retentionPolicy, got "${bucket}"`);
  const config: RollupConfig = {
    kafka: {
      brokers: read('EVENTLINE_KAFKA_BROKERS')
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
      touchedHoursTopic: read('EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC'),
      groupId: read('EVENTLINE_ROLLUP_GROUP'),
    },
    influx: {
      url: read('EVENTLINE_INFLUX_URL').replace(/\/+$/, ''),
      token: env['EVENTLINE_INFLUX_TOKEN'] ?? '',
      database,
      rawPolicy,
      timeoutMs: integer('EVENTLINE_INFLUX_TIMEOUT_MS'),
    },
    retention: {
      raw: read('EVENTLINE_RAW_RETENTION'),
      rollups: read('EVENTLINE_ROLLUP_RETENTION'),
    },
    maxValues: integer('EVENTLINE_ROLLUP_MAX_VALUES'),
    http: { host: read('EVENTLINE_ROLLUP_HOST'), port: integer('EVENTLINE_ROLLUP_PORT') },
    logLevel: read('EVENTLINE_LOG_LEVEL') as RollupConfig['logLevel'],
  };
  if (problems.length === 0 && !check.Check(config))
    for (const error of check.Errors(config)) problems.push(`${error.instancePath} ${error.message}`);
  if (problems.length > 0) throw new RollupError('ROLLUP_CONFIG_INVALID', problems.join('; '));
  return Object.freeze(config);
}
