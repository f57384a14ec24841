// Liveness, readiness and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../errors.ts';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const status = app.pipeline.consumer.status();
    if (await app.pipeline.ready()) return { status: 'ready', ...status };
    const { code, message } = ERRORS.CONSUMER_NOT_READY;
    return reply.code(ERRORS.CONSUMER_NOT_READY.status).send({ status: 'not ready', code, message, ...status });
  });

  app.get('/metrics', async (_request, reply) => {
    const registry = app.pipeline.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
