// Demo-site configuration: its schema, defaults and variables, read by the
// kit's loader (every problem at once, frozen, passed down). Nothing else in
// the demo site reads the environment.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from 'typebox';
import { loadConfig as load, LogLevelSchema, type Env } from '@eventline/kit/config';

const HttpUrl = Type.String({ pattern: '^https?://[^\\s/]+', description: 'An absolute http(s) URL' });
const Milliseconds = Type.Integer({ minimum: 100 });

const ConfigSchema = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  /** Most time a client may take to send a whole request (headers included), ms; then 408. */
  requestTimeoutMs: Milliseconds,
  /** Most time a connection may stay silent in either direction, ms; then it is closed. */
  connectionTimeoutMs: Milliseconds,
  /** Base URL of the ingest service the SDK posts to (the visitor's browser must reach it). */
  ingestUrl: HttpUrl,
  /** Write key the snippet carries; public by design, like any analytics write key. */
  writeKey: Type.String({ pattern: '^[\\x21-\\x7e]{1,128}$', description: '1-128 printable ASCII characters' }),
  /** Where the "see it in the dashboard" links point. */
  dashboardUrl: HttpUrl,
  /** The SDK's build output (eventline.iife.js, eventline.worker.js, snippet.min.js). */
  sdkDir: Type.String({ minLength: 1 }),
  /** This package's vite output (the browser scripts under assets/). */
  distDir: Type.String({ minLength: 1 }),
  logLevel: LogLevelSchema,
});

export type DemoConfig = Static<typeof ConfigSchema>;

const DEFAULTS = {
  host: '127.0.0.1',
  port: 3001,
  // Page and file requests are GETs of a few hundred bytes: ample on a slow
  // link, and a client trickling its headers (slowloris) holds a socket no longer.
  requestTimeoutMs: 10_000, // 10 s
  // Every answer is a file or a page rendered at once, so a connection silent this long is abandoned.
  connectionTimeoutMs: 60_000, // 1 min
  ingestUrl: 'http://127.0.0.1:8080',
  writeKey: 'demo-write-key',
  dashboardUrl: 'http://127.0.0.1:3000',
  sdkDir: sdkBuildDir(),
  // The browser scripts' vite build, next to this server's build in dist/ (and reached the same way from src/).
  distDir: fileURLToPath(new URL('../../dist/browser/', import.meta.url)),
  logLevel: 'info',
} satisfies DemoConfig;

const ENV = {
  host: 'EVENTLINE_DEMO_HOST',
  port: 'EVENTLINE_DEMO_PORT',
  requestTimeoutMs: 'EVENTLINE_DEMO_REQUEST_TIMEOUT_MS',
  connectionTimeoutMs: 'EVENTLINE_DEMO_CONNECTION_TIMEOUT_MS',
  ingestUrl: 'EVENTLINE_DEMO_INGEST_URL',
  writeKey: 'EVENTLINE_DEMO_WRITE_KEY',
  dashboardUrl: 'EVENTLINE_DEMO_DASHBOARD_URL',
  sdkDir: 'EVENTLINE_DEMO_SDK_DIR',
  logLevel: 'EVENTLINE_LOG_LEVEL',
} as const;

/** Reads, validates and freezes the configuration; throws the kit's ConfigError naming every problem. */
export function loadConfig(env: Env): Readonly<DemoConfig> {
  return load(
    {
      service: 'demo-site',
      schema: ConfigSchema,
      defaults: DEFAULTS,
      env: ENV,
      derive: (config) => ({
        ...config,
        ingestUrl: config.ingestUrl.replace(/\/+$/, ''),
        dashboardUrl: config.dashboardUrl.replace(/\/+$/, ''),
      }),
    },
    env,
  );
}

/**
 * Where @eventline/sdk keeps the files a site hosts, found through the
 * package's exports (its `./eventline.iife.js` entry), so the demo serves the
 * installed package, not a path into the SDK's source tree.
 */
function sdkBuildDir(): string {
  const manifest = createRequire(import.meta.url).resolve('@eventline/sdk/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, ExportTarget> };
  return dirname(join(dirname(manifest), fileOf(exports['./eventline.iife.js']!)));
}

type ExportTarget = string | { default: ExportTarget };

/** The file an export entry names for plain loading: its string, or its `default` condition. */
function fileOf(target: ExportTarget): string {
  return typeof target === 'string' ? target : fileOf(target.default);
}
