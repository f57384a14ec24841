// Demo-site process: exits 0 on SIGTERM/SIGINT after in-flight requests
// finish. See the kit's runService.
import { runService } from '@eventline/kit/run-service';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

await runService({
  loadConfig,
  buildApp,
  listen: (config) => ({ host: config.host, port: config.port }),
  ready: (config) => ({ ingest: config.ingestUrl, sdk: config.sdkDir }),
});
