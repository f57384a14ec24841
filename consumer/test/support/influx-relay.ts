// An HTTP relay in front of a real InfluxDB that a test can slow down or take
// away, so the consumer meets a slow or unreachable InfluxDB while the test keeps
// reading the real one directly. Every request reaches InfluxDB unchanged; only
// the answer to a write is held back, as a busy InfluxDB would (the points are
// stored, the client just hears late or not at all).
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from '@eventline/infra';
import { sleep } from '@eventline/testkit';

export interface InfluxRelay {
  /** What the consumer is given as EVENTLINE_INFLUX_URL. */
  readonly url: string;
  /** Holds back the answer to a write of `lines` lines by the returned milliseconds. */
  setWriteDelay(delay: (lines: number) => number): void;
  /** Writes received, and those whose answer is still held back. */
  writes(): { received: number; inFlight: number };
  /** Stops listening and cuts every connection: the consumer sees connection refused or reset. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startInfluxRelay(targetUrl: string): Promise<InfluxRelay> {
  const target = new URL(targetUrl);
  let delay: (lines: number) => number = () => 0;
  let received = 0;
  let inFlight = 0;
  const sockets = new Set<Socket>();

  const relay = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const isWrite = req.url?.startsWith('/api/v2/write') ?? false;
    if (isWrite) {
      received += 1;
      inFlight += 1;
    }
    try {
      const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>(
        (resolve, reject) => {
          const forwarded = request(
            {
              host: target.hostname,
              port: target.port,
              method: req.method,
              path: req.url,
              headers: { ...req.headers, host: target.host },
            },
            (response) => {
              const parts: Buffer[] = [];
              response.on('data', (part: Buffer) => parts.push(part));
              response.on('end', () =>
                resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(parts) }),
              );
              response.on('error', reject);
            },
          );
          forwarded.on('error', reject);
          forwarded.end(body);
        },
      );
      if (isWrite) {
        const lines = body.length === 0 ? 0 : body.toString('utf8').split('\n').length;
        await sleep(delay(lines));
      }
      if (!res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body);
    } catch {
      if (!res.destroyed) res.writeHead(502).end();
    } finally {
      if (isWrite) inFlight -= 1;
    }
  };

  const server = createServer((req, res) => void relay(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  // A reserved port below the ephemeral range, so no outgoing connection takes it while the relay is down.
  const port = await freePort();
  await listen(port);
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    setWriteDelay: (next) => void (delay = next),
    writes: () => ({ received, inFlight }),
    down: stop,
    up: () => listen(port),
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
