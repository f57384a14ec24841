// Entry point: reads the configuration, starts the consumer and its health and
// metrics server. SIGTERM/SIGINT finish the chunk in flight, commit it,
// disconnect and exit 0; a consumer that crashed for good exits 1.
import { pino } from 'pino';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

const bootLogger = pino({ name: 'eventline-consumer' });
let config;
try {
  config = loadConfig();
} catch (error) {
  bootLogger.fatal((error as Error).message);
  process.exit(1);
}
const logger = pino({ name: 'eventline-consumer', level: config.logLevel });

let closing: Promise<void> | undefined;
function shutdown(reason: string, exitCode: number): Promise<void> {
  closing ??= (async () => {
    logger.info({ reason }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    try {
      await app.close();
    } catch (error) {
      logger.error({ err: error }, 'error while shutting down');
      exitCode = 1;
    }
    process.exit(exitCode);
  })();
  return closing;
}

const app = await buildApp({ config, logger, onFatal: () => void shutdown('consumer failed', 1) });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown(signal, 0));
try {
  await app.listen({ host: config.http.host, port: config.http.port });
} catch (error) {
  logger.fatal({ err: error }, 'could not start');
  await app.close().catch(() => {});
  process.exit(1);
}
