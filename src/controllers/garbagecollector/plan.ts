/**
 * The garbage collector's plans: pure functions deciding what happens to a dependent given the
 * state of its owners, and to an owner being deleted given its dependents (Kubernetes'
 * `attemptToDeleteItem`, `processDeletingDependentsItem` and `orphanDependents`).
 *
 * @packageDocumentation
 */
import type { OwnerReference } from '../../api/generated/types.js';
import type { KubeObject } from '../../api/resource.js';
import type { PropagationPolicy } from '../../store/store.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../../store/store.js';

/**
 * What the collector knows of one owner of a dependent:
 * - `absent`: no object with that uid exists (checked against the store, not only the cache);
 * - `present`: it exists (perhaps being deleted, but not in the foreground);
 * - `waitingForDependents`: it is being deleted in the foreground (deletionTimestamp and the
 *   `foregroundDeletion` finalizer) and waits for its blocking dependents;
 * - `unknown`: its kind cannot be looked up; treated as present (never delete on a guess).
 *
 * @public
 */
export type OwnerState = 'absent' | 'present' | 'waitingForDependents' | 'unknown';

/** @public */
export interface ObservedOwner {
  readonly ref: OwnerReference;
  readonly state: OwnerState;
}

/** What to do with a dependent. @public */
export type DependentAction =
  | { readonly kind: 'none' }
  /** Some owners remain: drop the references to owners that are gone or deleting in the foreground. */
  | { readonly kind: 'removeOwnerReferences'; readonly ownerUids: readonly string[] }
  /** Every owner is gone or deleting in the foreground: delete the dependent with this policy. */
  | { readonly kind: 'delete'; readonly propagationPolicy: PropagationPolicy };

/** What to do with an owner being deleted with a garbage-collector finalizer. @public */
export type OwnerAction =
  | { readonly kind: 'none' }
  /** `orphan`: remove the owner's reference from these dependents, then the finalizer. */
  | { readonly kind: 'orphan'; readonly dependents: readonly KubeObject[]; readonly removeFinalizer: typeof ORPHAN_FINALIZER }
  /**
   * `foregroundDeletion`: examine these dependents (not yet being deleted) with
   * {@link planDependent} — which deletes them unless another owner still holds them; remove the
   * finalizer once no dependent blocks (blockOwnerDeletion) the owner any more.
   */
  | { readonly kind: 'foreground'; readonly examineDependents: readonly KubeObject[]; readonly blocking: readonly KubeObject[]; readonly removeFinalizer: boolean };

function hasFinalizer(obj: KubeObject, f: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(f);
}

/**
 * Decide a dependent's fate from its owners' states.
 *
 * Rules (Kubernetes' garbage collector):
 * - no owner references, or the dependent is already being deleted: nothing;
 * - at least one owner `present`/`unknown` (a "solid" owner): the dependent stays; references
 *   to `absent` and `waitingForDependents` owners are removed (if any);
 * - otherwise, if some owner waits for its dependents: delete in the foreground when the
 *   dependent has dependents of its own (so the wait covers the whole tree), else in the
 *   background;
 * - otherwise (every owner absent): delete, with the dependent's own choice when it carries an
 *   `orphan` or `foregroundDeletion` finalizer, else in the background.
 *
 * Guarantees: pure; a dependent with a solid owner is never deleted.
 *
 * @example
 * ```ts
 * planDependent(pod, [{ ref: pod.metadata.ownerReferences![0]!, state: 'absent' }], false);
 * // → { kind: 'delete', propagationPolicy: 'Background' }
 * ```
 * @public
 */
export function planDependent(dependent: KubeObject, owners: readonly ObservedOwner[], hasDependents: boolean): DependentAction {
  if (owners.length === 0 || dependent.metadata.deletionTimestamp !== undefined) return { kind: 'none' };
  const solid = owners.filter((o) => o.state === 'present' || o.state === 'unknown');
  const dangling = owners.filter((o) => o.state === 'absent');
  const waiting = owners.filter((o) => o.state === 'waitingForDependents');
  if (solid.length > 0) {
    const uids = [...dangling, ...waiting].map((o) => o.ref.uid);
    return uids.length === 0 ? { kind: 'none' } : { kind: 'removeOwnerReferences', ownerUids: uids };
  }
  if (waiting.length > 0) return { kind: 'delete', propagationPolicy: hasDependents ? 'Foreground' : 'Background' };
  if (hasFinalizer(dependent, ORPHAN_FINALIZER)) return { kind: 'delete', propagationPolicy: 'Orphan' };
  if (hasFinalizer(dependent, FOREGROUND_FINALIZER)) return { kind: 'delete', propagationPolicy: 'Foreground' };
  return { kind: 'delete', propagationPolicy: 'Background' };
}

/**
 * Decide what to do for an owner being deleted, given the objects that reference it.
 *
 * Rules: not being deleted, or no garbage-collector finalizer: nothing. `orphan` (checked
 * first, as Kubernetes does): every dependent still referencing the owner loses that reference,
 * then the finalizer goes. `foregroundDeletion`: dependents not yet being deleted are examined
 * (and so deleted, unless another owner holds them); the finalizer goes once no remaining dependent has `blockOwnerDeletion: true` for this owner.
 *
 * Guarantees: pure; `blocking ⊆ dependents`; `removeFinalizer` iff `blocking` is empty.
 *
 * @public
 */
export function planOwner(owner: KubeObject, dependents: readonly KubeObject[]): OwnerAction {
  const uid = owner.metadata.uid;
  if (owner.metadata.deletionTimestamp === undefined || uid === undefined) return { kind: 'none' };
  const referencing = dependents.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
  if (hasFinalizer(owner, ORPHAN_FINALIZER)) return { kind: 'orphan', dependents: referencing, removeFinalizer: ORPHAN_FINALIZER };
  if (hasFinalizer(owner, FOREGROUND_FINALIZER)) {
    const blocking = referencing.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion === true));
    const examineDependents = referencing.filter((d) => d.metadata.deletionTimestamp === undefined);
    return { kind: 'foreground', examineDependents, blocking, removeFinalizer: blocking.length === 0 };
  }
  return { kind: 'none' };
}
