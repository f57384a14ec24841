// Liveness, readiness and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import { ConsumerError } from '../errors.ts';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const status = app.pipeline.consumer.status();
    if (await app.pipeline.ready()) return { status: 'ready', ...status };
    const error = new ConsumerError('CONSUMER_NOT_READY');
    return reply.code(error.statusCode).send({ ...error.toBody(), status: 'not ready', ...status });
  });

  app.get('/metrics', async (_request, reply) => {
    const registry = app.pipeline.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
