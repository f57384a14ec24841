// Entry point: reads the configuration, starts the rollup worker and its health
// server. SIGTERM/SIGINT finish the bucket in flight, leave the group and exit 0.
import { pino } from 'pino';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

const bootLogger = pino({ name: 'eventline-rollup' });
let config;
try {
  config = loadConfig();
} catch (error) {
  bootLogger.fatal((error as Error).message);
  process.exit(1);
}
const logger = pino({ name: 'eventline-rollup', level: config.logLevel });
const app = await buildApp({ config, logger });

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  });
}
try {
  await app.listen({ host: config.http.host, port: config.http.port });
} catch (error) {
  logger.fatal({ err: error }, 'could not start');
  await app.close().catch(() => {});
  process.exit(1);
}
