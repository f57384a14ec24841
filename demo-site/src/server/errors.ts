// Every error the demo site can answer with. The README lists them (a test
// keeps the two in step); the class and the body come from the kit.
import { createErrors } from '@eventline/kit/errors';

export const ERRORS = {
  DEMO_NOT_FOUND: { status: 404, retriable: false, message: 'No such page' },
  DEMO_INTERNAL: { status: 500, retriable: true, message: 'Internal error' },
} as const;

export const DemoError = createErrors('DemoError', ERRORS);
export type DemoError = InstanceType<typeof DemoError>;

/** The demo site's error for anything a route or Fastify threw; Fastify's own 4xx errors keep their status. */
export function toDemoError(error: unknown): DemoError {
  if (error instanceof DemoError) return error;
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 404) return new DemoError('DEMO_NOT_FOUND');
  return new DemoError('DEMO_INTERNAL', undefined, { cause: error });
}
