// The ingest process: on SIGTERM/SIGINT it stops accepting, lets in-flight
// requests get their acknowledgements, flushes the producer and exits 0 (1 if
// draining outlives the shutdown timeout). See the kit's runService.
import { runService } from '@eventline/kit/run-service';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

await runService({
  loadConfig,
  buildApp: (config) => buildApp(config),
  listen: (config) => ({ host: config.host, port: config.port }),
  shutdownTimeoutMs: (config) => config.shutdownTimeoutMs,
});
