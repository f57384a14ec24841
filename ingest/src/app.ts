// Builds the ingest app from a frozen configuration; only server.ts listens.
// Tests can pass their own sink through `deps`.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { readableErrors } from '@eventline/contract';
import { errorReplies } from '@eventline/kit/error-replies';
import { slowClientOptions } from '@eventline/kit/slow-clients';
import { packageVersion } from '@eventline/kit/package-version';
import type { IngestConfig } from './config.ts';
import { IngestError } from './errors.ts';
import type { EventSink } from './kafka/event-sink.ts';
import { createWorkerSink } from './kafka/worker-sink.ts';
import { docsPlugin } from './plugins/docs.ts';
import { answerClientError, errorRepliesOptions } from './plugins/error-handler.ts';
import { eventPipelinePlugin } from './plugins/event-pipeline.ts';
import { createMetrics, metricsPlugin } from './plugins/metrics.ts';
import { batchRoutes } from './routes/batch.ts';
import { healthRoutes } from './routes/health.ts';
import { segmentRoutes } from './segment/segment-routes.ts';
import { createUserAgentParser } from './user-agent.ts';
import { createWriteKeyRegistry } from './write-keys.ts';

export interface AppDeps {
  /** Where events go. Default: a kafkajs sink built from the configuration. */
  sink?: EventSink;
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export async function buildApp(config: IngestConfig, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel },
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    ...slowClientOptions(config),
    keepAliveTimeout: config.keepAliveTimeoutMs,
    clientErrorHandler: answerClientError,
    // An info line per request is costly at thousands of requests a second; the onResponse hook logs them at debug.
    logController: new LogController({ disableRequestLogging: true }),
    // Requests arriving while draining get our own 503 (with Retry-After), below.
    return503OnClosing: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    },
  });

  // The contract's TypeBox schemas are checked with TypeBox's own compiler:
  // strict (no coercion, no silently removed fields) and the same code the
  // consumer validates with; the contract words the messages, as it does for each event.
  app.setValidatorCompiler(({ schema }) => {
    const compiled = Compile(schema as TSchema);
    return (value) => {
      if (compiled.Check(value)) return { value };
      return { error: readableErrors(compiled.Errors(value)) as unknown as FastifySchemaValidationError[] };
    };
  });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) throw new IngestError('INGEST_SHUTTING_DOWN');
  });
  // Fastify closes only the keep-alive connections idle when close() begins; a
  // connection whose request finishes later would hold the shutdown open until
  // its keep-alive timeout, so every answer sent while closing ends its connection.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      { method: request.method, route: request.routeOptions.url, statusCode: reply.statusCode, ms: reply.elapsedTime },
      'request completed',
    );
  });

  const sink =
    deps.sink ??
    createWorkerSink({
      settings: {
        brokers: [...config.kafkaBrokers],
        topic: config.kafkaTopic,
        clientId: config.kafkaClientId,
        requestTimeoutMs: config.kafkaRequestTimeoutMs,
        retries: config.kafkaRetries,
        logLevel: config.logLevel,
      },
      logger: app.log,
    });

  await app.register(metricsPlugin, { metrics: createMetrics() });
  await app.register(errorReplies, errorRepliesOptions(config));
  await app.register(docsPlugin, { version: packageVersion(import.meta.url) });
  await app.register(eventPipelinePlugin, { config, sink });
  await app.register(healthRoutes, { isClosing: () => closing });
  const writeKeys = createWriteKeyRegistry(config.writeKeys);
  const userAgents = createUserAgentParser();
  await app.register(batchRoutes, { prefix: config.pathPrefix, config, writeKeys, userAgents });
  await app.register(segmentRoutes, { prefix: config.pathPrefix + config.segmentPath, config, writeKeys, userAgents });
  return app;
}

/** Trust the nearest `hops` proxies' X-Forwarded-For entries (request.ip is then the client's). */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
