// Builds the packages whose compiled output tests run, at most once per change:
// ingest's Kafka worker thread is always its built kafka-worker.js (worker
// threads do not inherit loader hooks), and the process tests start services
// the way production does, `node <service>/dist/…`. Skipped while every dist/
// is newer than its sources.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@eventline/infra/services';
import { buildOnce, newestMtime } from './build-once.ts';

/** In build order: each needs the declarations of those before it. */
const PACKAGES = ['contract', 'kit', 'ingest', 'consumer', 'rollup'] as const;
const stampOf = (name: string) => join(repoRoot, name, 'dist', '.built');

function upToDate(): boolean {
  return PACKAGES.every((name) => {
    const stamp = stampOf(name);
    const sources = [join(repoRoot, name, 'src'), join(repoRoot, name, 'package.json')];
    return existsSync(stamp) && statSync(stamp).mtimeMs >= newestMtime(sources);
  });
}

export async function buildServices(): Promise<void> {
  const key = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
  await buildOnce({
    lockDir: join(tmpdir(), `eventline-build-services-${key}.lock`),
    upToDate,
    build: async () => {
      for (const name of PACKAGES) {
        await promisify(execFile)('npm', ['run', 'build', '--silent', '-w', `@eventline/${name}`], { cwd: repoRoot });
        writeFileSync(stampOf(name), '');
      }
    },
  });
}
