// Read-only access to the API: every request in the scope this plugin is
// registered in must carry `Authorization: Bearer <token>`. Compared in
// constant time on digests, so neither content nor length leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DashboardError } from '../errors.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

export default fp(
  async (app: FastifyInstance, options: { token: string }) => {
    const expected = digest(options.token);
    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization ?? '';
      const match = /^Bearer (.+)$/i.exec(header);
      if (!match || !timingSafeEqual(digest(match[1]!), expected)) throw new DashboardError('DASHBOARD_UNAUTHORIZED');
    });
  },
  { name: 'auth' },
);
