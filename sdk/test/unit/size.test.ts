// The size budget, checked on the built files users load (gzip -9).
// For scale: Segment budgets 29.8 KB, PostHog ships 31-56 KB.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.ts';
import { distDir } from '../helpers/servers.ts';

const KB = 1024;
const BUDGETS: Array<[file: string, what: string, budget: number]> = [
  ['snippet.min.js', 'inline snippet', 1 * KB],
  ['eventline.iife.js', 'main thread, script tag (Comlink + autocapture included)', 5 * KB],
  ['index.js', 'main thread, ESM (Comlink + autocapture included)', 5 * KB],
  ['eventline.worker.js', 'worker', 10 * KB],
];

const gzipped = (file: string): number => gzipSync(readFileSync(distDir + file), { level: 9 }).length;

beforeAll(ensureBuilt, 120_000);

describe('size budget', () => {
  it.each(BUDGETS)('%s (%s) fits its gzip budget', (file, what, budget) => {
    const size = gzipped(file);
    console.log(`${file.padEnd(20)} ${what.padEnd(58)} ${(size / KB).toFixed(2)} KiB gzip (budget ${budget / KB} KiB)`);
    expect(size).toBeLessThanOrEqual(budget);
  });
});
