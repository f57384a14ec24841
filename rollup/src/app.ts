// Builds the rollup worker's app: retention policies ensured, the worker as a
// resource closed with the app, and /healthz and /readyz. Only main.ts listens.
import { RETENTION } from '@eventline/contract';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaLogging } from '@eventline/kit/kafka-log';
import type { RollupConfig } from './config.ts';
import { RollupError } from './errors.ts';
import { createInfluxQL } from './influxql.ts';
import { ensureRetention } from './retention.ts';
import { createRollupWorker, type RolledBucket } from './rollup-worker.ts';

export interface AppOptions {
  config: Readonly<RollupConfig>;
  logger: Logger;
  onBucket?: (bucket: RolledBucket) => void;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, logger } = options;
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  const influxql = createInfluxQL({
    url: config.influx.url,
    token: config.influx.token,
    database: config.influx.database,
    timeoutMs: config.influx.timeoutMs,
  });
  await ensureRetention(influxql, {
    rawPolicy: config.influx.rawPolicy,
    rawDuration: config.retention.raw,
    rollupPolicy: RETENTION.rollupPolicy,
    rollupDuration: config.retention.rollups,
  });
  const kafka = new Kafka({
    brokers: [...config.kafka.brokers],
    clientId: config.kafka.clientId,
    ...kafkaLogging(logger),
  });
  const worker = createRollupWorker({ kafka, influxql, config, logger, onBucket: options.onBucket });
  await worker.start();
  app.addHook('onClose', () => worker.stop());
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (worker.joined) return { status: 'ready' };
    const error = new RollupError('ROLLUP_NOT_READY');
    return reply.code(error.statusCode).send({ ...error.toBody(), status: 'joining' });
  });
  return app;
}
