// Which tab sends which persisted events, with Web Locks: every delivery
// instance holds `eventline-owner:<id>` for its lifetime, so a record whose
// owner's lock is free belongs to a closed tab and may be taken over. Claims
// happen under one exclusive lock, so two tabs never adopt the same record.
// Without Web Locks every record found at start is adopted (storage dedupes).

const PREFIX = 'eventline-owner:';
const CLAIM_LOCK = 'eventline-claim';

type Locks = LockManager | undefined;
const locks = (): Locks => (globalThis.navigator as Navigator | undefined)?.locks;

/** Resolves once this instance holds its owner lock; the lock is kept until `release` is called or the context dies. */
export function holdOwnership(owner: string): { held: Promise<void>; release: () => void } {
  let release = (): void => {};
  const manager = locks();
  if (!manager) return { held: Promise.resolve(), release };
  const held = new Promise<void>((acquired) => {
    void manager
      .request(PREFIX + owner, () => {
        acquired();
        return new Promise<void>((end) => (release = end));
      })
      .catch(() => acquired());
  });
  return { held, release: () => release() };
}

/** A predicate telling whether an owner's lock is held right now. */
export async function liveOwners(): Promise<(owner: string) => boolean> {
  const manager = locks();
  if (!manager) return () => false;
  const state = await manager.query();
  const held = new Set((state.held ?? []).map((l) => l.name));
  return (owner) => held.has(PREFIX + owner);
}

export function exclusively<T>(fn: () => Promise<T>): Promise<T> {
  const manager = locks();
  return manager ? (manager.request(CLAIM_LOCK, fn) as Promise<T>) : fn();
}
