// Liveness: answers as soon as the server listens; it does not query InfluxDB,
// so a slow database never gets the dashboard restarted.
import type { FastifyInstance } from 'fastify';

export default async function health(app: FastifyInstance): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: `{ status: "ok" }` once the server listens; does not query InfluxDB',
      },
    },
    async () => ({ status: 'ok' }),
  );
}
