// Access to the API: every request in the scope this plugin is registered in
// must carry `Authorization: Bearer <credential>`, where the credential is
// either the read token (everything) or a share link (GET only, one site and
// its filters, until it expires). The read token is compared in constant time
// on digests, so neither content nor length leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DashboardError } from '../errors.ts';
import { verifyShare, type ShareKeys, type ShareScope } from '../share-links.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request came through a share link: what it may read. */
    share?: ShareScope;
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

const REJECTIONS = {
  malformed: 'The credential is neither the read token nor a share link',
  expired: 'The share link has expired',
  revoked: 'The share link was revoked (its signing key is no longer configured)',
} as const;

export default fp(
  async (app: FastifyInstance, options: { token: string; shareKeys: ShareKeys }) => {
    const expected = digest(options.token);
    app.decorateRequest('share', undefined);
    app.addHook('onRequest', async (request) => {
      const match = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
      if (!match) throw new DashboardError('DASHBOARD_UNAUTHORIZED');
      const credential = match[1]!;
      if (timingSafeEqual(digest(credential), expected)) return;
      const verified = await verifyShare(options.shareKeys, credential);
      if ('rejected' in verified) throw new DashboardError('DASHBOARD_UNAUTHORIZED', REJECTIONS[verified.rejected]);
      if (request.method !== 'GET' && request.method !== 'HEAD')
        throw new DashboardError(
          'DASHBOARD_SHARE_FORBIDDEN',
          `A share link only reads; ${request.method} needs the read token`,
        );
      request.share = verified.scope;
    });
    // Before validation, so the route validates (and answers) what the link allows.
    app.addHook('preValidation', async (request) => {
      if (request.share) request.query = scopedQuery(request, request.share);
    });
  },
  { name: 'auth' },
);

/**
 * The query with the link's site and filters in force: another site is refused,
 * not widened; the link's filters are added to those asked for (which can only
 * narrow further), and a route that cannot filter is refused when the link has filters.
 */
function scopedQuery(request: FastifyRequest, share: ShareScope): Record<string, unknown> {
  const query = { ...(request.query as Record<string, unknown>) };
  if (query['site'] !== undefined && query['site'] !== share.site)
    throw new DashboardError('DASHBOARD_SHARE_FORBIDDEN', `site=${share.site} is fixed by the link`);
  query['site'] = share.site;
  if (share.filters.length === 0) return query;
  const schema = request.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
  if (!schema?.properties?.['filter'])
    throw new DashboardError(
      'DASHBOARD_SHARE_FORBIDDEN',
      `${request.routeOptions.url} cannot apply the link's filters`,
    );
  const asked = query['filter'] === undefined ? [] : ([] as unknown[]).concat(query['filter']);
  query['filter'] = [...new Set([...asked, ...share.filters])];
  return query;
}
