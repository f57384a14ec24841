import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { API_LIMITS } from '@eventline/contract/read-api';

const env = { EVENTLINE_LOG_LEVEL: 'silent', EVENTLINE_INFLUX_URL: 'http://127.0.0.1:9' };

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Resolves when the server closes the socket, with what it sent and how long it took. */
function untilClosed(socket: Socket): Promise<{ received: string; ms: number }> {
  const started = Date.now();
  let received = '';
  socket.on('data', (chunk) => (received += String(chunk)));
  return new Promise((resolve) => socket.on('close', () => resolve({ received, ms: Date.now() - started })));
}

async function listening(overrides: Record<string, string>): Promise<number> {
  app = await buildApp(loadConfig({ ...env, ...overrides }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as { port: number }).port;
}

describe('slow clients', () => {
  it('answers 408 and closes a connection that trickles its request headers (slowloris)', async () => {
    const port = await listening({ EVENTLINE_DASHBOARD_REQUEST_TIMEOUT_MS: '500' });
    const socket = connect(port, '127.0.0.1');
    const closed = untilClosed(socket);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    // A header line every 100 ms keeps the socket busy, so only the request timeout can end it.
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
    const { received, ms } = await closed;
    clearInterval(trickle);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(3_000);
  });

  it('closes a connection that stays silent', async () => {
    const port = await listening({
      EVENTLINE_DASHBOARD_QUERY_TIMEOUT_MS: '100',
      EVENTLINE_DASHBOARD_CONNECTION_TIMEOUT_MS: '300',
      EVENTLINE_DASHBOARD_REQUEST_TIMEOUT_MS: '60000',
    });
    const socket = connect(port, '127.0.0.1');
    const { received, ms } = await untilClosed(socket);
    expect(received).toBe('');
    expect(ms).toBeLessThan(3_000);
  });

  it('still serves a client that sends its request in time', async () => {
    const port = await listening({ EVENTLINE_DASHBOARD_REQUEST_TIMEOUT_MS: '500' });
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('OpenAPI document', () => {
  it('describes every read-API route from the schemas it validates with, behind the bearer token', async () => {
    app = await buildApp(loadConfig(env));
    const response = await app.inject('/docs/json');
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.info.title).toBe('Eventline read API');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/completeness',
      '/api/events',
      '/api/events.csv',
      '/api/shares',
      '/api/stats/timeseries',
      '/api/stats/top',
      '/api/v2/annotations',
      '/api/v2/annotations/{id}',
      '/api/v2/breakdown',
      '/api/v2/breakdowns',
      '/api/v2/completeness',
      '/api/v2/element',
      '/api/v2/events',
      '/api/v2/funnel',
      '/api/v2/overview',
      '/api/v2/sites',
      '/api/v2/timeseries',
      '/healthz',
    ]);
    const events = document.paths['/api/events'].get;
    expect(events.security).toEqual([{ bearer: [] }]);
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const limit = events.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit).toMatchObject({
      in: 'query',
      schema: { maximum: API_LIMITS.maxPageSize, default: API_LIMITS.defaultPageSize },
    });
    expect(events.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['from', 'to', 'type', 'site', 'q', 'cursor']),
    );
    expect(Object.keys(events.responses)).toEqual(expect.arrayContaining(['200', '4XX', '5XX']));
    expect(JSON.stringify(events.responses['4XX'])).toContain('DASHBOARD_INVALID_QUERY');
    const csv = document.paths['/api/events.csv'].get;
    expect(Object.keys(csv.responses['200'].content)).toEqual(['text/csv']);
    expect(Object.keys(csv.responses['200'].headers)).toEqual(['x-eventline-export-truncated']);
    expect(
      document.paths['/api/stats/top'].get.parameters.find((p: { name: string }) => p.name === 'dimension').schema.enum,
    ).toEqual(['element', 'page']);
  });

  it('describes the real answer bodies, not a free-form object', async () => {
    app = await buildApp(loadConfig(env));
    const document = (await app.inject('/docs/json')).json();
    const body = (path: string) => document.paths[path].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(body('/api/events').properties).sort()).toEqual(['events', 'nextCursor', 'range']);
    expect(Object.keys(body('/api/events').properties.events.items.properties)).toEqual(
      expect.arrayContaining(['id', 'time', 'type', 'site', 'page', 'element', 'userAgent']),
    );
    expect(Object.keys(body('/api/stats/timeseries').properties).sort()).toEqual(
      ['buckets', 'intervalMs', 'range', 'series', 'total'].sort(),
    );
    expect(Object.keys(body('/api/completeness').properties)).toEqual(
      expect.arrayContaining(['total', 'sites', 'gapExamples', 'reusedSeqExamples', 'range']),
    );
  });

  it('serves the document and its UI at /docs without a token', async () => {
    app = await buildApp(loadConfig(env));
    expect((await app.inject('/docs')).statusCode).toBe(200);
    expect((await app.inject('/docs')).headers['content-type']).toContain('text/html');
  });
});

describe('query parameters', () => {
  const auth = { authorization: 'Bearer eventline-local-dashboard' };

  it('answers 400 naming every unknown parameter instead of silently widening the answer', async () => {
    app = await buildApp(loadConfig(env));
    const response = await app.inject({ url: '/api/events?search=zzzz&q=ok&colour=red', headers: auth });
    expect(response.statusCode).toBe(400);
    const error = response.json();
    expect(error.code).toBe('DASHBOARD_UNKNOWN_PARAMETER');
    expect(error.message).toContain('search');
    expect(error.message).toContain('colour');
    expect(error.message).not.toContain('"q"');
  });

  it('refuses unknown parameters on every read-API route', async () => {
    app = await buildApp(loadConfig(env));
    for (const url of [
      '/api/events.csv',
      '/api/stats/timeseries',
      '/api/stats/top?dimension=page',
      '/api/completeness',
    ]) {
      const response = await app.inject({ url: `${url}${url.includes('?') ? '&' : '?'}typo=1`, headers: auth });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().message, url).toContain('typo');
    }
  });
});
