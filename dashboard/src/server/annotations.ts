// Annotations: dated notes on a site's charts (a deploy, a campaign), stored
// in InfluxDB beside the rollups (their retention policy, so they live as long
// as the numbers they explain). One point per note, tagged by site and id.
// Removing overwrites the point (same series, same time) with `deleted` and
// no text, since InfluxDB 1.8 deletes by series, not by point.
import { randomUUID } from 'node:crypto';
import { RETENTION } from '@eventline/contract';
import type { Annotation } from '@eventline/contract/read-api';
import { ident, type InfluxQL } from '@eventline/rollup/influxql';
import { Point } from '@influxdata/influxdb-client';
import type { FastifyBaseLogger } from 'fastify';
import { DashboardError } from './errors.ts';
import type { TimeRange } from './time-range.ts';

export const ANNOTATION_MEASUREMENT = 'annotation';
const TAG = { site: 'site', id: 'id' } as const;
const FIELD = { text: 'text', deleted: 'deleted' } as const;

/** Most annotations one answer lists. */
export const MAX_ANNOTATIONS = 500;

export interface Annotations {
  list(site: string, range: TimeRange): Promise<Annotation[]>;
  add(site: string, at: number, text: string): Promise<Annotation>;
  /** False when the site has no annotation with that id (or it was removed already). */
  remove(site: string, id: string): Promise<boolean>;
}

function line(site: string, id: string, at: number, text: string, deleted: boolean): string {
  const point = new Point(ANNOTATION_MEASUREMENT)
    .tag(TAG.site, site)
    .tag(TAG.id, id)
    .stringField(FIELD.text, text)
    .booleanField(FIELD.deleted, deleted)
    .timestamp(String(at));
  // A point with fields always has a line; the client answers undefined only for one without.
  return point.toLineProtocol() ?? '';
}

export function createAnnotations(deps: { influxql: InfluxQL; logger: FastifyBaseLogger }): Annotations {
  const logger = deps.logger.child({ module: 'annotations' });
  const from = `${ident(deps.influxql.database)}.${ident(RETENTION.rollupPolicy)}.${ident(ANNOTATION_MEASUREMENT)}`;

  async function storage<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      logger.error({ err: error }, `InfluxDB annotation ${what} failed`);
      throw new DashboardError('DASHBOARD_STORAGE_UNAVAILABLE', undefined, { cause: error });
    }
  }

  async function select(where: string, params: Record<string, string>, limit: number): Promise<Annotation[]> {
    const statement = `SELECT ${ident(FIELD.text)}, ${ident(FIELD.deleted)}, ${ident(TAG.id)} FROM ${from}
      WHERE ${ident(TAG.site)} = $site AND ${ident(FIELD.deleted)} = false AND ${where} LIMIT ${limit}`;
    const found: Annotation[] = [];
    for await (const rows of deps.influxql.rows(statement, params)) {
      for (const row of rows) {
        found.push({
          id: String(row[TAG.id]),
          at: new Date(Number(row['time'])).toISOString(),
          text: String(row[FIELD.text]),
        });
      }
    }
    return found;
  }

  return {
    list: (site, range) =>
      storage('query', () =>
        select(
          'time >= $from AND time < $to',
          { site, from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() },
          MAX_ANNOTATIONS,
        ),
      ),

    add: (site, at, text) =>
      storage('write', async () => {
        const id = randomUUID();
        await deps.influxql.write([line(site, id, at, text, false)], RETENTION.rollupPolicy, 'ms');
        return { id, at: new Date(at).toISOString(), text };
      }),

    remove: (site, id) =>
      storage('removal', async () => {
        const [found] = await select(`${ident(TAG.id)} = $id`, { site, id }, 1);
        if (!found) return false;
        await deps.influxql.write([line(site, id, Date.parse(found.at), '', true)], RETENTION.rollupPolicy, 'ms');
        return true;
      }),
  };
}
