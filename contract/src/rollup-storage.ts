// How rollups are stored: in their own retention policy, one point per
// (site, audience, dimension, value, bucket) with the value's events, page views
// and unique-count sketches, at three grains: hours (from the raw events), UTC
// days (merged from their hours) and UTC months (merged from their days), so a
// range reads the coarsest buckets that fit in it. A recompute of a bucket rewrites every point of it
// (same series, same time: an overwrite), and writes zeros for a value listed
// before but not now (it moved into (other)), so recomputing is idempotent and
// nothing counted before can be counted twice. String fields are limited to
// 64 KiB in InfluxDB 1.8, which is why a value is a point and not a JSON entry.
// The rollup worker writes with these names and the dashboard reads with them.
import { FIELD, TAG } from './storage.ts';

/** Bucket sizes of the rollups, finest first. */
export const ROLLUP_GRAINS = ['hour', 'day', 'month'] as const;
export type RollupGrain = (typeof ROLLUP_GRAINS)[number];

/** One measurement per grain: the hour one is where rollups began, so its name stays. */
export const ROLLUP_MEASUREMENTS: Readonly<Record<RollupGrain, string>> = Object.freeze({
  hour: 'rollup_hour',
  day: 'rollup_day',
  month: 'rollup_month',
});

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
 * An integer field of every rollup point: a hash of its four fields, so a reader
 * that kept a bucket's sketches can tell from the revisions alone (numbers, read
 * in milliseconds) whether any point of the bucket changed since. Points written
 * before it existed have none and are always read whole.
 */
export const ROLLUP_REVISION_FIELD = 'revision';

/**
 * What an hour rollup kept as text has besides its text: one point per (site,
 * hour, part), in the rollups' retention policy, at the start of the hour.
 */
const PART_TAG = Object.freeze({ site: 'site', part: 'part' });
const PART_FIELD = {
  /** How many parts the hour has; a part at or past it was left by a recompute before and is not read. */
  parts: 'parts',
  /**
   * 48 bits of the MD5 of the part's text: a reader that kept the hour decoded tells from the revisions alone
   * (numbers) whether it changed. Parts written before it existed have none and are always read whole.
   */
  revision: 'revision',
} as const;

/**
 * The sequence numbers each hour received, so completeness over a month is read
 * from rollups rather than every raw event (encoded by @eventline/rollup's
 * sequence-runs).
 */
export const SEQUENCE_ROLLUP = Object.freeze({
  measurement: 'sequences_hour',
  tag: PART_TAG,
  /** The part's entries: each sequence (session and tab) with events in the hour and its runs of numbers. */
  field: Object.freeze({ text: 'runs', ...PART_FIELD }),
});

/**
 * What each session did in each hour, in order, as funnel actions (`kind:value`,
 * as funnel steps name them), so a funnel over weeks is read from rollups
 * rather than every raw event (encoded by @eventline/rollup's journeys).
 */
export const JOURNEY_ROLLUP = Object.freeze({
  measurement: 'journeys_hour',
  tag: PART_TAG,
  /** The part's entries: per session (and visitor, bot or not) its actions in the hour with their times. */
  field: Object.freeze({ text: 'actions', ...PART_FIELD }),
});

/** An hour rollup kept as text in parts: sequences or journeys. */
export type PartedRollup = typeof SEQUENCE_ROLLUP | typeof JOURNEY_ROLLUP;

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
const DAY_MS = 24 * HOUR_MS;

/** Start of the UTC hour holding `ms`. */
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** Start of the UTC bucket of `grain` holding `ms`. */
export function bucketStart(grain: RollupGrain, ms: number): number {
  if (grain === 'hour') return hourOf(ms);
  if (grain === 'day') return Math.floor(ms / DAY_MS) * DAY_MS;
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** End (exclusive) of the UTC bucket of `grain` that starts at `start`. */
export function bucketEnd(grain: RollupGrain, start: number): number {
  if (grain === 'hour') return start + HOUR_MS;
  if (grain === 'day') return start + DAY_MS;
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** What the consumer publishes for each stored chunk: an hour of a site whose raw events changed. */
export interface TouchedHour {
  site: string;
  /** Start of the UTC hour, epoch ms. */
  hour: number;
  /**
   * The earliest and latest event time (epoch ms, within the hour) of the chunk's events in this hour: the rollup
   * worker re-reads only that span of an hour it keeps. Absent (announcements of older consumers): the whole hour.
   */
  span?: TimeSpan;
}

/** Event times from `first` to `last` (epoch ms), both included. */
export interface TimeSpan {
  first: number;
  last: number;
}

/** One touched bucket's identity, to tell announcements apart. */
export const touchedHourId = ({ site, hour }: TouchedHour): string => `${site}@${hour}`;

/**
 * The Kafka key of an announcement: the site and UTC month, so every hour of a month, its days and the month itself are recomputed serially by one
 * worker: a day merged from its hours never races a recompute of one of them (a later one never loses to an earlier).
 */
export const touchedHourKey = ({ site, hour }: TouchedHour): string => `${site}@${bucketStart('month', hour)}`;
