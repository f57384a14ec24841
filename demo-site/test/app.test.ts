import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function listening(env: Record<string, string>): Promise<number> {
  app = await buildApp(loadConfig({ EVENTLINE_LOG_LEVEL: 'silent', ...env }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as { port: number }).port;
}

/** Opens a connection, lets `talk` use it, and resolves when the server closes it, with what it sent and how long it took. */
function converse(
  port: number,
  talk: (write: (text: string) => void) => () => void,
): Promise<{ received: string; ms: number }> {
  const started = Date.now();
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += String(chunk)));
  const stop = talk((text) => socket.writable && socket.write(text));
  return new Promise((resolve) =>
    socket.on('close', () => {
      stop();
      resolve({ received, ms: Date.now() - started });
    }),
  );
}

describe('demo site against slow clients', () => {
  it('answers 408 and closes a connection that trickles its request headers (slowloris)', async () => {
    const port = await listening({ EVENTLINE_DEMO_REQUEST_TIMEOUT_MS: '500' });
    const { received, ms } = await converse(port, (write) => {
      write('GET / HTTP/1.1\r\nHost: x\r\n');
      // A header line every 100 ms keeps the socket busy, so only the request timeout can end it.
      const trickle = setInterval(() => write('X-Slow: 1\r\n'), 100);
      return () => clearInterval(trickle);
    });
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(3_000);
  });

  it('closes a connection that stays silent', async () => {
    const port = await listening({
      EVENTLINE_DEMO_CONNECTION_TIMEOUT_MS: '300',
      EVENTLINE_DEMO_REQUEST_TIMEOUT_MS: '60000',
    });
    const { received, ms } = await converse(port, () => () => {});
    expect(received).toBe('');
    expect(ms).toBeLessThan(3_000);
  });

  it('still serves a client that sends its request in time', async () => {
    const port = await listening({ EVENTLINE_DEMO_REQUEST_TIMEOUT_MS: '500' });
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: 'ok' });
  });
});

describe('demo site errors', () => {
  it("answers an unknown page and a missing file with the kit's ErrorBody", async () => {
    app = await buildApp(loadConfig({ EVENTLINE_LOG_LEVEL: 'silent' }));
    for (const url of ['/no-such-page', '/static/no-such-file.css']) {
      const response = await app.inject(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toEqual({
        statusCode: 404,
        code: 'DEMO_NOT_FOUND',
        error: 'Not Found',
        message: expect.stringContaining('No such page'),
        retriable: false,
      });
    }
  });
});
