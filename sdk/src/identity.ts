// Who and when, without cookies: an anonymous id in localStorage, a session id
// shared by the tabs of the site that expires after inactivity, and a sequence
// number per session and tab (a tab is one page load, named by `tabId`),
// assigned at capture time so the pipeline can tell gaps from duplicates.
//
// Numbering per tab keeps storage writes out of the event path: the number
// lives in memory, and the session's last activity is written back from a
// timer at most once a second (a setItem in the event path cost a mean of
// 100+ µs and a p99 over 1 ms, see the README's benchmark). A key whose write
// failed (storage blocked, quota) is served from memory.
import { newId } from './ids.ts';

const PREFIX = 'eventline:';
const memory: Record<string, string | null> = {};
/** How long the last activity may wait in memory before it is stored: 1 s, far below any session timeout. */
const ACTIVITY_WRITE_MS = 1_000;

/** This page load; sequence numbers count per session and tab. */
export const tabId = newId();
let current = { sessionId: '', seq: 0, last: 0 };
let pending: ReturnType<typeof setTimeout> | undefined;

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

const storeActivity = (): void => {
  pending = undefined;
  write('session', `${current.sessionId}.${current.last}`);
};

/** The current session and this tab's next sequence number in it; starts a new session after `timeout` ms of inactivity in every tab. */
export function nextInSession(timeout: number, now: number): { sessionId: string; seq: number } {
  // Stored as `id.lastActivity` (earlier versions stored `id.nextSeq.lastActivity`); anything unreadable starts a new session.
  const parts = (read('session') ?? '').split('.');
  let sessionId = parts[0]!;
  const last = Math.max(Number(parts[parts.length - 1]), sessionId === current.sessionId ? current.last : 0);
  if (!sessionId || !(now - last < timeout)) {
    sessionId = newId();
    write('session', `${sessionId}.${now}`);
  }
  if (sessionId !== current.sessionId) current = { sessionId, seq: 0, last: now };
  current.last = now;
  pending ??= setTimeout(storeActivity, ACTIVITY_WRITE_MS);
  return { sessionId, seq: current.seq++ };
}

/** Forgets the visitor: new anonymous id and session on the next event, no user id. */
export function resetIdentity(): void {
  clearTimeout(pending);
  pending = undefined;
  current = { sessionId: '', seq: 0, last: 0 };
  for (const key of ['anon', 'session', 'user']) write(key, null);
}
