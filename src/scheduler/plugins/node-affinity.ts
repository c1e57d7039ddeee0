import type { PreferredSchedulingTerm } from '../../api/generated/types.js';
import { StateKey, type CycleState } from '../framework/cycle-state.js';
import { MAX_NODE_SCORE } from '../framework/framework.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, NodeScore, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import { Status } from '../framework/status.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';
import { matchNodeSelectorTerm, podMatchesNodeSelectorAndAffinity } from './helpers.js';

const preferredKey = new StateKey<readonly PreferredSchedulingTerm[]>('NodeAffinity/preScore');

/**
 * Filter: the node must match the pod's `nodeSelector` and required node affinity
 * (UnschedulableAndUnresolvable otherwise). PreFilter narrows the candidate nodes when every
 * required term pins `metadata.name` (DaemonSet pods), so such a pod costs O(1) nodes.
 * Score: the sum of the weights of the preferred terms the node matches, scaled to 0–100.
 *
 * @public
 */
export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = 'NodeAffinity';
  static readonly reason = "node(s) didn't match Pod's node affinity/selector";
  readonly name = NodeAffinity.pluginName;

  preFilter(_s: CycleState, pod: PodInfo): PreFilterResult {
    const spec = pod.pod.spec;
    const req = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (spec?.nodeSelector === undefined && req === undefined) return { status: Status.skip() };
    if (req === undefined) return { status: Status.success() };
    // Node names are only a usable restriction if every term has a metadata.name In field.
    const names = new Set<string>();
    for (const term of req.nodeSelectorTerms) {
      const f = (term.matchFields ?? []).find((r) => r.key === 'metadata.name' && r.operator === 'In');
      if (f === undefined) return { status: Status.success() };
      for (const v of f.values ?? []) names.add(v);
    }
    if (names.size === 0) return { status: Status.unresolvable(NodeAffinity.reason) };
    return { status: Status.success(), nodeNames: names };
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (node.node === undefined) return Status.unresolvable('node not found');
    return podMatchesNodeSelectorAndAffinity(pod.pod, node.node) ? Status.success() : Status.unresolvable(NodeAffinity.reason);
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    const pref = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (pref.length === 0) return Status.skip();
    state.write(preferredKey, pref);
    return Status.success();
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const pref = state.read(preferredKey) ?? [];
    let sum = 0;
    if (node.node === undefined) return 0;
    for (const t of pref) if (t.weight !== 0 && matchNodeSelectorTerm(t.preference, node.node)) sum += t.weight;
    return sum;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): Status {
    return defaultNormalize(scores, false);
  }

  events(): readonly ClusterEvent[] {
    return ['NodeAdd', 'NodeUpdate'];
  }
}

/**
 * Kubernetes' `DefaultNormalizeScore`: scale so that the highest score is 100 (`reverse`: then
 * flip, so the lowest raw score gets 100). All zero: unchanged (or all 100 when reversed).
 *
 * @public
 */
export function defaultNormalize(scores: NodeScore[], reverse: boolean): Status {
  let max = 0;
  for (const s of scores) if (s.score > max) max = s.score;
  if (max === 0) {
    if (reverse) for (const s of scores) s.score = MAX_NODE_SCORE;
    return Status.success();
  }
  for (const s of scores) {
    const v = Math.floor((s.score * MAX_NODE_SCORE) / max);
    s.score = reverse ? MAX_NODE_SCORE - v : v;
  }
  return Status.success();
}
