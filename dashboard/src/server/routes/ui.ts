// Serves the built dashboard (vite output). index.html is served for every
// page route so shared links with filters in the URL open directly, with a
// strict Content-Security-Policy; the local default read token is embedded in
// it so `npm start` needs no login (a configured token never is).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DashboardError } from '../errors.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // uPlot positions its cursor and legend with inline style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const TOKEN_META = '<meta name="eventline-token" content="" />';

const escapeAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export default async function ui(
  app: FastifyInstance,
  options: { uiDir: string; token: string; embedToken: boolean },
): Promise<void> {
  const indexFile = join(options.uiDir, 'index.html');
  const built = existsSync(indexFile);
  const index = built
    ? readFileSync(indexFile, 'utf8').replace(
        TOKEN_META,
        options.embedToken ? `<meta name="eventline-token" content="${escapeAttribute(options.token)}" />` : TOKEN_META,
      )
    : '';

  const sendIndex = (reply: FastifyReply) => {
    if (!built) throw new DashboardError('DASHBOARD_UI_NOT_BUILT');
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .send(index);
  };

  if (built) {
    await app.register(fastifyStatic, {
      root: join(options.uiDir, 'assets'),
      prefix: '/assets/',
      // Vite puts a content hash in every asset name.
      immutable: true,
      maxAge: '365d',
    });
  }
  // Pages, not API: left out of the OpenAPI document.
  app.get('/', { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
  app.get('/analyze', { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
  app.get('/events', { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
}
