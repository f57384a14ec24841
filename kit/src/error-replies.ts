// The Fastify side of the error factory: every failure of a request is answered
// with ErrorBody, logged by how much it matters (a refused request at info, an
// unavailable dependency at warn, a bug at error), and a 503 tells clients when
// to come back, spread so that clients refused together do not return together.
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { spreadRetryAfter } from './backoff.ts';
import type { EventlineError } from './errors.ts';

export interface ErrorRepliesOptions {
  /** The service's error for anything a route or Fastify threw while answering `request`. */
  readonly translate: (error: unknown, request: FastifyRequest) => EventlineError;
  /** The service's error for a route that does not exist. */
  readonly notFound: (request: FastifyRequest) => EventlineError;
  /** Base of the Retry-After sent with 503, s; the header is spread over [base, 2 × base]. Default: no header */
  readonly retryAfterSeconds?: number;
}

export const errorReplies = fp<ErrorRepliesOptions>(
  async (app, options) => {
    app.setErrorHandler((thrown, request, reply) => {
      const error = options.translate(thrown, request);
      if (error.statusCode >= 500 && !error.retriable)
        request.log.error({ err: thrown, code: error.code }, error.message);
      else if (error.statusCode >= 500) {
        const cause = error.cause instanceof Error ? error.cause.message : undefined;
        request.log.warn({ code: error.code, cause }, error.message);
      } else request.log.info({ code: error.code, reason: error.message }, 'request refused');
      if (error.statusCode === 503 && options.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(spreadRetryAfter(options.retryAfterSeconds)));
      return reply.code(error.statusCode).send(error.toBody());
    });
    app.setNotFoundHandler((request, reply) => {
      const error = options.notFound(request);
      return reply.code(error.statusCode).send(error.toBody());
    });
  },
  { name: 'eventline-error-replies', fastify: '5.x' },
);

/** The path of `request` without its query, shortened for an error message. */
export function routeOf(request: FastifyRequest): string {
  return `${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`;
}
