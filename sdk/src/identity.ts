// Who and when, without cookies: an anonymous id in localStorage, a session id
// that expires after inactivity, and a per-session sequence number assigned at
// capture time so the pipeline can tell gaps from duplicates. Falls back to
// memory when storage is blocked.
import { newId } from './ids.ts';

const memory: Record<string, string | null> = {};

export function read(key: string): string | null {
  try {
    return localStorage.getItem('eventline:' + key);
  } catch {
    return memory[key] ?? null;
  }
}

export function write(key: string, value: string | null): void {
  memory[key] = value;
  try {
    if (value === null) localStorage.removeItem('eventline:' + key);
    else localStorage.setItem('eventline:' + key, value);
  } catch {
    // Storage blocked (sandboxed iframe, privacy mode): the memory copy serves this page.
  }
}

export function anonymousId(): string {
  let id = read('anon');
  if (!id) write('anon', (id = newId()));
  return id;
}

/** The current session and the next sequence number in it; starts a new session after `timeout` ms of inactivity. */
export function nextInSession(timeout: number, now: number = Date.now()): { sessionId: string; seq: number } {
  // Stored as `id.nextSeq.lastActivity`; anything unreadable starts a new session.
  const [stored, next, last] = (read('session') ?? '').split('.');
  let sessionId = stored ?? '';
  let seq = Number(next);
  if (!sessionId || !(now - Number(last) < timeout) || !(seq >= 0)) [sessionId, seq] = [newId(), 0];
  write('session', `${sessionId}.${seq + 1}.${now}`);
  return { sessionId, seq };
}

/** Forgets the visitor: new anonymous id and session on the next event, no user id. */
export function resetIdentity(): void {
  for (const key of ['anon', 'session', 'user']) write(key, null);
}
