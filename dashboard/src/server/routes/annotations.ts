// Annotations of a site's charts: listed by anyone who can read the site (a
// share link too), added and removed with the read token only (share links
// are read-only, see plugins/auth.ts).
import {
  AnnotationSchema,
  AnnotationsQuerySchema,
  AnnotationsResponseSchema,
  AnnotationTargetSchema,
  NewAnnotationSchema,
} from '@eventline/contract/read-api';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DashboardError } from '../errors.ts';
import { API_ROUTE } from '../schemas.ts';
import { parseTime, resolveAnswerRange } from '../time-range.ts';

const annotations: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v2/annotations',
    {
      schema: {
        ...API_ROUTE,
        tags: ['annotations'],
        summary: 'The notes of a site in a range (default: the last 30 days), oldest first',
        querystring: AnnotationsQuerySchema,
        response: { ...API_ROUTE.response, 200: AnnotationsResponseSchema },
      },
    },
    async (request) => ({
      annotations: await app.annotations.list(request.query.site, resolveAnswerRange(request.query)),
    }),
  );

  app.post(
    '/v2/annotations',
    {
      schema: {
        ...API_ROUTE,
        tags: ['annotations'],
        summary: 'Adds a dated note (a deploy, a campaign) to a site; needs the read token',
        body: NewAnnotationSchema,
        response: { ...API_ROUTE.response, 201: AnnotationSchema },
      },
    },
    async (request, reply) => {
      const { site, at, text } = request.body;
      const annotation = await app.annotations.add(site, parseTime(at, Date.now(), 'at'), text);
      return reply.code(201).send(annotation);
    },
  );

  app.delete(
    '/v2/annotations/:id',
    {
      schema: {
        ...API_ROUTE,
        tags: ['annotations'],
        summary: 'Removes a note; needs the read token',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: AnnotationTargetSchema,
        response: { ...API_ROUTE.response, 204: Type.Null({ description: 'Removed' }) },
      },
    },
    async (request, reply) => {
      const removed = await app.annotations.remove(request.query.site, request.params.id);
      if (!removed)
        throw new DashboardError('DASHBOARD_ANNOTATION_NOT_FOUND', `${request.params.id} on ${request.query.site}`);
      return reply.code(204).send(null);
    },
  );
};

export default annotations;
