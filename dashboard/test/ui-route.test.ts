import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { builtUi } from './ui-build.ts';

const app = (env: Record<string, string>) =>
  buildApp(loadConfig({ EVENTLINE_LOG_LEVEL: 'silent', EVENTLINE_INFLUX_URL: 'http://127.0.0.1:9', ...env }));

// The real Vite output: if the build ever rewrote the token tag, the server's replacement would silently stop working.
let uiDir: string;
beforeAll(async () => {
  uiDir = await builtUi();
}, 120_000);

describe('serving the UI', () => {
  it('embeds the local default token in the built page, with a strict CSP', async () => {
    const server = await app({ EVENTLINE_DASHBOARD_UI_DIR: uiDir });
    const page = await server.inject({ url: '/?from=-24h' });
    expect(page.statusCode).toBe(200);
    expect(page.body.match(/<meta name="eventline-token"[^>]*>/g)).toEqual([
      '<meta name="eventline-token" content="eventline-local-dashboard" />',
    ]);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)">/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const asset = await server.inject({ url: script! });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await server.inject({ url: '/analyze' })).body).toBe(page.body);
    expect((await server.inject({ url: '/events' })).body).toBe(page.body);
    await server.close();
  });

  it('never puts a configured token in the page', async () => {
    const server = await app({ EVENTLINE_DASHBOARD_UI_DIR: uiDir, EVENTLINE_DASHBOARD_TOKEN: 'a-configured-secret' });
    const page = await server.inject({ url: '/' });
    expect(page.body).not.toContain('a-configured-secret');
    expect(page.body).toBe(readFileSync(join(uiDir, 'index.html'), 'utf8'));
    expect(page.body).toContain('<meta name="eventline-token" content="" />');
    await server.close();
  });

  it('says how to build the UI when dist is missing, and still answers /healthz', async () => {
    const server = await app({ EVENTLINE_DASHBOARD_UI_DIR: join(tmpdir(), 'no-such-dashboard-dist') });
    const page = await server.inject({ url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.json().code).toBe('DASHBOARD_UI_NOT_BUILT');
    expect((await server.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await server.inject({ url: '/nope' })).statusCode).toBe(404);
    await server.close();
  });
});
