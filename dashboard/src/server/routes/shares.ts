// Share links: the read token makes a signed, expiring, read-only link to one
// site and optional filters (see share-links.ts). The link carries its token
// in the URL fragment, which browsers never send to a server or a Referer.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { API_ROUTE } from '../schemas.ts';
import { signShare, type ShareKeys } from '../share-links.ts';

const DAY_MS = 86_400_000;
/** The query parameters a link can fix: the ones that narrow what an answer counts. */
export const SHARE_FILTERS = ['type', 'q'] as const;

/** The longest a link may live, days: a forgotten link stops working on its own. */
export const MAX_SHARE_DAYS = 365;

const ShareRequestSchema = Type.Object(
  {
    site: Type.String({ minLength: 1, maxLength: 64, description: 'The one site the link reads' }),
    filters: Type.Record(Type.String(), Type.String({ minLength: 1, maxLength: 200 }), {
      // propertyNames refuses other names; additionalProperties: false would only drop them (Fastify's removeAdditional).
      propertyNames: { enum: [...SHARE_FILTERS] },
      default: {},
      description: `Filters every request through the link carries with exactly these values: ${SHARE_FILTERS.join(', ')}`,
    }),
    expiresInDays: Type.Integer({ minimum: 1, maximum: MAX_SHARE_DAYS, default: 7 }),
  },
  { additionalProperties: false },
);

const ShareResponseSchema = Type.Object({
  token: Type.String({ description: 'Send as `Authorization: Bearer <token>`; GET requests only' }),
  path: Type.String({ description: 'The Analyze page with the token in its fragment: prefix the dashboard origin' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

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
      const query = new URLSearchParams({ site, ...filters });
      return reply.code(201).send({
        token,
        path: `/analyze?${query}#${fragment}`,
        expiresAt: new Date(expiresAt).toISOString(),
      });
    },
  );
};

export default shares;
