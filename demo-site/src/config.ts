// Demo-site configuration, read from the environment once, validated and frozen.
import { fileURLToPath } from 'node:url';

export interface DemoConfig {
  host: string;
  port: number;
  /** Most time a client may take to send a whole request (headers included), ms; then 408. */
  requestTimeoutMs: number;
  /** Most time a connection may stay silent in either direction, ms; then it is closed. */
  connectionTimeoutMs: number;
  /** Base URL of the ingest service the SDK posts to (the visitor's browser must reach it). */
  ingestUrl: string;
  /** Write key the snippet carries; public by design, like any analytics write key. */
  writeKey: string;
  /** Where the "see it in the dashboard" links point. */
  dashboardUrl: string;
  /** The SDK's build output (eventline.iife.js, eventline.worker.js, snippet.min.js). */
  sdkDir: string;
  /** This package's vite output (page scripts and the npm-usage bundle). */
  distDir: string;
  logLevel: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const defaults = {
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
  sdkDir: fileURLToPath(new URL('../../sdk/dist/', import.meta.url)),
  distDir: fileURLToPath(new URL('../dist/', import.meta.url)),
  logLevel: 'info',
};

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`${name} must be http(s), got "${value}"`);
  return value.replace(/\/+$/, '');
}

function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name] || String(fallback);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 100)
    throw new ConfigError(`${name} must be a whole number of milliseconds, at least 100, got "${raw}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<DemoConfig> {
  const rawPort = env['EVENTLINE_DEMO_PORT'] || String(defaults.port);
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`EVENTLINE_DEMO_PORT must be a port number, got "${rawPort}"`);
  const writeKey = env['EVENTLINE_DEMO_WRITE_KEY'] || defaults.writeKey;
  if (!/^[\x21-\x7e]{1,128}$/.test(writeKey))
    throw new ConfigError('EVENTLINE_DEMO_WRITE_KEY must be 1-128 printable ASCII characters');
  return Object.freeze({
    host: env['EVENTLINE_DEMO_HOST'] || defaults.host,
    port,
    requestTimeoutMs: milliseconds(env, 'EVENTLINE_DEMO_REQUEST_TIMEOUT_MS', defaults.requestTimeoutMs),
    connectionTimeoutMs: milliseconds(env, 'EVENTLINE_DEMO_CONNECTION_TIMEOUT_MS', defaults.connectionTimeoutMs),
    ingestUrl: httpUrl('EVENTLINE_DEMO_INGEST_URL', env['EVENTLINE_DEMO_INGEST_URL'] || defaults.ingestUrl),
    writeKey,
    dashboardUrl: httpUrl('EVENTLINE_DEMO_DASHBOARD_URL', env['EVENTLINE_DEMO_DASHBOARD_URL'] || defaults.dashboardUrl),
    sdkDir: env['EVENTLINE_DEMO_SDK_DIR'] || defaults.sdkDir,
    distDir: defaults.distDir,
    logLevel: env['EVENTLINE_LOG_LEVEL'] || defaults.logLevel,
  });
}
