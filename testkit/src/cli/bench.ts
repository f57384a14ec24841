// `npm run bench`: runs every workspace's `bench` script one after another (they
// share 2 cores, so never in parallel), echoes their output, and collects each
// `BENCH_RESULT` line into bench-results/summary.json and summary.md.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { summaryMarkdown, type BenchResult } from '../bench-report.ts';
import { buildServices } from '../build-services.ts';
import { repoRoot } from '@eventline/infra/services';

interface Workspace {
  name: string;
  dir: string;
}

function benchWorkspaces(): Workspace[] {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces.flatMap((dir) => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as {
      name: string;
      scripts?: Record<string, string>;
    };
    return pkg.scripts?.['bench'] ? [{ name: pkg.name, dir }] : [];
  });
}

function runBench(workspace: Workspace): Promise<{ results: BenchResult[]; ok: boolean }> {
  return new Promise((resolve) => {
    const results: BenchResult[] = [];
    const child = spawn('npm', ['run', 'bench', '--silent', '-w', workspace.dir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines)
        if (line.startsWith('BENCH_RESULT '))
          results.push(JSON.parse(line.slice('BENCH_RESULT '.length)) as BenchResult);
    });
    child.on('exit', (code) => resolve({ results, ok: code === 0 }));
  });
}

// Benchmarks that start ingest or the consumer run their built files (ingest's Kafka worker thread always does).
await buildServices();
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const all: BenchResult[] = [];
const failed: string[] = [];
for (const workspace of benchWorkspaces()) {
  process.stdout.write(`\n=== ${workspace.name} ===\n`);
  const { results, ok } = await runBench(workspace);
  all.push(...results);
  if (!ok) failed.push(workspace.name);
}
const outDir = join(repoRoot, 'bench-results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'summary.json'),
  `${JSON.stringify({ machine, date: new Date().toISOString(), results: all }, null, 2)}\n`,
);
const summary = summaryMarkdown(all, machine, new Date());
writeFileSync(join(outDir, 'summary.md'), summary);
process.stdout.write(`\n${summary}\nwritten to ${outDir}/summary.{json,md}\n`);
if (failed.length > 0) {
  process.stderr.write(`benchmarks that failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
