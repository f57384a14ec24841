// Port helpers: a free port for throwaway test infrastructure, and a clear
// one-line failure when a fixed port is already taken.
//
// A port that is merely free when picked can be taken before the service that
// was meant to bind it starts (seconds later): by another test process picking
// ports at the same time, or as the source port of an outgoing connection. So
// `freePort` picks below the kernel's ephemeral range, which outgoing
// connections never use, and reserves each port with a file holding the
// reserving process id, which every Eventline process on the machine checks:
// the reservation holds until that process is gone.
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfraError } from './errors.ts';

/** Lowest port handed out; below it are the well-known defaults (8080, 9092, …). */
const LOWEST_PORT = 10_000;
/** A reservation expires after this long even if its process id is alive again (reused). */
const STALE_RESERVATION_MS = 2 * 60 * 60 * 1000; // 2 h
const RESERVATIONS_DIR = join(tmpdir(), 'eventline-ports');
const ATTEMPTS = 200;

const reserved = new Set<string>();
process.once('exit', () => {
  for (const file of reserved) {
    try {
      unlinkSync(file);
    } catch {
      // Already gone; nothing to release.
    }
  }
});

/** The first port the kernel uses for outgoing connections (net.ipv4.ip_local_port_range). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > LOWEST_PORT + 1_000) return low;
  } catch {
    // Not Linux: IANA's dynamic range starts at 49152.
  }
  return 49_152;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the reservation in `file` belongs to a process that has exited, or is too old to trust. */
function isStale(file: string): boolean {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return (
      !(Number.isInteger(pid) && pid > 0 && isAlive(pid)) || Date.now() - statSync(file).mtimeMs > STALE_RESERVATION_MS
    );
  } catch {
    return false;
  }
}

/** Creates `file` holding this process id, atomically: false when it already exists. */
function createReservation(file: string): boolean {
  const draft = `${file}.${process.pid}.draft`;
  writeFileSync(draft, String(process.pid));
  try {
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

/** Claims `port` for this process unless a live reservation holds it. */
function reserve(port: number): boolean {
  const file = join(RESERVATIONS_DIR, String(port));
  if (!createReservation(file)) {
    if (!isStale(file)) return false;
    try {
      unlinkSync(file);
    } catch {
      // Another process cleared it first; the create below decides who gets it.
    }
    if (!createReservation(file)) return false;
  }
  reserved.add(file);
  return true;
}

function release(port: number): void {
  const file = join(RESERVATIONS_DIR, String(port));
  reserved.delete(file);
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}

/** A port on 127.0.0.1 that is free now and that no other caller of freePort on this machine gets while this process lives. */
export async function freePort(): Promise<number> {
  mkdirSync(RESERVATIONS_DIR, { recursive: true });
  const high = ephemeralLow();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (high - LOWEST_PORT));
    if (!reserve(port)) continue;
    if (await isPortFree(port)) return port;
    release(port);
  }
  throw new InfraError(
    `found no free port between ${LOWEST_PORT} and ${high - 1} in ${ATTEMPTS} tries`,
    `see which processes listen there (ss -ltn) and whether ${RESERVATIONS_DIR} holds stale reservations`,
  );
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(port: number, what: string, envVar: string): Promise<void> {
  if (!(await isPortFree(port))) {
    throw new InfraError(
      `port ${port} for ${what} is already in use`,
      `stop whatever listens there (ss -ltnp 'sport = :${port}') or set ${envVar}`,
    );
  }
}
