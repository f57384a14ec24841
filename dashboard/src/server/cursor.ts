// Opaque pagination cursors: the position of the last event on a page (its
// nanosecond timestamp and id), so the next page starts strictly after it in
// newest-first order even when two events share a timestamp.
import { DashboardError } from './errors.ts';

export interface Cursor {
  /** Point time in nanoseconds since the epoch. */
  timeNs: bigint;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.timeNs.toString(), cursor.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      /^\d{1,20}$/.test(value[0]) &&
      typeof value[1] === 'string'
    ) {
      return { timeNs: BigInt(value[0]), id: value[1] };
    }
  } catch {
    // falls through to the error below
  }
  throw new DashboardError('DASHBOARD_INVALID_CURSOR');
}

/** RFC 3339 with up to nine fractional digits → nanoseconds since the epoch. */
export function isoToNs(text: string): bigint {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!match) throw new Error(`not an RFC 3339 UTC time: ${text}`);
  const seconds = Date.parse(`${match[1]}Z`) / 1000;
  return BigInt(seconds) * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** Nanoseconds since the epoch → RFC 3339 with nine fractional digits. */
export function nsToIso(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, `.${fraction}Z`);
}
