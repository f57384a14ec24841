// `npm test` after bootstrap: provision the infrastructure with visible progress,
// then hand over to vitest, whose global setup starts and always stops it.
import { spawn } from 'node:child_process';
import { InfraError } from '../errors.ts';
import { consoleProgress } from '../progress.ts';
import { repoRoot } from '../services.ts';
import { provisionInfra } from '../stack.ts';

const progress = consoleProgress('test');
try {
  await provisionInfra(progress);
} catch (error) {
  process.stderr.write(`[test] ${error instanceof InfraError ? error.message : String(error)}\n`);
  process.exit(1);
}
const vitest = spawn(process.execPath, [`${repoRoot}node_modules/vitest/vitest.mjs`, 'run', ...process.argv.slice(2)], {
  cwd: repoRoot,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => vitest.kill(signal));
vitest.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
