import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../src/ports.ts';

const portsModule = fileURLToPath(new URL('../src/ports.ts', import.meta.url));
const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

/** Ports picked by another process while this one holds its own. */
function portsOfAnotherProcess(count: number): number[] {
  const script = `import { freePort } from ${JSON.stringify(portsModule)};
const ports = [];
for (let i = 0; i < ${count}; i++) ports.push(await freePort());
process.stdout.write(JSON.stringify(ports));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }),
  ) as number[];
}

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range, each reserved while this process lives', async () => {
    const ports = await Promise.all(Array.from({ length: 100 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralLow);
      expect(existsSync(join(tmpdir(), 'eventline-ports', String(port)))).toBe(true);
    }
  });

  it('never gives another process a port this one holds, and releases its own when it exits', async () => {
    // 150 × 150 random picks among ~22 000 ports would overlap about two times in three without reservations.
    const mine = await Promise.all(Array.from({ length: 150 }, () => freePort()));
    const theirs = portsOfAnotherProcess(150);
    expect(theirs.filter((port) => mine.includes(port))).toEqual([]);
    expect(theirs.filter((port) => existsSync(join(tmpdir(), 'eventline-ports', String(port))))).toEqual([]);
  });
});
