// The one error factory of the services, in the spirit of @fastify/error: each
// service lists its codes (status, whether a retry can succeed, message) and
// gets one error class for them; every error leaves a service in one body shape,
// ErrorBody, documented in kit/README.md.
import { STATUS_CODES } from 'node:http';
import { Type, type Static } from 'typebox';

export interface ErrorSpec {
  /** The HTTP status a client gets (or /readyz answers) for it. */
  readonly status: number;
  /** True when the same request (or message) can succeed later; false when it is at fault itself. */
  readonly retriable: boolean;
  readonly message: string;
}

export type ErrorCatalogue = Readonly<Record<string, ErrorSpec>>;

const BODY_DESCRIPTION = 'Every error answer of an Eventline service';

/** What every error response of an Eventline service carries (Fastify's error body plus `retriable`). */
export const ErrorBodySchema = Type.Object(
  {
    statusCode: Type.Integer({ description: 'The HTTP status, repeated' }),
    code: Type.String({ description: 'Stable error code, e.g. INGEST_PAYLOAD_TOO_LARGE' }),
    error: Type.String({ description: 'The status text, e.g. Payload Too Large' }),
    message: Type.String({ description: 'What went wrong, for a person' }),
    retriable: Type.Boolean({ description: 'Whether sending the same request later can succeed' }),
  },
  { $id: 'ErrorBody', description: BODY_DESCRIPTION },
);

export type ErrorBody = Static<typeof ErrorBodySchema>;

/** ErrorBodySchema with `code` narrowed to a service's codes, for its response schemas and OpenAPI document. */
export function errorBodySchema(catalogue: ErrorCatalogue) {
  const codes = Object.keys(catalogue).map((code) => Type.Literal(code));
  return Type.Object(
    { ...ErrorBodySchema.properties, code: Type.Union(codes, { description: 'Stable error code' }) },
    { $id: 'ErrorBody', description: BODY_DESCRIPTION },
  );
}

export class EventlineError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    readonly statusCode: number,
    readonly retriable: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  toBody(): ErrorBody {
    return {
      statusCode: this.statusCode,
      code: this.code,
      error: STATUS_CODES[this.statusCode] ?? 'Error',
      message: this.message,
      retriable: this.retriable,
    };
  }
}

export interface ServiceErrorClass<Code extends string> {
  /** The catalogue's message, followed by `detail` when given. */
  new (code: Code, detail?: string, options?: ErrorOptions): EventlineError<Code>;
  readonly catalogue: Readonly<Record<Code, ErrorSpec>>;
}

/** The error class of one service, named `name`, for the codes of `catalogue`. */
export function createErrors<const C extends ErrorCatalogue>(
  name: string,
  catalogue: C,
): ServiceErrorClass<keyof C & string> {
  const frozen = Object.freeze(catalogue);
  class ServiceError extends EventlineError<keyof C & string> {
    static readonly catalogue = frozen;
    constructor(code: keyof C & string, detail?: string, options?: ErrorOptions) {
      const spec = frozen[code]!;
      super(code, spec.status, spec.retriable, detail ? `${spec.message}: ${detail}` : spec.message, options);
      this.name = name;
    }
  }
  Object.defineProperty(ServiceError, 'name', { value: name });
  return ServiceError;
}

/** Whether `error` is one a retry can get past. */
export function isRetriable(error: unknown): boolean {
  return error instanceof EventlineError && error.retriable;
}
