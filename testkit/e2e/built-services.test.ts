// Ship what you test: each service's build, started with plain `node` from a
// copy of the repository that has production dependencies only (dev
// dependencies pruned, as `npm ci --omit=dev` leaves them), answers its health
// check and stops cleanly on SIGTERM.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@eventline/infra';
import { repoRoot } from '@eventline/infra/services';
import { buildServices } from '../src/build-services.ts';
import { createTestBucket, createTestTopic, testInfra, uniqueName } from '../src/testing.ts';
import { eventually } from '../src/wait.ts';

const run = promisify(execFile);
const WORKSPACES = [
  'contract',
  'kit',
  'infra',
  'testkit',
  'sdk',
  'ingest',
  'consumer',
  'rollup',
  'dashboard',
  'demo-site',
];
/** Built with tsc alone here: their UIs and page scripts (vite) play no part in starting or health. */
const SERVERS_ONLY = ['dashboard', 'demo-site'];

let copy: string;

beforeAll(async () => {
  await buildServices();
  copy = mkdtempSync(join(tmpdir(), 'eventline-production-'));
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(repoRoot, file), join(copy, file));
  for (const name of WORKSPACES) cpSync(join(repoRoot, name, 'package.json'), join(copy, name, 'package.json'));
  for (const name of ['contract', 'kit', 'ingest', 'consumer', 'rollup'])
    cpSync(join(repoRoot, name, 'dist'), join(copy, name, 'dist'), { recursive: true });
  for (const name of SERVERS_ONLY) {
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const project = join(repoRoot, name, 'tsconfig.build.json');
    await run(process.execPath, [tsc, '-p', project, '--outDir', join(copy, name, 'dist', 'server')]);
  }
  cpSync(join(repoRoot, 'demo-site', 'public'), join(copy, 'demo-site', 'public'), { recursive: true });
  // Hard links: a copy of node_modules in a second, pruned like a production install.
  await run('cp', ['-al', join(repoRoot, 'node_modules'), join(copy, 'node_modules')]);
  await run('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund'], { cwd: copy });
}, 600_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('built services with production dependencies only', () => {
  it('has no dev tooling to lean on', () => {
    for (const tool of ['tsx', 'typescript', 'vitest', 'vite'])
      expect(existsSync(join(copy, 'node_modules', tool)), tool).toBe(false);
  });

  it('starts each service with node from dist/, answers /healthz, and exits 0 on SIGTERM', async () => {
    const { brokers, influxUrl } = testInfra();
    const [topic, deadLetterTopic, touchedHoursTopic, bucket] = await Promise.all([
      createTestTopic('built-events', 1),
      createTestTopic('built-dlq', 1),
      createTestTopic('built-touched-hours', 1),
      createTestBucket('built'),
    ]);
    const shared = {
      EVENTLINE_KAFKA_BROKERS: brokers.join(','),
      EVENTLINE_KAFKA_TOPIC: topic,
      EVENTLINE_KAFKA_TOUCHED_HOURS_TOPIC: touchedHoursTopic,
      EVENTLINE_INFLUX_URL: influxUrl,
      EVENTLINE_INFLUX_BUCKET: bucket,
      EVENTLINE_LOG_LEVEL: 'warn',
    };
    const services: { entry: string; portVariable: string; env: Record<string, string> }[] = [
      {
        entry: 'ingest/dist/server.js',
        portVariable: 'EVENTLINE_INGEST_PORT',
        env: { EVENTLINE_WRITE_KEYS: JSON.stringify([{ key: 'k', site: 's', origins: ['*'] }]) },
      },
      {
        entry: 'consumer/dist/main.js',
        portVariable: 'EVENTLINE_CONSUMER_PORT',
        env: { EVENTLINE_KAFKA_DLQ_TOPIC: deadLetterTopic, EVENTLINE_CONSUMER_GROUP: uniqueName('built') },
      },
      {
        entry: 'rollup/dist/main.js',
        portVariable: 'EVENTLINE_ROLLUP_PORT',
        env: { EVENTLINE_ROLLUP_GROUP: uniqueName('built-rollup') },
      },
      { entry: 'dashboard/dist/server/main.js', portVariable: 'EVENTLINE_DASHBOARD_PORT', env: {} },
      { entry: 'demo-site/dist/server/main.js', portVariable: 'EVENTLINE_DEMO_PORT', env: {} },
    ];
    for (const service of services) {
      const port = await freePort();
      // Only PATH is inherited: no NODE_OPTIONS or loader from the test runner reaches the service.
      const child = spawn(process.execPath, [service.entry], {
        cwd: copy,
        env: { PATH: process.env['PATH'], ...shared, ...service.env, [service.portVariable]: String(port) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      const exited = once(child, 'exit') as Promise<[number | null]>;
      const healthy = eventually(
        `${service.entry} to answer /healthz`,
        async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
        60_000,
        200,
      );
      const crashed = exited.then(([code]) => {
        throw new Error(`${service.entry} exited ${code} before answering: ${stderr}`);
      });
      try {
        await Promise.race([healthy, crashed]);
      } finally {
        child.kill('SIGTERM');
      }
      const [code] = await exited;
      expect(code, `${service.entry} exit code; stderr: ${stderr}`).toBe(0);
    }
  }, 300_000);
});
