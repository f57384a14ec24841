import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@eventline/kit/config';
import { ENV, loadConfig } from '../src/config.ts';
import { ERRORS } from '../src/errors.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('rollup worker configuration', () => {
  it('defaults to 90 days of raw events, 2 years of rollups and 1 000 values per dimension and hour', () => {
    const config = loadConfig({});
    expect(config.retention).toEqual({ raw: '90d', rollups: '730d' });
    expect(config.influx).toMatchObject({ database: 'eventline', rawPolicy: 'events' });
    expect(config.maxValues).toBe(1_000);
    expect(config.keptMb).toBe(256);
    expect(Object.isFrozen(config) && Object.isFrozen(config.influx)).toBe(true);
  });

  it('reports every problem at once, naming each variable', () => {
    const problems = problemsOf({
      EVENTLINE_INFLUX_BUCKET: 'no-policy',
      EVENTLINE_RAW_RETENTION: '90 days; DROP DATABASE x',
      EVENTLINE_ROLLUP_MAX_VALUES: 'many',
      EVENTLINE_ROLLUP_KEPT_MB: '-1',
    });
    expect(problems.join('\n')).toContain('EVENTLINE_INFLUX_BUCKET');
    expect(problems.join('\n')).toContain('EVENTLINE_RAW_RETENTION');
    expect(problems.join('\n')).toContain('EVENTLINE_ROLLUP_MAX_VALUES');
    expect(problems.join('\n')).toContain('EVENTLINE_ROLLUP_KEPT_MB');
  });

  it('refuses a retention that is not an InfluxQL duration, so nothing else reaches the statement', () => {
    expect(problemsOf({ EVENTLINE_RAW_RETENTION: '90d DROP' })).toHaveLength(1);
    expect(() => loadConfig({ EVENTLINE_ROLLUP_RETENTION: 'INF' })).not.toThrow();
  });

  it('documents every variable and every error code in the README', () => {
    for (const source of Object.values(ENV)) {
      const name = typeof source === 'string' ? source : source.name;
      expect(readme, name).toContain(`\`${name}\``);
    }
    for (const code of Object.keys(ERRORS)) expect(readme, code).toContain(`\`${code}\``);
  });
});
