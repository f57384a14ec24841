// Builds an output at most once for the test files and benchmarks that run in
// parallel and need it: a lock directory serializes the builders, and a build
// is skipped when its output is already newer than every source.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './wait.ts';

/** A lock older than this belongs to a killed build and is broken. */
const STALE_LOCK_MS = 120_000;
const POLL_MS = 100;

/** The newest modification time of the files and directories under `paths`, in ms. */
export function newestMtime(paths: readonly string[]): number {
  let newest = 0;
  for (const path of paths) {
    const stat = statSync(path);
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) newest = Math.max(newest, newestMtime(readdirSync(path).map((name) => join(path, name))));
  }
  return newest;
}

export interface BuildOnceOptions {
  /** Directory created as the lock; removed when the build ends. */
  lockDir: string;
  /** Whether the output is newer than its sources; asked before and again under the lock. */
  upToDate: () => boolean;
  build: () => Promise<void>;
}

export async function buildOnce({ lockDir, upToDate, build }: BuildOnceOptions): Promise<void> {
  if (upToDate()) return;
  for (let waited = 0; ; waited += POLL_MS) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      if (waited > STALE_LOCK_MS) rmSync(lockDir, { recursive: true, force: true });
      await sleep(POLL_MS);
    }
  }
  try {
    if (!upToDate()) await build();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
