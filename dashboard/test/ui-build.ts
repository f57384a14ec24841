// Builds the dashboard UI with Vite for the tests that serve it, so they serve
// what production serves, once (skipped when the output is newer than every
// source it is made from). It goes to a directory of its own, not dist/,
// which the demo e2e rebuilds while other tests may be serving from it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildOnce, newestMtime } from '@eventline/testkit/build-once';

const dashboardDir = fileURLToPath(new URL('..', import.meta.url));
const repoDir = join(dashboardDir, '..');
/** The UI imports the contract's limits, so its sources count too. */
const SOURCES = [
  join(dashboardDir, 'src', 'ui'),
  join(dashboardDir, 'vite.config.ts'),
  join(repoDir, 'contract', 'src'),
];
/** One directory per checkout, so two clones on a machine do not share a build. */
const outDir = join(
  tmpdir(),
  `eventline-dashboard-ui-${createHash('sha256').update(dashboardDir).digest('hex').slice(0, 12)}`,
);
/** Written after a build finishes: a half-written output never looks up to date. */
const stampFile = join(outDir, '.built');

function upToDate(): boolean {
  try {
    return statSync(stampFile).mtimeMs >= newestMtime(SOURCES);
  } catch {
    return false;
  }
}

/** The directory of an up-to-date build of the UI (index.html and assets/), for EVENTLINE_DASHBOARD_UI_DIR. */
export async function builtUi(): Promise<string> {
  await buildOnce({
    lockDir: `${outDir}.lock`,
    upToDate,
    build: async () => {
      const vite = join(repoDir, 'node_modules', 'vite', 'bin', 'vite.js');
      await promisify(execFile)(
        process.execPath,
        [vite, 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'],
        // Under vitest NODE_ENV is `test`, which would build Preact's development code paths: build what ships.
        { cwd: dashboardDir, env: { ...process.env, NODE_ENV: 'production' } },
      );
      writeFileSync(stampFile, '');
    },
  });
  return outDir;
}

/** The JavaScript a build's index.html loads before anything renders (scripts and module preloads), gzipped. */
export function initialScripts(dir: string): { files: string[]; gzipBytes: number } {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map(
    (match) => match[1]!,
  );
  const gzipBytes = files.reduce((sum, src) => sum + gzipSync(readFileSync(join(dir, src)), { level: 9 }).length, 0);
  return { files, gzipBytes };
}
