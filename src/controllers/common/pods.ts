/**
 * Pod readiness and availability, as Kubernetes' controllers judge them
 * (`podutil.IsPodReady`, `IsPodAvailable`).
 *
 * @packageDocumentation
 */
import type { Pod, PodCondition } from '../../api/generated/types.js';

/**
 * The pod's condition of the given type, if it has one.
 *
 * @public
 */
export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/**
 * Whether the pod has the `Ready` condition with status `True`.
 *
 * Guarantees: a pod without status or conditions is not ready; phase is not consulted (the kubelet
 * clears Ready when a pod stops running).
 *
 * @example
 * ```ts
 * const ready = pods.filter(isPodReady).length;
 * ```
 * @public
 */
export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** Parsed `lastTransitionTime` of frozen Ready conditions. */
const readySinceCache = new WeakMap<PodCondition, number>();

/**
 * When the pod became ready (its `Ready` condition's `lastTransitionTime`, epoch ms), or
 * `undefined` if it is not ready. A ready pod without a transition time counts as ready since
 * the epoch (always available), as Kubernetes does.
 *
 * @public
 */
export function podReadySince(pod: Pod): number | undefined {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True') return undefined;
  if (c.lastTransitionTime === undefined) return 0;
  const hit = readySinceCache.get(c);
  if (hit !== undefined) return hit;
  const parsed = Date.parse(c.lastTransitionTime);
  const t = Number.isNaN(parsed) ? 0 : parsed;
  // Cached conditions are frozen: parse each one's time once (controllers ask on every sync).
  if (Object.isFrozen(c)) readySinceCache.set(c, t);
  return t;
}

/**
 * Whether the pod is available: ready, and ready for at least `minReadySeconds` at `now`
 * (epoch ms).
 *
 * Guarantees: with `minReadySeconds` 0 this equals {@link isPodReady}.
 *
 * @example
 * ```ts
 * const available = pods.filter((p) => isPodAvailable(p, rs.spec?.minReadySeconds ?? 0, clock.now())).length;
 * ```
 * @public
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const since = podReadySince(pod);
  if (since === undefined) return false;
  if (minReadySeconds <= 0) return true;
  return since + minReadySeconds * 1000 <= now;
}

/**
 * When a ready but not yet available pod will become available (epoch ms), or `undefined` if it is
 * not ready or already available at `now`.
 *
 * @public
 */
export function podAvailableAt(pod: Pod, minReadySeconds: number, now: number): number | undefined {
  const since = podReadySince(pod);
  if (since === undefined || minReadySeconds <= 0) return undefined;
  const at = since + minReadySeconds * 1000;
  return at > now ? at : undefined;
}

/**
 * Whether the pod is active: not being deleted and not in a terminal phase (Succeeded/Failed).
 * Only active pods count toward a controller's replicas.
 *
 * @public
 */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && pod.metadata.deletionTimestamp === undefined;
}

/**
 * Whether the pod is terminating (has a deletionTimestamp).
 *
 * @public
 */
export function isPodTerminating(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp !== undefined;
}
