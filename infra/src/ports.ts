// Port helpers: a free port for throwaway test infrastructure, and a clear
// one-line failure when a fixed port is already taken.
import { createServer } from 'node:net';
import { InfraError } from './errors.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
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
    throw new InfraError(`port ${port} for ${what} is already in use`, `stop whatever listens there (ss -ltnp 'sport = :${port}') or set ${envVar}`);
  }
}
