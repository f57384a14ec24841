// Compiled validators for the contract, and the one place where TypeBox's
// errors become messages a client can act on: ingest's per-event rejections,
// its envelope errors and the consumer's dead-letter reasons all read the same.
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { EventSchema, StoredEventSchema, type Event, type StoredEvent } from './event.ts';
import { EnrichedEventSchema, type EnrichedEvent } from './enriched-event.ts';

export interface ValidationIssue {
  /** JSON pointer to the offending value, e.g. `/page/url`; empty for the root. */
  path: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/** Characters of a client-chosen property name quoted in a message. */
const MAX_QUOTED_NAME = 64;

/**
 * TypeBox's errors, reworded so each says what is wrong where: a property that
 * `additionalProperties: false` forbids reads "schema is false" at its own path
 * (plus a vaguer line at its parent), a bad property name reads like a bad
 * value, and a union gets one line per branch plus one for itself. The
 * keyword, paths and params are kept, so callers can still tell errors apart.
 * TypeBox stops collecting after a few errors (`maxErrors`, 8), which bounds
 * the work here too.
 */
export function readableErrors(errors: Iterable<TLocalizedValidationError>): TLocalizedValidationError[] {
  const all = [...errors];
  const readable: TLocalizedValidationError[] = [];
  for (const error of all) {
    const message = reword(error, all);
    if (message !== undefined) readable.push({ ...error, message } as TLocalizedValidationError);
  }
  return readable.length > 0 ? readable : all;
}

/** The message for `error`, or undefined when another error says it better. */
function reword(error: TLocalizedValidationError, all: readonly TLocalizedValidationError[]): string | undefined {
  // Inside a union, a type error only says the value is not that branch's type: the union's own line lists the types.
  if (error.keyword === 'type' && error.schemaPath.includes('/anyOf/')) return undefined;
  const below = all.filter(
    (other) =>
      other.schemaPath.startsWith(`${error.schemaPath}/${error.keyword}/`) ||
      other.schemaPath === `${error.schemaPath}/${error.keyword}`,
  );
  switch (error.keyword) {
    case 'boolean':
      return error.schemaPath.endsWith('/additionalProperties')
        ? `property ${quote(lastSegment(error.instancePath))} is not allowed`
        : error.message;
    case 'additionalProperties':
      return below.length > 0
        ? undefined
        : `properties ${error.params.additionalProperties.map(quote).join(', ')} are not allowed`;
    case 'propertyNames':
      return below.length > 0 ? undefined : error.message;
    case 'anyOf': {
      // A branch whose type the value has explains the problem itself (a string that is too long).
      if (below.some((e) => e.keyword !== 'type')) return undefined;
      const types = below.flatMap((e) =>
        e.keyword === 'type' && e.instancePath === error.instancePath ? [e.params.type].flat() : [],
      );
      return types.length === 0
        ? error.message
        : `must be ${types.length > 1 ? `${types.slice(0, -1).join(', ')} or ` : ''}${types.at(-1)}`;
    }
    case 'enum':
      return `must be one of ${error.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(error.params.allowedValue)}`;
    default:
      return error.schemaPath.endsWith('/propertyNames') ? `the property name ${error.message}` : error.message;
  }
}

function lastSegment(pointer: string): string {
  return pointer
    .slice(pointer.lastIndexOf('/') + 1)
    .replace(/~1/g, '/')
    .replace(/~0/g, '~');
}

/** A client-chosen name in a message: clipped, and JSON-quoted so control characters and lone surrogates stay visible and harmless. */
function quote(name: string): string {
  return JSON.stringify(name.length > MAX_QUOTED_NAME ? `${name.slice(0, MAX_QUOTED_NAME)}…` : name);
}

function validator<T>(schema: TSchema): (value: unknown) => Validation<T> {
  const compiled = Compile(schema);
  return (value) => {
    if (compiled.Check(value)) return { ok: true, value: value as T };
    const issues = readableErrors(compiled.Errors(value)).map((e) => ({ path: e.instancePath, message: e.message }));
    return { ok: false, issues };
  };
}

export const validateEvent = validator<Event>(EventSchema);
export const validateStoredEvent = validator<StoredEvent>(StoredEventSchema);
export const validateEnrichedEvent = validator<EnrichedEvent>(EnrichedEventSchema);

export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ');
}
