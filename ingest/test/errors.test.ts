import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, IngestError, type ErrorCode } from '../src/errors.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('error catalogue', () => {
  it('documents every code in the README with its status and retriability', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      expect(row, `${code} missing from the README's error table`).toBeDefined();
      expect(row).toContain(`| ${spec.status} | ${spec.retriable ? 'yes' : 'no'} |`);
    }
  });

  it('marks exactly the 408, 429 and 5xx answers as retriable (the ones the SDK resends)', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      expect(spec.retriable, code).toBe(spec.status === 408 || spec.status === 429 || spec.status >= 500);
    }
  });

  it("renders the kit's ErrorBody, the wire format every error response uses", () => {
    const code: ErrorCode = 'INGEST_PAYLOAD_TOO_LARGE';
    expect(new IngestError(code).toBody()).toEqual({
      statusCode: 413,
      code,
      error: 'Payload Too Large',
      message: ERRORS[code].message,
      retriable: false,
    });
  });
});
