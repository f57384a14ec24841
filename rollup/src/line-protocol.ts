// Rollup points as line protocol. Tag values are dimension values people chose
// (labels, selectors, campaign names), so every one must be representable.
import { createHash } from 'node:crypto';
import {
  ROLLUP_FIELD,
  ROLLUP_REVISION_FIELD,
  ROLLUP_MEASUREMENTS,
  ROLLUP_TAG,
  type RollupCounts,
  type RollupGrain,
} from '@eventline/contract';

/**
 * InfluxDB 1.8 reads a backslash before `,`, `=`, space or the end of a tag
 * value as an escape, with no way to write such a backslash literally; it is
 * stored as U+29F5 (⧵, which looks the same) instead. Line breaks become spaces.
 */
export function storedTagValue(value: string): string {
  // Nearly every value has nothing to change: one scan instead of two replacements.
  if (!/[\r\n\\]/.test(value)) return value;
  return value.replace(/\r\n|\r|\n/g, ' ').replace(/\\(?=[, =]|$)/g, '\u29f5');
}

export const escapeTag = (value: string) => storedTagValue(value).replace(/[, =]/g, '\\$&');

export const stringField = (value: string) => `"${value.replace(/[\\"]/g, '\\$&')}"`;

export interface RollupPointKey {
  site: string;
  audience: string;
  dimension: string;
  value: string;
  grain: RollupGrain;
  /** Start of the UTC bucket, epoch ms. */
  start: number;
}

/** A point's revision: 48 bits of the MD5 of its fields, the same for the same counts and sketches. */
export function revisionOf([events, pageviews, visitors, sessions]: RollupCounts): number {
  return createHash('md5').update(`${events},${pageviews},${visitors},${sessions}`).digest().readUIntBE(0, 6);
}

export function rollupLine(key: RollupPointKey, [events, pageviews, visitors, sessions]: RollupCounts): string {
  // Tags in key order, as InfluxDB sorts them anyway.
  const tags = [
    `${ROLLUP_TAG.audience}=${escapeTag(key.audience)}`,
    `${ROLLUP_TAG.dimension}=${escapeTag(key.dimension)}`,
    `${ROLLUP_TAG.site}=${escapeTag(key.site)}`,
    `${ROLLUP_TAG.value}=${escapeTag(key.value)}`,
  ].join(',');
  const fields = [
    `${ROLLUP_FIELD.events}=${events}i`,
    `${ROLLUP_FIELD.pageviews}=${pageviews}i`,
    `${ROLLUP_FIELD.visitors}=${stringField(visitors)}`,
    `${ROLLUP_FIELD.sessions}=${stringField(sessions)}`,
    `${ROLLUP_REVISION_FIELD}=${revisionOf([events, pageviews, visitors, sessions])}i`,
  ].join(',');
  return `${ROLLUP_MEASUREMENTS[key.grain]},${tags} ${fields} ${key.start}`;
}
