import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV } from '../src/config.ts';
import { isRetriable } from '@eventline/kit/errors';
import { ConsumerError, ERRORS } from '../src/errors.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('error catalogue', () => {
  it('documents every error code in the README', () => {
    for (const code of Object.keys(ERRORS)) expect(readme, code).toContain(`\`${code}\``);
  });

  it('documents every environment variable in the README', () => {
    for (const source of Object.values(ENV)) {
      const name = typeof source === 'string' ? source : source.name;
      expect(readme, name).toContain(`\`${name}\``);
    }
  });

  it('carries code, status and retriable from the catalogue', () => {
    const error = new ConsumerError('CONSUMER_INFLUX_UNAVAILABLE', 'connection refused');
    expect(error).toMatchObject({ code: 'CONSUMER_INFLUX_UNAVAILABLE', statusCode: 503, retriable: true });
    expect(error.message).toBe('InfluxDB did not accept the write: connection refused');
    expect(isRetriable(error)).toBe(true);
    expect(isRetriable(new ConsumerError('CONSUMER_MESSAGE_INVALID'))).toBe(false);
    expect(isRetriable(new Error('other'))).toBe(false);
  });
});
