// `npm start`: provisions and starts Kafka and InfluxDB, builds and starts the
// four services, prints where everything is, and stops it all on Ctrl-C.
import { join } from 'node:path';
import { infraConfig, runDir, startPorts } from '../config.ts';
import { InfraError } from '../errors.ts';
import { assertPortFree } from '../ports.ts';
import { runLogged, tail, type ManagedProcess } from '../process.ts';
import { consoleProgress } from '../progress.ts';
import { repoRoot, serviceSpecs, startService } from '../services.ts';
import { provisionInfra, startInfra, type Infra } from '../stack.ts';

const progress = consoleProgress();
const dataDir = runDir ?? join(repoRoot, '.eventline');
const logDir = join(dataDir, 'logs');
const running: ManagedProcess[] = [];
let infra: Infra | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    progress.info('stopping …');
    for (const service of running.reverse()) await service.stop();
    await infra?.stop();
    progress.info('stopped; nothing left running');
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  const envVars: Record<keyof typeof startPorts, string> = {
    kafka: 'EVENTLINE_KAFKA_PORT',
    kafkaController: 'EVENTLINE_KAFKA_CONTROLLER_PORT',
    influx: 'EVENTLINE_INFLUX_PORT',
    influxRpc: 'EVENTLINE_INFLUX_RPC_PORT',
    ingest: 'EVENTLINE_INGEST_PORT',
    consumer: 'EVENTLINE_CONSUMER_PORT',
    rollup: 'EVENTLINE_ROLLUP_PORT',
    dashboard: 'EVENTLINE_DASHBOARD_PORT',
    demo: 'EVENTLINE_DEMO_PORT',
  };
  for (const [what, port] of Object.entries(startPorts) as [keyof typeof startPorts, number][]) {
    await assertPortFree(port, what, envVars[what]);
  }
  // A cluster's further brokers sit two ports above the first broker's (see startInfra).
  for (let node = 2; node <= infraConfig.kafkaBrokers; node++) {
    const up = 2 * (node - 1);
    await assertPortFree(startPorts.kafka + up, `kafka broker ${node}`, envVars.kafka);
    await assertPortFree(startPorts.kafkaController + up, `kafka controller ${node}`, envVars.kafkaController);
  }
  await provisionInfra(progress);
  await progress.step('Building the SDK and the dashboard', () =>
    runLogged('npm', ['run', 'build', '--workspaces', '--if-present'], {
      cwd: repoRoot,
      logFile: join(logDir, 'build.log'),
    }),
  );
  infra = await startInfra({ dataDir, ports: startPorts, detached: true }, progress);
  const specs = serviceSpecs(
    { brokers: infra.kafka.brokers, influxUrl: infra.influx.url, bucket: infra.bucket },
    startPorts,
  );
  for (const spec of specs) {
    const service = await progress.step(`Starting ${spec.name}`, () => startService(spec, logDir));
    running.push(service);
    void service.exited.then(async (code) => {
      if (stopping) return;
      progress.info(`${spec.name} exited (${code}); last lines of ${service.logFile}:\n${tail(service.logFile, 20)}`);
      await shutdown(1);
    });
  }
  progress.info('Eventline is running:');
  for (const spec of specs) if (spec.publicUrl) progress.info(`  ${spec.name.padEnd(10)} ${spec.publicUrl}`);
  progress.info(`  kafka      ${infra.kafka.brokers.join(',')}`);
  progress.info(`  influxdb   ${infra.influx.url} (bucket ${infra.bucket})`);
  progress.info(
    `logs in ${logDir} (brokers: ${join(dataDir, 'kafka', infraConfig.kafkaBrokers > 1 ? 'node-*' : '', 'kafka.log')}, ` +
      `${join(dataDir, 'influxdb', 'influxd.log')})`,
  );
  progress.info('Ctrl-C stops everything.');
} catch (error) {
  process.stderr.write(
    `[eventline] ${error instanceof InfraError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  await shutdown(1);
}
