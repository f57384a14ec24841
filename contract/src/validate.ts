// Compiled validators for the contract, for code paths that are not Fastify
// routes (the consumer, tests). Errors come back as short, human-readable lines.
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { EventSchema, type Event } from './event.ts';
import { EnrichedEventSchema, type EnrichedEvent } from './enriched-event.ts';

export interface ValidationIssue {
  /** JSON pointer to the offending value, e.g. `/page/url`; empty for the root. */
  path: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

function validator<T>(schema: TSchema): (value: unknown) => Validation<T> {
  const compiled = Compile(schema);
  return (value) => {
    if (compiled.Check(value)) return { ok: true, value: value as T };
    const issues = [...compiled.Errors(value)].slice(0, 10).map((e) => ({ path: e.instancePath, message: e.message }));
    return { ok: false, issues };
  };
}

export const validateEvent = validator<Event>(EventSchema);
export const validateEnrichedEvent = validator<EnrichedEvent>(EnrichedEventSchema);

export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ');
}
