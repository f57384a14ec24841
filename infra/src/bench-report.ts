// The one format every benchmark prints: a human table and a machine line
// (`BENCH_RESULT {json}`) that `npm run bench` collects into bench-results/.

export interface Figure {
  metric: string;
  unit: string;
  value: number;
  /** The same measurement on the baseline, in the same run. */
  baseline?: number;
  baselineLabel?: string;
}

export interface BenchResult {
  name: string;
  description: string;
  figures: Figure[];
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100);

export function printResult(result: BenchResult): void {
  process.stdout.write(`\n${result.name}: ${result.description}\n`);
  for (const f of result.figures) {
    const ratio = f.baseline ? `  ratio ${(f.value / f.baseline).toFixed(2)} vs ${f.baselineLabel ?? 'baseline'} ${round(f.baseline)} ${f.unit}` : '';
    process.stdout.write(`  ${f.metric.padEnd(12)} ${String(round(f.value)).padStart(10)} ${f.unit}${ratio}\n`);
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}
