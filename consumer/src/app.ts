// Builds the consumer's app: the pipeline as a resource plus the health and
// metrics routes. Only main.ts listens.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ConsumerConfig } from './config.ts';
import type { WrittenChunk } from './consumer.ts';
import { pipelinePlugin } from './plugins/pipeline.ts';
import { healthRoutes } from './routes/health.ts';

export interface AppOptions {
  config: Readonly<ConsumerConfig>;
  logger: Logger;
  onChunkCommitted?: (chunk: WrittenChunk) => void;
  onFatal?: (error: Error) => void;
  /** Process metrics in /metrics. Default: true */
  defaultMetrics?: boolean;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  await app.register(pipelinePlugin, {
    config: options.config,
    onChunkCommitted: options.onChunkCommitted,
    onFatal: options.onFatal,
    defaultMetrics: options.defaultMetrics,
  });
  await app.register(healthRoutes);
  return app;
}
