// Builds the dashboard server: the read API under /api (token-protected), its
// OpenAPI document at /docs, the built UI at / and /analyze, and /healthz.
// Only main.ts listens.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { errorReplies, routeOf } from '@eventline/kit/error-replies';
import { slowClientOptions } from '@eventline/kit/slow-clients';
import { packageVersion } from '@eventline/kit/package-version';
import type { DashboardConfig } from './config.ts';
import { DashboardError } from './errors.ts';
import auth from './plugins/auth.ts';
import docs from './plugins/docs.ts';
import analyticsPlugin from './plugins/analytics.ts';
import eventReader from './plugins/event-reader.ts';
import analytics from './routes/analytics.ts';
import annotations from './routes/annotations.ts';
import api from './routes/api.ts';
import health from './routes/health.ts';
import shares from './routes/shares.ts';
import { shareKeys } from './share-links.ts';
import ui from './routes/ui.ts';

/** Base of the Retry-After sent with 503 (InfluxDB unavailable), s. */
const RETRY_AFTER_SECONDS = 5;

/** The dashboard's error for anything a route or Fastify threw. */
export function toDashboardError(error: unknown, request?: FastifyRequest): DashboardError {
  if (error instanceof DashboardError) return error;
  const fastifyError = error as Partial<FastifyError>;
  const unknown = fastifyError.validation && request ? unknownParameters(request) : [];
  if (unknown.length > 0)
    return new DashboardError('DASHBOARD_UNKNOWN_PARAMETER', unknown.map((name) => JSON.stringify(name)).join(', '));
  if (fastifyError.validation) {
    const [first] = fastifyError.validation;
    const where = `${fastifyError.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
    return new DashboardError('DASHBOARD_INVALID_QUERY', `${where} ${first?.message ?? ''}`.trim());
  }
  return new DashboardError('DASHBOARD_INTERNAL', undefined, { cause: error });
}

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
    ...slowClientOptions(config),
    // Fastify's default strips parameters a schema does not list; the read API refuses them (unknownParameters).
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(errorReplies, {
    translate: toDashboardError,
    notFound: (request) => new DashboardError('DASHBOARD_NOT_FOUND', routeOf(request)),
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });

  await app.register(docs, { version: packageVersion(import.meta.url) });
  await app.register(health);
  await app.register(eventReader, { influx: config.influx });
  await app.register(analyticsPlugin, { influx: config.influx, rollupCacheMb: config.rollupCacheMb });
  await app.register(
    async (scope) => {
      const keys = shareKeys(config.shareKeys, config.token);
      await scope.register(auth, { token: config.token, shareKeys: keys });
      await scope.register(api);
      await scope.register(analytics);
      await scope.register(annotations);
      await scope.register(shares, { shareKeys: keys });
    },
    { prefix: '/api' },
  );
  await app.register(ui, { uiDir: config.uiDir, token: config.token, embedToken: config.embedToken });
  return app;
}
