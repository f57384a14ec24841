// Builds the demo site: the Recording page (also at /products and /about, its
// client-side routes), the npm-usage page, the SDK's build output under /sdk/
// as a site would host it, the page scripts under /assets/ and /healthz.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { errorReplies, routeOf } from '@eventline/kit/error-replies';
import { slowClientOptions } from '@eventline/kit/slow-clients';
import type { DemoConfig } from './config.ts';
import { DemoError, toDemoError } from './errors.ts';
import { npmPage, recordingPage, type PageContext } from './pages.ts';

const publicDir = fileURLToPath(new URL('../../public/', import.meta.url));

export async function buildApp(config: Readonly<DemoConfig>): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel },
    ...slowClientOptions(config),
  });
  await app.register(errorReplies, {
    translate: toDemoError,
    notFound: (request) => new DemoError('DEMO_NOT_FOUND', routeOf(request)),
  });
  const snippetFile = join(config.sdkDir, 'snippet.min.js');

  // Read on every page view so a rebuilt SDK is picked up without a restart.
  const context = (): PageContext => ({
    config,
    snippet: existsSync(snippetFile) ? readFileSync(snippetFile, 'utf8') : undefined,
  });
  const html = (render: (context: PageContext) => string) => async (_request: unknown, reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(render(context()));

  app.get('/healthz', async () => ({ status: 'ok' }));
  for (const path of ['/', '/products', '/about']) app.get(path, html(recordingPage));
  app.get('/npm', html(npmPage));

  // @fastify/static's default `max-age=0` with ETags: browsers revalidate, so a rebuilt SDK is never stale.
  await app.register(fastifyStatic, { root: config.sdkDir, prefix: '/sdk/', decorateReply: false });
  await app.register(fastifyStatic, { root: publicDir, prefix: '/static/', decorateReply: false });
  await app.register(fastifyStatic, { root: join(config.distDir, 'assets'), prefix: '/assets/', decorateReply: false });
  return app;
}
