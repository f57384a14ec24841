// Builds the dashboard UI with Vite for the tests that serve it, so they serve
// what production serves. Test files run in parallel, so the build is
// serialized with a lock directory and skipped when the output is newer than
// every source it is made from. It goes to a directory of its own, not dist/,
// which the demo e2e rebuilds while other tests may be serving from it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const dashboardDir = fileURLToPath(new URL('..', import.meta.url));
const repoDir = join(dashboardDir, '..');
/** The UI imports the contract's limits, so its sources count too. */
const SOURCES = [join(dashboardDir, 'src', 'ui'), join(dashboardDir, 'vite.config.ts'), join(repoDir, 'contract', 'src')];
/** One directory per checkout, so two clones on a machine do not share a build. */
const outDir = join(tmpdir(), `eventline-dashboard-ui-${createHash('sha256').update(dashboardDir).digest('hex').slice(0, 12)}`);
const lockDir = `${outDir}.lock`;
/** Written after a build finishes: a half-written output never looks up to date. */
const stampFile = join(outDir, '.built');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function upToDate(): boolean {
  try {
    return statSync(stampFile).mtimeMs >= Math.max(...SOURCES.map(newest));
  } catch {
    return false;
  }
}

async function lock(): Promise<() => void> {
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lockDir);
      return () => rmdirSync(lockDir);
    } catch {
      // A stale lock (a killed build) is broken after two minutes.
      if (waited > 120_000) rmSync(lockDir, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The directory of an up-to-date build of the UI (index.html and assets/), for EVENTLINE_DASHBOARD_UI_DIR. */
export async function builtUi(): Promise<string> {
  if (upToDate()) return outDir;
  const unlock = await lock();
  try {
    if (!upToDate()) {
      const vite = join(repoDir, 'node_modules', 'vite', 'bin', 'vite.js');
      await promisify(execFile)(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'], { cwd: dashboardDir });
      writeFileSync(stampFile, '');
    }
  } finally {
    unlock();
  }
  return outDir;
}
