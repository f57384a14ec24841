// Demo-site process: reads configuration, listens, exits 0 on SIGTERM/SIGINT
// after in-flight requests finish.
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

const config = loadConfig();
const app = await buildApp(config);

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

try {
  await app.listen({ host: config.host, port: config.port });
  app.log.info({ ingest: config.ingestUrl, sdk: config.sdkDir }, 'demo site ready');
} catch (error) {
  app.log.error({ err: error }, 'could not start the demo site');
  process.exit(1);
}
