import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DashboardError, ERRORS } from '../src/server/errors.ts';

describe('error catalogue', () => {
  it('documents every code in the README with its status', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const [code, definition] of Object.entries(ERRORS)) {
      expect(readme, code).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${definition.status}\\s*\\|`));
    }
  });

  it("answers in the kit's ErrorBody, the shape every Eventline service answers errors in", () => {
    const error = new DashboardError('DASHBOARD_STORAGE_UNAVAILABLE', 'timeout');
    expect(error.toBody()).toEqual({
      statusCode: 503,
      code: 'DASHBOARD_STORAGE_UNAVAILABLE',
      error: 'Service Unavailable',
      message: 'InfluxDB could not answer the query: timeout',
      retriable: true,
    });
  });
});
