// Where infrastructure is cached and which versions are used; read from the
// environment once. Everything downloaded or built lives outside the work tree.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const KAFKA_VERSION = '4.1.1';
export const INFLUXDB_VERSION = 'v1.8.10';

const cacheRoot =
  process.env['EVENTLINE_CACHE_DIR'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'eventline');

function brokerCount(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const value = Number(raw);
  if (value !== 1 && value !== 3) throw new Error(`EVENTLINE_KAFKA_BROKERS_COUNT must be 1 or 3, got "${raw}"`);
  return value;
}

export const infraConfig = Object.freeze({
  cacheDir: cacheRoot,
  kafkaDir: join(cacheRoot, `kafka-${KAFKA_VERSION}`),
  influxDir: join(cacheRoot, `influxdb-${INFLUXDB_VERSION}`),
  /** Kafka brokers of npm start and the test harness: 1, or 3 for a replicated KRaft cluster. */
  kafkaBrokers: brokerCount(process.env['EVENTLINE_KAFKA_BROKERS_COUNT']),
  /** Broker JVM heap (each broker of a cluster gets its own). */
  kafkaHeap: process.env['EVENTLINE_KAFKA_HEAP'] ?? '768m',
  /** Keep test brokers' data dirs and logs after the run. */
  keepTestData: Boolean(process.env['EVENTLINE_KEEP_TEST_DATA']),
});

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new Error(`${name} must be a port number (1-65535), got "${raw}"`);
  return value;
}

/** Fixed ports for `npm start`; each can be moved with its variable. */
export const startPorts = Object.freeze({
  kafka: port('EVENTLINE_KAFKA_PORT', 9092),
  kafkaController: port('EVENTLINE_KAFKA_CONTROLLER_PORT', 9093),
  influx: port('EVENTLINE_INFLUX_PORT', 8086),
  influxRpc: port('EVENTLINE_INFLUX_RPC_PORT', 8088),
  ingest: port('EVENTLINE_INGEST_PORT', 8080),
  consumer: port('EVENTLINE_CONSUMER_PORT', 9464),
  rollup: port('EVENTLINE_ROLLUP_PORT', 9465),
  dashboard: port('EVENTLINE_DASHBOARD_PORT', 3000),
  demo: port('EVENTLINE_DEMO_PORT', 3001),
});

/** Where `npm start` keeps broker data and service logs. Default: <repo>/.eventline */
export const runDir = process.env['EVENTLINE_RUN_DIR'];
