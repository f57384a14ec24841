// The read API's OpenAPI document (GET /docs/json) and its UI (GET /docs),
// generated from the schemas the routes validate their query strings with.
// Registered before the routes, so it sees every one of them.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export default fp(
  async (app: FastifyInstance, options: { version: string }) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'Eventline read API',
          version: options.version,
          description:
            'Read-only access to the events stored in InfluxDB, for the Analyze page and for scripts. Every `/api` route needs `Authorization: Bearer <token>`. Errors are `{ "error": { "code", "message", "retriable" } }`.',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'docs' },
);
