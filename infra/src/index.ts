export { infraConfig, KAFKA_VERSION, INFLUXDB_VERSION } from './config.ts';
export { InfraError } from './errors.ts';
export { consoleProgress, silentProgress, type Progress } from './progress.ts';
export { freePort, isPortFree, assertPortFree } from './ports.ts';
export { startLogged, waitFor, tail, type ManagedProcess } from './process.ts';
export {
  provisionKafka,
  startKafka,
  createTopics,
  replicationFor,
  type KafkaBroker,
  type KafkaNode,
  type KafkaNodePorts,
  type KafkaOptions,
} from './kafka.ts';
export {
  provisionInflux,
  startInflux,
  createBucket,
  isHealthy,
  type InfluxServer,
  type InfluxOptions,
} from './influx.ts';
export { provisionInfra, startInfra, DEFAULT_BUCKET, type Infra, type InfraOptions } from './stack.ts';
