// InfluxDB OSS 1.8.10 built from the Go module proxy (pure Go: its Flux v0.65.1
// only needs Rust under the `libflux` tag). It serves the v2 API that
// @influxdata/influxdb-client speaks: /api/v2/write, Flux on /api/v2/query, /health.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { infraConfig, INFLUXDB_VERSION } from './config.ts';
import { InfraError } from './errors.ts';
import { runLogged, startLogged, waitFor, type ManagedProcess } from './process.ts';
import type { Progress } from './progress.ts';
import { GO, requireTool } from './tool-versions.ts';

const influxdBinary = join(infraConfig.influxDir, 'bin', 'influxd');

/** Builds influxd into the cache with `go install`; a no-op when it is there. */
export async function provisionInflux(progress: Progress): Promise<void> {
  if (existsSync(influxdBinary)) return;
  requireTool(GO);
  mkdirSync(infraConfig.influxDir, { recursive: true });
  await progress.step(`Building InfluxDB ${INFLUXDB_VERSION} with go install (first run only)`, () =>
    runLogged(
      'go',
      // Go ≥ 1.23 rejects some old //go:linkname pulls in 1.8.10's dependencies; this flag restores the old behaviour.
      ['install', '-ldflags=-checklinkname=0', `github.com/influxdata/influxdb/cmd/influxd@${INFLUXDB_VERSION}`],
      {
        logFile: join(infraConfig.influxDir, 'go-install.log'),
        env: { ...process.env, GOBIN: join(infraConfig.influxDir, 'bin'), GOFLAGS: '-mod=mod' },
      },
    ),
  );
  if (!existsSync(influxdBinary)) throw new InfraError(`go install finished but ${influxdBinary} is missing`);
}

export interface InfluxOptions {
  httpPort: number;
  /** influxd's backup/restore RPC port (it always opens one). */
  rpcPort: number;
  /** Holds meta, data, wal, influxdb.conf and influxd.log. */
  dataDir: string;
  /** Run in its own process group (see StartOptions.detached). Default: false */
  detached?: boolean;
}

export interface InfluxServer {
  readonly url: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

function influxConf(options: InfluxOptions): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${options.rpcPort}"

[meta]
  dir = "${join(options.dataDir, 'meta')}"

[data]
  dir = "${join(options.dataDir, 'data')}"
  wal-dir = "${join(options.dataDir, 'wal')}"
  query-log-enabled = false

[http]
  bind-address = "127.0.0.1:${options.httpPort}"
  flux-enabled = true
  log-enabled = false

[monitor]
  store-enabled = false

[continuous_queries]
  enabled = false
`;
}

export async function startInflux(options: InfluxOptions): Promise<InfluxServer> {
  if (!existsSync(influxdBinary))
    throw new InfraError('InfluxDB is not provisioned', 'run `npm run infra -- provision`');
  mkdirSync(options.dataDir, { recursive: true });
  const configFile = join(options.dataDir, 'influxdb.conf');
  writeFileSync(configFile, influxConf(options));
  const server = startLogged('influxdb', influxdBinary, ['-config', configFile], {
    logFile: join(options.dataDir, 'influxd.log'),
    detached: options.detached,
  });
  const url = `http://127.0.0.1:${options.httpPort}`;
  try {
    await waitFor('InfluxDB', () => isHealthy(url), { timeoutMs: 60_000, process: server });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url, process: server, stop: () => server.stop(), kill: () => server.kill() };
}

export async function isHealthy(url: string): Promise<boolean> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) return false;
  const body = (await response.json()) as { status?: string };
  return body.status === 'pass';
}

/**
 * Creates a database and its default retention policy; the v2 bucket name is
 * `database/retentionPolicy`. Idempotent.
 */
export async function createBucket(
  url: string,
  database: string,
  retentionPolicy: string,
  duration = 'INF',
): Promise<string> {
  const ident = (name: string) => `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  await influxQL(url, `CREATE DATABASE ${ident(database)}`);
  await influxQL(
    url,
    `CREATE RETENTION POLICY ${ident(retentionPolicy)} ON ${ident(database)} DURATION ${duration} REPLICATION 1 DEFAULT`,
  );
  return `${database}/${retentionPolicy}`;
}

async function influxQL(url: string, statement: string): Promise<void> {
  const response = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: statement }) });
  const body = (await response.json()) as { results?: { error?: string }[]; error?: string };
  const error = body.error ?? body.results?.find((r) => r.error)?.error;
  if (!response.ok || error) throw new InfraError(`InfluxQL \`${statement}\` failed: ${error ?? response.status}`);
}
