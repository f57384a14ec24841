// The OpenAPI document (GET /docs/json) and its UI (GET /docs), generated from
// the same schemas the routes validate and serialize with.
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { EventSchema } from '@eventline/contract';

export const docsPlugin = fp(
  async (app, options: { version: string }) => {
    // Batch items are validated one by one against Event, so the document lists it on its own.
    app.addSchema(EventSchema);
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'Eventline ingest',
          version: options.version,
          description:
            'Receives event batches from the Eventline SDK, and Segment tracking calls under the Segment path, and writes them to Kafka. Errors are `{ statusCode, code, error, message }`.',
        },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'eventline-docs' },
);
