// Ordered funnels: of the sessions (or visitors) that did step 1, how many then
// did step 2 within the window, then step 3, …; and for those who stopped at a
// step, what they did next. Pure: fed each actor's events (from the journey
// rollups, or raw events grouped by actor), an event doing a step when its
// action is the step (`pageview:/pricing`).
import type { FunnelStep } from '@eventline/contract/read-api';
import { inTimeOrder, type TimedActions } from '@eventline/rollup/journeys';

/** One event of an actor, as far as funnels are concerned. */
export interface FunnelEvent {
  time: number;
  actor: string;
  /** What the event was as a step names it, `kind:value` (@eventline/rollup/journeys' actionOf). */
  action: string;
}

/** One actor's events, in time order. */
export type Trail = TimedActions;

export interface FunnelResult {
  steps: { step: FunnelStep; actors: number; conversion: number; dropOff: number; nextActions: NextAction[] }[];
}
export interface NextAction {
  action: string;
  actors: number;
}

const NO_NEXT_ACTION = '(none)';

/**
 * The deepest step an actor reached from any start at step 1, with the steps'
 * events within `windowMs` of that start, each after the one before; and the
 * action right after its last matched step.
 */
function deepest({ times, actions }: Trail, steps: readonly FunnelStep[], windowMs: number): [number, string] {
  let best = 0;
  let next = NO_NEXT_ACTION;
  for (let start = 0; start < actions.length && best < steps.length; start++) {
    if (actions[start] !== steps[0]) continue;
    let reached = 1;
    let last = start;
    for (let i = start + 1; i < actions.length && reached < steps.length; i++) {
      if (times[i]! - times[start]! > windowMs) break;
      if (actions[i] === steps[reached]) {
        reached++;
        last = i;
      }
    }
    if (reached > best) {
      best = reached;
      next = actions[last + 1] ?? NO_NEXT_ACTION;
    }
  }
  return [best, next];
}

/** Collects each actor's events, their trail. */
export class Trails {
  private readonly byActor = new Map<string, Trail>();
  /** Trails whose arrays this made, and may grow; the others are a caller's. */
  private readonly owned = new WeakSet<Trail>();

  add(actor: string, time: number, action: string): void {
    const trail = this.byActor.get(actor);
    if (trail && this.owned.has(trail)) {
      trail.times.push(time);
      trail.actions.push(action);
    } else this.addRun(actor, [time], [action]);
  }

  /**
   * Adds a run of the actor's events (a journey entry's), its times ascending. The arrays are kept as they are and
   * never changed, so an actor seen in one run (nearly every session) costs no copy.
   */
  addRun(actor: string, times: number[], actions: string[]): void {
    const trail = this.byActor.get(actor);
    if (!trail) this.byActor.set(actor, { times, actions });
    else if (this.owned.has(trail)) {
      for (const time of times) trail.times.push(time);
      for (const action of actions) trail.actions.push(action);
    } else {
      const merged = { times: trail.times.concat(times), actions: trail.actions.concat(actions) };
      this.owned.add(merged);
      this.byActor.set(actor, merged);
    }
  }

  /** Every actor's trail in time order: one added to out of order (a visitor's sessions in one hour) is sorted, stably. */
  ordered(): Iterable<Trail> {
    return [...this.byActor.values()].map(inTimeOrder);
  }
}

/** Events in time order, grouped by actor. */
export function trailsOf(events: Iterable<FunnelEvent>): Iterable<Trail> {
  const trails = new Trails();
  for (const { actor, time, action } of events) trails.add(actor, time, action);
  return trails.ordered();
}

export function computeFunnel(
  trails: Iterable<Trail>,
  steps: readonly FunnelStep[],
  windowMs: number,
  topNextActions: number,
): FunnelResult {
  const reached = new Array<number>(steps.length + 1).fill(0);
  const next = steps.map(() => new Map<string, number>());
  for (const trail of trails) {
    // An actor who never does step 1 costs nothing more.
    if (!trail.actions.includes(steps[0]!)) continue;
    const [depth, action] = deepest(trail, steps, windowMs);
    reached[depth]!++;
    if (depth > 0 && depth < steps.length) next[depth - 1]!.set(action, (next[depth - 1]!.get(action) ?? 0) + 1);
  }
  // Actors at step k: those whose deepest step is k or beyond.
  const atLeast = steps.map((_, k) => reached.slice(k + 1).reduce((sum, n) => sum + n, 0));
  const first = atLeast[0] ?? 0;
  return {
    steps: steps.map((step, k) => ({
      step,
      actors: atLeast[k]!,
      conversion: first === 0 ? 0 : atLeast[k]! / first,
      dropOff: atLeast[k]! - (atLeast[k + 1] ?? atLeast[k]!),
      nextActions: [...next[k]!]
        .map(([action, actors]) => ({ action, actors }))
        .sort((a, b) => b.actors - a.actors || (a.action < b.action ? -1 : 1))
        .slice(0, topNextActions),
    })),
  };
}
