import { describe, expect, it } from 'vitest';
import { ConfigError } from '@eventline/kit/config';
import { loadConfig } from '../src/server/config.ts';

describe('demo config', () => {
  it('defaults to the local stack', () => {
    expect(loadConfig({})).toMatchObject({
      host: '127.0.0.1',
      port: 3001,
      ingestUrl: 'http://127.0.0.1:8080',
      writeKey: 'demo-write-key',
      dashboardUrl: 'http://127.0.0.1:3000',
    });
    expect(loadConfig({})).toMatchObject({ requestTimeoutMs: 10_000, connectionTimeoutMs: 60_000 });
    expect(
      loadConfig({ EVENTLINE_DEMO_REQUEST_TIMEOUT_MS: '2000', EVENTLINE_DEMO_CONNECTION_TIMEOUT_MS: '5000' }),
    ).toMatchObject({ requestTimeoutMs: 2000, connectionTimeoutMs: 5000 });
  });

  it('refuses values the browser could not use', () => {
    expect(() => loadConfig({ EVENTLINE_DEMO_INGEST_URL: 'localhost:8080' })).toThrow(ConfigError);
    expect(() => loadConfig({ EVENTLINE_DEMO_INGEST_URL: 'ftp://x' })).toThrow(/http/);
    expect(() => loadConfig({ EVENTLINE_DEMO_PORT: 'x' })).toThrow(/PORT/);
    expect(() => loadConfig({ EVENTLINE_DEMO_WRITE_KEY: 'has space' })).toThrow(/WRITE_KEY/);
    expect(() => loadConfig({ EVENTLINE_DEMO_REQUEST_TIMEOUT_MS: '10s' })).toThrow(/REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ EVENTLINE_DEMO_CONNECTION_TIMEOUT_MS: '0' })).toThrow(/CONNECTION_TIMEOUT_MS/);
  });
});
