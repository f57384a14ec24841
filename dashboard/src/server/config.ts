// Dashboard configuration: its schema, defaults and variables, read by the
// kit's loader (every problem at once, frozen, passed down). Nothing else in
// the dashboard reads the environment.
import { fileURLToPath } from 'node:url';
import { Type, type Static } from 'typebox';
import { loadConfig as load, LogLevelSchema, type Env } from '@eventline/kit/config';

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
  /**
   * Secrets that sign share links: the first signs new links, every one verifies.
   * Removing a secret revokes every link it signed. Empty: one derived from `token`.
   */
  shareKeys: Type.Array(Type.String({ minLength: 32 })),
  /** Memory for rollup buckets kept between answers (rollup/src/rollup-cache.ts), MiB; 0 keeps none. */
  rollupCacheMb: Type.Integer({ minimum: 0 }),
  /** Directory of the built UI (vite output); the UI routes answer 503 when it is missing. */
  uiDir: Type.String({ minLength: 1 }),
  logLevel: LogLevelSchema,
});

export type DashboardConfig = Static<typeof ConfigSchema> & {
  /** True when `token` is the well-known local default, which the served UI then embeds. */
  embedToken: boolean;
};

const DEFAULTS = {
  influx: {
    url: 'http://127.0.0.1:8086',
    token: '',
    org: '',
    bucket: 'eventline/events',
    queryTimeoutMs: 10_000, // 10 s
  },
  host: '127.0.0.1',
  port: 3000,
  // A dashboard request is a GET of a few hundred bytes: 10 s is ample on a slow
  // link, and a client trickling its headers (slowloris) holds a socket no longer.
  requestTimeoutMs: 10_000, // 10 s
  // The socket is silent while the server queries InfluxDB; a CSV export runs up
  // to 40 queries before it answers, so this is well above the query timeout.
  connectionTimeoutMs: 300_000, // 5 min
  token: LOCAL_DEFAULT_TOKEN,
  shareKeys: [],
  // A 30-day page of a busy site keeps ~20 MiB of day sketches (twelve dimensions, both unique counts).
  rollupCacheMb: 256,
  // The UI's vite build, next to this server's build in dist/ (and reached the same way from src/).
  uiDir: fileURLToPath(new URL('../../dist/ui/', import.meta.url)),
  logLevel: 'info',
} satisfies Static<typeof ConfigSchema>;

const ENV = {
  'influx.url': 'EVENTLINE_INFLUX_URL',
  'influx.token': { name: 'EVENTLINE_INFLUX_TOKEN', secret: true },
  'influx.org': 'EVENTLINE_INFLUX_ORG',
  'influx.bucket': 'EVENTLINE_INFLUX_BUCKET',
  'influx.queryTimeoutMs': 'EVENTLINE_DASHBOARD_QUERY_TIMEOUT_MS',
  host: 'EVENTLINE_DASHBOARD_HOST',
  port: 'EVENTLINE_DASHBOARD_PORT',
  requestTimeoutMs: 'EVENTLINE_DASHBOARD_REQUEST_TIMEOUT_MS',
  connectionTimeoutMs: 'EVENTLINE_DASHBOARD_CONNECTION_TIMEOUT_MS',
  token: { name: 'EVENTLINE_DASHBOARD_TOKEN', secret: true },
  shareKeys: { name: 'EVENTLINE_DASHBOARD_SHARE_KEYS', secret: true },
  rollupCacheMb: 'EVENTLINE_DASHBOARD_ROLLUP_CACHE_MB',
  uiDir: 'EVENTLINE_DASHBOARD_UI_DIR',
  logLevel: 'EVENTLINE_LOG_LEVEL',
} as const;

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Reads, validates and freezes the configuration; throws the kit's ConfigError naming every problem. */
export function loadConfig(env: Env): Readonly<DashboardConfig> {
  return load(
    {
      service: 'dashboard',
      schema: ConfigSchema,
      defaults: DEFAULTS,
      env: ENV,
      derive: (config) => ({ ...config, embedToken: config.token === LOCAL_DEFAULT_TOKEN }),
      checks: relationProblems,
    },
    env,
  );
}

/** What the schema cannot say: how settings relate. */
function relationProblems(config: DashboardConfig, name: (path: string) => string): string[] {
  const problems: string[] = [];
  // The default token is embedded in every page served, so on an address others
  // can reach it would hand the read API to anyone who opens the dashboard.
  if (config.embedToken && !isLoopbackHost(config.host))
    problems.push(
      `${name('host')}=${config.host} is reachable from other machines, so ${name('token')} must be set to a secret ` +
        'of at least 8 characters (the default token is public and embedded in the page)',
    );
  if (config.connectionTimeoutMs < config.influx.queryTimeoutMs)
    problems.push(
      `${name('connectionTimeoutMs')} must be at least ${name('influx.queryTimeoutMs')}, ` +
        'or a slow query would cut its own answer off',
    );
  return problems;
}
