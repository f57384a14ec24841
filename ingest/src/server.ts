// The ingest process: reads the configuration, listens, and on SIGTERM/SIGINT
// stops accepting, lets in-flight requests get their acknowledgements, flushes
// the producer and exits 0 (1 if draining outlives the shutdown timeout).
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type IngestConfig } from './config.ts';

function configOrExit(): IngestConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

const config = configOrExit();

const app = await buildApp(config);

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, 'shutting down: draining requests and flushing Kafka');
  const timer = setTimeout(() => {
    app.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting anyway');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  timer.unref();
  await app.close();
  app.log.info('stopped');
  process.exit(0);
}

process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));

try {
  await app.listen({ host: config.host, port: config.port });
} catch (error) {
  app.log.fatal({ err: error }, 'cannot listen');
  await app.close();
  process.exit(1);
}
