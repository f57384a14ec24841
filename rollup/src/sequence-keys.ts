// Which sequences of a range of hours were received in more than one of them.
// Nearly every sequence (a session's tab) lies within one hour: what its entry
// counts goes straight to that hour, and only the others need their runs merged
// (sequence-runs.ts). Telling them apart hashes every key of the range (a month
// of a busy site: a million), so the index of the keys is kept for the next
// merge: an answer over the same hours and one more, or with the newest hour
// read again as events arrive, looks up only the new hours' keys.
import type { HourSequenceRuns } from './sequence-runs.ts';

/** What the index reads of an hour: each key's 64 bits, and what each entry counts alone. */
type HourDigest = Pick<HourSequenceRuns, 'keys' | 'received' | 'missing'>;

/** Per hour (in the order given): what its entries in no other hour count, and the indices of the others, ascending. */
export interface KeysSeen {
  received: Float64Array;
  missing: Float64Array;
  inSeveral: number[][];
}

/**
 * The keys of a run of hours in an open-addressing table of their 64 bits (side by side, one cache miss a key), with
 * which slots are taken and which keys were seen again as bitmaps, and for each slot the first entry that took it.
 */
class KeyIndex {
  readonly hours: readonly HourDigest[];
  readonly seen: KeysSeen;
  /** Where each hour's entries start among all of them; one more than the hours. */
  private readonly offsets: Uint32Array;
  private readonly mask: number;
  private readonly table: Uint32Array;
  private readonly taken: Uint8Array;
  private readonly repeated: Uint8Array;
  private readonly first: Int32Array;

  constructor(hours: readonly HourDigest[]) {
    this.hours = hours;
    this.offsets = new Uint32Array(hours.length + 1);
    hours.forEach(({ received }, hour) => (this.offsets[hour + 1] = this.offsets[hour]! + received.length));
    const total = this.offsets[hours.length]!;
    let size = 64;
    while (size < total * 2) size *= 2;
    this.mask = size - 1;
    this.table = new Uint32Array(size * 2);
    this.taken = new Uint8Array(size / 8);
    this.repeated = new Uint8Array(size / 8);
    this.first = new Int32Array(size);
    const slotOf = new Int32Array(total);
    let index = 0;
    for (const { keys } of hours)
      for (let k = 0; k < keys.length; k += 2) {
        const high = keys[k]!;
        const low = keys[k + 1]!;
        const slot = this.find(high, low);
        if (this.isTaken(slot)) this.repeated[slot >>> 3]! |= 1 << (slot & 7);
        else {
          this.taken[slot >>> 3]! |= 1 << (slot & 7);
          this.table[slot * 2] = high;
          this.table[slot * 2 + 1] = low;
          this.first[slot] = index;
        }
        slotOf[index++] = slot;
      }
    this.seen = {
      received: new Float64Array(hours.length),
      missing: new Float64Array(hours.length),
      inSeveral: hours.map(() => []),
    };
    index = 0;
    hours.forEach((digest, hour) => {
      for (let i = 0; i < digest.received.length; i++) {
        if (this.isRepeated(slotOf[index++]!)) this.seen.inSeveral[hour]!.push(i);
        else {
          this.seen.received[hour]! += digest.received[i]!;
          this.seen.missing[hour]! += digest.missing[i]!;
        }
      }
    });
  }

  /** The slot holding the key, or the empty one where it would go. The key is a hash: its low bits spread. */
  private find(high: number, low: number): number {
    let slot = low & this.mask;
    while (this.isTaken(slot) && (this.table[slot * 2] !== high || this.table[slot * 2 + 1] !== low))
      slot = (slot + 1) & this.mask;
    return slot;
  }

  private isTaken(slot: number): boolean {
    return ((this.taken[slot >>> 3]! >>> (slot & 7)) & 1) === 1;
  }

  private isRepeated(slot: number): boolean {
    return ((this.repeated[slot >>> 3]! >>> (slot & 7)) & 1) === 1;
  }

  /** The entry that first took a slot: its hour and its index there. */
  private entryAt(slot: number): [hour: number, index: number] {
    const index = this.first[slot]!;
    let low = 0;
    let high = this.hours.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.offsets[middle]! <= index) low = middle;
      else high = middle - 1;
    }
    return [low, index - this.offsets[low]!];
  }

  /**
   * What these hours and `later` ones (after them, few) give together. Only the later hours' keys are looked up; a
   * key they share with an entry counted alone here moves that entry among those in several hours.
   */
  with(later: readonly HourDigest[]): KeysSeen {
    const count = this.hours.length;
    const received = new Float64Array(count + later.length);
    const missing = new Float64Array(count + later.length);
    received.set(this.seen.received);
    missing.set(this.seen.missing);
    const inSeveral = [...this.seen.inSeveral, ...later.map((): number[] => [])];
    const changed = new Set<number>();
    const listOf = (hour: number) => {
      // This index's lists are shared by every later answer: copied before one changes.
      if (hour < count && !changed.has(hour)) inSeveral[hour] = [...inSeveral[hour]!];
      changed.add(hour);
      return inSeveral[hour]!;
    };
    // Keys of the later hours that are not here, by their 64 bits, with how often they come there.
    const elsewhere = new Map<string, number>();
    const slots = later.map(({ keys }) => {
      const found = new Int32Array(keys.length / 2);
      for (let i = 0; i < found.length; i++) {
        const slot = this.find(keys[i * 2]!, keys[i * 2 + 1]!);
        found[i] = this.isTaken(slot) ? slot : -1;
        if (found[i] === -1) {
          const key = `${keys[i * 2]}:${keys[i * 2 + 1]}`;
          elsewhere.set(key, (elsewhere.get(key) ?? 0) + 1);
        }
      }
      return found;
    });
    const moved = new Set<number>();
    later.forEach((digest, i) => {
      const hour = count + i;
      slots[i]!.forEach((slot, entry) => {
        if (slot >= 0) {
          if (!this.isRepeated(slot) && !moved.has(slot)) {
            moved.add(slot);
            const [before, index] = this.entryAt(slot);
            received[before]! -= this.hours[before]!.received[index]!;
            missing[before]! -= this.hours[before]!.missing[index]!;
            listOf(before).push(index);
          }
          listOf(hour).push(entry);
        } else if (elsewhere.get(`${digest.keys[entry * 2]}:${digest.keys[entry * 2 + 1]}`)! > 1) {
          listOf(hour).push(entry);
        } else {
          received[hour]! += digest.received[entry]!;
          missing[hour]! += digest.missing[entry]!;
        }
      });
    });
    for (const hour of changed) inSeveral[hour]!.sort((a, b) => a - b);
    return { received, missing, inSeveral };
  }
}

/** Later hours an index is extended with before it is made again. */
const MAX_LATER_HOURS = 24;

/** The index of the last merge's hours but its newest: the next merge over the same range will likely reuse it. */
let lastIndex: KeyIndex | undefined;

/**
 * Which entries of the hours (sorted by time) have a key no other entry has, and what those count per hour. Reuses
 * the last merge's index when its hours begin these and at most MAX_LATER_HOURS follow; otherwise indexes every
 * hour but the newest (which, as events arrive, is read again the most) and keeps that index.
 */
export function keysSeen(hours: readonly { entries: HourSequenceRuns }[]): KeysSeen {
  const runs = hours.map(({ entries }) => entries);
  const reusable =
    lastIndex &&
    lastIndex.hours.length <= runs.length &&
    runs.length - lastIndex.hours.length <= MAX_LATER_HOURS &&
    lastIndex.hours.every((hour, i) => hour === runs[i]);
  if (!reusable) lastIndex = new KeyIndex(runs.slice(0, Math.max(0, runs.length - 1)));
  return lastIndex!.with(runs.slice(lastIndex!.hours.length));
}
