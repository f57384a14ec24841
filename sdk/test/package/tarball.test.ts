// What `npm publish` would ship: exactly the built files, the README and the
// LICENSE; types for every export; no source maps pointing at sources it does
// not ship; and the two package linters the ecosystem uses, passing.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distDir } from '../helpers/servers.ts';
import { packSdk, sdkDir, type Packed } from '../helpers/pack.ts';

interface ExportTarget {
  types?: string;
  import?: string;
  default?: string;
}

let packed: Packed;
beforeAll(async () => {
  packed = await packSdk();
}, 120_000);
afterAll(() => packed?.remove());

describe('the packed SDK', () => {
  it('ships exactly the built files, the README, the LICENSE and package.json', () => {
    expect(packed.files).toEqual([
      'LICENSE',
      'README.md',
      'dist/eventline.connect.d.ts',
      'dist/eventline.connect.js',
      'dist/eventline.iife.d.ts',
      'dist/eventline.iife.js',
      'dist/eventline.worker.d.ts',
      'dist/eventline.worker.js',
      'dist/index.d.ts',
      'dist/index.js',
      'dist/snippet.min.d.ts',
      'dist/snippet.min.js',
      'dist/testing.d.ts',
      'dist/testing.js',
      'dist/types.d.ts',
      'package.json',
    ]);
  });

  it('gives every export types first, and points every export at a file it ships', async () => {
    const pkg = JSON.parse(await readFile(join(sdkDir, 'package.json'), 'utf8')) as {
      exports: Record<string, string | ExportTarget>;
    };
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (subpath === './package.json') continue;
      expect(typeof target, subpath).toBe('object');
      const conditions = target as ExportTarget;
      expect(Object.keys(conditions)[0], `${subpath}: "types" must come first`).toBe('types');
      for (const file of Object.values(conditions)) expect(packed.files, subpath).toContain(file.replace(/^\.\//, ''));
    }
  });

  it('ships no source maps and no comment pointing at one', async () => {
    expect(packed.files.filter((file) => file.endsWith('.map'))).toEqual([]);
    for (const file of packed.files.filter((f) => f.endsWith('.js'))) {
      const code = await readFile(join(distDir, file.replace(/^dist\//, '')), 'utf8');
      expect(code, file).not.toMatch(/sourceMappingURL/);
    }
  });

  it('passes publint, warnings counted as errors', async () => {
    const tarball = await readFile(packed.tarball);
    const { messages } = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      strict: true,
      level: 'warning',
    });
    expect(messages).toEqual([]);
  });

  it('passes arethetypeswrong for an ESM-only package: types resolve for ESM importers and bundlers', async () => {
    // The CLI is the documented interface: it exits non-zero on any problem the profile counts.
    const cli = join(createRequire(import.meta.url).resolve('@arethetypeswrong/cli/package.json'), '../dist/index.js');
    const { stdout } = await promisify(execFile)(process.execPath, [
      cli,
      packed.tarball,
      '--profile',
      'esm-only',
      '--format',
      'json',
    ]);
    // The JSON lists the problems of every resolution; CommonJS and node10 are out of scope for an ESM-only package.
    const { problems } = JSON.parse(stdout) as { problems: Record<string, { resolutionKind?: string }[]> };
    const counted = Object.values(problems)
      .flat()
      .filter((p) => p.resolutionKind === undefined || ['node16-esm', 'bundler'].includes(p.resolutionKind));
    expect(counted).toEqual([]);
  }, 60_000);
});
