// Liveness and readiness. Ready means Kafka can take writes right now: a load
// balancer should stop sending batches to an instance that would answer 503.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { IngestError } from '../errors.ts';
import { ErrorResponseSchema } from '../schemas.ts';

const StatusSchema = Type.Object({ status: Type.String() });

export const healthRoutes: FastifyPluginAsync<{ isClosing: () => boolean }> = async (app, { isClosing }) => {
  app.get('/healthz', { schema: { summary: 'Liveness', response: { 200: StatusSchema } } }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: 200 only while the Kafka producer is connected',
        response: { 200: StatusSchema, 503: ErrorResponseSchema },
      },
    },
    async (_request, reply) => {
      // Answered here rather than thrown: a probe seeing "not ready" is routine, not an error to log.
      const notReady = isClosing()
        ? new IngestError('INGEST_SHUTTING_DOWN')
        : app.sink.isReady()
          ? undefined
          : new IngestError('INGEST_KAFKA_UNAVAILABLE', 'not connected');
      if (notReady) return reply.code(503).send(notReady.toBody());
      return { status: 'ready' };
    },
  );
};
