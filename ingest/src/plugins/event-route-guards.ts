// What every route group that accepts events (the SDK's /v1/batch, the Segment
// routes) registers in front of its routes, so both answer alike, in this order:
// CORS decided per write key (preflights are answered here and never shed), load
// shedding (503 INGEST_BUSY, after CORS so that a page can read the 503 and its
// Retry-After), and the per-client rate limit (429 INGEST_RATE_LIMITED with
// Retry-After). Registered in the group's own scope, as its routes' siblings.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { IngestConfig } from '../config.ts';
import { IngestError } from '../errors.ts';
import { loadSheddingPlugin } from './load-shedding.ts';

export interface EventRouteGuardOptions {
  config: IngestConfig;
  /** Whether `origin` may make this (preflight or actual) request; a page's script may then read the answer. */
  allowsOrigin: (request: FastifyRequest, origin: string) => boolean;
  /** Request headers a page may send, besides the CORS-safelisted ones. */
  allowedHeaders: readonly string[];
}

export async function registerEventRouteGuards(app: FastifyInstance, options: EventRouteGuardOptions): Promise<void> {
  const { config, allowsOrigin, allowedHeaders } = options;
  await app.register(cors, {
    hideOptionsRoute: true,
    delegator: (request, callback) => {
      const origin = request.headers.origin;
      callback(null, {
        origin: origin !== undefined && allowsOrigin(request, origin) ? origin : false,
        methods: ['POST'],
        allowedHeaders: [...allowedHeaders],
        exposedHeaders: ['Retry-After', 'X-Request-Id'],
        maxAge: config.corsMaxAgeSeconds,
        strictPreflight: false,
      });
    },
  });

  await app.register(loadSheddingPlugin, { config });

  if (config.rateLimitMax > 0) {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new IngestError(
          'INGEST_RATE_LIMITED',
          `more than ${context.max} requests in ${context.after}; retry after the Retry-After delay`,
        ),
    });
  }
}
