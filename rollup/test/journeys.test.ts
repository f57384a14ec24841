import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD, TAG } from '@eventline/contract';
import { idKey, PART_CHARS } from '../src/hour-parts.ts';
import { actionOf, decodeJourneyPart, encodeJourneyParts, HourJourneys, type JourneyEntry } from '../src/journeys.ts';

const HOUR = Date.UTC(2026, 11, 1, 10);

/** Entries as decoded parts give them back: a session split over parts is one entry again. */
function decodeAll(parts: readonly string[]): JourneyEntry[] {
  const merged: JourneyEntry[] = [];
  for (const entry of parts.flatMap((part) => decodeJourneyPart(part, HOUR))) {
    const last = merged[merged.length - 1];
    if (last && last.session === entry.session && last.visitor === entry.visitor && last.bot === entry.bot) {
      last.times.push(...entry.times);
      last.actions.push(...entry.actions);
    } else merged.push({ ...entry, times: [...entry.times], actions: [...entry.actions] });
  }
  return merged;
}

describe('funnel actions', () => {
  it('names page views by path, clicks and inputs by label, toggles by state, custom events by name', () => {
    expect(actionOf({ [TAG.type]: 'pageview', [FIELD.pagePath]: '/pricing', [FIELD.label]: 'x' })).toBe(
      'pageview:/pricing',
    );
    expect(actionOf({ [TAG.type]: 'click', [FIELD.label]: 'Buy', [FIELD.pagePath]: '/pricing' })).toBe('click:Buy');
    expect(actionOf({ [TAG.type]: 'input', [FIELD.label]: 'Email' })).toBe('input:Email');
    expect(actionOf({ [TAG.type]: 'change', [FIELD.label]: 'Terms', [FIELD.elementChecked]: true })).toBe(
      'toggle_on:Terms',
    );
    expect(actionOf({ [TAG.type]: 'change', [FIELD.label]: 'Terms', [FIELD.elementChecked]: false })).toBe(
      'toggle_off:Terms',
    );
    // A change that is no toggle is never a toggle step.
    expect(actionOf({ [TAG.type]: 'change', [FIELD.label]: 'Terms' })).toBe('change:Terms');
    expect(actionOf({ [TAG.type]: 'custom', [FIELD.name]: 'signup' })).toBe('custom:signup');
    expect(actionOf({ [TAG.type]: 'submit', [FIELD.label]: 'Sign up' })).toBe('submit:Sign up');
  });
});

describe('an hour of journeys', () => {
  it('keeps each session’s actions in the order of their points, visitors, bots and events without a session apart', () => {
    const hour = new HourJourneys();
    const add = (
      sessionId: string | undefined,
      anonymousId: string,
      time: number,
      action: string,
      bot = false,
      slot = 0,
    ) => hour.add({ sessionId, anonymousId, bot, time: HOUR + time, order: time * 1e6 + slot, action });
    add('s1', 'v1', 0, 'pageview:/');
    add('s2', 'v2', 5, 'pageview:/');
    // Two events in one millisecond in the order of the slots storage gave them, whatever order they were added in.
    add('s1', 'v1', 7, 'click:Buy', false, 2);
    add('s1', 'v1', 7, 'pageview:/pricing', false, 1);
    add(undefined, 'v1', 9, 'custom:invoice');
    add('s1', 'v1', 10, 'pageview:/', true);
    expect(hour.list()).toEqual([
      {
        session: idKey('s1'),
        visitor: idKey('v1'),
        bot: false,
        times: [0, 7, 7].map((t) => HOUR + t),
        actions: ['pageview:/', 'pageview:/pricing', 'click:Buy'],
      },
      { session: idKey('s2'), visitor: idKey('v2'), bot: false, times: [HOUR + 5], actions: ['pageview:/'] },
      { session: '', visitor: idKey('v1'), bot: false, times: [HOUR + 9], actions: ['custom:invoice'] },
      { session: idKey('s1'), visitor: idKey('v1'), bot: true, times: [HOUR + 10], actions: ['pageview:/'] },
    ]);
  });

  it('sorts a session given out of order by its points, equal points of two series by action, and stays sorted', () => {
    const hour = new HourJourneys();
    const add = (time: number, slot: number, action: string) =>
      hour.add({ sessionId: 's', anonymousId: 'v', bot: false, time: HOUR + time, order: time * 1e6 + slot, action });
    for (const [time, slot, action] of [
      [9, 5, 'd'],
      [3, 0, 'a'],
      [9, 5, 'c'],
      [3, 1, 'b'],
    ] as const)
      add(time, slot, action);
    expect(hour.list()[0]!.actions).toEqual(['a', 'b', 'c', 'd']);
    // Added later (a span read again), an earlier event still takes its place.
    add(3, 4, 'e');
    add(1, 0, 'f');
    expect(hour.list()[0]).toMatchObject({
      actions: ['f', 'a', 'b', 'e', 'c', 'd'],
      times: [1, 3, 3, 3, 9, 9].map((t) => HOUR + t),
    });
  });

  it('stores an empty hour as one empty part', () => {
    expect(encodeJourneyParts([], HOUR)).toEqual(['']);
    expect(decodeJourneyPart('', HOUR)).toEqual([]);
  });

  it('reads back every entry, split into parts InfluxDB can hold, with long and non-Latin actions', () => {
    const entry = fc.record({
      session: fc.oneof(fc.constant(''), fc.string({ minLength: 1 }).map(idKey)),
      visitor: fc.string().map(idKey),
      bot: fc.boolean(),
      events: fc.array(
        fc.tuple(
          fc.nat({ max: 3_600_000 }),
          fc.oneof(
            fc.constantFrom('pageview:/', 'click:Buy', 'toggle_on:Terms'),
            fc.string({ unit: 'grapheme', maxLength: 2000 }).map((text) => `custom:${text}`),
          ),
        ),
        { minLength: 1, maxLength: 3000 },
      ),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), (drawn) => {
        const entries: JourneyEntry[] = drawn.map(({ session, visitor, bot, events }) => {
          const sorted = [...events].sort((a, b) => a[0] - b[0]);
          return { session, visitor, bot, times: sorted.map(([t]) => HOUR + t), actions: sorted.map(([, a]) => a) };
        });
        const parts = encodeJourneyParts(entries, HOUR);
        for (const part of parts) expect(part.length).toBeLessThanOrEqual(PART_CHARS);
        // Adjacent entries of one session are one again (as a reader merges them per actor).
        expect(decodeAll(parts)).toEqual(
          entries.reduce<JourneyEntry[]>((merged, entry) => {
            const last = merged[merged.length - 1];
            if (last && last.session === entry.session && last.visitor === entry.visitor && last.bot === entry.bot)
              return [
                ...merged.slice(0, -1),
                { ...last, times: [...last.times, ...entry.times], actions: [...last.actions, ...entry.actions] },
              ];
            return [...merged, entry];
          }, []),
        );
      }),
      { numRuns: 30, seed: 5 },
    );
  });

  it('splits one busy session over parts', () => {
    const times = Array.from({ length: 40_000 }, (_, i) => HOUR + i * 50);
    const actions = times.map((_, i) => `pageview:/page/${i % 700}`);
    const entry = { session: idKey('busy'), visitor: idKey('v'), bot: false, times, actions };
    const parts = encodeJourneyParts([entry], HOUR);
    expect(parts.length).toBeGreaterThan(1);
    expect(decodeAll(parts)).toEqual([entry]);
  });

  it('refuses a part cut short or naming an action it does not list', () => {
    const [part] = encodeJourneyParts(
      [{ session: idKey('s'), visitor: idKey('v'), bot: false, times: [HOUR + 300], actions: ['click:Buy'] }],
      HOUR,
    );
    const bytes = Buffer.from(part!, 'base64');
    expect(() => decodeJourneyPart(bytes.subarray(0, 5).toString('base64'), HOUR)).toThrow(/inside an action/);
    expect(() => decodeJourneyPart(bytes.subarray(0, 15).toString('base64'), HOUR)).toThrow(/inside a key/);
    expect(() => decodeJourneyPart(bytes.subarray(0, bytes.length - 1).toString('base64'), HOUR)).toThrow(
      /inside a number/,
    );
    const wrongIndex = Buffer.from(bytes);
    wrongIndex[wrongIndex.length - 1] = 3;
    expect(() => decodeJourneyPart(wrongIndex.toString('base64'), HOUR)).toThrow(/does not list/);
  });
});
