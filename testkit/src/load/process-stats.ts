// Resident memory, open file descriptors and CPU time of a running process, read
// from Linux's /proc, for the soak and overload runs' growth, peak and per-core
// figures; and its scheduling priority, set for every thread.
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

export interface ProcessStats {
  rssBytes: number;
  /**
   * The part of `rssBytes` that is the process's own memory (heap, stacks): RSS less the pages of mapped files
   * (Kafka's log indexes, InfluxDB's TSM files), which the kernel shares with its page cache and reclaims under
   * pressure, and which grow with the data stored rather than with what the process holds.
   */
  anonymousBytes: number;
  openFds: number;
  /** User and system CPU time used so far, all threads, s. */
  cpuSeconds: number;
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The stats of `pid`, or undefined when it is gone (or this is not Linux). */
export function processStats(pid: number): ProcessStats | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const bytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1]) * 1024;
    // Fields 14 and 15 (utime, stime), counted after the command name, which may itself hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return {
      rssBytes: bytes('VmRSS'),
      anonymousBytes: bytes('RssAnon'),
      openFds: readdirSync(`/proc/${pid}/fd`).length,
      cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND,
    };
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

/**
 * Sets the niceness of every thread of `pid`. Linux applies a niceness to one thread (os.setPriority(pid) reaches
 * only the main thread, which in a JVM or a Go program does almost none of the work); threads started later inherit
 * it from the thread that starts them.
 */
export function renice(pid: number, niceness: number): void {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      setPriority(Number(tid), niceness);
    } catch {
      // The thread ended since the listing.
    }
  }
}
