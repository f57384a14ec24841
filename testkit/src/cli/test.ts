// `npm test` after bootstrap: provision the infrastructure with visible progress,
// type-check and lint every package (only for the full run, not when vitest
// arguments narrow it), then hand over to vitest, whose global setup starts and
// always stops the infrastructure.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { consoleProgress, InfraError, provisionInfra, runLogged } from '@eventline/infra';
import { repoRoot } from '@eventline/infra/services';

const progress = consoleProgress('test');
const vitestArgs = process.argv.slice(2);
const logDir = join(repoRoot, '.eventline', 'logs');
try {
  await provisionInfra(progress);
  if (vitestArgs.length === 0) {
    await progress.step('Type-checking every package', () =>
      runLogged('npm', ['run', 'typecheck', '--silent'], { cwd: repoRoot, logFile: join(logDir, 'typecheck.log') }),
    );
    await progress.step('Linting', () =>
      runLogged('npx', ['eslint', '.'], { cwd: repoRoot, logFile: join(logDir, 'lint.log') }),
    );
    await progress.step('Checking formatting (Prettier, 120 columns)', () =>
      runLogged('npx', ['prettier', '--check', '.'], { cwd: repoRoot, logFile: join(logDir, 'format.log') }),
    );
  }
} catch (error) {
  process.stderr.write(`[test] ${error instanceof InfraError ? error.message : String(error)}\n`);
  process.exit(1);
}
const vitest = spawn(process.execPath, [join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...vitestArgs], {
  cwd: repoRoot,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => vitest.kill(signal));
vitest.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
