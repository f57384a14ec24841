import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOPICS } from '@eventline/contract';
import { ConfigError } from '@eventline/kit/config';
import { DEFAULTS, ENV, loadConfig, WRITE_KEYS_FILE_ENV } from '../src/config.ts';

const keys = JSON.stringify([{ key: 'demo-write-key', site: 'demo', origins: ['http://127.0.0.1:3001'] }]);

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('uses the documented defaults when only write keys are given', () => {
    const config = loadConfig({ EVENTLINE_WRITE_KEYS: keys });
    expect(config).toMatchObject({
      ...DEFAULTS,
      kafkaTopic: TOPICS.events,
      kafkaBrokers: ['127.0.0.1:9092'],
      host: '127.0.0.1',
      port: 8080,
    });
    expect(config.writeKeys).toEqual(JSON.parse(keys));
  });

  it('reads every variable and is frozen all the way down', () => {
    const config = loadConfig({
      EVENTLINE_WRITE_KEYS: keys,
      EVENTLINE_KAFKA_BROKERS: 'a:1, b:2',
      EVENTLINE_INGEST_PORT: '9000',
      EVENTLINE_INGEST_PATH_PREFIX: '/t/x',
      EVENTLINE_INGEST_TRUST_PROXY: '2',
      EVENTLINE_KAFKA_TOPIC: 'custom-topic',
    });
    expect(config).toMatchObject({
      kafkaBrokers: ['a:1', 'b:2'],
      port: 9000,
      pathPrefix: '/t/x',
      trustProxy: 2,
      kafkaTopic: 'custom-topic',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.writeKeys[0]!.origins)).toBe(true);
  });

  it('reads write keys from a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ingest-config-')), 'keys.json');
    writeFileSync(file, keys);
    expect(loadConfig({ EVENTLINE_WRITE_KEYS_FILE: file }).writeKeys[0]!.site).toBe('demo');
  });

  it('names every problem at once, by variable', () => {
    const problems = problemsOf({
      EVENTLINE_WRITE_KEYS: keys,
      EVENTLINE_INGEST_PORT: 'eighty',
      EVENTLINE_KAFKA_BROKERS: 'nohost',
      EVENTLINE_INGEST_PATH_PREFIX: 'x/',
    });
    expect(problems.join('\n')).toMatch(/EVENTLINE_INGEST_PORT: .*"eighty"/);
    expect(problems.join('\n')).toMatch(/EVENTLINE_KAFKA_BROKERS .*"nohost"/);
    expect(problems.join('\n')).toMatch(/EVENTLINE_INGEST_PATH_PREFIX: .*"x\/"/);
    const withBadOrigin = JSON.stringify([{ key: 'k', site: 's', origins: ['https://a.example/'] }]);
    expect(problemsOf({ EVENTLINE_WRITE_KEYS: withBadOrigin, EVENTLINE_INGEST_PORT: 'x' })).toHaveLength(2);
  });

  it('refuses a start without write keys, or with both sources', () => {
    expect(problemsOf({})[0]).toMatch(/EVENTLINE_WRITE_KEYS: required; set it to a JSON array/);
    expect(problemsOf({ EVENTLINE_WRITE_KEYS: keys, EVENTLINE_WRITE_KEYS_FILE: '/x' })[0]).toMatch(/either/);
    expect(problemsOf({ EVENTLINE_WRITE_KEYS_FILE: '/nonexistent/keys.json' })[0]).toMatch(
      /cannot read EVENTLINE_WRITE_KEYS_FILE=\/nonexistent\/keys.json \(ENOENT\)/,
    );
  });

  it('explains malformed write keys', () => {
    expect(problemsOf({ EVENTLINE_WRITE_KEYS: '[{' })[0]).toMatch(/EVENTLINE_WRITE_KEYS: not valid JSON/);
    expect(
      problemsOf({ EVENTLINE_WRITE_KEYS: JSON.stringify([{ key: 'k', site: 'has space', origins: ['*'] }]) }).join(),
    ).toMatch(/EVENTLINE_WRITE_KEYS \(at 0\/site\)/);
    expect(
      problemsOf({
        EVENTLINE_WRITE_KEYS: JSON.stringify([{ key: 'k', site: 's', origins: ['https://shop.example/'] }]),
      })[0],
    ).toMatch(/"https:\/\/shop.example\/" is not an origin .* write it as "https:\/\/shop.example"/);
    const twice = JSON.stringify([
      { key: 'k', site: 's', origins: ['*'] },
      { key: 'k', site: 't', origins: ['*'] },
    ]);
    expect(problemsOf({ EVENTLINE_WRITE_KEYS: twice })[0]).toMatch(/listed twice/);
    const extra = JSON.stringify([{ key: 'k', site: 's', origins: ['*'], sites: ['t'] }]);
    expect(problemsOf({ EVENTLINE_WRITE_KEYS: extra })).toEqual([
      'EVENTLINE_WRITE_KEYS (at 0/sites): property "sites" is not allowed, got ["t"]',
    ]);
  });

  it('refuses a byte bound on the buffer that one full batch could not fit in', () => {
    expect(
      problemsOf({ EVENTLINE_WRITE_KEYS: keys, EVENTLINE_INGEST_BUFFER_MAX_BYTES: String(512 * 1024) }).join(),
    ).toMatch(/EVENTLINE_INGEST_BUFFER_MAX_BYTES/);
    expect(
      loadConfig({ EVENTLINE_WRITE_KEYS: keys, EVENTLINE_INGEST_BUFFER_MAX_BYTES: String(8 * 1024 * 1024) })
        .bufferMaxBytes,
    ).toBe(8 * 1024 * 1024);
  });

  it('refuses timeouts that contradict each other', () => {
    const problems = problemsOf({
      EVENTLINE_WRITE_KEYS: keys,
      EVENTLINE_INGEST_HEADERS_TIMEOUT_MS: '20000',
      EVENTLINE_INGEST_REQUEST_TIMEOUT_MS: '10000',
      EVENTLINE_INGEST_CONNECTION_TIMEOUT_MS: '5000',
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /EVENTLINE_INGEST_HEADERS_TIMEOUT_MS \(20000\) must not exceed EVENTLINE_INGEST_REQUEST_TIMEOUT_MS/,
    );
    expect(problems[1]).toMatch(
      /EVENTLINE_INGEST_CONNECTION_TIMEOUT_MS \(5000\) must exceed EVENTLINE_INGEST_PRODUCE_TIMEOUT_MS \(5000\)/,
    );
    expect(problemsOf({ EVENTLINE_WRITE_KEYS: keys, EVENTLINE_INGEST_REQUEST_TIMEOUT_MS: '0' }).join()).toMatch(
      /EVENTLINE_INGEST_REQUEST_TIMEOUT_MS/,
    );
  });

  it('keeps limits within the contract', () => {
    expect(problemsOf({ EVENTLINE_WRITE_KEYS: keys, EVENTLINE_INGEST_MAX_EVENTS: '501' }).join()).toMatch(
      /EVENTLINE_INGEST_MAX_EVENTS/,
    );
    expect(loadConfig({ EVENTLINE_WRITE_KEYS: keys, EVENTLINE_INGEST_MAX_EVENTS: '50' }).maxEvents).toBe(50);
  });

  it('has every variable in the README configuration table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const name of [...Object.values(ENV), WRITE_KEYS_FILE_ENV]) expect(readme, name).toContain(`| \`${name}\` |`);
  });
});
