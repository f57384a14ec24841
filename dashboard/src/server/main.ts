// Dashboard server process: on SIGTERM/SIGINT it stops accepting, lets
// in-flight queries finish and exits 0. See the kit's runService.
import { runService } from '@eventline/kit/run-service';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

await runService({
  loadConfig,
  buildApp,
  listen: (config) => ({ host: config.host, port: config.port }),
  ready: (config) => ({ bucket: config.influx.bucket, influx: config.influx.url, localToken: config.embedToken }),
});
