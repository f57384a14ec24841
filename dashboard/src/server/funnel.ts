// Ordered funnels over raw events: of the sessions (or visitors) that did step
// 1, how many then did step 2 within the window, then step 3, …; and for those
// who stopped at a step, what they did next. Pure: fed one event at a time in
// time order, holding per actor only the events that can still matter.
import type { FunnelStep } from '@eventline/contract/read-api';

/** One raw event, as far as funnels are concerned. */
export interface FunnelEvent {
  time: number;
  actor: string;
  type: string;
  path?: string;
  label?: string;
  name?: string;
  checked?: boolean;
}

export interface FunnelResult {
  steps: { step: FunnelStep; actors: number; conversion: number; dropOff: number; nextActions: NextAction[] }[];
}
export interface NextAction {
  action: string;
  actors: number;
}

/** `kind:value` → what an event must be to do the step. */
export function matches(step: FunnelStep, event: FunnelEvent): boolean {
  const colon = step.indexOf(':');
  const kind = step.slice(0, colon);
  const value = step.slice(colon + 1);
  switch (kind) {
    case 'pageview':
      return event.type === 'pageview' && event.path === value;
    case 'click':
      return event.type === 'click' && event.label === value;
    case 'input':
      return event.type === 'input' && event.label === value;
    case 'toggle_on':
      return event.type === 'change' && event.label === value && event.checked === true;
    case 'toggle_off':
      return event.type === 'change' && event.label === value && event.checked === false;
    case 'custom':
      return event.type === 'custom' && event.name === value;
    default:
      return false;
  }
}

/** How an event is named among next actions: what a PM would write as a step. */
export function actionOf(event: FunnelEvent): string {
  switch (event.type) {
    case 'pageview':
      return `pageview:${event.path ?? ''}`;
    case 'custom':
      return `custom:${event.name ?? ''}`;
    case 'change':
      return `${event.checked ? 'toggle_on' : 'toggle_off'}:${event.label ?? ''}`;
    default:
      return `${event.type}:${event.label ?? ''}`;
  }
}

const NO_NEXT_ACTION = '(none)';

/**
 * The deepest step an actor reached from any start at step 1, with the steps'
 * events within `windowMs` of that start, each after the one before; and the
 * action right after its last matched step.
 */
function deepest(events: FunnelEvent[], steps: readonly FunnelStep[], windowMs: number): [number, string] {
  let best = 0;
  let next = NO_NEXT_ACTION;
  for (let start = 0; start < events.length && best < steps.length; start++) {
    if (!matches(steps[0]!, events[start]!)) continue;
    let reached = 1;
    let last = start;
    for (let i = start + 1; i < events.length && reached < steps.length; i++) {
      if (events[i]!.time - events[start]!.time > windowMs) break;
      if (matches(steps[reached]!, events[i]!)) {
        reached++;
        last = i;
      }
    }
    if (reached > best) {
      best = reached;
      const after = events[last + 1];
      next = after ? actionOf(after) : NO_NEXT_ACTION;
    }
  }
  return [best, next];
}

export function computeFunnel(
  events: Iterable<FunnelEvent>,
  steps: readonly FunnelStep[],
  windowMs: number,
  topNextActions: number,
): FunnelResult {
  const byActor = new Map<string, FunnelEvent[]>();
  for (const event of events) {
    let list = byActor.get(event.actor);
    if (!list) {
      // An actor whose first event is not step 1 can still start later; one who never does step 1 costs nothing.
      if (!matches(steps[0]!, event)) continue;
      list = [];
      byActor.set(event.actor, list);
    }
    list.push(event);
  }
  const reached = new Array<number>(steps.length + 1).fill(0);
  const next = steps.map(() => new Map<string, number>());
  for (const list of byActor.values()) {
    const [depth, action] = deepest(list, steps, windowMs);
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
