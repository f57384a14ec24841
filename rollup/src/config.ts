// The rollup worker's configuration: its schema, defaults and variables, read
// by the kit's loader (every problem at once, frozen, passed down). Nothing
// else in the worker reads the environment.
import { Type, type Static } from 'typebox';
import { DEFAULT_MAX_VALUES, RETENTION, TOPICS } from '@eventline/contract';
import { loadConfig as load, LogLevelSchema, type Env } from '@eventline/kit/config';

/** An InfluxQL duration; nothing else may reach the retention statements. */
const Duration = Type.String({ pattern: '^([1-9][0-9]*(h|d|w)|INF)$' });

const ConfigSchema = Type.Object({
  kafka: Type.Object({
    brokers: Type.Array(Type.String({ pattern: '^[^\\s,]+:[0-9]+$' }), { minItems: 1 }),
    clientId: Type.String({ minLength: 1 }),
    touchedHoursTopic: Type.String({ minLength: 1 }),
    groupId: Type.String({ minLength: 1 }),
  }),
  influx: Type.Object({
    url: Type.String({ pattern: '^https?://' }),
    token: Type.String(),
    /** `database/retentionPolicy` of the raw events; the rollups go to the same database. */
    bucket: Type.String({ pattern: '^[^/]+/[^/]+$' }),
    timeoutMs: Type.Integer({ minimum: 100 }),
  }),
  retention: Type.Object({ raw: Duration, rollups: Duration }),
  maxValues: Type.Integer({ minimum: 1, maximum: 10_000 }),
  /** Memory for the tallies of the latest hours kept between recomputes, MiB; 0 keeps none. */
  keptMb: Type.Integer({ minimum: 0 }),
  http: Type.Object({ host: Type.String({ minLength: 1 }), port: Type.Integer({ minimum: 0, maximum: 65535 }) }),
  logLevel: LogLevelSchema,
});

type Settings = Static<typeof ConfigSchema>;

/** The settings with the bucket split into the database and the raw events' retention policy. */
export type RollupConfig = Settings & {
  influx: Settings['influx'] & { database: string; rawPolicy: string };
};

export const DEFAULTS = {
  kafka: {
    brokers: ['127.0.0.1:9092'],
    clientId: 'eventline-rollup',
    touchedHoursTopic: TOPICS.touchedHours,
    groupId: 'eventline-rollup',
  },
  influx: {
    url: 'http://127.0.0.1:8086',
    token: '',
    bucket: 'eventline/events',
    timeoutMs: 10_000, // 10 s per InfluxDB request
  },
  retention: { raw: RETENTION.rawDuration, rollups: RETENTION.rollupDuration }, // 90 days, 2 years
  maxValues: DEFAULT_MAX_VALUES, // values per (site, dimension, hour); the rest are (other)
  keptMb: 256, // 256 MiB of kept hour tallies: about 2 million events
  http: { host: '127.0.0.1', port: 9465 },
  logLevel: 'info',
} satisfies Settings;

/** The variable behind each setting; the README's configuration table lists them all. */
export const ENV = Object.freeze({
  'kafka.brokers': 'EVENTLINE_KAFKA_BROKERS',
  'kafka.clientId': 'EVENTLINE_KAFKA_CLIENT_ID',
  'kafka.touchedHoursTopic': 'EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC',
  'kafka.groupId': 'EVENTLINE_ROLLUP_GROUP',
  'influx.url': 'EVENTLINE_INFLUX_URL',
  'influx.token': { name: 'EVENTLINE_INFLUX_TOKEN', secret: true },
  'influx.bucket': 'EVENTLINE_INFLUX_BUCKET',
  'influx.timeoutMs': 'EVENTLINE_INFLUX_TIMEOUT_MS',
  'retention.raw': 'EVENTLINE_RAW_RETENTION',
  'retention.rollups': 'EVENTLINE_ROLLUP_RETENTION',
  maxValues: 'EVENTLINE_ROLLUP_MAX_VALUES',
  keptMb: 'EVENTLINE_ROLLUP_KEPT_MB',
  'http.host': 'EVENTLINE_ROLLUP_HOST',
  'http.port': 'EVENTLINE_ROLLUP_PORT',
  logLevel: 'EVENTLINE_LOG_LEVEL',
});

/** Reads, validates and freezes the configuration; throws the kit's ConfigError naming every problem. */
export function loadConfig(env: Env): Readonly<RollupConfig> {
  return load<typeof ConfigSchema, RollupConfig>(
    {
      service: 'rollup',
      schema: ConfigSchema,
      defaults: DEFAULTS,
      env: ENV,
      derive: (settings) => {
        const [database = '', rawPolicy = ''] = settings.influx.bucket.split('/');
        const url = settings.influx.url.replace(/\/+$/, '');
        return { ...settings, influx: { ...settings.influx, url, database, rawPolicy } };
      },
    },
    env,
  );
}
