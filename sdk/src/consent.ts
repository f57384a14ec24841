// Consent, one decision for the whole site: stored in localStorage, read again
// whenever another tab changes it (the `storage` event reaches every other tab
// at once), so optOut() or optIn() in one tab applies to all of them. Until
// consent is given under `requireConsent`, what is captured waits here without
// who did it: nothing is stored (no identity, no IndexedDB) and nothing is sent.
import { MAX_QUEUE } from './defaults.ts';
import { read, write } from './identity.ts';

export type Consent = 'in' | 'out' | 'pending';

const KEY = 'consent';
let state: Consent = 'in';
/** Captures waiting for consent, in order. */
let waiting: Array<() => void> = [];
let limit = 0;

/** How many captures wait for consent. */
export const waitingCount = (): number => waiting.length;

/** Runs `capture` now with consent, keeps it (up to the limit) while consent is pending, drops it after a refusal. */
export function withConsent(capture: () => void): void {
  if (state === 'in') capture();
  else if (state === 'pending' && waiting.length < limit) waiting.push(capture);
}

/**
 * Reads the consent (stored, then Do Not Track / GPC, then `requireConsent`)
 * and applies it: `onOut` drops what was held, `onIn` starts delivery before
 * what waited is captured. Call again whenever it may have changed.
 */
export function applyConsent(
  options: { respectDoNotTrack: boolean; requireConsent?: boolean; maxQueue?: number },
  onIn: () => void,
  onOut: () => void,
): void {
  const stored = read(KEY);
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  state = stored
    ? stored === 'in'
      ? 'in'
      : 'out'
    : options.respectDoNotTrack && (nav.doNotTrack === '1' || nav.globalPrivacyControl)
      ? 'out'
      : options.requireConsent
        ? 'pending'
        : 'in';
  // Bounded like the worker's queue: beyond maxQueue the newest are not kept.
  limit = options.maxQueue ?? MAX_QUEUE;
  if (state === 'out') {
    waiting = [];
    onOut();
  }
  if (state !== 'in') return;
  onIn();
  for (const capture of waiting.splice(0)) capture();
}

/** Remembers the visitor's decision; every open tab learns it through the `storage` event. */
export function decide(given: boolean): void {
  write(KEY, given ? 'in' : 'out');
}

/** Whether a `storage` event is about consent (its key as identity.ts stores it). */
export const isConsentChange = (e: StorageEvent): boolean => e.key === `eventline:${KEY}`;

/** Back to the state before init (after shutdown). */
export function resetConsent(): void {
  state = 'in';
  waiting = [];
}
