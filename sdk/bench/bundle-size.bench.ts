// Gzip size (-9) of each built file users load, beside its budget. The budget
// is enforced by test/unit/size.test.ts; this prints the same figures for the
// benchmark summary.
// Run: npm run bench -w sdk
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { printResult } from '@eventline/infra/bench-report';
import { ensureBuilt } from '../test/helpers/build.ts';
import { distDir } from '../test/helpers/servers.ts';

const KiB = 1024;
/** Keep in step with BUDGETS in test/unit/size.test.ts. */
const BUDGETS: Array<[file: string, budget: number]> = [
  ['snippet.min.js', 1 * KiB],
  ['eventline.iife.js', 5 * KiB],
  ['index.js', 5 * KiB],
  ['eventline.worker.js', 10 * KiB],
];

await ensureBuilt();
printResult({
  name: 'sdk-bundle-size',
  description: 'gzip -9 size of each built file, against its budget',
  figures: BUDGETS.map(([file, budget]) => ({
    metric: file,
    unit: 'KiB',
    value: gzipSync(readFileSync(distDir + file), { level: 9 }).length / KiB,
    baseline: budget / KiB,
    baselineLabel: 'budget',
  })),
});
