// The pipeline as an app resource: started when the app is ready, stopped (in-flight
// chunk finished and committed, clients disconnected) when the app closes.
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
    app.addHook('onReady', async () => {
      await pipeline.start();
    });
    app.addHook('onClose', async () => {
      await pipeline.stop();
    });
  },
  { name: 'pipeline' },
);
