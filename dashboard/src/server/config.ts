// Dashboard configuration, read from the environment exactly once, validated
// and frozen. Nothing else in the dashboard reads process.env.
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { fileURLToPath } from 'node:url';

/**
 * The read-API token used when EVENTLINE_DASHBOARD_TOKEN is not set. It is
 * public knowledge (like the demo write key), so with it the server hands the
 * token to the UI it serves: fine on a loopback address, and refused on any
 * other (see loadConfig).
 */
export const LOCAL_DEFAULT_TOKEN = 'eventline-local-dashboard';

const ConfigSchema = Type.Object({
  influx: Type.Object({
    url: Type.String({ minLength: 1 }),
    token: Type.String(),
    org: Type.String(),
    bucket: Type.String({ minLength: 1 }),
    /** Flux query timeout in ms. */
    queryTimeoutMs: Type.Integer({ minimum: 100 }),
  }),
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  /** Most time a client may take to send a whole request (headers included), ms; then 408. */
  requestTimeoutMs: Type.Integer({ minimum: 100 }),
  /** Most time a connection may stay silent in either direction, ms; then it is closed. */
  connectionTimeoutMs: Type.Integer({ minimum: 100 }),
  /** Bearer token the read API requires. */
  token: Type.String({ minLength: 8 }),
  /** True when `token` is the well-known local default, which the served UI then embeds. */
  embedToken: Type.Boolean(),
  /** Directory of the built UI (vite output); the UI routes answer 503 when it is missing. */
  uiDir: Type.String({ minLength: 1 }),
  logLevel: Type.Union([
    Type.Literal('fatal'),
    Type.Literal('error'),
    Type.Literal('warn'),
    Type.Literal('info'),
    Type.Literal('debug'),
    Type.Literal('trace'),
    Type.Literal('silent'),
  ]),
});

export type DashboardConfig = Static<typeof ConfigSchema>;

const defaults = {
  influxUrl: 'http://127.0.0.1:8086',
  influxBucket: 'eventline/events',
  queryTimeoutMs: 10_000, // 10 s
  host: '127.0.0.1',
  port: 3000,
  // A dashboard request is a GET of a few hundred bytes: 10 s is ample on a slow
  // link, and a client trickling its headers (slowloris) holds a socket no longer.
  requestTimeoutMs: 10_000, // 10 s
  // The socket is silent while the server queries InfluxDB; a CSV export runs up
  // to 40 queries before it answers, so this is well above the query timeout.
  connectionTimeoutMs: 300_000, // 5 min
  uiDir: fileURLToPath(new URL('../../dist/', import.meta.url)),
  logLevel: 'info',
} as const;

const validator = Compile(ConfigSchema);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  return value;
}

/** Builds the configuration from an environment (process.env by default) and any overrides, for tests. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<DashboardConfig> = {},
): Readonly<DashboardConfig> {
  const token = env['EVENTLINE_DASHBOARD_TOKEN'] || LOCAL_DEFAULT_TOKEN;
  const config = {
    influx: {
      url: env['EVENTLINE_INFLUX_URL'] || defaults.influxUrl,
      token: env['EVENTLINE_INFLUX_TOKEN'] ?? '',
      org: env['EVENTLINE_INFLUX_ORG'] ?? '',
      bucket: env['EVENTLINE_INFLUX_BUCKET'] || defaults.influxBucket,
      queryTimeoutMs: integer(env, 'EVENTLINE_DASHBOARD_QUERY_TIMEOUT_MS', defaults.queryTimeoutMs),
    },
    host: env['EVENTLINE_DASHBOARD_HOST'] || defaults.host,
    port: integer(env, 'EVENTLINE_DASHBOARD_PORT', defaults.port),
    requestTimeoutMs: integer(env, 'EVENTLINE_DASHBOARD_REQUEST_TIMEOUT_MS', defaults.requestTimeoutMs),
    connectionTimeoutMs: integer(env, 'EVENTLINE_DASHBOARD_CONNECTION_TIMEOUT_MS', defaults.connectionTimeoutMs),
    token,
    embedToken: token === LOCAL_DEFAULT_TOKEN,
    uiDir: env['EVENTLINE_DASHBOARD_UI_DIR'] || defaults.uiDir,
    logLevel: env['EVENTLINE_LOG_LEVEL'] || defaults.logLevel,
    ...overrides,
  };
  if (!validator.Check(config)) {
    const problems = validator.Errors(config).map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new ConfigError(`invalid dashboard configuration: ${problems.join('; ')}`);
  }
  // The default token is embedded in every page served, so on an address others
  // can reach it would hand the read API to anyone who opens the dashboard.
  if (config.token === LOCAL_DEFAULT_TOKEN && !isLoopbackHost(config.host)) {
    throw new ConfigError(
      `EVENTLINE_DASHBOARD_HOST=${config.host} is reachable from other machines, so EVENTLINE_DASHBOARD_TOKEN must be set to a secret of at least 8 characters (the default token is public and embedded in the page)`,
    );
  }
  if (config.connectionTimeoutMs < config.influx.queryTimeoutMs) {
    throw new ConfigError(
      'EVENTLINE_DASHBOARD_CONNECTION_TIMEOUT_MS must be at least EVENTLINE_DASHBOARD_QUERY_TIMEOUT_MS, or a slow query would cut its own answer off',
    );
  }
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) if (child && typeof child === 'object') deepFreeze(child);
  return Object.freeze(value);
}
