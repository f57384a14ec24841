// `npm run infra -- provision | up`: fetch/build Kafka and InfluxDB into the
// cache, or run just the two of them on the npm start ports until Ctrl-C.
import { join } from 'node:path';
import { runDir, startPorts } from '../config.ts';
import { InfraError } from '../errors.ts';
import { consoleProgress } from '../progress.ts';
import { repoRoot } from '../services.ts';
import { provisionInfra, startInfra } from '../stack.ts';

const progress = consoleProgress('infra');
const command = process.argv[2];

try {
  if (command === 'provision') {
    await provisionInfra(progress);
  } else if (command === 'up') {
    await provisionInfra(progress);
    const infra = await startInfra(
      { dataDir: runDir ?? join(repoRoot, '.eventline'), ports: startPorts, detached: true },
      progress,
    );
    progress.info(
      `kafka ${infra.kafka.brokers.join(',')}  influxdb ${infra.influx.url} (bucket ${infra.bucket}); Ctrl-C stops both`,
    );
    const stop = () => void infra.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } else {
    process.stderr.write('usage: npm run infra -- provision | up\n');
    process.exit(2);
  }
} catch (error) {
  process.stderr.write(`[infra] ${error instanceof InfraError ? error.message : String(error)}\n`);
  process.exit(1);
}
