// Builds dist/ once before tests that use it (browser tests and the size
// budget run against what users load). Test files run in parallel, so the
// build is serialized with a lock directory and skipped when dist/ is newer
// than every source file.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const sdkDir = fileURLToPath(new URL('../../', import.meta.url));
const lockDir = join(sdkDir, '.build-lock');
export const OUTPUTS = ['index.js', 'index.d.ts', 'eventline.iife.js', 'eventline.worker.js', 'snippet.min.js'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function upToDate(): boolean {
  try {
    const sources = Math.max(newestSource(join(sdkDir, 'src')), statSync(join(sdkDir, 'rollup.config.mjs')).mtimeMs);
    return OUTPUTS.every((file) => statSync(join(sdkDir, 'dist', file)).mtimeMs >= sources);
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
      if (waited > 120_000) rmdirSync(lockDir);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function ensureBuilt(): Promise<void> {
  if (upToDate()) return;
  const unlock = await lock();
  try {
    if (!upToDate()) await promisify(execFile)(process.execPath, [join(sdkDir, '../node_modules/rollup/dist/bin/rollup'), '-c', 'rollup.config.mjs', '--silent'], { cwd: sdkDir });
  } finally {
    unlock();
  }
}
