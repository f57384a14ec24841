// The path from a validated batch to Kafka as an app resource: the sink and the
// micro-batcher in front of it. On close it sends whatever is still waiting,
// then disconnects, so a graceful shutdown loses nothing it acknowledged.
import fp from 'fastify-plugin';
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
      maxBufferedMessages: config.bufferMaxMessages,
      timeoutMs: config.produceTimeoutMs,
      onSend: ({ messages, seconds, ok }) => {
        app.metrics.produceDuration.observe({ outcome: ok ? 'acknowledged' : 'failed' }, seconds);
        app.metrics.produceBatchSize.observe(messages);
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
