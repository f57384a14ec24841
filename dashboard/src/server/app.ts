// Builds the dashboard server: the read API under /api (token-protected), its
// OpenAPI document at /docs, the built UI at / and /analyze, and /healthz.
// Only main.ts listens.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DashboardConfig } from './config.ts';
import { DashboardError } from './errors.ts';
import auth from './plugins/auth.ts';
import docs from './plugins/docs.ts';
import analyticsPlugin from './plugins/analytics.ts';
import eventReader from './plugins/event-reader.ts';
import analytics from './routes/analytics.ts';
import api from './routes/api.ts';
import health from './routes/health.ts';
import ui from './routes/ui.ts';
import packageJson from '../../package.json' with { type: 'json' };

/**
 * How often Node looks for requests past `requestTimeoutMs`. Its default (30 s)
 * would let a trickled request live three times the timeout; the dashboard has
 * few connections, so walking them every second costs nothing.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** Query parameters the route's schema does not list, all of them (Ajv reports only the first). */
function unknownParameters(request: FastifyRequest): string[] {
  const schema = request.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
  if (!schema?.properties) return [];
  const known = schema.properties;
  return Object.keys(request.query as Record<string, unknown>).filter((name) => !Object.hasOwn(known, name));
}

export async function buildApp(config: Readonly<DashboardConfig>): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel },
    // Fastify disables both by default; without them a client that sends its
    // request a byte at a time (slowloris) holds a socket for as long as it likes.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    http: { connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, config.requestTimeoutMs) },
    // Fastify's default strips parameters a schema does not list; the read API refuses them (unknownParameters).
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler((error: FastifyError, request, reply) => {
    let known: DashboardError;
    const unknown = error.validation ? unknownParameters(request) : [];
    if (error instanceof DashboardError) known = error;
    else if (unknown.length > 0)
      known = new DashboardError('DASHBOARD_UNKNOWN_PARAMETER', unknown.map((name) => JSON.stringify(name)).join(', '));
    else if (error.validation)
      known = new DashboardError(
        'DASHBOARD_INVALID_QUERY',
        `${error.validationContext ?? 'request'}${error.validation[0]?.instancePath ?? ''} ${error.validation[0]?.message ?? ''}`.trim(),
      );
    else {
      request.log.error({ err: error }, 'unexpected error');
      known = new DashboardError('DASHBOARD_INTERNAL', undefined, { cause: error });
    }
    if (known.status >= 500) reply.header('retry-after', '5');
    return reply.status(known.status).send(known.toJSON());
  });
  app.setNotFoundHandler((_request, reply) => {
    const error = new DashboardError('DASHBOARD_NOT_FOUND');
    return reply.status(error.status).send(error.toJSON());
  });

  await app.register(docs, { version: packageJson.version });
  await app.register(health);
  await app.register(eventReader, { influx: config.influx });
  await app.register(analyticsPlugin, { influx: config.influx });
  await app.register(
    async (scope) => {
      await scope.register(auth, { token: config.token });
      await scope.register(api);
      await scope.register(analytics);
    },
    { prefix: '/api' },
  );
  await app.register(ui, { uiDir: config.uiDir, token: config.token, embedToken: config.embedToken });
  return app;
}
