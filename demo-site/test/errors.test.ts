import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../src/server/errors.ts';

describe('error catalogue', () => {
  it('documents every code in the README with its status and retriability', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const [code, spec] of Object.entries(ERRORS)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      expect(row, `${code} missing from the README's error table`).toBeDefined();
      expect(row).toContain(`| ${spec.status} | ${spec.retriable ? 'yes' : 'no'} |`);
    }
  });
});
