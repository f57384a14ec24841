// Builds the rollup worker's app: retention policies ensured, the worker as a
// resource closed with the app, and /healthz and /readyz. Only main.ts listens.
import { RETENTION } from '@eventline/contract';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import type { RollupConfig } from './config.ts';
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
  // kafkajs logs at warn and above: its info messages are per-connection chatter.
  const kafka = new Kafka({
    brokers: [...config.kafka.brokers],
    clientId: 'eventline-rollup',
    logLevel: logLevel.WARN,
  });
  const worker = createRollupWorker({ kafka, influxql, config, logger, onBucket: options.onBucket });
  await worker.start();
  app.addHook('onClose', () => worker.stop());
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) =>
    worker.joined ? { status: 'ready' } : reply.status(503).send({ status: 'joining' }),
  );
  return app;
}
