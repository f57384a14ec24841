// Packs the SDK as `npm publish` would, from a fresh dist/ (ensureBuilt), into
// a temporary directory. Lifecycle scripts are skipped: the build already ran.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureBuilt } from './build.ts';

export const sdkDir = fileURLToPath(new URL('../../', import.meta.url));

export interface Packed {
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Paths inside the package, sorted. */
  files: string[];
  /** Removes the temporary directory holding the tarball. */
  remove(): Promise<void>;
}

export async function packSdk(): Promise<Packed> {
  await ensureBuilt();
  const destination = await mkdtemp(join(tmpdir(), 'eventline-sdk-pack-'));
  const { stdout } = await promisify(execFile)(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', destination],
    { cwd: sdkDir },
  );
  const [result] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  return {
    tarball: join(destination, result.filename),
    files: result.files.map((f) => f.path).sort(),
    remove: () => rm(destination, { recursive: true, force: true }),
  };
}
