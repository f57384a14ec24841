// The hour tallies the rollup worker keeps between recomputes, least recently
// kept out first, within a memory budget. A tally is taken out while it is
// brought up to date and kept again only once its points are written, so a kept
// tally always matches the hour's stored rollups; the worker forgets every kept
// tally when it fails or its group rebalances (another worker may have counted
// an hour meanwhile).
import type { HourTally } from './hour-tally.ts';

export class KeptHours {
  private readonly tallies = new Map<string, HourTally>();

  constructor(private readonly maxBytes: number) {}

  /** The kept tally of the hour, taken out; undefined when none is kept. */
  take(site: string, hour: number): HourTally | undefined {
    const id = `${site}@${hour}`;
    const tally = this.tallies.get(id);
    this.tallies.delete(id);
    return tally;
  }

  /** Keeps `tally` as the latest; the least recently kept go while the budget is exceeded (a tally over it alone is not kept). */
  keep(tally: HourTally): void {
    const id = `${tally.site}@${tally.hour}`;
    this.tallies.delete(id);
    this.tallies.set(id, tally);
    let bytes = this.bytes;
    for (const [oldest, kept] of this.tallies) {
      if (bytes <= this.maxBytes) break;
      this.tallies.delete(oldest);
      bytes -= kept.bytes;
    }
  }

  clear(): void {
    this.tallies.clear();
  }

  /** Roughly the memory the kept tallies hold. */
  get bytes(): number {
    let bytes = 0;
    for (const tally of this.tallies.values()) bytes += tally.bytes;
    return bytes;
  }

  get size(): number {
    return this.tallies.size;
  }
}
