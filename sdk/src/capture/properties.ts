// Makes caller-supplied properties fit the contract instead of getting the
// whole event rejected: flat values, capped keys, lengths and counts.
import { MAX_PROPERTIES, PROPERTY_KEY_MAX, PROPERTY_VALUE_MAX, TEXT_MAX } from '../limits.ts';
import type { PropertyValue } from '../types.ts';

export const clip = (text: string, max: number = TEXT_MAX): string => text.slice(0, max);

/** Numbers, booleans and null pass (JSON turns NaN and Infinity into null); strings are clipped; objects become JSON text. */
function flat(value: unknown): PropertyValue | undefined {
  if (value === undefined || typeof value === 'function') return undefined;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  let text = String(value);
  try {
    if (typeof value === 'object') text = JSON.stringify(value);
  } catch {
    // Cyclic or otherwise unserializable: String(value) it is.
  }
  return clip(text, PROPERTY_VALUE_MAX);
}

export function cleanProperties(input: Record<string, unknown> | undefined): Record<string, PropertyValue> | undefined {
  let out: Record<string, PropertyValue> | undefined;
  let count = 0;
  for (const key in input) {
    const value = flat(input[key]);
    if (key && value !== undefined && count++ < MAX_PROPERTIES) (out ??= {})[clip(key, PROPERTY_KEY_MAX)] = value;
  }
  return out;
}
