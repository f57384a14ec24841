// Which tab sends which persisted events. Every delivery instance has an owner
// id; a record whose owner is not alive belongs to a closed tab and may be
// taken over. Liveness comes from Web Locks where they exist: each instance
// holds `eventline-owner:<id>` for its lifetime, and claims happen under one
// exclusive lock, so two tabs never adopt the same record. Web Locks need a
// secure context; on plain http pages each instance answers a roll call on a
// BroadcastChannel instead, and a tab that does not answer within
// ROLL_CALL_MS counts as closed. A live tab too busy to answer in time gets its
// records sent twice (storage dedupes), never lost. With neither API every
// record found is adopted.

const PREFIX = 'eventline-owner:';
const CLAIM_LOCK = 'eventline-claim';
const CHANNEL = 'eventline-owners';
const ROLL_CALL = 'who-is-there';
/** How long a roll call waits for answers. 250 ms */
export const ROLL_CALL_MS = 250;

type Locks = LockManager | undefined;
const locks = (): Locks => (globalThis.navigator as Navigator | undefined)?.locks;
const channel = (): BroadcastChannel | undefined =>
  typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : undefined;

/** Resolves once this instance holds its owner lock (or answers roll calls); kept until `release` is called or the context dies. */
export function holdOwnership(owner: string): { held: Promise<void>; release: () => void } {
  const manager = locks();
  if (!manager) {
    const answers = channel();
    if (answers) answers.onmessage = (e: MessageEvent) => void (e.data === ROLL_CALL && answers.postMessage(owner));
    return { held: Promise.resolve(), release: () => answers?.close() };
  }
  let release = (): void => {};
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

/** A predicate telling whether an owner is alive right now. */
export async function liveOwners(): Promise<(owner: string) => boolean> {
  const manager = locks();
  if (manager) {
    const state = await manager.query();
    const locked = new Set((state.held ?? []).map((l) => l.name));
    return (owner) => locked.has(PREFIX + owner);
  }
  const held = new Set<string>();
  const roll = channel();
  if (!roll) return () => false;
  roll.onmessage = (e: MessageEvent) => void held.add(String(e.data));
  roll.postMessage(ROLL_CALL);
  await new Promise((resolve) => setTimeout(resolve, ROLL_CALL_MS));
  roll.close();
  return (owner) => held.has(owner);
}

export function exclusively<T>(fn: () => Promise<T>): Promise<T> {
  const manager = locks();
  return manager ? (manager.request(CLAIM_LOCK, fn) as Promise<T>) : fn();
}
