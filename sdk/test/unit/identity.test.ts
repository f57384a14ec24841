// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { anonymousId, nextInSession, read, resetIdentity, write } from '../../src/identity.ts';
import { newId } from '../../src/ids.ts';

const THIRTY_MINUTES = 30 * 60_000;

type Identity = typeof import('../../src/identity.ts');

/** Another tab of the site: its own copy of the module, the same localStorage (as one process shares it). */
async function otherTab(): Promise<Identity> {
  vi.resetModules();
  return import('../../src/identity.ts');
}

beforeEach(() => {
  localStorage.clear();
  resetIdentity();
});

afterEach(() => {
  vi.restoreAllMocks();
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
    expect(nextInSession(THIRTY_MINUTES, Date.now()).seq).toBe(0);
    write('session', 'abc.NaN.1');
    expect(nextInSession(THIRTY_MINUTES, Date.now()).seq).toBe(0);
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
    nextInSession(THIRTY_MINUTES, Date.now());
    resetIdentity();
    expect(read('user')).toBeNull();
    expect(anonymousId()).not.toBe(id);
    expect(nextInSession(THIRTY_MINUTES, Date.now()).seq).toBe(0);
  });

  it('writes no storage in the event path: the session is stored when it starts, its activity from a timer', () => {
    vi.useFakeTimers();
    onTestFinished(() => void vi.useRealTimers());
    const { sessionId } = nextInSession(THIRTY_MINUTES, 5_000);
    expect(localStorage.getItem('eventline:session')).toBe(`${sessionId}.5000`);
    for (let i = 1; i <= 100; i++) nextInSession(THIRTY_MINUTES, 5_000 + i);
    expect(localStorage.getItem('eventline:session')).toBe(`${sessionId}.5000`);
    vi.advanceTimersByTime(1_000);
    expect(localStorage.getItem('eventline:session')).toBe(`${sessionId}.5100`);
  });

  it('joins the session another tab (or page) left in storage, in the format of earlier versions too', () => {
    localStorage.setItem('eventline:session', `other-tab-session.${Date.now()}`);
    expect(nextInSession(THIRTY_MINUTES, Date.now())).toEqual({ sessionId: 'other-tab-session', seq: 0 });
    resetIdentity();
    localStorage.setItem('eventline:session', `older-sdk-session.7.${Date.now()}`);
    expect(nextInSession(THIRTY_MINUTES, Date.now())).toEqual({ sessionId: 'older-sdk-session', seq: 0 });
  });

  it('numbers the events of one session per tab, each tab from 0 without gaps, under different tab ids', async () => {
    const tabA = await otherTab();
    const tabB = await otherTab();
    expect(tabA.tabId).not.toBe(tabB.tabId);
    const t = 1_000_000;
    const order = ['A', 'A', 'B', 'A', 'B', 'B', 'A', 'B'];
    const numbered = order.map((tab, i) => ({
      tab,
      ...(tab === 'A' ? tabA : tabB).nextInSession(THIRTY_MINUTES, t + i),
    }));
    expect(new Set(numbered.map((n) => n.sessionId)).size).toBe(1);
    expect(numbered.filter((n) => n.tab === 'A').map((n) => n.seq)).toEqual([0, 1, 2, 3]);
    expect(numbered.filter((n) => n.tab === 'B').map((n) => n.seq)).toEqual([0, 1, 2, 3]);
  });

  it("keeps a session alive while another tab is active, and restarts this tab's numbers in a new session", async () => {
    vi.useFakeTimers();
    onTestFinished(() => void vi.useRealTimers());
    const tabA = await otherTab();
    const tabB = await otherTab();
    const t = 1_000_000;
    const first = tabA.nextInSession(THIRTY_MINUTES, t);
    tabA.nextInSession(THIRTY_MINUTES, t + 1);
    tabB.nextInSession(THIRTY_MINUTES, t + THIRTY_MINUTES - 1);
    vi.advanceTimersByTime(1_000);
    // Tab B's activity, stored by its timer, keeps the session alive for tab A.
    expect(tabA.nextInSession(THIRTY_MINUTES, t + THIRTY_MINUTES + 1)).toEqual({ sessionId: first.sessionId, seq: 2 });
    const later = tabA.nextInSession(THIRTY_MINUTES, t + 3 * THIRTY_MINUTES);
    expect(later.sessionId).not.toBe(first.sessionId);
    expect(later.seq).toBe(0);
  });

  it('keeps numbering in memory where storage is blocked', async () => {
    const tab = await otherTab();
    const blocked = (): never => {
      throw new DOMException('blocked', 'SecurityError');
    };
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(blocked);
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(blocked);
    const numbered = [0, 1, 2].map((i) => tab.nextInSession(THIRTY_MINUTES, 1_000 + i));
    expect(numbered.map((n) => n.seq)).toEqual([0, 1, 2]);
    expect(new Set(numbered.map((n) => n.sessionId)).size).toBe(1);
    expect(tab.anonymousId()).toBe(tab.anonymousId());
  });

  it('makes URL-safe ids the contract accepts, all different', () => {
    const ids = Array.from({ length: 1_000 }, newId);
    expect(new Set(ids).size).toBe(1_000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
  });
});
