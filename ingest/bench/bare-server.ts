// The benchmark's baseline: a bare Fastify route that parses the same body the
// same way (secure JSON parser, text/plain too) and does nothing with it.
import Fastify from 'fastify';

const app = Fastify();
app.removeContentTypeParser('text/plain');
app.addContentTypeParser(
  'text/plain',
  { parseAs: 'string', bodyLimit: 512 * 1024 },
  app.getDefaultJsonParser('error', 'error'),
);
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/v1/batch', { bodyLimit: 512 * 1024 }, async (request) => ({
  accepted: (request.body as { events: unknown[] }).events.length,
  rejected: [],
}));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
await app.listen({ host: '127.0.0.1', port: Number(process.env['BARE_PORT']) });
