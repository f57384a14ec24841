import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { processStats, renice } from '../src/load/process-stats.ts';

let child: ChildProcess | undefined;
afterEach(() => void child?.kill('SIGKILL'));

/** A Node process, which runs several threads (V8's platform workers, libuv's), until killed. */
async function startIdleNode(): Promise<number> {
  child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise((resolve) => child?.stdout?.once('data', resolve));
  return child.pid!;
}

/** Niceness of each thread of `pid`: field 19 of its stat, counted after the command name. */
function threadNiceness(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe.runIf(process.platform === 'linux')('process stats', () => {
  it('renices every thread of a process, not only its main thread', async () => {
    const pid = await startIdleNode();
    expect(threadNiceness(pid).length).toBeGreaterThan(1);
    renice(pid, 7);
    expect(threadNiceness(pid)).toEqual(threadNiceness(pid).map(() => 7));
  });

  it('reads resident memory and the part of it that is the process’s own', async () => {
    const stats = processStats(await startIdleNode())!;
    expect(stats.anonymousBytes).toBeGreaterThan(1024 * 1024);
    expect(stats.anonymousBytes).toBeLessThan(stats.rssBytes);
    expect(stats.openFds).toBeGreaterThan(2);
  });

  it('answers undefined for a process that is gone', () => {
    expect(processStats(2 ** 22 + 1)).toBeUndefined();
  });
});
