// The consumer process: SIGTERM/SIGINT finish the chunk in flight, commit it,
// disconnect and exit 0; a consumer that crashed for good exits 1. See the
// kit's runService.
import { pino } from 'pino';
import { runService } from '@eventline/kit/run-service';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

await runService({
  loadConfig,
  buildApp: (config, lifecycle) =>
    buildApp({
      config,
      logger: pino({ name: 'eventline-consumer', level: config.logLevel }),
      onFatal: () => lifecycle.stop('consumer failed', 1),
    }),
  listen: (config) => config.http,
});
