// Writes events straight into InfluxDB in the storage schema the consumer uses
// (contract MEASUREMENT/TAG/FIELD/pointTimeNs), so read-API tests do not need
// the pipeline. Mirrors the consumer's mapping; absent optional values are
// simply not written.
import { FIELD, MEASUREMENT, TAG, pointTimeNs, preferredSlot, type Event, type StoredEvent } from '@eventline/contract';
import { sampleEvent } from '@eventline/contract/testing';
import { InfluxDB, Point } from '@influxdata/influxdb-client';

export interface SeedEvent {
  event: StoredEvent;
  site?: string;
  /** Corrected event time, epoch ms; defaults to the event's timestamp. */
  eventTime?: number;
}

export function toSeedPoint({ event, site = 'demo', eventTime = event.timestamp }: SeedEvent): Point {
  const point = new Point(MEASUREMENT)
    .tag(TAG.site, site)
    .tag(TAG.type, event.type)
    .timestamp(pointTimeNs(eventTime, preferredSlot(event)));
  const text = (field: string, value: string | undefined) => value !== undefined && point.stringField(field, value);
  text(FIELD.id, event.id);
  text(FIELD.name, event.name);
  if (event.seq !== undefined) point.intField(FIELD.seq, event.seq);
  text(FIELD.anonymousId, event.anonymousId);
  text(FIELD.sessionId, event.sessionId);
  text(FIELD.tabId, event.tabId);
  text(FIELD.userId, event.userId);
  text(FIELD.url, event.page?.url);
  text(FIELD.path, event.page?.path);
  text(FIELD.title, event.page?.title);
  text(FIELD.referrer, event.page?.referrer);
  const element = event.element;
  if (element) {
    text(FIELD.elementTag, element.tag);
    text(FIELD.elementId, element.id);
    text(FIELD.elementName, element.name);
    text(FIELD.elementSelector, element.selector);
    text(FIELD.elementText, element.text);
    if (element.attributes) text(FIELD.elementAttributes, JSON.stringify(element.attributes));
    text(FIELD.elementInputType, element.inputType);
    if (element.checked !== undefined) point.booleanField(FIELD.elementChecked, element.checked);
    if (element.valueLength !== undefined) point.intField(FIELD.elementValueLength, element.valueLength);
    if (element.changed !== undefined) point.booleanField(FIELD.elementChanged, element.changed);
    text(FIELD.elementValue, element.value);
    text(FIELD.elementHref, element.href);
  }
  if (event.engagement) {
    point.intField(FIELD.engagedMs, event.engagement.engagedMs);
    point.intField(FIELD.scrollDepth, event.engagement.scrollDepth);
  }
  if (event.properties) text(FIELD.properties, JSON.stringify(event.properties));
  point.intField(FIELD.clientTimestamp, event.timestamp);
  point.intField(FIELD.receivedAt, eventTime);
  text(FIELD.browser, 'Chrome');
  return point;
}

/**
 * Writes the events as one batch and resolves once InfluxDB has stored it. With
 * the client's default batching, batches that fill up are sent in the
 * background and `close()` does not wait for them: a query right after could
 * miss events.
 */
export async function seedEvents(influxUrl: string, bucket: string, events: SeedEvent[]): Promise<void> {
  const writer = new InfluxDB({ url: influxUrl, token: '' }).getWriteApi('', bucket, 'ns', {
    batchSize: events.length + 1,
    flushInterval: 0,
    maxRetries: 0,
  });
  writer.writePoints(events.map(toSeedPoint));
  await writer.close();
}

/** A click at `timestamp` with a unique, sortable id. */
export function clickAt(timestamp: number, overrides: Partial<Event> = {}): Event {
  return sampleEvent({ timestamp, id: `evt_${timestamp}_${Math.random().toString(36).slice(2, 10)}`, ...overrides });
}
