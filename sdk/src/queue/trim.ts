// Shrinks an event over the contract's size to one ingest accepts, instead of
// dropping it: the largest property values go first, and the event says which
// (TRIMMED_PROPERTY), so an analyst sees it was cut rather than wondering.
// Only properties can grow that large: every other field has its own short
// limit (URLs, labels, selectors), so an event without properties always fits.
import type { Event } from '@eventline/contract';
import { EVENT_BYTES, PROPERTY_VALUE_MAX, TRIMMED_PROPERTY } from '../limits.ts';
import { utf8Bytes } from './batch.ts';

/** The event as JSON within `maxBytes`, or undefined when leaving out every property is not enough. */
export function trimEvent(json: string, maxBytes: number = EVENT_BYTES): string | undefined {
  const event = JSON.parse(json) as Event;
  const properties = event.properties;
  if (!properties) return undefined;
  const size = (key: string): number => JSON.stringify(properties[key]).length + key.length;
  const largestFirst = Object.keys(properties).sort((a, b) => size(b) - size(a));
  const left: string[] = [];
  for (const key of largestFirst) {
    delete properties[key];
    left.push(key);
    properties[TRIMMED_PROPERTY] = left.join(',').slice(0, PROPERTY_VALUE_MAX);
    const trimmed = JSON.stringify(event);
    if (utf8Bytes(trimmed) <= maxBytes) return trimmed;
  }
  return undefined;
}
