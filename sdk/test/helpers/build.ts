// Builds dist/ once before tests that use it (browser tests and the size
// budget run against what users load), skipped when dist/ is newer than every
// source file.
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildOnce, newestMtime } from '@eventline/testkit/build-once';

const sdkDir = fileURLToPath(new URL('../../', import.meta.url));
export const OUTPUTS = [
  'index.js',
  'index.d.ts',
  'types.d.ts',
  'eventline.iife.js',
  'eventline.iife.d.ts',
  'eventline.connect.js',
  'eventline.connect.d.ts',
  'eventline.worker.js',
  'eventline.worker.d.ts',
  'snippet.min.js',
  'snippet.min.d.ts',
  'testing.js',
  'testing.d.ts',
];

function upToDate(): boolean {
  try {
    // The bundles also carry the kit's backoff (@eventline/kit/backoff, from its source).
    const sources = newestMtime([
      join(sdkDir, 'src'),
      join(sdkDir, 'declarations'),
      join(sdkDir, 'rollup.config.mjs'),
      join(sdkDir, '../kit/src/backoff.ts'),
    ]);
    return OUTPUTS.every((file) => statSync(join(sdkDir, 'dist', file)).mtimeMs >= sources);
  } catch {
    return false;
  }
}

export function ensureBuilt(): Promise<void> {
  return buildOnce({
    lockDir: join(sdkDir, '.build-lock'),
    upToDate,
    build: async () => {
      await promisify(execFile)(
        process.execPath,
        [join(sdkDir, '../node_modules/rollup/dist/bin/rollup'), '-c', 'rollup.config.mjs', '--silent'],
        { cwd: sdkDir },
      );
    },
  });
}
