// The rollup worker process: SIGTERM/SIGINT finish the bucket in flight, leave
// the group and exit 0. See the kit's runService.
import { pino } from 'pino';
import { runService } from '@eventline/kit/run-service';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

await runService({
  loadConfig,
  buildApp: (config) => buildApp({ config, logger: pino({ name: 'eventline-rollup', level: config.logLevel }) }),
  listen: (config) => config.http,
});
