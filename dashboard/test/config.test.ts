import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, LOCAL_DEFAULT_TOKEN } from '../src/server/config.ts';

describe('config', () => {
  it('has local defaults and embeds only the well-known local token', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3000, token: LOCAL_DEFAULT_TOKEN, embedToken: true, influx: { url: 'http://127.0.0.1:8086', bucket: 'eventline/events', org: '', token: '' } });
    expect(Object.isFrozen(config.influx)).toBe(true);
    expect(loadConfig({ EVENTLINE_DASHBOARD_TOKEN: 'a-real-secret-token' })).toMatchObject({ token: 'a-real-secret-token', embedToken: false });
  });

  it('fails fast on invalid values', () => {
    expect(() => loadConfig({ EVENTLINE_DASHBOARD_PORT: 'http' })).toThrow(ConfigError);
    expect(() => loadConfig({ EVENTLINE_DASHBOARD_PORT: '70000' })).toThrow(/port/);
    expect(() => loadConfig({ EVENTLINE_DASHBOARD_TOKEN: 'short' })).toThrow(/token/);
  });
});
