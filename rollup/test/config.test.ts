import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV, loadConfig } from '../src/config.ts';
import { ERRORS, RollupError } from '../src/errors.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('rollup worker configuration', () => {
  it('defaults to 90 days of raw events, 2 years of rollups and 1 000 values per dimension and hour', () => {
    const config = loadConfig({});
    expect(config.retention).toEqual({ raw: '90d', rollups: '730d' });
    expect(config.influx).toMatchObject({ database: 'eventline', rawPolicy: 'events' });
    expect(config.maxValues).toBe(1_000);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every problem at once', () => {
    const error = (() => {
      try {
        loadConfig({
          EVENTLINE_INFLUX_BUCKET: 'no-policy',
          EVENTLINE_RAW_RETENTION: '90 days; DROP DATABASE x',
          EVENTLINE_ROLLUP_MAX_VALUES: 'many',
        });
      } catch (e) {
        return e;
      }
    })() as RollupError;
    expect(error).toBeInstanceOf(RollupError);
    expect(error.code).toBe('ROLLUP_CONFIG_INVALID');
    expect(error.message).toContain('EVENTLINE_INFLUX_BUCKET');
    expect(error.message).toContain('EVENTLINE_ROLLUP_MAX_VALUES');
  });

  it('refuses a retention that is not an InfluxQL duration, so nothing else reaches the statement', () => {
    expect(() => loadConfig({ EVENTLINE_RAW_RETENTION: '90d DROP' })).toThrow(RollupError);
    expect(() => loadConfig({ EVENTLINE_ROLLUP_RETENTION: 'INF' })).not.toThrow();
  });

  it('documents every variable with its default, and every error code, in the README', () => {
    for (const [name, { default: value }] of Object.entries(ENV))
      expect(readme).toContain(`| \`${name}\` | ${value === '' ? '(empty)' : `\`${value}\``} |`);
    for (const code of Object.keys(ERRORS)) expect(readme).toContain(`| \`${code}\` |`);
  });
});
