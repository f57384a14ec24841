// The size budget, checked on the built files users load (gzip -9).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUDGETS, KiB } from '../helpers/budgets.ts';
import { ensureBuilt } from '../helpers/build.ts';
import { distDir } from '../helpers/servers.ts';

const gzipped = (file: string): number => gzipSync(readFileSync(distDir + file), { level: 9 }).length;

beforeAll(ensureBuilt, 120_000);

describe('size budget', () => {
  it.each(BUDGETS)('$file ($what) fits its gzip budget', ({ file, what, budget }) => {
    const size = gzipped(file);
    console.log(
      `${file.padEnd(20)} ${what.padEnd(58)} ${(size / KiB).toFixed(2)} KiB gzip (budget ${budget / KiB} KiB)`,
    );
    expect(size).toBeLessThanOrEqual(budget);
  });
});
