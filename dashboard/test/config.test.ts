import { describe, expect, it } from 'vitest';
import { ConfigError } from '@eventline/kit/config';
import { isLoopbackHost, loadConfig, LOCAL_DEFAULT_TOKEN } from '../src/server/config.ts';

describe('config', () => {
  it('has local defaults and embeds only the well-known local token', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      token: LOCAL_DEFAULT_TOKEN,
      embedToken: true,
      influx: { url: 'http://127.0.0.1:8086', bucket: 'eventline/events', org: '', token: '' },
    });
    expect(config).toMatchObject({ requestTimeoutMs: 10_000, connectionTimeoutMs: 300_000 });
    expect(Object.isFrozen(config.influx)).toBe(true);
    expect(loadConfig({ EVENTLINE_DASHBOARD_TOKEN: 'a-real-secret-token' })).toMatchObject({
      token: 'a-real-secret-token',
      embedToken: false,
    });
  });

  it('refuses the public default token on an address other machines can reach', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'dashboard.example.com']) {
      expect(() => loadConfig({ EVENTLINE_DASHBOARD_HOST: host }), host).toThrow(ConfigError);
      expect(() => loadConfig({ EVENTLINE_DASHBOARD_HOST: host }), host).toThrow(
        /EVENTLINE_DASHBOARD_TOKEN must be set/,
      );
      // Set to the default's value explicitly, it is just as public.
      expect(
        () => loadConfig({ EVENTLINE_DASHBOARD_HOST: host, EVENTLINE_DASHBOARD_TOKEN: LOCAL_DEFAULT_TOKEN }),
        host,
      ).toThrow(ConfigError);
      expect(
        loadConfig({ EVENTLINE_DASHBOARD_HOST: host, EVENTLINE_DASHBOARD_TOKEN: 'a-real-secret-token' }),
      ).toMatchObject({ host, embedToken: false });
    }
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1'])
      expect(loadConfig({ EVENTLINE_DASHBOARD_HOST: host }).embedToken, host).toBe(true);
    expect(isLoopbackHost('127.0.0.1.example.com')).toBe(false);
  });

  it('reads the request and connection timeouts, which must outlast a query', () => {
    expect(
      loadConfig({
        EVENTLINE_DASHBOARD_REQUEST_TIMEOUT_MS: '2000',
        EVENTLINE_DASHBOARD_CONNECTION_TIMEOUT_MS: '60000',
      }),
    ).toMatchObject({ requestTimeoutMs: 2000, connectionTimeoutMs: 60_000 });
    expect(() => loadConfig({ EVENTLINE_DASHBOARD_REQUEST_TIMEOUT_MS: '0' })).toThrow(
      /EVENTLINE_DASHBOARD_REQUEST_TIMEOUT_MS/,
    );
    expect(() => loadConfig({ EVENTLINE_DASHBOARD_CONNECTION_TIMEOUT_MS: '5000' })).toThrow(
      /CONNECTION_TIMEOUT_MS must be at least/,
    );
  });

  it('fails fast on invalid values', () => {
    expect(() => loadConfig({ EVENTLINE_DASHBOARD_PORT: 'http' })).toThrow(ConfigError);
    expect(() => loadConfig({ EVENTLINE_DASHBOARD_PORT: '70000' })).toThrow(/EVENTLINE_DASHBOARD_PORT/);
    expect(() => loadConfig({ EVENTLINE_DASHBOARD_TOKEN: 'short' })).toThrow(/EVENTLINE_DASHBOARD_TOKEN/);
  });
});
