// Who and when, without cookies: an anonymous id in localStorage, a session id
// that expires after inactivity, and a per-session sequence number assigned at
// capture time so the pipeline can tell gaps from duplicates.
//
// Values are cached in memory: localStorage.setItem costs ~100 µs in Chromium,
// far more than the rest of a capture, so the session (which changes on every
// event) is written at most once a second and when the page is hidden. Another
// tab's writes reach this one through the `storage` event, which drops the
// cache. The cache also stands in for storage where it is blocked.
import { newId } from './ids.ts';

const PREFIX = 'eventline:';
let cache: Record<string, string | null> = {};
let pending: ReturnType<typeof setTimeout> | 0 = 0;

export function read(key: string): string | null {
  if (!(key in cache)) {
    try {
      cache[key] = localStorage.getItem(PREFIX + key);
    } catch {
      cache[key] = null;
    }
  }
  return cache[key]!;
}

function persist(key: string): void {
  const value = cache[key];
  try {
    if (value == null) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, value);
  } catch {
    // Storage blocked (sandboxed iframe, privacy mode): the cache serves this page.
  }
}

export function write(key: string, value: string | null): void {
  cache[key] = value;
  persist(key);
}

/** Writes the session now if a write is pending (call when the page is hidden). */
export function saveSession(): void {
  if (pending) persist('session');
  clearTimeout(pending);
  pending = 0;
}

/** Another tab changed storage: read it again. */
export function dropCache(): void {
  saveSession();
  cache = {};
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
  cache['session'] = `${sessionId}.${seq + 1}.${now}`;
  pending ||= setTimeout(saveSession, 1_000);
  return { sessionId, seq };
}

/** Forgets the visitor: new anonymous id and session on the next event, no user id. */
export function resetIdentity(): void {
  for (const key of ['anon', 'session', 'user']) write(key, null);
}
