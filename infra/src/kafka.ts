// Apache Kafka in KRaft mode, fetched from Maven Central into the cache: one
// broker, or a cluster of brokers (each broker + controller in its own JVM) with
// replicated topics. Ready means a consumer group has round-tripped a message,
// not merely that the ports are open.
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

export interface KafkaNodePorts {
  /** Client (PLAINTEXT) port. */
  port: number;
  /** KRaft controller port. */
  controllerPort: number;
}

export interface KafkaOptions extends KafkaNodePorts {
  /** Holds one directory per broker with its log dirs, generated server.properties and kafka.log. */
  dataDir: string;
  /**
   * Ports of further brokers: with two more, a 3-broker KRaft cluster (each node broker and
   * controller in its own JVM), topics at replication factor 3 and min.insync.replicas=2. Default: none
   */
  additionalNodes?: KafkaNodePorts[];
  /** Partitions of the `events` topic created at start. Default: 6 */
  eventPartitions?: number;
  /** Run in its own process group (see StartOptions.detached). Default: false */
  detached?: boolean;
}

/** One broker of the cluster, which a fault test can kill and bring back on its own. */
export interface KafkaNode {
  /** Its KRaft node.id, which is also the broker id in topic metadata. */
  readonly id: number;
  /** `host:port` of its client listener. */
  readonly address: string;
  /** The running JVM, or undefined while killed. */
  readonly process: ManagedProcess | undefined;
  kill(): Promise<void>;
  /** Starts it again on its own data; resolves once it answers on its client port. */
  start(): Promise<void>;
}

export interface KafkaBroker {
  /** Client addresses of every broker. */
  readonly brokers: string[];
  /** The first broker's JVM (for CPU placement and logs). */
  readonly process: ManagedProcess;
  readonly nodes: readonly KafkaNode[];
  /** Replication factor of the events and dead-letter topics (the number of brokers, at most 3). */
  readonly replicationFactor: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Replication settings for a cluster of `size` brokers: 3 copies and 2 in sync where there are 3. */
export function replicationFor(size: number): { factor: number; minInSync: number } {
  const factor = Math.min(3, size);
  return { factor, minInSync: factor >= 3 ? 2 : 1 };
}

function serverProperties(id: number, all: KafkaNodePorts[], logDir: string): string {
  const own = all[id - 1] as KafkaNodePorts;
  const { factor, minInSync } = replicationFor(all.length);
  return [
    'process.roles=broker,controller',
    `node.id=${id}`,
    `controller.quorum.voters=${all.map((node, i) => `${i + 1}@127.0.0.1:${node.controllerPort}`).join(',')}`,
    `listeners=PLAINTEXT://127.0.0.1:${own.port},CONTROLLER://127.0.0.1:${own.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${own.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    'auto.create.topics.enable=false',
    // Internal topics get the cluster's replication: with one broker they must make do
    // with one replica, or consumer groups and idempotent producers never find their coordinator.
    `offsets.topic.replication.factor=${factor}`,
    'offsets.topic.num.partitions=6',
    `transaction.state.log.replication.factor=${factor}`,
    `transaction.state.log.min.isr=${minInSync}`,
    'transaction.state.log.num.partitions=6',
    `share.coordinator.state.topic.replication.factor=${factor}`,
    `share.coordinator.state.topic.min.isr=${minInSync}`,
    'share.coordinator.state.topic.num.partitions=1',
    `default.replication.factor=${factor}`,
    'group.initial.rebalance.delay.ms=0',
    `min.insync.replicas=${minInSync}`,
    // A replica that was killed must not become leader with less than the in-sync replicas had.
    'unclean.leader.election.enable=false',
    '',
  ].join('\n');
}

function javaArgs(): string[] {
  return [
    '-Xms128m',
    `-Xmx${infraConfig.kafkaHeap}`,
    `-Dlog4j2.configurationFile=${log4jFile}`,
    '-cp',
    join(libsDir, '*'),
  ];
}

/** A Kafka cluster id is 16 random bytes in base64url; one that starts with '-' would read as an option. */
function newClusterId(): string {
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  return clusterId;
}

/** Formats each broker's storage on first use, starts them and waits until a consumer group works. */
export async function startKafka(options: KafkaOptions): Promise<KafkaBroker> {
  if (!existsSync(completeMarker)) throw new InfraError('Kafka is not provisioned', 'run `npm run infra -- provision`');
  requireTool(JAVA);
  const all: KafkaNodePorts[] = [
    { port: options.port, controllerPort: options.controllerPort },
    ...(options.additionalNodes ?? []),
  ];
  const clusterId = newClusterId();
  const layouts = await Promise.all(
    all.map(async (_, index) => {
      const id = index + 1;
      // A single broker keeps the layout it always had; a cluster has one directory per node.
      const dir = all.length === 1 ? options.dataDir : join(options.dataDir, `node-${id}`);
      const logDir = join(dir, 'log');
      const propertiesFile = join(dir, 'server.properties');
      const logFile = join(dir, 'kafka.log');
      mkdirSync(dir, { recursive: true });
      writeFileSync(propertiesFile, serverProperties(id, all, logDir));
      if (!existsSync(join(logDir, 'meta.properties'))) {
        await runLogged(
          'java',
          [...javaArgs(), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile],
          {
            logFile,
          },
        );
      }
      return { id, propertiesFile, logFile, address: `127.0.0.1:${all[index]?.port}` };
    }),
  );
  const launch = (layout: (typeof layouts)[number]) =>
    startLogged(
      all.length === 1 ? 'kafka' : `kafka-${layout.id}`,
      'java',
      [...javaArgs(), 'kafka.Kafka', layout.propertiesFile],
      {
        logFile: layout.logFile,
        detached: options.detached,
      },
    );
  const processes = new Map<number, ManagedProcess>(layouts.map((layout) => [layout.id, launch(layout)]));
  const nodes: KafkaNode[] = layouts.map((layout) => ({
    id: layout.id,
    address: layout.address,
    get process() {
      return processes.get(layout.id);
    },
    async kill() {
      await processes.get(layout.id)?.kill();
      processes.delete(layout.id);
    },
    async start() {
      if (processes.has(layout.id)) return;
      const started = launch(layout);
      processes.set(layout.id, started);
      await waitFor(`Kafka broker ${layout.id}`, () => brokerAnswers(layout.address), {
        timeoutMs: 90_000,
        process: started,
        intervalMs: 500,
      });
    },
  }));
  const brokers = layouts.map((layout) => layout.address);
  const stopAll = (how: (p: ManagedProcess) => Promise<void>) => async () => {
    await Promise.all([...processes.values()].map(how));
    processes.clear();
  };
  const first = processes.get(1) as ManagedProcess;
  const { factor } = replicationFor(all.length);
  try {
    await waitFor('Kafka', () => consumerGroupWorks(brokers), { timeoutMs: 120_000, process: first, intervalMs: 500 });
    await createTopics(brokers, [
      { topic: TOPICS.events, numPartitions: options.eventPartitions ?? 6 },
      { topic: TOPICS.deadLetter, numPartitions: 1 },
      { topic: TOPICS.touchedHours, numPartitions: options.eventPartitions ?? 6 },
    ]);
  } catch (error) {
    await stopAll((p) => p.stop())();
    throw error;
  }
  return {
    brokers,
    process: first,
    nodes,
    replicationFactor: factor,
    stop: stopAll((p) => p.stop(30_000)),
    kill: stopAll((p) => p.kill()),
  };
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
    // Replication follows the cluster (min.insync.replicas is the brokers' default, set in server.properties).
    const { factor } = replicationFor((await admin.describeCluster()).brokers.length);
    await admin.createTopics({
      topics: topics.map((t) => ({ replicationFactor: factor, ...t })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** True once the broker at `address` answers a metadata request itself. */
async function brokerAnswers(address: string): Promise<boolean> {
  const admin = quietKafka([address]).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.some((broker) => `${broker.host}:${broker.port}` === address);
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
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
