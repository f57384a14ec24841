// Builds the dashboard server: the read API under /api (token-protected), its
// OpenAPI document at /docs, the built UI at / and /analyze, and /healthz.
// Only main.ts listens.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { errorReplies, routeOf } from '@eventline/kit/error-replies';
import { slowClientOptions } from '@eventline/kit/slow-clients';
import { packageVersion } from '@eventline/kit/package-version';
import type { DashboardConfig } from './config.ts';
import { DashboardError } from './errors.ts';
import auth from './plugins/auth.ts';
import docs from './plugins/docs.ts';
import eventReader from './plugins/event-reader.ts';
import api from './routes/api.ts';
import health from './routes/health.ts';
import shares from './routes/shares.ts';
import { shareKeys } from './share-links.ts';
import ui from './routes/ui.ts';

/** Base of the Retry-After sent with 503 (InfluxDB unavailable), s. */
const RETRY_AFTER_SECONDS = 5;

/** The dashboard's error for anything a route or Fastify threw. */
export function toDashboardError(error: unknown): DashboardError {
  if (error instanceof DashboardError) return error;
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    const [first] = fastifyError.validation;
    const where = `${fastifyError.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
    return new DashboardError('DASHBOARD_INVALID_QUERY', `${where} ${first?.message ?? ''}`.trim());
  }
  return new DashboardError('DASHBOARD_INTERNAL', undefined, { cause: error });
}

export async function buildApp(config: Readonly<DashboardConfig>): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel },
    ...slowClientOptions(config),
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(errorReplies, {
    translate: toDashboardError,
    notFound: (request) => new DashboardError('DASHBOARD_NOT_FOUND', routeOf(request)),
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });

  await app.register(docs, { version: packageVersion(import.meta.url) });
  await app.register(health);
  await app.register(eventReader, { influx: config.influx });
  await app.register(
    async (scope) => {
      const keys = shareKeys(config.shareKeys, config.token);
      await scope.register(auth, { token: config.token, shareKeys: keys });
      await scope.register(api);
      await scope.register(shares, { shareKeys: keys });
    },
    { prefix: '/api' },
  );
  await app.register(ui, { uiDir: config.uiDir, token: config.token, embedToken: config.embedToken });
  return app;
}
