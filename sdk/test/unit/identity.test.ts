// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { anonymousId, dropCache, nextInSession, read, resetIdentity, saveSession, write } from '../../src/identity.ts';
import { newId } from '../../src/ids.ts';

const THIRTY_MINUTES = 30 * 60_000;

beforeEach(() => {
  dropCache();
  localStorage.clear();
});

describe('identity and sequence numbers', () => {
  it('numbers events of a session from 0 without gaps', () => {
    const t = 1_000_000;
    const seqs = [0, 1, 2, 3].map((i) => nextInSession(THIRTY_MINUTES, t + i * 1_000));
    expect(seqs.map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    expect(new Set(seqs.map((s) => s.sessionId)).size).toBe(1);
  });

  it('starts a new session, back at 0, after 30 minutes without activity', () => {
    const t = 1_000_000;
    const first = nextInSession(THIRTY_MINUTES, t);
    nextInSession(THIRTY_MINUTES, t + THIRTY_MINUTES - 1);
    const later = nextInSession(THIRTY_MINUTES, t + 2 * THIRTY_MINUTES);
    expect(later.seq).toBe(0);
    expect(later.sessionId).not.toBe(first.sessionId);
  });

  it('starts over from unreadable session state', () => {
    write('session', 'garbage');
    expect(nextInSession(THIRTY_MINUTES).seq).toBe(0);
    write('session', 'abc.NaN.1');
    expect(nextInSession(THIRTY_MINUTES).seq).toBe(0);
  });

  it('keeps one anonymous id in localStorage, and no cookie', () => {
    const id = anonymousId();
    expect(anonymousId()).toBe(id);
    expect(localStorage.getItem('eventline:anon')).toBe(id);
    expect(document.cookie).toBe('');
  });

  it('forgets the visitor on reset', () => {
    const id = anonymousId();
    write('user', 'u1');
    nextInSession(THIRTY_MINUTES);
    resetIdentity();
    expect(read('user')).toBeNull();
    expect(anonymousId()).not.toBe(id);
    expect(nextInSession(THIRTY_MINUTES).seq).toBe(0);
  });

  it('writes the session to localStorage lazily, and at once when asked (page hidden)', () => {
    const { sessionId } = nextInSession(THIRTY_MINUTES, 5_000);
    nextInSession(THIRTY_MINUTES, 6_000);
    expect(localStorage.getItem('eventline:session')).toBeNull();
    saveSession();
    expect(localStorage.getItem('eventline:session')).toBe(`${sessionId}.2.6000`);
  });

  it('continues the sequence another tab (or page) left in storage', () => {
    localStorage.setItem('eventline:session', `other-tab-session.7.${Date.now()}`);
    dropCache();
    expect(nextInSession(THIRTY_MINUTES)).toEqual({ sessionId: 'other-tab-session', seq: 7 });
  });

  it('makes URL-safe ids the contract accepts, all different', () => {
    const ids = Array.from({ length: 1_000 }, newId);
    expect(new Set(ids).size).toBe(1_000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
  });
});
