// The sequence numbers an hour received, kept so completeness over a month is
// read from rollups instead of scanning every raw event. A sequence (a session's
// tab) numbers its events from 0 without gaps; an hour's rollup lists, for every
// sequence with events in it, the runs of numbers received there. Merged over a
// range they give exactly what a scan of the raw events gives
// (bucket-completeness in the dashboard): a number counts once, in the hour it
// was first received, and the numbers missing between two runs count in the
// hour of the run before the gap.
//
// Stored form (in parts, hour-parts.ts): per entry the sequence's 64-bit hash
// (MD5 of session and tab), the number of runs, then per run its distance from
// the previous run's end and its length, as unsigned LEB128 varints.
import { SEQUENCE_ROLLUP } from '@eventline/contract';
import { idKey, PART_BYTES, PartReader, writeVarint, type HourPartsKind } from './hour-parts.ts';
import { keysSeen } from './sequence-keys.ts';

/** One sequence's numbers received in an hour: its key (hash, 8 bytes as latin1) and runs [first, last], ascending. */
export interface SequenceEntry {
  key: string;
  runs: [first: number, last: number][];
}

/** What a sequence's key hashes: its session and tab (none: the session's only sequence). */
const sequenceId = (sessionId: string, tabId: string | undefined): string => `${sessionId}\n${tabId ?? ''}`;

/** The key of a sequence: session and tab (none: the session's only sequence), hashed. */
export const sequenceKey = (sessionId: string, tabId: string | undefined): string =>
  idKey(sequenceId(sessionId, tabId));

/** Collects an hour's sequence numbers, in any order, duplicates allowed. */
export class HourSequences {
  /** Per sequence id, its key (hashed once per sequence, not per event) and its numbers. */
  private readonly sequences = new Map<string, { key: string; numbers: number[] }>();

  add(sessionId: string, tabId: string | undefined, seq: number): void {
    const id = sequenceId(sessionId, tabId);
    const sequence = this.sequences.get(id);
    if (sequence) sequence.numbers.push(seq);
    else this.sequences.set(id, { key: idKey(id), numbers: [seq] });
  }

  entries(): SequenceEntry[] {
    const byKey = new Map<string, number[]>();
    for (const { key, numbers } of this.sequences.values()) {
      const same = byKey.get(key);
      // Sorted in place below: the numbers stay sorted, so the next entries() of the hour sorts them fast.
      byKey.set(key, same ? [...same, ...numbers] : numbers);
    }
    return [...byKey].map(([key, numbers]) => {
      numbers.sort((a, b) => a - b);
      const runs: [number, number][] = [];
      for (const n of numbers) {
        const last = runs[runs.length - 1];
        if (last && n <= last[1] + 1) last[1] = Math.max(last[1], n);
        else runs.push([n, n]);
      }
      return { key, runs };
    });
  }
}

function encodeEntry(entry: SequenceEntry): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) out.push(entry.key.charCodeAt(i));
  writeVarint(out, entry.runs.length);
  let end = 0;
  for (const [first, last] of entry.runs) {
    writeVarint(out, first - end);
    writeVarint(out, last - first);
    end = last;
  }
  return out;
}

/** The entries as stored parts (at least one, possibly empty), each at most PART_CHARS (hour-parts.ts) long. */
export function encodeParts(entries: readonly SequenceEntry[]): string[] {
  const parts: string[] = [];
  let bytes: number[] = [];
  for (const entry of entries) {
    const encoded = encodeEntry(entry);
    if (bytes.length > 0 && bytes.length + encoded.length > PART_BYTES) {
      parts.push(Buffer.from(bytes).toString('base64'));
      bytes = [];
    }
    bytes.push(...encoded);
  }
  parts.push(Buffer.from(bytes).toString('base64'));
  return parts;
}

/** Collects an hour's entries into the typed arrays of HourSequenceRuns. */
class RunsBuilder {
  readonly keys: number[] = [];
  readonly runStarts: number[] = [0];
  readonly bounds: number[] = [];

  add(high: number, low: number, runs: Iterable<[number, number]>): void {
    this.keys.push(high, low);
    for (const [first, last] of runs) this.bounds.push(first, last);
    this.runStarts.push(this.bounds.length / 2);
  }

  build(): HourSequenceRuns {
    const count = this.runStarts.length - 1;
    const received = new Float64Array(count);
    const missing = new Float64Array(count);
    for (let i = 0; i < count; i++)
      // An hour's runs are ascending and apart (HourSequences): what lies between two is missing.
      for (let r = this.runStarts[i]!; r < this.runStarts[i + 1]!; r++) {
        received[i]! += this.bounds[r * 2 + 1]! - this.bounds[r * 2]! + 1;
        if (r + 1 < this.runStarts[i + 1]!) missing[i]! += this.bounds[r * 2 + 2]! - this.bounds[r * 2 + 1]! - 1;
      }
    return new HourSequenceRuns(
      Uint32Array.from(this.keys),
      received,
      missing,
      Uint32Array.from(this.runStarts),
      Float64Array.from(this.bounds),
    );
  }
}

/**
 * One hour's sequences, decoded into typed arrays: a month of a busy site is a million entries, which as objects
 * (an entry, its key, its runs) made most of a reader's heap and of its garbage collector's marking. About 50 bytes
 * an entry. Never mutated.
 */
export class HourSequenceRuns {
  /** @internal Made by `of` and `decode`. */
  constructor(
    /** Each entry's key as its 64 bits: high, low. */
    readonly keys: Uint32Array,
    /** Per entry, the numbers its runs hold: what it counts if its sequence is in no other hour. */
    readonly received: Float64Array,
    /** Per entry, the numbers between its runs. */
    readonly missing: Float64Array,
    /** Where each entry's runs start in `bounds` (in pairs); one more than the entries. */
    private readonly runStarts: Uint32Array,
    /** Each run's first and last number. */
    private readonly bounds: Float64Array,
  ) {}

  static of(entries: Iterable<SequenceEntry>): HourSequenceRuns {
    const builder = new RunsBuilder();
    for (const { key, runs } of entries) {
      const bytes = Buffer.from(key, 'latin1');
      builder.add(bytes.readUInt32BE(0), bytes.readUInt32BE(4), runs);
    }
    return builder.build();
  }

  /** The entries of an hour's stored parts, in order. Throws on a part that is not one. */
  static decode(parts: readonly string[]): HourSequenceRuns {
    const builder = new RunsBuilder();
    for (const part of parts) {
      const reader = new PartReader(part, 'a sequence rollup');
      while (!reader.done) {
        const high = reader.uint32('a key');
        const low = reader.uint32('a key');
        const runs: [number, number][] = [];
        let end = 0;
        for (let count = reader.varint(); count > 0; count--) {
          const first = end + reader.varint();
          end = first + reader.varint();
          runs.push([first, end]);
        }
        builder.add(high, low, runs);
      }
    }
    return builder.build();
  }

  get length(): number {
    return this.received.length;
  }

  /** Entry `i`'s key as sequenceKey() makes it. */
  key(i: number): string {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32BE(this.keys[i * 2]!, 0);
    bytes.writeUInt32BE(this.keys[i * 2 + 1]!, 4);
    return bytes.toString('latin1');
  }

  /** Entry `i`'s runs [first, last], ascending. */
  runs(i: number): [number, number][] {
    const runs: [number, number][] = [];
    for (let r = this.runStarts[i]!; r < this.runStarts[i + 1]!; r++)
      runs.push([this.bounds[r * 2]!, this.bounds[r * 2 + 1]!]);
    return runs;
  }

  entries(): SequenceEntry[] {
    return Array.from({ length: this.length }, (_, i) => ({ key: this.key(i), runs: this.runs(i) }));
  }

  heapBytes(): number {
    return (
      400 +
      [this.keys, this.received, this.missing, this.runStarts, this.bounds].reduce(
        (bytes, array) => bytes + array.byteLength,
        0,
      )
    );
  }
}

/** Sequence rollups as hour-parts reads and keeps them. */
export const SEQUENCES: HourPartsKind<HourSequenceRuns> = {
  rollup: SEQUENCE_ROLLUP,
  decode: (parts) => HourSequenceRuns.decode(parts),
  bytes: (entries) => entries.heapBytes(),
};

/** Received and missing numbers per bucket, the buckets named by `bucketOf(hour start)`. */
export interface SequenceTotals {
  received: Map<string, number>;
  missing: Map<string, number>;
}

/**
 * Merges the hours' entries (in any order) into received and missing numbers per bucket: a number received in
 * several hours counts in the first, and the numbers between two runs of a sequence are missing in the bucket of
 * the run before them.
 */
export function mergeSequenceHours(
  hours: Iterable<{ hour: number; entries: HourSequenceRuns }>,
  bucketOf: (hour: number) => string,
): SequenceTotals {
  const sorted = [...hours].sort((a, b) => a.hour - b.hour);
  // Nearly every sequence is received within one hour of the range: counted there, with nothing to merge.
  const { received: receivedByHour, missing: missingByHour, inSeveral } = keysSeen(sorted);
  /** Per sequence seen in several hours, the runs claimed so far with the index of their hour in `sorted`; disjoint. */
  const claimed = new Map<string, [first: number, last: number, hour: number][]>();
  inSeveral.forEach((indices, hour) => {
    const { entries } = sorted[hour]!;
    for (const i of indices) {
      const key = entries.key(i);
      const runs = entries.runs(i);
      const taken = claimed.get(key);
      if (!taken) {
        claimed.set(
          key,
          runs.map(([first, last]) => [first, last, hour]),
        );
        continue;
      }
      for (const run of runs) for (const [first, last] of unclaimed(run, taken)) taken.push([first, last, hour]);
    }
  });
  // Counted per hour, then per bucket: naming a local bucket formats a date in a time zone.
  for (const runs of claimed.values()) {
    if (runs.length > 1) runs.sort((a, b) => a[0] - b[0]);
    for (let i = 0; i < runs.length; i++) {
      const [first, last, hour] = runs[i]!;
      receivedByHour[hour]! += last - first + 1;
      const next = runs[i + 1];
      if (next && next[0] > last + 1) missingByHour[hour]! += next[0] - last - 1;
    }
  }
  const received = new Map<string, number>();
  const missing = new Map<string, number>();
  sorted.forEach(({ hour }, i) => {
    const bucket = bucketOf(hour);
    received.set(bucket, (received.get(bucket) ?? 0) + receivedByHour[i]!);
    missing.set(bucket, (missing.get(bucket) ?? 0) + missingByHour[i]!);
  });
  return { received, missing };
}

/** The parts of [first, last] that no run of `taken` covers. */
function unclaimed([first, last]: [number, number], taken: readonly [number, number, number][]): [number, number][] {
  let pieces: [number, number][] = [[first, last]];
  for (const [from, to] of taken) {
    pieces = pieces.flatMap(([a, b]): [number, number][] => {
      if (to < a || from > b) return [[a, b]];
      const left: [number, number][] = from > a ? [[a, from - 1]] : [];
      const right: [number, number][] = to < b ? [[to + 1, b]] : [];
      return [...left, ...right];
    });
    if (pieces.length === 0) break;
  }
  return pieces;
}
