/**
 * The ReplicaSet controller's plan: a pure function from a ReplicaSet, the pods of its
 * namespace and the time to what should change (Kubernetes' `syncReplicaSet`,
 * `manageReplicas` and `calculateStatus`).
 *
 * @packageDocumentation
 */
import type { Pod, ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from '../../api/generated/types.js';
import { controllerRefOf } from '../common/owner.js';
import { compiledSelector } from '../common/selectors.js';
import { isPodActive, isPodAvailable, isPodReady, podAvailableAt } from '../common/pods.js';
import { podsToDelete } from '../common/ranking.js';
import { rfc3339 } from '../common/time.js';

/** At most this many pods are created or deleted in one sync (Kubernetes' `BurstReplicas`). @public */
export const BURST_REPLICAS = 500;

/** The condition type set when creating or deleting pods fails. @public */
export const REPLICA_FAILURE = 'ReplicaFailure';

/** A failure of the last attempt to create or delete pods, for the ReplicaFailure condition. @public */
export interface ManageReplicasError {
  readonly reason: 'FailedCreate' | 'FailedDelete';
  readonly message: string;
}

/** @public */
export interface PlanReplicaSetOptions {
  /**
   * False while the controller's earlier creates/deletes have not been observed yet: then the
   * plan creates and deletes nothing. Default true.
   */
  readonly expectationsSatisfied?: boolean;
  /** Maximum creates or deletes in one plan. Default {@link BURST_REPLICAS}. */
  readonly burst?: number;
  /**
   * The pods of every ReplicaSet with the same controlling owner as this one (e.g. all
   * ReplicaSets of its Deployment; Kubernetes' `getIndirectlyRelatedPods`), used only to rank
   * scale-down candidates: a pod's rank is the number of active related pods on its node. Pods
   * of other namespaces and inactive pods are ignored; this ReplicaSet's own active pods always
   * count. Default: this ReplicaSet's active pods alone.
   */
  readonly relatedPods?: readonly Pod[];
}

/**
 * What to do for one ReplicaSet.
 *
 * @public
 */
export interface ReplicaSetPlan {
  /** How many pods to create from the template. */
  readonly creates: number;
  /** Pods to delete, best candidate first. */
  readonly deletes: readonly Pod[];
  /** Orphan pods matching the selector, to adopt (add a controller reference). */
  readonly adopt: readonly Pod[];
  /** Owned pods whose labels no longer match the selector, to release (remove the reference). */
  readonly release: readonly Pod[];
  /** Owned (or adopted) pods that count: not terminating, not Succeeded/Failed. */
  readonly active: readonly Pod[];
  /** The status to write, assuming the creates and deletes succeed. */
  readonly status: ReplicaSetStatus;
  /** When (ms from now) a ready pod becomes available and the status must be recomputed. */
  readonly requeueAfterMs: number | undefined;
}

/**
 * Plan one sync of a ReplicaSet. `pods` must include every pod the ReplicaSet controls and
 * every orphan of its namespace (the controller passes exactly those, from the owner indexes:
 * see `dependentsOf`); any other pod — of another owner or namespace — is ignored, so the pods
 * of the whole namespace do as well. `now` is epoch ms.
 *
 * Rules, as Kubernetes applies them:
 * - a pod belongs to the ReplicaSet when its controller reference has the ReplicaSet's uid;
 *   pods controlled by something else are ignored;
 * - orphans (no controller reference) that match the selector and are not being deleted are
 *   adopted; owned pods that stop matching are released — neither while the ReplicaSet itself
 *   is being deleted, nor for pods being deleted;
 * - only active pods count (not terminating, not Succeeded/Failed): a failed pod is replaced;
 * - too few: create the difference (at most `burst`); too many: delete the surplus ranked by
 *   {@link podsToDelete} (unscheduled, pending, not ready, lower pod-deletion-cost, on a node
 *   crowded with related pods — see `relatedPods` —, recently ready, restarted, newer first); nothing while expectations are unmet or the ReplicaSet is being
 *   deleted;
 * - status: replicas, fullyLabeledReplicas (labels include the template's), readyReplicas,
 *   availableReplicas (ready for `minReadySeconds`), terminatingReplicas, observedGeneration;
 *   conditions are kept (see {@link replicaSetStatus} for ReplicaFailure).
 *
 * Guarantees: pure; never both creates and deletes; `deletes ⊆ active`.
 *
 * @example
 * ```ts
 * const plan = planReplicaSet(rs, podsInNamespace, clock.now());
 * if (plan.creates > 0) { … }
 * ```
 * @public
 */
export function planReplicaSet(rs: ReplicaSet, pods: readonly Pod[], now: number, options: PlanReplicaSetOptions = {}): ReplicaSetPlan {
  const uid = rs.metadata.uid;
  const selector = compiledSelector(rs.spec?.selector);
  const rsDeleting = rs.metadata.deletionTimestamp !== undefined;
  const owned: Pod[] = [];
  const adopt: Pod[] = [];
  const release: Pod[] = [];
  const terminating: Pod[] = [];
  for (const pod of pods) {
    if (pod.metadata.namespace !== rs.metadata.namespace) continue;
    const ref = controllerRefOf(pod);
    const matches = selector.matches(pod.metadata.labels ?? {});
    const deleting = pod.metadata.deletionTimestamp !== undefined;
    if (ref !== undefined) {
      if (ref.uid !== uid) continue;
      if (matches) owned.push(pod);
      else if (!deleting && !rsDeleting) release.push(pod);
      else if (deleting) owned.push(pod);
      continue;
    }
    if (!matches || deleting || rsDeleting) continue;
    adopt.push(pod);
    owned.push(pod);
  }
  for (const pod of owned) if (pod.metadata.deletionTimestamp !== undefined) terminating.push(pod);
  const active = owned.filter(isPodActive);

  const burst = options.burst ?? BURST_REPLICAS;
  const wanted = rs.spec?.replicas ?? 1;
  let creates = 0;
  let deletes: Pod[] = [];
  if ((options.expectationsSatisfied ?? true) && !rsDeleting) {
    const diff = active.length - wanted;
    if (diff < 0) creates = Math.min(-diff, burst);
    else if (diff > 0) deletes = podsToDelete(active, Math.min(diff, burst), rankingPods(rs, active, options.relatedPods));
  }

  const minReady = rs.spec?.minReadySeconds ?? 0;
  let requeueAt: number | undefined;
  for (const p of active) {
    const at = podAvailableAt(p, minReady, now);
    if (at !== undefined && (requeueAt === undefined || at < requeueAt)) requeueAt = at;
  }
  return {
    creates,
    deletes,
    adopt,
    release,
    active,
    status: replicaSetStatus(rs, active, now, undefined, terminating.length),
    requeueAfterMs: requeueAt === undefined ? undefined : requeueAt - now,
  };
}

/** The pods whose nodes rank deletion candidates: `active` plus the active related pods, once each. */
function rankingPods(rs: ReplicaSet, active: readonly Pod[], related: readonly Pod[] | undefined): readonly Pod[] {
  if (related === undefined || related.length === 0) return active;
  const seen = new Set<string>();
  const out: Pod[] = [];
  const add = (p: Pod): void => {
    const key = p.metadata.uid !== undefined && p.metadata.uid !== '' ? p.metadata.uid : `name:${p.metadata.name ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  for (const p of active) add(p);
  for (const p of related) if (p.metadata.namespace === rs.metadata.namespace && isPodActive(p)) add(p);
  return out;
}

/**
 * The status of a ReplicaSet from its active pods (Kubernetes' `calculateStatus`). A
 * `manageError` adds the `ReplicaFailure` condition (status True, reason FailedCreate or
 * FailedDelete) unless one is there already; no error removes it.
 *
 * Guarantees: pure; other conditions are kept as they are.
 *
 * @public
 */
export function replicaSetStatus(rs: ReplicaSet, active: readonly Pod[], now: number, manageError: ManageReplicasError | undefined, terminatingReplicas?: number): ReplicaSetStatus {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of active) {
    const labels = p.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const existing = rs.status?.conditions ?? [];
  let conditions: readonly ReplicaSetCondition[] = existing;
  const failure = existing.find((c) => c.type === REPLICA_FAILURE);
  if (manageError !== undefined && failure === undefined) {
    conditions = [...existing, { type: REPLICA_FAILURE, status: 'True', reason: manageError.reason, message: manageError.message, lastTransitionTime: rfc3339(now) }];
  } else if (manageError === undefined && failure !== undefined) {
    conditions = existing.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    ...(rs.metadata.generation !== undefined ? { observedGeneration: rs.metadata.generation } : {}),
    ...(terminatingReplicas !== undefined ? { terminatingReplicas } : rs.status?.terminatingReplicas !== undefined ? { terminatingReplicas: rs.status.terminatingReplicas } : {}),
    ...(conditions.length > 0 ? { conditions } : {}),
  };
  return status;
}
