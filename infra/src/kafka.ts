// A single Apache Kafka broker in KRaft mode (broker + controller in one JVM),
// fetched from Maven Central into the cache. Ready means a consumer group has
// round-tripped a message, not merely that the port is open.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type ITopicConfig } from 'kafkajs';
import { TOPICS } from '@eventline/contract';
import { infraConfig, KAFKA_VERSION } from './config.ts';
import { InfraError } from './errors.ts';
import { requireCommand, runLogged, startLogged, waitFor, type ManagedProcess } from './process.ts';
import type { Progress } from './progress.ts';
import { JAVA, requireTool } from './tool-versions.ts';

const pomFile = fileURLToPath(new URL('../kafka/pom.xml', import.meta.url));
const log4jFile = fileURLToPath(new URL('../kafka/log4j2.properties', import.meta.url));
const libsDir = join(infraConfig.kafkaDir, 'libs');
const completeMarker = join(infraConfig.kafkaDir, '.complete');

/** Fetches the broker's jars with Maven into the cache; a no-op when they are there. */
export async function provisionKafka(progress: Progress): Promise<void> {
  if (existsSync(completeMarker)) return;
  requireTool(JAVA);
  requireCommand('mvn', 'install Maven (Debian: apt-get install maven)');
  const staging = `${libsDir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(infraConfig.kafkaDir, { recursive: true });
  await progress.step(`Fetching Apache Kafka ${KAFKA_VERSION} from Maven Central`, () =>
    runLogged(
      'mvn',
      ['-B', '-f', pomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'],
      { logFile: join(infraConfig.kafkaDir, 'maven.log') },
    ),
  );
  rmSync(libsDir, { recursive: true, force: true });
  renameSync(staging, libsDir);
  writeFileSync(completeMarker, `${new Date().toISOString()}\n`);
}

export interface KafkaOptions {
  port: number;
  controllerPort: number;
  /** Holds the log dirs, the generated server.properties and kafka.log. */
  dataDir: string;
  /** Partitions of the `events` topic created at start. Default: 6 */
  eventPartitions?: number;
  /** Run in its own process group (see StartOptions.detached). Default: false */
  detached?: boolean;
}

export interface KafkaBroker {
  readonly brokers: string[];
  readonly process: ManagedProcess;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

function serverProperties(options: KafkaOptions, logDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${options.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${options.port},CONTROLLER://127.0.0.1:${options.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${options.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    'auto.create.topics.enable=false',
    // One broker: every internal topic must make do with one replica, or
    // consumer groups and idempotent producers never find their coordinator.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=6',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'share.coordinator.state.topic.num.partitions=1',
    'group.initial.rebalance.delay.ms=0',
    'min.insync.replicas=1',
    '',
  ].join('\n');
}

/** Formats storage on first use, starts the broker and waits until a consumer group works. */
export async function startKafka(options: KafkaOptions): Promise<KafkaBroker> {
  if (!existsSync(completeMarker)) throw new InfraError('Kafka is not provisioned', 'run `npm run infra -- provision`');
  requireTool(JAVA);
  const logDir = join(options.dataDir, 'log');
  const propertiesFile = join(options.dataDir, 'server.properties');
  const logFile = join(options.dataDir, 'kafka.log');
  mkdirSync(options.dataDir, { recursive: true });
  writeFileSync(propertiesFile, serverProperties(options, logDir));
  const java = [
    '-Xms256m',
    `-Xmx${infraConfig.kafkaHeap}`,
    `-Dlog4j2.configurationFile=${log4jFile}`,
    '-cp',
    join(libsDir, '*'),
  ];
  if (!existsSync(join(logDir, 'meta.properties'))) {
    // A Kafka cluster id is 16 random bytes in base64url; one that starts with '-' would read as an option.
    let clusterId = randomBytes(16).toString('base64url');
    while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
    await runLogged('java', [...java, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile], {
      logFile,
    });
  }
  const broker = startLogged('kafka', 'java', [...java, 'kafka.Kafka', propertiesFile], {
    logFile,
    detached: options.detached,
  });
  const brokers = [`127.0.0.1:${options.port}`];
  try {
    await waitFor('Kafka', () => consumerGroupWorks(brokers), { timeoutMs: 90_000, process: broker, intervalMs: 500 });
    await createTopics(brokers, [
      { topic: TOPICS.events, numPartitions: options.eventPartitions ?? 6 },
      { topic: TOPICS.deadLetter, numPartitions: 1 },
      { topic: TOPICS.touchedHours, numPartitions: options.eventPartitions ?? 6 },
    ]);
  } catch (error) {
    await broker.stop();
    throw error;
  }
  return { brokers, process: broker, stop: () => broker.stop(30_000), kill: () => broker.kill() };
}

const quietKafka = (brokers: string[]) =>
  new Kafka({
    brokers,
    clientId: 'eventline-infra',
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 200 },
  });

/** Creates topics that do not exist yet and waits for their leaders. */
export async function createTopics(brokers: string[], topics: ITopicConfig[]): Promise<void> {
  const admin = quietKafka(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((t) => ({ replicationFactor: 1, ...t })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

async function consumerGroupWorks(brokers: string[]): Promise<boolean> {
  const kafka = quietKafka(brokers);
  const topic = '__eventline_readiness';
  await createTopics(brokers, [{ topic, numPartitions: 1 }]);
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `eventline-readiness-${randomBytes(4).toString('hex')}` });
  try {
    await producer.connect();
    const marker = randomBytes(8).toString('hex');
    await producer.send({ topic, acks: -1, messages: [{ value: marker }] });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value?.toString() === marker) {
            clearTimeout(timer);
            resolve(true);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
  }
}
