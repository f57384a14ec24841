import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/service.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the fixture service; `signal` is sent once it listens. */
async function run(env: Record<string, string>, signal?: NodeJS.Signals): Promise<Run> {
  const child = spawn(process.execPath, ['--conditions=@eventline/source', '--import', 'tsx', fixture], {
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    if (signal && stdout.includes('listening')) child.kill(signal);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('runService', { timeout: 60_000 }, () => {
  it('closes the app on SIGTERM and exits 0', async () => {
    const result = await run({ FIXTURE_MODE: 'normal' }, 'SIGTERM');
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('closing');
  });

  it('closes the app on SIGINT too', async () => {
    expect(await run({ FIXTURE_MODE: 'normal' }, 'SIGINT')).toMatchObject({ code: 0 });
  });

  it('exits with the code of a fatal stop the app asks for, after closing', async () => {
    const result = await run({ FIXTURE_MODE: 'fatal' });
    expect(result).toMatchObject({ code: 3 });
    expect(result.stdout).toContain('closing');
  });

  it('exits 1 when closing outlives the shutdown timeout', async () => {
    const started = Date.now();
    const result = await run({ FIXTURE_MODE: 'hang' }, 'SIGTERM');
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('prints every configuration problem and exits 1 without starting', async () => {
    const result = await run({ FIXTURE_PORT: 'x' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^invalid fixture configuration:\n {2}- FIXTURE_MODE: required\n {2}- FIXTURE_PORT: /,
    );
    expect(result.stdout).not.toContain('listening');
  });
});
