// `npm run backfill -w rollup`: merges the days and months of every stored hour
// and writes the sequence and journey rollups of hours without them (after upgrading from
// a version without them), with the worker's configuration.
import { RETENTION } from '@eventline/contract';
import { configOrExit } from '@eventline/kit/run-service';
import { pino } from 'pino';
import { backfillCoarse, backfillHourParts } from './backfill.ts';
import { loadConfig } from './config.ts';
import { createInfluxQL } from './influxql.ts';

const config = configOrExit(loadConfig);
const logger = pino({ name: 'eventline-rollup-backfill', level: config.logLevel });
const influxql = createInfluxQL({
  url: config.influx.url,
  token: config.influx.token,
  database: config.influx.database,
  timeoutMs: config.influx.timeoutMs,
});
const options = {
  influxql,
  rawPolicy: config.influx.rawPolicy,
  rollupPolicy: RETENTION.rollupPolicy,
  maxValues: config.maxValues,
};
const result = await backfillCoarse(options, undefined, (bucket) => logger.debug(bucket, 'bucket merged'));
logger.info(result, 'days and months merged from the stored hours');
logger.info(await backfillHourParts(options), 'sequence and journey rollups written for the stored hours without them');
