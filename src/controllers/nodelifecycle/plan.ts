/**
 * The node lifecycle controller's plan: pure functions from a Node, its Lease, its pods and the
 * time to what should change (Kubernetes' `monitorNodeHealth` and the NoExecute taint manager).
 *
 * @packageDocumentation
 */
import { rfc3339 } from '../../util/time.js';
import type { Lease, Node, NodeCondition, Pod, Taint, Toleration } from '../../api/generated/types.js';

/** The taint put on a node whose kubelet stopped renewing its lease. @public */
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
/** The taint put on a node whose kubelet reports Ready=False. @public */
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';

/** Options of {@link planNodeHealth}. @public */
export interface NodeHealthOptions {
  /** How long a lease may go unrenewed before the node is Unknown (default 40 000 ms). */
  readonly gracePeriodMs?: number;
}

/** What should change on a node. @public */
export interface NodeHealthPlan {
  /** Set these conditions (every condition Unknown) when the kubelet stopped reporting. */
  readonly conditions?: readonly NodeCondition[] | undefined;
  /** The node's taints as they should be (undefined: unchanged). */
  readonly taints?: readonly Taint[] | undefined;
  /** Check again at this time (clock ms) if nothing changes before. */
  readonly recheckAt?: number | undefined;
  /** The NoExecute taint now in effect, if any. */
  readonly noExecute?: Taint | undefined;
}


function time(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const v = Date.parse(s);
  return Number.isNaN(v) ? undefined : v;
}

/** When the node was last heard from: its lease renewal or its Ready heartbeat, whichever is later. @public */
export function lastHeardFrom(node: Node, lease: Lease | undefined): number | undefined {
  const renew = time(lease?.spec?.renewTime);
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const beat = time(ready?.lastHeartbeatTime);
  const created = time(node.metadata.creationTimestamp);
  const all = [renew, beat, created].filter((x): x is number => x !== undefined);
  return all.length === 0 ? undefined : Math.max(...all);
}

/**
 * Decide a node's health: after `gracePeriodMs` without a lease renewal or status heartbeat,
 * every node condition becomes Unknown (reason `NodeStatusUnknown`, "Kubelet stopped posting
 * node status."); a Ready condition that is Unknown gives the `unreachable` NoExecute taint, False
 * gives `not-ready`, True removes both (a returning node is untainted).
 * @public
 */
export function planNodeHealth(node: Node, lease: Lease | undefined, now: number, options: NodeHealthOptions = {}): NodeHealthPlan {
  const grace = options.gracePeriodMs ?? 40_000;
  const heard = lastHeardFrom(node, lease) ?? now;
  const stale = now - heard > grace;
  const conds = node.status?.conditions ?? [];
  let conditions: NodeCondition[] | undefined;
  let ready = conds.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
  if (stale) {
    const types = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
    const next = types.map((type): NodeCondition => {
      const prev = conds.find((c) => c.type === type);
      if (prev?.status === 'Unknown') return prev;
      return {
        type,
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        ...(prev?.lastHeartbeatTime !== undefined ? { lastHeartbeatTime: prev.lastHeartbeatTime } : {}),
        lastTransitionTime: rfc3339(now),
      };
    });
    const others = conds.filter((c) => !types.includes(c.type));
    if (next.some((c, i) => c !== conds.find((x) => x.type === types[i]))) conditions = [...next, ...others];
    ready = 'Unknown';
  }
  const wantKey = ready === 'Unknown' ? TAINT_UNREACHABLE : ready === 'False' ? TAINT_NOT_READY : undefined;
  const existing = node.spec?.taints ?? [];
  const keep = existing.filter((t) => !((t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY) && t.effect === 'NoExecute' && t.key !== wantKey));
  let noExecute = keep.find((t) => t.key === wantKey && t.effect === 'NoExecute');
  if (wantKey !== undefined && noExecute === undefined) {
    noExecute = { key: wantKey, effect: 'NoExecute', timeAdded: rfc3339(now) };
    keep.push(noExecute);
  }
  const taints = keep.length !== existing.length || keep.some((t, i) => t !== existing[i]) ? keep : undefined;
  return { conditions, taints, noExecute, recheckAt: stale ? undefined : heard + grace + 1 };
}

/** Whether a toleration tolerates a taint (Kubernetes' `ToleratesTaint`). @public */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
  if (t.key !== undefined && t.key !== '' && t.key !== taint.key) return false;
  if ((t.key === undefined || t.key === '') && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/**
 * The shortest time a pod's tolerations let it stay on a node with a NoExecute taint, in
 * seconds (Kubernetes' `getMinTolerationTime`): tolerations without `tolerationSeconds` are
 * skipped, the smallest bounded one wins (negative counts as 0); undefined ("forever") only when
 * none is bounded.
 * @public
 */
export function minTolerationSeconds(tolerations: readonly Toleration[]): number | undefined {
  let min: number | undefined;
  for (const t of tolerations) {
    if (t.tolerationSeconds === undefined) continue;
    const s = Math.max(0, t.tolerationSeconds);
    if (min === undefined || s < min) min = s;
  }
  return min;
}

/**
 * When a pod on a node with a NoExecute taint is to be evicted: at once (`now`) without a
 * matching toleration, never (undefined) when every matching toleration is unbounded (no
 * `tolerationSeconds`), else the taint's `timeAdded` (or `now` without one) plus the smallest
 * bounded matching `tolerationSeconds`.
 * @public
 */
export function evictionTime(pod: Pod, taint: Taint, now: number): number | undefined {
  const matching = (pod.spec?.tolerations ?? []).filter((t) => tolerates(t, taint));
  if (matching.length === 0) return now;
  const seconds = minTolerationSeconds(matching);
  if (seconds === undefined) return undefined;
  const added = time(taint.timeAdded) ?? now;
  return added + seconds * 1000;
}

/**
 * When a pod is to be evicted from a node with these taints (the taint eviction controller's
 * rule): only NoExecute taints count; the earliest {@link evictionTime} over them — at once when
 * one is not tolerated, never (undefined) when all are tolerated forever. `addedAt` gives the
 * time a taint without `timeAdded` was first seen (defaults to `now`).
 * @public
 */
export function evictionTimeForTaints(pod: Pod, taints: readonly Taint[], now: number, addedAt?: (taint: Taint) => number | undefined): number | undefined {
  let at: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const seen = time(taint.timeAdded) === undefined ? addedAt?.(taint) : undefined;
    const t = evictionTime(pod, seen !== undefined ? { ...taint, timeAdded: new Date(seen).toISOString() } : taint, now);
    if (t !== undefined && (at === undefined || t < at)) at = t;
  }
  return at;
}
