// The Eventline services as processes: how each is started, the
// environment it gets, and how to tell it is up. Used by npm start and by
// end-to-end tests that need the whole stack.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLogged, waitFor, type ManagedProcess } from './process.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Node arguments that run a workspace's TypeScript source: tsx, and the
 * condition under which workspace packages export their source (production
 * runs `node <service>/dist/…` without either).
 */
export const SOURCE_NODE_ARGS = ['--conditions=@eventline/source', '--import', 'tsx'] as const;

export interface StackEndpoints {
  brokers: string[];
  influxUrl: string;
  bucket: string;
}

export interface ServicePorts {
  ingest: number;
  consumer: number;
  rollup: number;
  dashboard: number;
  demo: number;
}

export interface ServiceSpec {
  name: 'ingest' | 'consumer' | 'rollup' | 'dashboard' | 'demo-site';
  entry: string;
  env: Record<string, string>;
  /** Answers 200 once the service is ready. */
  readyUrl: string;
  /** What a person opens, if anything. */
  publicUrl?: string;
}

/** Write key used by the demo site and local runs; its origins are the demo site's. */
export const DEMO_WRITE_KEY = 'demo-write-key';
/** The site DEMO_WRITE_KEY writes to (the `site` tag of its events). */
export const DEMO_SITE = 'demo';

export function serviceSpecs(
  stack: StackEndpoints,
  ports: ServicePorts,
  extraEnv: Record<string, string> = {},
): ServiceSpec[] {
  const ingestUrl = `http://127.0.0.1:${ports.ingest}`;
  const demoOrigins = [`http://127.0.0.1:${ports.demo}`, `http://localhost:${ports.demo}`];
  const shared = {
    EVENTLINE_KAFKA_BROKERS: stack.brokers.join(','),
    EVENTLINE_INFLUX_URL: stack.influxUrl,
    EVENTLINE_INFLUX_BUCKET: stack.bucket,
    ...extraEnv,
  };
  return [
    {
      name: 'ingest',
      entry: 'ingest/src/server.ts',
      env: {
        ...shared,
        EVENTLINE_INGEST_PORT: String(ports.ingest),
        EVENTLINE_WRITE_KEYS: JSON.stringify([{ key: DEMO_WRITE_KEY, site: DEMO_SITE, origins: demoOrigins }]),
      },
      readyUrl: `${ingestUrl}/readyz`,
      publicUrl: ingestUrl,
    },
    {
      name: 'consumer',
      entry: 'consumer/src/main.ts',
      env: { ...shared, EVENTLINE_CONSUMER_PORT: String(ports.consumer) },
      readyUrl: `http://127.0.0.1:${ports.consumer}/readyz`,
    },
    {
      name: 'rollup',
      entry: 'rollup/src/main.ts',
      env: { ...shared, EVENTLINE_ROLLUP_PORT: String(ports.rollup) },
      readyUrl: `http://127.0.0.1:${ports.rollup}/readyz`,
    },
    {
      name: 'dashboard',
      entry: 'dashboard/src/server/main.ts',
      env: { ...shared, EVENTLINE_DASHBOARD_PORT: String(ports.dashboard) },
      readyUrl: `http://127.0.0.1:${ports.dashboard}/healthz`,
      publicUrl: `http://127.0.0.1:${ports.dashboard}`,
    },
    {
      name: 'demo-site',
      entry: 'demo-site/src/server/main.ts',
      env: {
        ...shared,
        EVENTLINE_DEMO_PORT: String(ports.demo),
        EVENTLINE_DEMO_INGEST_URL: ingestUrl,
        EVENTLINE_DEMO_WRITE_KEY: DEMO_WRITE_KEY,
      },
      readyUrl: `http://127.0.0.1:${ports.demo}/healthz`,
      publicUrl: `http://127.0.0.1:${ports.demo}`,
    },
  ];
}

/** Starts `spec` and waits until it is ready; `label` names its log (default: the service's name). */
export async function startService(
  spec: ServiceSpec,
  logDir: string,
  label: string = spec.name,
): Promise<ManagedProcess> {
  const service = startLogged(label, process.execPath, [...SOURCE_NODE_ARGS, join(repoRoot, spec.entry)], {
    cwd: repoRoot,
    logFile: join(logDir, `${label}.log`),
    env: { ...process.env, ...spec.env },
  });
  try {
    await waitFor(spec.name, async () => (await fetch(spec.readyUrl, { signal: AbortSignal.timeout(2_000) })).ok, {
      timeoutMs: 60_000,
      process: service,
    });
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}
