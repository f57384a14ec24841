// Who and when, without cookies: an anonymous id in localStorage, a session id
// that expires after inactivity, and a per-session sequence number assigned at
// capture time so the pipeline can tell gaps from duplicates.
//
// Every read goes to localStorage (getItem ~0.5 µs in Chromium) and every event
// writes the session back at once (setItem ~10 µs median, but a mean over
// 100 µs in the event path: the main-thread cost of the SDK, see the README's
// benchmark), so the tabs of a session see each other's numbers as soon as the
// browser relays them. A key whose write failed (storage blocked, quota) is
// served from memory.
import { newId } from './ids.ts';

const PREFIX = 'eventline:';
const memory: Record<string, string | null> = {};
/** The next sequence number this tab last stored, by session id. */
let own: Record<string, number> = {};

export function read(key: string): string | null {
  if (key in memory) return memory[key]!;
  try {
    return localStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

export function write(key: string, value: string | null): void {
  try {
    if (value == null) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, value);
    delete memory[key];
  } catch {
    memory[key] = value;
  }
}

export function anonymousId(): string {
  let id = read('anon');
  if (!id) write('anon', (id = newId()));
  return id;
}

/** The current session and the next sequence number in it; starts a new session after `timeout` ms of inactivity. */
export function nextInSession(timeout: number, now: number): { sessionId: string; seq: number } {
  // Stored as `id.nextSeq.lastActivity`; anything unreadable starts a new session.
  const [stored, next, last] = (read('session') ?? '').split('.');
  let sessionId = stored!;
  // A tab whose view of storage lags (another process) may have stored an
  // older number over this tab's: this tab never reuses a number it gave out.
  let seq = Math.max(Number(next), own[sessionId] ?? 0);
  if (!sessionId || !(now - Number(last) < timeout) || !(seq >= 0)) [sessionId, seq] = [newId(), 0];
  own = { [sessionId]: seq + 1 };
  write('session', `${sessionId}.${seq + 1}.${now}`);
  return { sessionId, seq };
}

/** Forgets the visitor: new anonymous id and session on the next event, no user id. */
export function resetIdentity(): void {
  for (const key of ['anon', 'session', 'user']) write(key, null);
}
