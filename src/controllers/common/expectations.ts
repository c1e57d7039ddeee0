/**
 * Kubernetes' controller "expectations": what a controller has asked the store to do and has
 * not yet seen come back through its informer. While a controller waits for its own creates and
 * deletes it must not act on its cache again, or it would create or delete twice.
 *
 * @packageDocumentation
 */
import type { Clock } from '../../runtime/clock-types.js';

/** How long expectations are trusted before they are treated as met anyway (5 minutes). @public */
export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Record {
  add: number;
  readonly deletes: Set<string>;
  at: number;
}

/**
 * Per-controller-key expectations of creations (a count) and deletions (the uids of the objects
 * deleted), as client-go's `UIDTrackingControllerExpectations`.
 *
 * Guarantees: a key with no record is satisfied; a record is satisfied once every expected
 * creation and deletion was observed (or lowered after a failed write), or when it is older than
 * the TTL; observing a deletion of a uid twice (graceful delete, then the final delete) counts
 * once.
 *
 * @example
 * ```ts
 * const exp = new Expectations(clock);
 * exp.expectCreations('default/web', 3);
 * podInformer.addHandler({ onAdd: (p) => exp.creationObserved(ownerKeyOf(p)) });
 * if (exp.satisfied('default/web')) { … act on the cache … }
 * ```
 * @public
 */
export class Expectations {
  private readonly records = new Map<string, Record>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number = EXPECTATIONS_TTL_MS,
  ) {}

  /** Expect `count` creations under `key` (replaces the creations expected before). */
  expectCreations(key: string, count: number): void {
    const r = this.recordFor(key);
    r.add = count;
    r.at = this.clock.now();
  }

  /** Expect the deletion of each uid under `key` (added to the deletions expected before). */
  expectDeletions(key: string, uids: readonly string[]): void {
    const r = this.recordFor(key);
    for (const u of uids) r.deletes.add(u);
    r.at = this.clock.now();
  }

  /** A creation under `key` was observed (or will never happen: a failed or skipped create). */
  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r !== undefined && r.add > 0) r.add--;
  }

  /** The deletion of `uid` under `key` was observed (or will never happen). */
  deletionObserved(key: string, uid: string): void {
    this.records.get(key)?.deletes.delete(uid);
  }

  /** Whether the controller may act on its cache for `key`. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (r === undefined) return true;
    if (r.add <= 0 && r.deletes.size === 0) return true;
    return this.clock.now() - r.at > this.ttlMs;
  }

  /** What is still expected under `key` (for logs and tests). */
  pending(key: string): { readonly creates: number; readonly deletes: number } {
    const r = this.records.get(key);
    return { creates: Math.max(0, r?.add ?? 0), deletes: r?.deletes.size ?? 0 };
  }

  /** Forget `key` (its owner is gone). */
  delete(key: string): void {
    this.records.delete(key);
  }

  private recordFor(key: string): Record {
    let r = this.records.get(key);
    if (r === undefined || this.clock.now() - r.at > this.ttlMs) {
      r = { add: 0, deletes: new Set(), at: this.clock.now() };
      this.records.set(key, r);
    }
    return r;
  }
}
