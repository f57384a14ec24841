import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { createErrors, ErrorBodySchema, EventlineError, isRetriable } from '../src/errors.ts';

const DemoError = createErrors('DemoError', {
  DEMO_NOT_FOUND: { status: 404, retriable: false, message: 'No such page' },
  DEMO_UNAVAILABLE: { status: 503, retriable: true, message: 'Try again later' },
});

describe('createErrors', () => {
  it('builds errors carrying the code, status and retriability of the catalogue', () => {
    const error = new DemoError('DEMO_UNAVAILABLE', 'the disk is full', { cause: new Error('ENOSPC') });
    expect(error).toBeInstanceOf(EventlineError);
    expect(error).toBeInstanceOf(DemoError);
    expect(error).toMatchObject({ name: 'DemoError', code: 'DEMO_UNAVAILABLE', statusCode: 503, retriable: true });
    expect(error.message).toBe('Try again later: the disk is full');
    expect((error.cause as Error).message).toBe('ENOSPC');
    expect(isRetriable(error)).toBe(true);
    expect(isRetriable(new DemoError('DEMO_NOT_FOUND'))).toBe(false);
    expect(isRetriable(new Error('plain'))).toBe(false);
  });

  it('answers in the one body shape, which the documented schema accepts', () => {
    const body = new DemoError('DEMO_NOT_FOUND').toBody();
    expect(body).toEqual({
      statusCode: 404,
      code: 'DEMO_NOT_FOUND',
      error: 'Not Found',
      message: 'No such page',
      retriable: false,
    });
    expect(Compile(ErrorBodySchema).Check(body)).toBe(true);
  });
});
