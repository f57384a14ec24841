import { describe, expect, it } from 'vitest';
import { computeFunnel, Trails, trailsOf, type FunnelEvent } from '../src/server/funnel.ts';

const MIN = 60_000;
const view = (actor: string, time: number, path: string): FunnelEvent => ({ actor, time, action: `pageview:${path}` });
const click = (actor: string, time: number, label: string): FunnelEvent => ({ actor, time, action: `click:${label}` });

describe('trails', () => {
  it('keeps a lone run as given, merges the runs of an actor in time order, and never changes arrays it was given', () => {
    const trails = new Trails();
    const lone = { times: [1, 2], actions: ['a', 'b'] };
    const later = { times: [5], actions: ['e'] };
    trails.addRun('x', lone.times, lone.actions);
    trails.addRun('y', later.times, later.actions);
    trails.addRun('y', [3], ['c']);
    trails.add('y', 4, 'd');
    const [x, y] = [...trails.ordered()];
    expect(x!.times).toBe(lone.times);
    expect(y).toEqual({ times: [3, 4, 5], actions: ['c', 'd', 'e'] });
    expect(later).toEqual({ times: [5], actions: ['e'] });
    expect(lone).toEqual({ times: [1, 2], actions: ['a', 'b'] });
  });

  it('groups events by actor in time order, sorting an actor given out of order and keeping ties in order', () => {
    const trails = [
      ...trailsOf([
        view('a', 5, '/b'),
        view('b', 1, '/'),
        view('a', 2, '/a'),
        click('a', 5, 'Buy'),
        view('a', 2, '/x'),
      ]),
    ];
    expect(trails).toEqual([
      { times: [2, 2, 5, 5], actions: ['pageview:/a', 'pageview:/x', 'pageview:/b', 'click:Buy'] },
      { times: [1], actions: ['pageview:/'] },
    ]);
  });
});

describe('computeFunnel', () => {
  const steps = ['pageview:/', 'pageview:/pricing', 'click:Buy'] as const;

  it('counts actors reaching each step in order within the window, with drop-off and what they did next', () => {
    const events = [
      // a: completes.
      view('a', 0, '/'),
      view('a', 1 * MIN, '/pricing'),
      click('a', 2 * MIN, 'Buy'),
      // b: stops at /pricing, then reads the docs.
      view('b', 0, '/'),
      view('b', 1 * MIN, '/pricing'),
      view('b', 2 * MIN, '/docs'),
      // c: stops at /, then leaves.
      view('c', 0, '/'),
      // d: does the steps out of order: only step 1 counts.
      view('d', 0, '/pricing'),
      view('d', 1 * MIN, '/'),
      click('d', 2 * MIN, 'Buy'),
      // e: completes, but outside the 10-minute window.
      view('e', 0, '/'),
      view('e', 5 * MIN, '/pricing'),
      click('e', 11 * MIN, 'Buy'),
      // f: never starts.
      view('f', 0, '/pricing'),
    ].sort((x, y) => x.time - y.time);
    const result = computeFunnel(trailsOf(events), steps, 10 * MIN, 5);
    expect(result.steps.map((s) => [s.actors, s.dropOff])).toEqual([
      [5, 2],
      [3, 2],
      [1, 0],
    ]);
    expect(result.steps[1]!.conversion).toBeCloseTo(3 / 5);
    // Ties in name order.
    expect(result.steps[0]!.nextActions).toEqual([
      { action: '(none)', actors: 1 },
      { action: 'click:Buy', actors: 1 },
    ]);
    expect(result.steps[1]!.nextActions).toEqual([
      { action: 'click:Buy', actors: 1 },
      { action: 'pageview:/docs', actors: 1 },
    ]);
  });

  it('takes the best start when step 1 happens more than once', () => {
    const events = [view('a', 0, '/'), view('a', 20 * MIN, '/'), view('a', 21 * MIN, '/pricing')];
    expect(computeFunnel(trailsOf(events), steps, 10 * MIN, 5).steps.map((s) => s.actors)).toEqual([1, 1, 0]);
  });

  it('answers zeros, not NaN, when nobody starts', () => {
    const result = computeFunnel(trailsOf([view('a', 0, '/docs')]), steps, MIN, 5);
    expect(result.steps.map((s) => [s.actors, s.conversion])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });
});
