// How rollups are stored: in their own retention policy, one point per
// (site, audience, dimension, value, hour) with the value's events, page views
// and unique-count sketches. A recompute of an hour rewrites every point of it
// (same series, same time: an overwrite), and writes zeros for a value listed
// before but not now (it moved into (other)), so recomputing is idempotent and
// nothing counted before can be counted twice. String fields are limited to
// 64 KiB in InfluxDB 1.8, which is why a value is a point and not a JSON entry.
// The rollup worker writes with these names and the dashboard reads with them.
import { FIELD, TAG } from './storage.ts';

export const ROLLUP_MEASUREMENT = 'rollup_hour';

/** Retention policies: rollups outlive raw events, so a year can be looked at after raw points expire. */
export const RETENTION = Object.freeze({
  /** Retention policy of the rollups, created by the rollup worker. */
  rollupPolicy: 'rollups',
  /** How long rollups are kept by default. 2 years */
  rollupDuration: '730d',
  /** How long raw events are kept by default. 90 days */
  rawDuration: '90d',
});

/** Series: sites × audiences × (1 + dimensions × (DEFAULT_MAX_VALUES + 1)) at most. */
export const ROLLUP_TAG = Object.freeze({ site: 'site', audience: 'audience', dimension: 'dimension', value: 'value' });

/** `people` is the default audience of every answer; bots are counted apart. */
export const AUDIENCES = ['people', 'bots'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const ROLLUP_FIELD = Object.freeze({
  events: 'events',
  pageviews: 'pageviews',
  /** Unique anonymous ids, a serialized HyperLogLog (@eventline/kit/hyperloglog). */
  visitors: 'visitors',
  /** Unique session ids, a serialized HyperLogLog. */
  sessions: 'sessions',
});

/**
 * Dimensions an answer can be broken down or filtered by, and the raw column
 * (tag or field) each is read from. `all` has the single value ALL_VALUE: the
 * hour's totals.
 */
export const DIMENSION_COLUMNS = Object.freeze({
  type: TAG.type,
  name: FIELD.name,
  path: FIELD.pagePath,
  label: FIELD.label,
  selector: FIELD.elementSelector,
  referrer: FIELD.referrerHost,
  utm_source: FIELD.utmSource,
  utm_medium: FIELD.utmMedium,
  utm_campaign: FIELD.utmCampaign,
  browser: FIELD.browser,
  os: FIELD.os,
  device: FIELD.device,
});
export type Dimension = keyof typeof DIMENSION_COLUMNS;
export const DIMENSIONS = Object.keys(DIMENSION_COLUMNS) as Dimension[];
export const ALL_DIMENSION = 'all';
export const ALL_VALUE = 'all';

/** The value of events that have none for a dimension (a direct visit has no referrer). */
export const NONE_VALUE = '(none)';
/** Where the values beyond a dimension's bound are counted together. */
export const OTHER_VALUE = '(other)';

/**
 * Most distinct values a (site, dimension, hour) point lists; the rest are
 * counted under OTHER_VALUE. Values are ranked by events within the hour.
 */
export const DEFAULT_MAX_VALUES = 1_000;

/** One value's counts in an hour: events, page views, unique-visitor sketch, session sketch (serialized). */
export type RollupCounts = [events: number, pageviews: number, visitors: string, sessions: string];

const HOUR_MS = 3_600_000;

/** Start of the UTC hour holding `ms`. */
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const ROLLUP_BUCKET_MS = HOUR_MS;

/** What the consumer publishes for each stored chunk: an hour of a site whose raw events changed. */
export interface TouchedHour {
  site: string;
  /** Start of the UTC hour, epoch ms. */
  hour: number;
}

/** Keyed by bucket, so one bucket's recomputes are serial on one partition (a later one never loses to an earlier). */
export const touchedHourKey = ({ site, hour }: TouchedHour): string => `${site}@${hour}`;
