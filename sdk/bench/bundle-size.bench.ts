// Gzip size (-9) of each built file users load, beside its budget. The budgets
// (test/helpers/budgets.ts) are enforced by test/unit/size.test.ts; this prints
// the same figures for the benchmark summary.
// Run: npm run bench -w sdk
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { printResult } from '@eventline/testkit/bench-report';
import { BUDGETS, KiB } from '../test/helpers/budgets.ts';
import { ensureBuilt } from '../test/helpers/build.ts';
import { distDir } from '../test/helpers/servers.ts';

await ensureBuilt();
printResult({
  name: 'sdk-bundle-size',
  description: 'gzip -9 size of each built file, against its budget',
  figures: BUDGETS.map(({ file, budget }) => ({
    metric: file,
    unit: 'KiB',
    value: gzipSync(readFileSync(distDir + file), { level: 9 }).length / KiB,
    baseline: budget / KiB,
    baselineLabel: 'budget',
  })),
});
