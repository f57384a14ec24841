import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';

// InfluxDB is unreachable on purpose: a request the link allows gets as far as storage (503), one it does not is refused first.
const env = {
  EVENTLINE_LOG_LEVEL: 'silent',
  EVENTLINE_INFLUX_URL: 'http://127.0.0.1:9',
  EVENTLINE_DASHBOARD_TOKEN: 'admin-token-for-tests',
};
const admin = { authorization: 'Bearer admin-token-for-tests' };

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildApp(loadConfig(env));
});
afterAll(() => app.close());

async function share(body: Record<string, unknown>): Promise<{ token: string; path: string; expiresAt: string }> {
  const response = await app.inject({ method: 'POST', url: '/api/shares', headers: admin, payload: body });
  expect(response.statusCode).toBe(201);
  return response.json();
}

const get = (url: string, token: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

describe('share links', () => {
  it('are made only with the read token', async () => {
    const anonymous = await app.inject({ method: 'POST', url: '/api/shares', payload: { site: 'shop' } });
    expect(anonymous.statusCode).toBe(401);
    const { token } = await share({ site: 'shop' });
    const again = await app.inject({
      method: 'POST',
      url: '/api/shares',
      headers: { authorization: `Bearer ${token}` },
      payload: { site: 'other' },
    });
    expect(again.statusCode).toBe(403);
    expect(again.json()).toMatchObject({ code: 'DASHBOARD_SHARE_FORBIDDEN', retriable: false });
  });

  it('put the token in the fragment of the Analyze page, never in its query', async () => {
    const { token, path, expiresAt } = await share({
      site: 'shop',
      filters: ['browser:Firefox', 'path:/pricing'],
      expiresInDays: 2,
    });
    const url = new URL(path, 'http://dashboard');
    expect(url.pathname).toBe('/analyze');
    expect([...url.searchParams]).toEqual([
      ['site', 'shop'],
      ['filter', 'browser:Firefox'],
      ['filter', 'path:/pricing'],
    ]);
    expect(new URLSearchParams(url.hash.slice(1)).get('share')).toBe(token);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(47 * 3_600_000);
  });

  it('read their own site, with the site filled in when the request leaves it out', async () => {
    const { token } = await share({ site: 'shop' });
    expect((await get('/api/events', token)).json()).toMatchObject({ code: 'DASHBOARD_STORAGE_UNAVAILABLE' });
    expect((await get('/api/events?site=shop', token)).statusCode).toBe(503);
  });

  it('list their own site as the only one, without asking storage for the others', async () => {
    const { token } = await share({ site: 'shop' });
    const listed = await get('/api/v2/sites', token);
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual({ sites: ['shop'] });
    expect((await get('/api/v2/sites', 'admin-token-for-tests')).statusCode).toBe(503);
  });

  it('refuse another site instead of widening the answer', async () => {
    const { token } = await share({ site: 'shop' });
    const otherSite = await get('/api/events?site=blog', token);
    expect(otherSite.statusCode).toBe(403);
    expect(otherSite.json().message).toMatch(/: site=shop is fixed by the link$/);
    const v2 = await get('/api/v2/overview?site=blog', token);
    expect(v2.statusCode).toBe(403);
  });

  it('carry their filters into every answer that can filter, and refuse routes that cannot', async () => {
    const { token } = await share({ site: 'shop', filters: ['browser:Firefox'] });
    // Validated with the link's filter added (beside the one asked for), so the request reaches storage.
    expect((await get('/api/v2/overview?filter=os:Linux', token)).json().code).toBe('DASHBOARD_STORAGE_UNAVAILABLE');
    const raw = await get('/api/events', token);
    expect(raw.statusCode).toBe(403);
    expect(raw.json().message).toMatch(/cannot apply the link's filters/);
  });

  it('can only fix answer filters', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/shares',
      headers: admin,
      payload: { site: 'shop', filters: ['password:x'] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/filters/);
  });

  it('refuse a link that is not signed by this dashboard', async () => {
    const other = await buildApp(loadConfig({ ...env, EVENTLINE_DASHBOARD_SHARE_KEYS: 'k'.repeat(32) }));
    const made = await other.inject({ method: 'POST', url: '/api/shares', headers: admin, payload: { site: 'shop' } });
    await other.close();
    const response = await get('/api/events', made.json().token);
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toMatch(/revoked/);
  });

  it('check the request body and name what is wrong', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/shares',
      headers: admin,
      payload: { site: 'shop', expiresInDays: 400 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/expiresInDays/);
  });
});
