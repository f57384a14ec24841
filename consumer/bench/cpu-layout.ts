// Where the benchmark's processes may run. On a small machine every process
// shares every core, so the consumer's own CPU is taken from InfluxDB's and the
// consumer/raw ratio measures the split of the cores rather than the consumer.
// The `split` layout gives InfluxDB cores of its own, as a deployment would
// (InfluxDB on its own host), for both the raw baseline and the consumer run.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface CpuLayout {
  name: 'shared' | 'split';
  description: string;
  /** Sets the CPU affinity of every thread of the processes. */
  apply(): void;
}

function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], { stdio: 'ignore' });
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `shared` always; `split` as well where taskset exists and there are at least 2 cores. */
export function cpuLayouts(pids: { influx: number; others: number[] }): CpuLayout[] {
  const cores = os.cpus().length;
  const all = `0-${Math.max(0, cores - 1)}`;
  const shared: CpuLayout = {
    name: 'shared',
    description: `shared: all ${cores} cores shared by InfluxDB, Kafka and the consumer (or the raw writer)`,
    apply() {
      if (!hasTaskset()) return;
      for (const pid of [pids.influx, ...pids.others]) pin(pid, all);
    },
  };
  if (cores < 2 || !hasTaskset()) return [shared];
  const influxCores = Math.floor(cores / 2);
  const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
  const influx = range(cores - influxCores, cores - 1);
  const others = range(0, cores - influxCores - 1);
  const split: CpuLayout = {
    name: 'split',
    description: `split: InfluxDB alone on CPU ${influx}; Kafka and the consumer (or the raw writer) on CPU ${others}`,
    apply() {
      pin(pids.influx, influx);
      for (const pid of pids.others) pin(pid, others);
    },
  };
  return [shared, split];
}
