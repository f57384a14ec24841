import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type ConfigSpec } from '../src/config.ts';

const Schema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  verbose: Type.Boolean(),
  trustProxy: Type.Union([Type.Boolean(), Type.Integer({ minimum: 1 })]),
  kafka: Type.Object({ brokers: Type.Array(Type.String({ pattern: '^[^\\s,:]+:[0-9]+$' }), { minItems: 1 }) }),
  keys: Type.Array(Type.Object({ key: Type.String({ minLength: 1 }) }), { minItems: 1 }),
  token: Type.String({ minLength: 8 }),
  level: Type.Union([Type.Literal('info'), Type.Literal('debug')]),
});

const spec: ConfigSpec<typeof Schema, { port: number; url: string } & Record<string, unknown>> = {
  service: 'test',
  schema: Schema,
  defaults: { port: 8080, verbose: false, trustProxy: false, kafka: { brokers: ['127.0.0.1:9092'] }, level: 'info' },
  env: {
    port: 'T_PORT',
    verbose: 'T_VERBOSE',
    trustProxy: 'T_TRUST_PROXY',
    'kafka.brokers': 'T_BROKERS',
    keys: { name: 'T_KEYS', file: 'T_KEYS_FILE', hint: 'a JSON array like [{"key":"…"}]' },
    token: { name: 'T_TOKEN', secret: true },
    level: 'T_LEVEL',
  },
  derive: (values) => ({ ...values, url: `http://127.0.0.1:${values.port}` }),
  checks: (config, name) => (config.port === 1 ? [`${name('port')} must not be 1`] : []),
};

const valid = { T_KEYS: '[{"key":"k"}]', T_TOKEN: 'a-long-secret' };

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(spec, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults, converts each variable by its schema, derives and freezes', () => {
    const config = loadConfig(spec, {
      ...valid,
      T_PORT: '9000',
      T_VERBOSE: 'true',
      T_TRUST_PROXY: '2',
      T_BROKERS: 'a:1, b:2,',
      T_LEVEL: '',
    });
    expect(config).toMatchObject({
      port: 9000,
      verbose: true,
      trustProxy: 2,
      kafka: { brokers: ['a:1', 'b:2'] },
      keys: [{ key: 'k' }],
      level: 'info',
      url: 'http://127.0.0.1:9000',
    });
    expect(Object.isFrozen(config) && Object.isFrozen(config.kafka) && Object.isFrozen(config.keys)).toBe(true);
  });

  it('reports every problem at once, each naming its variable, and never repeats a secret', () => {
    const problems = problemsOf({
      T_PORT: 'eighty',
      T_VERBOSE: 'maybe',
      T_BROKERS: 'no-port',
      T_TOKEN: 'short',
      T_LEVEL: 'loud',
    });
    expect(problems.find((p) => p.startsWith('T_PORT:'))).toContain('got "eighty"');
    expect(problems.some((p) => p.startsWith('T_VERBOSE:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('T_BROKERS (at 0):'))).toBe(true);
    expect(problems.some((p) => p.startsWith('T_LEVEL:'))).toBe(true);
    expect(problems).toContain('T_KEYS: required; a JSON array like [{"key":"…"}]');
    const token = problems.find((p) => p.startsWith('T_TOKEN:'));
    expect(token).toBeDefined();
    expect(token).not.toContain('short');
  });

  it('says which variable holds JSON that does not parse', () => {
    expect(problemsOf({ ...valid, T_KEYS: '[{' })).toEqual([expect.stringMatching(/^T_KEYS: not valid JSON/)]);
  });

  it('reads a setting from the file its _FILE variable names, and refuses both at once', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kit-config-')), 'keys.json');
    writeFileSync(file, '[{"key":"from-file"}]');
    expect(loadConfig(spec, { T_TOKEN: valid.T_TOKEN, T_KEYS_FILE: file }).keys).toEqual([{ key: 'from-file' }]);
    expect(problemsOf({ ...valid, T_KEYS_FILE: file })).toEqual(['T_KEYS: set either T_KEYS or T_KEYS_FILE, not both']);
    expect(problemsOf({ T_TOKEN: valid.T_TOKEN, T_KEYS_FILE: '/nonexistent/keys.json' })).toEqual([
      'T_KEYS: cannot read T_KEYS_FILE=/nonexistent/keys.json (ENOENT)',
    ]);
  });

  it('runs the cross-setting checks on a valid configuration, naming variables', () => {
    expect(problemsOf({ ...valid, T_PORT: '1' })).toEqual(['T_PORT must not be 1']);
  });

  it('words the error for a person: service, then one line per problem', () => {
    expect(() => loadConfig(spec, { ...valid, T_PORT: '-1' })).toThrow(
      /^invalid test configuration:\n {2}- T_PORT: .*got -1$/,
    );
  });
});
