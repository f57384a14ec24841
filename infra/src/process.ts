// Child processes for infrastructure: one-shot commands (with a clear error when
// the tool is missing) and long-running servers whose output goes to a log file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { InfraError } from './errors.ts';

export function requireCommand(command: string, fix: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
  if (found.status !== 0) throw new InfraError(`${command} is not installed`, fix);
}

/** Runs a command to completion, sending its output to `logFile`; on failure the error quotes the log's tail. */
export function runLogged(
  command: string,
  args: string[],
  options: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<void> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', fd, fd],
    });
    child.on('error', (error) => reject(new InfraError(`${command} could not start: ${error.message}`)));
    child.on('exit', (code, signal) => {
      closeSync(fd);
      if (code === 0) return resolve();
      reject(
        new InfraError(
          `${command} ${args[0] ?? ''} failed (${signal ?? `exit ${code}`}); last lines of ${options.logFile}:\n${tail(options.logFile, 15)}`,
        ),
      );
    });
  });
}

export function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<number | null>;
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

export interface StartOptions {
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Own process group, so a terminal's Ctrl-C does not reach it directly and
   * the parent decides the order of shutdown. Default: false
   */
  detached?: boolean;
}

export function startLogged(name: string, command: string, args: string[], options: StartOptions): ManagedProcess {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', fd, fd],
    detached: options.detached ?? false,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new InfraError(`${name}: ${command} could not be started`);
  let running = true;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      running = false;
      resolve(code);
    });
  });
  const stopWith = async (signal: NodeJS.Signals, graceMs: number) => {
    if (!running) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    name,
    pid: child.pid,
    logFile: options.logFile,
    exited,
    isRunning: () => running,
    stop: (graceMs = 15_000) => stopWith('SIGTERM', graceMs),
    kill: () => stopWith('SIGKILL', 0),
  };
}

/** Polls `probe` until it returns true; fails with `what` and the log tail when the process dies or time runs out. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; process?: ManagedProcess; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.process && !options.process.isRunning()) {
      throw new InfraError(
        `${what}: the process exited; last lines of ${options.process.logFile}:\n${tail(options.process.logFile, 20)}`,
      );
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      const log = options.process
        ? `; last lines of ${options.process.logFile}:\n${tail(options.process.logFile, 20)}`
        : '';
      throw new InfraError(`${what}: not ready after ${options.timeoutMs / 1000} s${log}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}
