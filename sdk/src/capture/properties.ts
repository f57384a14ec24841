// Makes caller-supplied properties fit the contract instead of getting the
// whole event rejected: flat values, capped keys, lengths and counts. Nothing
// a caller passes can make it throw (null-prototype objects, cycles, BigInt,
// getters or toJSON that throw, hostile proxies): a value it cannot read is left out.
import { MAX_PROPERTIES, PROPERTY_KEY_MAX, PROPERTY_VALUE_MAX, TEXT_MAX } from '../limits.ts';
import type { PropertyValue } from '../types.ts';

export const clip = (text: string, max: number = TEXT_MAX): string => text.slice(0, max);

const bigints = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? String(value) : value);

/** Text of any value: JSON for objects (BigInt as digits), otherwise String(); undefined when neither works (a cycle in an object without a prototype). */
export function stringOf(value: unknown): string | undefined {
  try {
    if (typeof value === 'object' && value) return JSON.stringify(value, bigints);
  } catch {
    // Cyclic, or a toJSON or getter that throws: its String() form below.
  }
  try {
    return String(value);
  } catch {
    return undefined;
  }
}

/** Numbers, booleans and null pass (JSON turns NaN and Infinity into null); strings are clipped; objects become JSON text. */
function flat(value: unknown): PropertyValue | undefined {
  if (value === undefined || typeof value === 'function') return undefined;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  const text = stringOf(value);
  return text === undefined ? text : clip(text, PROPERTY_VALUE_MAX);
}

export function cleanProperties(input: Record<string, unknown> | undefined): Record<string, PropertyValue> | undefined {
  let out: Record<string, PropertyValue> | undefined;
  let count = 0;
  for (const key in input) {
    let value: PropertyValue | undefined;
    try {
      value = flat(input[key]);
    } catch {
      // A getter that throws: that property is left out.
    }
    if (key && value !== undefined && count++ < MAX_PROPERTIES) (out ??= {})[clip(key, PROPERTY_KEY_MAX)] = value;
  }
  return out;
}
