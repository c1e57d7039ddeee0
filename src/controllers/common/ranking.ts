/**
 * Ordering pods for scale-down, as Kubernetes' `ActivePodsWithRanks`: the pod that sorts first
 * is the best one to delete.
 *
 * @packageDocumentation
 */
import type { Pod } from '../../api/generated/types.js';
import { isPodReady, podReadySince } from './pods.js';

const PHASE_ORDER: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseRank(pod: Pod): number {
  return PHASE_ORDER[pod.status?.phase ?? 'Pending'] ?? 0;
}

function restarts(pod: Pod): number {
  let max = 0;
  for (const c of pod.status?.containerStatuses ?? []) if (c.restartCount > max) max = c.restartCount;
  return max;
}

/** The annotation whose int32 value orders pods of equal readiness for deletion (lower goes first). @public */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * A pod's deletion cost: its {@link POD_DELETION_COST_ANNOTATION} parsed as a base-10 int32
 * (an optional sign, then digits), as Kubernetes' `GetDeletionCostFromPodAnnotations`.
 *
 * Guarantees: 0 when the annotation is missing, not an integer, or outside the int32 range.
 *
 * @public
 */
export function podDeletionCost(pod: Pod): number {
  const raw = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (raw === undefined || !/^[+-]?[0-9]+$/.test(raw)) return 0;
  const n = Number(raw);
  return n >= INT32_MIN && n <= INT32_MAX ? n : 0;
}

function time(ts: string | undefined): number {
  if (ts === undefined) return 0;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Compare two pods for deletion; negative when `a` should go before `b`. The order, first
 * difference wins:
 * 1. not scheduled before scheduled (no `spec.nodeName`);
 * 2. Pending before Unknown before Running;
 * 3. not ready before ready;
 * 4. lower pod deletion cost before higher (see {@link podDeletionCost});
 * 5. higher rank before lower (the caller's rank: e.g. how many related pods share the node);
 * 6. both ready: ready for less time before ready for longer;
 * 7. more container restarts before fewer;
 * 8. newer (creationTimestamp) before older; then by name, for a stable order.
 *
 * @public
 */
export function comparePodsForDeletion(a: Pod, b: Pod, rankA = 0, rankB = 0): number {
  const sa = a.spec?.nodeName ? 1 : 0;
  const sb = b.spec?.nodeName ? 1 : 0;
  if (sa !== sb) return sa - sb;
  const pa = phaseRank(a);
  const pb = phaseRank(b);
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  const da = podDeletionCost(a);
  const db = podDeletionCost(b);
  if (da !== db) return da - db;
  if (rankA !== rankB) return rankB - rankA;
  if (ra === 1 && rb === 1) {
    const ta = podReadySince(a) ?? 0;
    const tb = podReadySince(b) ?? 0;
    if (ta !== tb) return tb - ta;
  }
  const xa = restarts(a);
  const xb = restarts(b);
  if (xa !== xb) return xb - xa;
  const ca = time(a.metadata.creationTimestamp);
  const cb = time(b.metadata.creationTimestamp);
  if (ca !== cb) return cb - ca;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * The `count` pods to delete first from `pods`, ranked by {@link comparePodsForDeletion} with
 * each pod's rank the number of `related` pods (including itself if listed) on its node —
 * spreading what remains across nodes, as Kubernetes' ReplicaSet controller does.
 *
 * Guarantees: returns `min(count, pods.length)` distinct pods of `pods`; pure.
 *
 * @public
 */
export function podsToDelete(pods: readonly Pod[], count: number, related: readonly Pod[] = pods): Pod[] {
  if (count <= 0) return [];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const rank = (p: Pod): number => {
    const n = p.spec?.nodeName;
    return n ? (perNode.get(n) ?? 0) : 0;
  };
  const ranked = pods.map((p) => ({ p, r: rank(p) }));
  ranked.sort((x, y) => comparePodsForDeletion(x.p, y.p, x.r, y.r));
  return ranked.slice(0, count).map((x) => x.p);
}
