import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';

function builtUi(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-ui-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<html><head><meta name="eventline-token" content=""></head><body></body></html>');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  return dir;
}

const app = (env: Record<string, string>) => buildApp(loadConfig({ EVENTLINE_LOG_LEVEL: 'silent', EVENTLINE_INFLUX_URL: 'http://127.0.0.1:9', ...env }));

describe('serving the UI', () => {
  it('embeds the local default token in the page, with a strict CSP', async () => {
    const server = await app({ EVENTLINE_DASHBOARD_UI_DIR: builtUi() });
    const page = await server.inject({ url: '/?from=-24h' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<meta name="eventline-token" content="eventline-local-dashboard">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const asset = await server.inject({ url: '/assets/index-abc.js' });
    expect(asset.headers['cache-control']).toContain('immutable');
    await server.close();
  });

  it('never puts a configured token in the page', async () => {
    const server = await app({ EVENTLINE_DASHBOARD_UI_DIR: builtUi(), EVENTLINE_DASHBOARD_TOKEN: 'a-configured-secret' });
    const page = await server.inject({ url: '/' });
    expect(page.body).not.toContain('a-configured-secret');
    expect(page.body).toContain('<meta name="eventline-token" content="">');
    await server.close();
  });

  it('says how to build the UI when dist is missing, and still answers /healthz', async () => {
    const server = await app({ EVENTLINE_DASHBOARD_UI_DIR: join(tmpdir(), 'no-such-dashboard-dist') });
    const page = await server.inject({ url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.json().error.code).toBe('DASHBOARD_UI_NOT_BUILT');
    expect((await server.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await server.inject({ url: '/nope' })).statusCode).toBe(404);
    await server.close();
  });
});
