// The one place an enriched event becomes an InfluxDB point (a line of line
// protocol), with the names from the contract's storage schema. In two steps:
// everything that depends on the event alone (checked before the event is given
// a point, so an event that cannot be stored never takes a slot), then its place
// (shard and slot, from point-placer.ts). The same event in the same place always
// gives the same line, so a redelivered event overwrites its own point.
import { deriveDimensions, FIELD, MEASUREMENT, TAG, pointTimeNs, type EnrichedEvent } from '@eventline/contract';
import { ConsumerError } from './errors.ts';
import type { Placement } from './point-placer.ts';

/** Latest event time (ms) whose point time still fits InfluxDB's signed 64-bit nanoseconds. */
export const MAX_EVENT_TIME_MS = 9_223_372_036_853;

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * InfluxDB 1.8 stores raw CR and LF inside string fields, but its Flux CSV
 * turns LF into CRLF and drops CR, so InfluxQL and Flux readers would disagree.
 * Every line break (CRLF, CR or LF) is stored as one space instead.
 */
export function normalizeText(value: string): string {
  return value.replace(LINE_BREAK, ' ');
}

const FIELD_SPECIAL = /[\\"\r\n]/;

function stringField(value: string): string {
  // Most values need no escaping; testing first is several times faster than replacing.
  if (!FIELD_SPECIAL.test(value)) return `"${value}"`;
  return `"${normalizeText(value).replace(/[\\"]/g, '\\$&')}"`;
}

function integerField(name: string, value: number): string {
  if (!Number.isSafeInteger(value))
    throw new ConsumerError('CONSUMER_POINT_UNREPRESENTABLE', `${name} ${value} is not a 64-bit integer`);
  return `${value}i`;
}

const TAG_SPECIAL = /[, =]/;

/**
 * Tag values are stored exactly or not at all: line protocol cannot carry a
 * line break in a tag, and InfluxDB 1.8 reads a backslash before `,`, `=`,
 * space or the end of the value as an escape, so such values are refused.
 */
function tagValue(name: string, value: string): string {
  if (/[\r\n]|\\$|\\[, =]/.test(value)) {
    throw new ConsumerError(
      'CONSUMER_POINT_UNREPRESENTABLE',
      `tag ${name} ${JSON.stringify(value)} contains a line break or a backslash before , = space or the end`,
    );
  }
  return TAG_SPECIAL.test(value) ? value.replace(/[, =]/g, '\\$&') : value;
}

function addText(fields: string[], name: string, value: string | undefined): void {
  if (value !== undefined) fields.push(`${name}=${stringField(value)}`);
}

function addFlag(fields: string[], name: string, value: boolean | undefined): void {
  if (value !== undefined) fields.push(`${name}=${value}`);
}

/** A point but for its place: the site and type tags, and the fields. */
export interface PreparedPoint {
  tags: string;
  fields: string;
  eventTime: number;
}

/** Checks and encodes everything but the place. Throws CONSUMER_POINT_UNREPRESENTABLE. */
export function preparePoint(enriched: EnrichedEvent): PreparedPoint {
  const { event, userAgent } = enriched;
  if (enriched.eventTime > MAX_EVENT_TIME_MS) {
    throw new ConsumerError(
      'CONSUMER_POINT_UNREPRESENTABLE',
      `eventTime ${enriched.eventTime} is after InfluxDB's last timestamp (2262-04-11)`,
    );
  }
  const fields: string[] = [`${FIELD.id}=${stringField(event.id)}`, `${FIELD.name}=${stringField(event.name)}`];
  // Optional values are omitted when absent, never stored empty: an event from a
  // Segment-compatible client has no session, so no seq, and server-side no page.
  if (event.seq !== undefined) fields.push(`${FIELD.seq}=${integerField('seq', event.seq)}`);
  fields.push(`${FIELD.anonymousId}=${stringField(event.anonymousId)}`);
  addText(fields, FIELD.sessionId, event.sessionId);
  addText(fields, FIELD.tabId, event.tabId);
  addText(fields, FIELD.userId, event.userId);
  const page = event.page;
  if (page) {
    addText(fields, FIELD.url, page.url);
    addText(fields, FIELD.path, page.path);
    addText(fields, FIELD.title, page.title);
    addText(fields, FIELD.referrer, page.referrer);
  }
  const element = event.element;
  if (element) {
    addText(fields, FIELD.elementTag, element.tag);
    addText(fields, FIELD.elementId, element.id);
    addText(fields, FIELD.elementName, element.name);
    addText(fields, FIELD.elementSelector, element.selector);
    addText(fields, FIELD.elementText, element.text);
    if (element.attributes !== undefined) addText(fields, FIELD.elementAttributes, JSON.stringify(element.attributes));
    addText(fields, FIELD.elementInputType, element.inputType);
    addFlag(fields, FIELD.elementChecked, element.checked);
    if (element.valueLength !== undefined)
      fields.push(`${FIELD.elementValueLength}=${integerField('valueLength', element.valueLength)}`);
    addFlag(fields, FIELD.elementChanged, element.changed);
    addText(fields, FIELD.elementValue, element.value);
    addText(fields, FIELD.elementHref, element.href);
  }
  if (event.engagement) {
    fields.push(`${FIELD.engagedMs}=${integerField('engagedMs', event.engagement.engagedMs)}`);
    fields.push(`${FIELD.scrollDepth}=${integerField('scrollDepth', event.engagement.scrollDepth)}`);
  }
  if (event.properties !== undefined) addText(fields, FIELD.properties, JSON.stringify(event.properties));
  fields.push(`${FIELD.clientTimestamp}=${integerField('timestamp', event.timestamp)}`);
  fields.push(`${FIELD.receivedAt}=${integerField('receivedAt', enriched.receivedAt)}`);
  addText(fields, FIELD.browser, userAgent.browser);
  addText(fields, FIELD.browserVersion, userAgent.browserVersion);
  addText(fields, FIELD.os, userAgent.os);
  addText(fields, FIELD.device, userAgent.device);
  addFlag(fields, FIELD.bot, userAgent.bot);
  const derived = deriveDimensions(event);
  addText(fields, FIELD.label, derived.label);
  addText(fields, FIELD.referrerHost, derived.referrerHost);
  addText(fields, FIELD.utmSource, derived.utmSource);
  addText(fields, FIELD.utmMedium, derived.utmMedium);
  addText(fields, FIELD.utmCampaign, derived.utmCampaign);
  addText(fields, FIELD.pagePath, derived.pagePath);
  return {
    tags: `${TAG.site}=${tagValue(TAG.site, enriched.site)},${TAG.type}=${tagValue(TAG.type, event.type)}`,
    fields: fields.join(','),
    eventTime: enriched.eventTime,
  };
}

/**
 * One line of line protocol, without the trailing newline. Built with Array#join
 * so the line is one flat string: a batch of lines waits for InfluxDB's answer,
 * and a concatenation tree per line would be dozens of objects for the garbage
 * collector to promote. Tags in key order (shard < site < type), as InfluxDB sorts them anyway.
 */
export function pointLine(point: PreparedPoint, placement: Placement): string {
  const series =
    placement.shard === undefined
      ? [MEASUREMENT, point.tags].join(',')
      : [MEASUREMENT, `${TAG.shard}=${placement.shard}`, point.tags].join(',');
  return [series, point.fields, pointTimeNs(point.eventTime, placement.slot)].join(' ');
}

/** preparePoint and pointLine in one. Throws CONSUMER_POINT_UNREPRESENTABLE. */
export function toPoint(enriched: EnrichedEvent, placement: Placement): string {
  return pointLine(preparePoint(enriched), placement);
}
