// Dashboard server process: reads configuration, listens, and on SIGTERM/SIGINT
// stops accepting, lets in-flight queries finish and exits 0.
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

const config = loadConfig();
const app = await buildApp(config);

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

try {
  await app.listen({ host: config.host, port: config.port });
  app.log.info(
    { bucket: config.influx.bucket, influx: config.influx.url, localToken: config.embedToken },
    'dashboard ready',
  );
} catch (error) {
  app.log.error({ err: error }, 'could not start the dashboard');
  process.exit(1);
}
