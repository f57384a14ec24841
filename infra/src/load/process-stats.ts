// Resident memory and open file descriptors of a running process, read from
// Linux's /proc, for the soak and overload runs' growth and peak figures.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessStats {
  rssBytes: number;
  openFds: number;
}

/** The stats of `pid`, or undefined when it is gone (or this is not Linux). */
export function processStats(pid: number): ProcessStats | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKiB = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return { rssBytes: rssKiB * 1024, openFds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

/** Samples every named process every `intervalMs` until stopped. */
export function sampleProcesses(
  processes: () => ReadonlyArray<{ name: string; pid: number }>,
  intervalMs: number,
): { samples: Map<string, ProcessStats[]>; stop(): void } {
  const samples = new Map<string, ProcessStats[]>();
  const sample = () => {
    for (const { name, pid } of processes()) {
      const stats = processStats(pid);
      if (!stats) continue;
      const list = samples.get(name) ?? [];
      list.push(stats);
      samples.set(name, list);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return { samples, stop: () => clearInterval(timer) };
}
