// Share links: the read token makes a signed, expiring, read-only link to one
// site and optional filters (see share-links.ts). The link carries its token
// in the URL fragment, which browsers never send to a server or a Referer.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ShareRequestSchema, ShareResponseSchema } from '@eventline/contract/read-api';
import { API_ROUTE } from '../schemas.ts';
import { signShare, type ShareKeys } from '../share-links.ts';

const DAY_MS = 86_400_000;

const shares: FastifyPluginAsyncTypebox<{ shareKeys: ShareKeys }> = async (app, { shareKeys }) => {
  app.post(
    '/shares',
    {
      schema: {
        ...API_ROUTE,
        tags: ['sharing'],
        summary: 'A read-only link to one site (and filters) that expires; needs the read token',
        description:
          'Links are revoked all together by rotating `EVENTLINE_DASHBOARD_SHARE_KEYS` (or the read token when no share key is set).',
        body: ShareRequestSchema,
        response: { ...API_ROUTE.response, 201: ShareResponseSchema },
      },
    },
    async (request, reply) => {
      const { site, filters, expiresInDays } = request.body;
      const expiresAt = Date.now() + expiresInDays * DAY_MS;
      const token = await signShare(shareKeys, { site, filters, expiresAt });
      const fragment = new URLSearchParams({ share: token });
      const query = new URLSearchParams([
        ['site', site],
        ...filters.map((filter): [string, string] => ['filter', filter]),
      ]);
      return reply.code(201).send({
        token,
        path: `/analyze?${query}#${fragment}`,
        expiresAt: new Date(expiresAt).toISOString(),
      });
    },
  );
};

export default shares;
