// The path from a validated batch to Kafka as an app resource: the sink and the
// micro-batcher in front of it. On close it sends whatever is still waiting,
// then disconnects, so a graceful shutdown loses nothing it acknowledged.
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
import type { IngestConfig } from '../config.ts';
import type { EventSink } from '../kafka/event-sink.ts';
import { createMicroBatcher, type MicroBatcher } from '../kafka/micro-batcher.ts';

declare module 'fastify' {
  interface FastifyInstance {
    sink: EventSink;
    batcher: MicroBatcher;
  }
}

export const eventPipelinePlugin = fp(
  async (app, options: { config: IngestConfig; sink: EventSink }) => {
    const { config, sink } = options;
    const batcher = createMicroBatcher({
      sink,
      logger: app.log,
      lingerMs: config.lingerMs,
      maxBatchMessages: config.produceBatchMaxMessages,
      maxBatchBytes: config.produceBatchMaxBytes,
      maxBufferedMessages: config.bufferMaxMessages,
      maxBufferedBytes: config.bufferMaxBytes,
      maxWaitMs: config.shedProduceWaitMs,
      timeoutMs: config.produceTimeoutMs,
      onSend: ({ messages, seconds, ok }) => {
        app.metrics.produceDuration.observe({ outcome: ok ? 'acknowledged' : 'failed' }, seconds);
        app.metrics.produceBatchSize.observe(messages);
      },
    });
    new Gauge({
      name: 'eventline_ingest_buffered_messages',
      help: 'Records (one per visitor per request) waiting in the micro-batcher for a Kafka send.',
      registers: [app.metrics.registry],
      collect() {
        this.set(batcher.buffered());
      },
    });
    new Gauge({
      name: 'eventline_ingest_buffered_bytes',
      help: 'Bytes (keys and values) of the records waiting in the micro-batcher.',
      registers: [app.metrics.registry],
      collect() {
        this.set(batcher.bufferedBytes());
      },
    });
    app.decorate('sink', sink);
    app.decorate('batcher', batcher);
    sink.start();
    app.addHook('onClose', async () => {
      await batcher.drain();
      await sink.close();
    });
  },
  { name: 'eventline-event-pipeline', dependencies: ['eventline-metrics'] },
);
