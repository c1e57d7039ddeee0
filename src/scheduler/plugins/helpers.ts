import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from '../../api/generated/types.js';
import type { Labels } from '../../api/labels.js';

/** Whether a toleration tolerates a taint (Kubernetes' `Toleration.ToleratesTaint`). @public */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
  if (t.key !== undefined && t.key !== '' && t.key !== taint.key) return false;
  const op = t.operator ?? 'Equal';
  if (op === 'Exists') return true;
  if (op !== 'Equal' && op !== '') return false;
  return (t.value ?? '') === (taint.value ?? '');
}

/** The first taint (with an effect accepted by `effects`) no toleration tolerates, if any. @public */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, effects: (effect: string) => boolean): Taint | undefined {
  if (taints === undefined) return undefined;
  for (const taint of taints) {
    if (!effects(taint.effect)) continue;
    if (tolerations === undefined || !tolerations.some((t) => toleratesTaint(t, taint))) return taint;
  }
  return undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's `strconv.ParseInt(s, 10, 64)`: an optionally signed decimal integer in int64 range, else undefined ("16abc", "1.5", "" are not). */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

function matchRequirement(r: NodeSelectorRequirement, labels: Labels): boolean {
  const v = labels[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
    case 'Lt': {
      if (v === undefined || values.length !== 1) return false;
      const a = parseInt64(v);
      const b = parseInt64(values[0]!);
      if (a === undefined || b === undefined) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

function matchField(r: NodeSelectorRequirement, node: Node): boolean {
  if (r.key !== 'metadata.name') return false;
  const name = node.metadata.name ?? '';
  const values = r.values ?? [];
  if (r.operator === 'In') return values.includes(name);
  if (r.operator === 'NotIn') return !values.includes(name);
  return false;
}

/** Whether a node matches one node selector term (an empty term matches nothing). @public */
export function matchNodeSelectorTerm(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) if (!matchRequirement(r, labels)) return false;
  for (const r of fields) if (!matchField(r, node)) return false;
  return true;
}

/** Whether a node matches a node selector (terms ORed). @public */
export function matchNodeSelector(sel: NodeSelector, node: Node): boolean {
  return sel.nodeSelectorTerms.some((t) => matchNodeSelectorTerm(t, node));
}

/**
 * Whether the node satisfies the pod's `nodeSelector` and required node affinity (what
 * NodeAffinity filters on and PodTopologySpread honours).
 *
 * @public
 */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const sel = pod.spec?.nodeSelector;
  if (sel !== undefined) {
    const labels = node.metadata.labels ?? {};
    for (const k in sel) if (labels[k] !== sel[k]) return false;
  }
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req !== undefined && !matchNodeSelector(req, node)) return false;
  return true;
}

/** Whether a pod is being deleted. @public */
export function isTerminating(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp !== undefined;
}
