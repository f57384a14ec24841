// The pipeline as an app resource. It starts when the app is ready without
// holding the app back, so /healthz answers and /readyz says 503 while Kafka is
// still being reached; a start that fails for good is reported to onFatal. On
// close, the chunk in flight is finished and committed and the clients disconnect.
import fp from 'fastify-plugin';
import { createPipeline, type Pipeline, type PipelineOptions } from '../pipeline.ts';

declare module 'fastify' {
  interface FastifyInstance {
    pipeline: Pipeline;
  }
}

export const pipelinePlugin = fp(
  async (app, options: Omit<PipelineOptions, 'logger'>) => {
    const pipeline = createPipeline({ ...options, logger: app.log as PipelineOptions['logger'] });
    app.decorate('pipeline', pipeline);
    let starting: Promise<void> = Promise.resolve();
    app.addHook('onReady', async () => {
      starting = pipeline.start().catch((error: Error) => {
        app.log.fatal({ err: error }, 'the consumer could not start');
        options.onFatal?.(error);
      });
    });
    app.addHook('onClose', async () => {
      await starting;
      await pipeline.stop();
    });
  },
  { name: 'pipeline' },
);
