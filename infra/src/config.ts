// Where infrastructure is cached, which versions are used and the ports of
// `npm start`: read from the environment once, through the kit's loader (every
// problem at once, naming its variable; the result frozen). Everything
// downloaded or built lives outside the work tree.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Type, type Static } from 'typebox';
import { loadConfig, type Env } from '@eventline/kit/config';

export const KAFKA_VERSION = '4.1.1';
export const INFLUXDB_VERSION = 'v1.8.10';

const Port = Type.Integer({ minimum: 1, maximum: 65535 });

const InfraSchema = Type.Object({
  /** Root of downloads and builds. Default: $XDG_CACHE_HOME/eventline, else ~/.cache/eventline */
  cacheDir: Type.String({ minLength: 1 }),
  /** Kafka brokers of npm start and the test harness: 1, or 3 for a replicated KRaft cluster. */
  kafkaBrokers: Type.Integer({ enum: [1, 3] }),
  /** Broker JVM heap, as -Xmx takes it (each broker of a cluster gets its own). */
  kafkaHeap: Type.String({ pattern: '^[0-9]+[kKmMgG]$' }),
  /** Keep test brokers' data dirs and logs after the run. */
  keepTestData: Type.Boolean(),
  /** Where `npm start` keeps broker data and service logs; empty: <repo>/.eventline */
  runDir: Type.String(),
  /** Fixed ports for `npm start`; each can be moved with its variable. */
  ports: Type.Object({
    kafka: Port,
    kafkaController: Port,
    influx: Port,
    influxRpc: Port,
    ingest: Port,
    consumer: Port,
    rollup: Port,
    dashboard: Port,
    demo: Port,
  }),
});

type InfraSettings = Static<typeof InfraSchema>;

export type InfraConfig = InfraSettings & {
  readonly kafkaDir: string;
  readonly influxDir: string;
};

/** The infrastructure settings in `env`; throws the kit's ConfigError naming every problem. */
export function loadInfraConfig(env: Env): Readonly<InfraConfig> {
  return loadConfig(
    {
      service: 'infra',
      schema: InfraSchema,
      defaults: {
        cacheDir: join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'eventline'),
        kafkaBrokers: 1,
        kafkaHeap: '768m',
        keepTestData: false,
        runDir: '',
        ports: {
          kafka: 9092,
          kafkaController: 9093,
          influx: 8086,
          influxRpc: 8088,
          ingest: 8080,
          consumer: 9464,
          rollup: 9465,
          dashboard: 3000,
          demo: 3001,
        },
      },
      env: {
        cacheDir: 'EVENTLINE_CACHE_DIR',
        kafkaBrokers: 'EVENTLINE_KAFKA_BROKERS_COUNT',
        kafkaHeap: 'EVENTLINE_KAFKA_HEAP',
        keepTestData: 'EVENTLINE_KEEP_TEST_DATA',
        runDir: 'EVENTLINE_RUN_DIR',
        'ports.kafka': 'EVENTLINE_KAFKA_PORT',
        'ports.kafkaController': 'EVENTLINE_KAFKA_CONTROLLER_PORT',
        'ports.influx': 'EVENTLINE_INFLUX_PORT',
        'ports.influxRpc': 'EVENTLINE_INFLUX_RPC_PORT',
        'ports.ingest': 'EVENTLINE_INGEST_PORT',
        'ports.consumer': 'EVENTLINE_CONSUMER_PORT',
        'ports.rollup': 'EVENTLINE_ROLLUP_PORT',
        'ports.dashboard': 'EVENTLINE_DASHBOARD_PORT',
        'ports.demo': 'EVENTLINE_DEMO_PORT',
      },
      derive: (settings: InfraSettings): InfraConfig => ({
        ...settings,
        kafkaDir: join(settings.cacheDir, `kafka-${KAFKA_VERSION}`),
        influxDir: join(settings.cacheDir, `influxdb-${INFLUXDB_VERSION}`),
      }),
    },
    env,
  );
}

/** This process's infrastructure settings: the environment is read here, once, for all of infra and the harness. */
export const infraConfig = loadInfraConfig(process.env);

/** Fixed ports for `npm start`. */
export const startPorts = infraConfig.ports;

/** Where `npm start` keeps broker data and service logs, when not the default <repo>/.eventline. */
export const runDir = infraConfig.runDir || undefined;
