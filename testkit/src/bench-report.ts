// The one format every benchmark prints: a human table and a machine line
// (`BENCH_RESULT {json}`) that `npm run bench` collects into bench-results/.

export interface Figure {
  metric: string;
  unit: string;
  value: number;
  /** The same measurement on the baseline, in the same run. */
  baseline?: number;
  baselineLabel?: string;
  /**
   * The timer's resolution, in `unit`, when it is coarse next to the figures:
   * a baseline measured as 0 was below it, and the summary says so instead of
   * printing a ratio it cannot know. Default: unknown
   */
  resolution?: number;
}

export interface BenchResult {
  name: string;
  description: string;
  figures: Figure[];
}

export interface TimingOptions {
  /** Samples to take. */
  readonly runs: number;
  /** A slow query stops after this long once it has `minRuns` samples, ms. */
  readonly budgetMs: number;
  readonly minRuns: number;
}

/**
 * Durations of `run`, ms, after one warm-up run (the first query of a shape pays for compilation and cold caches):
 * `runs` samples, or fewer once `budgetMs` has passed and there are `minRuns`.
 */
export async function timeRuns(run: () => Promise<unknown>, options: TimingOptions): Promise<number[]> {
  const samples: number[] = [];
  const started = performance.now();
  await run();
  while (
    samples.length < options.runs &&
    (samples.length < options.minRuns || performance.now() - started < options.budgetMs)
  ) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  return samples;
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100);
const TIME_UNITS = new Set(['s', 'ms', 'µs', 'us', 'ns']);

/** value ÷ baseline, or why there is none: never a made-up number. */
export function ratioText(f: Figure): string {
  if (f.baseline === undefined) return 'no baseline';
  if (f.baseline !== 0) return (f.value / f.baseline).toFixed(2);
  if (f.resolution !== undefined) return `n/a: baseline below the ${round(f.resolution)} ${f.unit} timer resolution`;
  return TIME_UNITS.has(f.unit)
    ? `n/a: baseline measured 0 ${f.unit} (below the timer's resolution)`
    : 'n/a: baseline is 0';
}

export function printResult(result: BenchResult): void {
  process.stdout.write(`\n${result.name}: ${result.description}\n`);
  for (const f of result.figures) {
    const ratio =
      f.baseline === undefined
        ? ''
        : `  ratio ${ratioText(f)} vs ${f.baselineLabel ?? 'baseline'} ${round(f.baseline)} ${f.unit}`;
    process.stdout.write(`  ${f.metric.padEnd(12)} ${String(round(f.value)).padStart(10)} ${f.unit}${ratio}\n`);
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

/** The summary table of `npm run bench` (bench-results/summary.md). */
export function summaryMarkdown(results: BenchResult[], machine: string, date: Date): string {
  const rows = results.flatMap((r) =>
    r.figures.map(
      (f) =>
        `| ${r.name} | ${f.metric} | ${round(f.value)} ${f.unit} | ${f.baseline === undefined ? '—' : `${round(f.baseline)} ${f.unit} (${f.baselineLabel ?? 'baseline'})`} | ${ratioText(f)} |`,
    ),
  );
  return [
    `Measured ${date.toISOString().slice(0, 10)} on ${machine}.`,
    '',
    '| benchmark | figure | value | baseline (same run) | ratio |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
