import { SLOTS_PER_MS, fnv1a32, preferredSlot } from '@eventline/contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsumerError } from '../src/errors.ts';
import { createPointPlacer, type PlaceableEvent, type Placement, type StoredPoint } from '../src/point-placer.ts';

const NOW = 1_800_000_000_000;

function event(sessionId: string, seq: number, eventTime = NOW, type = 'click', id = `${sessionId}-${seq}`) {
  return { site: 'shop', eventTime, event: { id, type, sessionId, seq } } satisfies PlaceableEvent;
}

/** InfluxDB as far as placement goes: one id per (shard, site, type, ms, slot); a second write there overwrites. */
class FakeStore {
  readonly points = new Map<string, StoredPoint>();
  loads = 0;

  write(events: readonly PlaceableEvent[], placements: readonly (Placement | ConsumerError)[]): void {
    events.forEach((e, i) => {
      const p = placements[i];
      if (!p || p instanceof ConsumerError) throw new Error('unplaced');
      const point = { site: e.site, type: e.event.type, shard: p.shard, ms: e.eventTime, slot: p.slot, id: e.event.id };
      this.points.set(`${p.shard}/${e.site}/${e.event.type}/${e.eventTime}/${p.slot}`, point);
    });
  }

  load = async (shard: number, fromMs: number, toMs: number): Promise<StoredPoint[]> => {
    this.loads++;
    return [...this.points.values()].filter(
      (p) => (p.shard === shard || p.shard === undefined) && p.ms >= fromMs && p.ms < toMs,
    );
  };

  ids(): string[] {
    return [...this.points.values()].map((p) => p.id).sort();
  }
}

describe('createPointPlacer', () => {
  it('gives 20 000 events of one session in one millisecond 20 000 points, reading InfluxDB once', async () => {
    const store = new FakeStore();
    const placer = createPointPlacer({ load: store.load, now: () => NOW });
    for (let from = 0; from < 20_000; from += 50) {
      const events = Array.from({ length: 50 }, (_, i) => event('sess-a', from + i));
      const { placements, ticket } = await placer.place(0, events);
      store.write(events, placements);
      placer.settle(0, ticket);
    }
    expect(store.points.size).toBe(20_000);
    expect(store.loads).toBe(1);
  });

  it('separates sessions whose preferred slots collide in the same millisecond', async () => {
    const store = new FakeStore();
    const placer = createPointPlacer({ load: store.load, now: () => NOW });
    const target = preferredSlot({ id: 'x', sessionId: 'sess-0', seq: 0 });
    // 1 000 sessions, each with the sequence number that asks for exactly the same slot.
    const events = Array.from({ length: 1_000 }, (_, s) => {
      const sessionId = `sess-${s}`;
      const seq = (((target - fnv1a32(sessionId)) % SLOTS_PER_MS) + SLOTS_PER_MS) % SLOTS_PER_MS;
      expect(preferredSlot({ id: 'x', sessionId, seq })).toBe(target);
      return event(sessionId, seq);
    });
    const { placements } = await placer.place(2, events);
    store.write(events, placements);
    expect(store.points.size).toBe(1_000);
    expect(placements.every((p) => !(p instanceof ConsumerError) && p.shard === 2)).toBe(true);
  });

  it('gives a redelivered or resent event the point it already has', async () => {
    const store = new FakeStore();
    const placer = createPointPlacer({ load: store.load, now: () => NOW });
    const events = [
      event('a', 0),
      event('b', (preferredSlot(event('a', 0).event) - fnv1a32('b') + SLOTS_PER_MS) % SLOTS_PER_MS),
    ];
    const first = await placer.place(1, events);
    const again = await placer.place(1, [...events].reverse());
    expect(again.placements).toEqual([...first.placements].reverse());
  });

  it('finds the points stored before a restart, so a replay lands on them and new events beside them', async () => {
    const store = new FakeStore();
    const before = createPointPlacer({ load: store.load, now: () => NOW });
    const colliding = (sessionId: string) =>
      event(
        sessionId,
        (preferredSlot({ id: 'x', sessionId: 's0', seq: 0 }) - fnv1a32(sessionId) + 2 * SLOTS_PER_MS) % SLOTS_PER_MS,
      );
    const written = ['s0', 's1', 's2'].map(colliding);
    store.write(written, (await before.place(4, written)).placements);
    const after = createPointPlacer({ load: store.load, now: () => NOW + 5_000 });
    // Replayed in a different order, with a new event that collides with all of them.
    const replay = [written[2]!, colliding('s3'), written[0]!, written[1]!];
    const { placements } = await after.place(4, replay);
    store.write(replay, placements);
    expect(store.points.size).toBe(4);
    expect(store.ids()).toEqual(replay.map((e) => e.event.id).sort());
  });

  it('overwrites a point stored before shards existed instead of doubling its event', async () => {
    const store = new FakeStore();
    store.points.set('legacy', { site: 'shop', type: 'click', shard: undefined, ms: NOW, slot: 123_456, id: 'old-1' });
    const placer = createPointPlacer({ load: store.load, now: () => NOW });
    const { placements } = await placer.place(0, [event('old', 1, NOW, 'click', 'old-1'), event('new', 1)]);
    expect(placements[0]).toEqual({ shard: undefined, slot: 123_456 });
    expect(placements[1]).toEqual({ shard: 0, slot: preferredSlot({ id: 'x', sessionId: 'new', seq: 1 }) });
  });

  it('keeps a millisecond whose placements are not settled, and reads a settled one again once it is forgotten', async () => {
    const store = new FakeStore();
    let now = NOW;
    const placer = createPointPlacer({ load: store.load, now: () => now, windowMs: 60_000 });
    const a = event('a', 0);
    const b = event('b', (preferredSlot(a.event) - fnv1a32('b') + SLOTS_PER_MS) % SLOTS_PER_MS);
    const first = await placer.place(0, [a]);
    // Not written yet (the write is in flight) and the window has passed: the slot must stay taken.
    now += 120_000;
    const second = await placer.place(0, [b]);
    expect(second.placements[0]).not.toEqual(first.placements[0]);
    store.write([a], first.placements);
    store.write([b], second.placements);
    placer.settle(0, second.ticket);
    now += 2_000;
    const loads = store.loads;
    const replay = await placer.place(0, [b, a]);
    expect(store.loads).toBeGreaterThan(loads);
    expect(replay.placements).toEqual([second.placements[0], first.placements[0]]);
  });

  it('never stores two events on one point, whatever the order, crashes and replays (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
        async (specs, chunkSize, crashes) => {
          // Sessions 0–5 with colliding preferred slots, milliseconds 0–3, sequence numbers 0–3 (reused across ms).
          const base = preferredSlot({ id: 'x', sessionId: 'x0', seq: 0 });
          const log = specs.map(([s, ms, seq]) => {
            const sessionId = `x${s}`;
            const offset = (base - fnv1a32(sessionId) + 2 * SLOTS_PER_MS) % SLOTS_PER_MS;
            return event(sessionId, offset + seq, NOW + ms, 'click', `x${s}-${ms}-${seq}`);
          });
          const store = new FakeStore();
          let committed = 0;
          const pending = [...crashes];
          // Process the log in chunks; at a crash, some placed chunks were written but not committed.
          for (let placer = createPointPlacer({ load: store.load, now: () => NOW }); committed < log.length;) {
            const crash = pending.shift();
            const stopAt = crash ? committed + (crash[0] % (log.length - committed + 1)) : log.length;
            let offset = committed;
            while (offset < log.length) {
              const chunk = log.slice(offset, offset + chunkSize);
              const { placements, ticket } = await placer.place(0, chunk);
              offset += chunk.length;
              // The chunk during which the crash comes may or may not have reached InfluxDB.
              if (offset <= stopAt || (crash?.[1] ?? 0) % 2 === 0) store.write(chunk, placements);
              if (offset > stopAt) break;
              placer.settle(0, ticket);
              committed = offset;
            }
            if (!crash) committed = log.length;
            placer = createPointPlacer({ load: store.load, now: () => NOW });
          }
          expect(store.ids()).toEqual([...new Set(log.map((e) => e.event.id))].sort());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects with the read error when InfluxDB cannot be read', async () => {
    const failure = new ConsumerError('CONSUMER_INFLUX_UNAVAILABLE', 'down');
    const placer = createPointPlacer({ load: () => Promise.reject(failure), now: () => NOW });
    await expect(placer.place(0, [event('a', 0)])).rejects.toBe(failure);
  });
});
