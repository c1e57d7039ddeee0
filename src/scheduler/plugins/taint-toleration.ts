import type { Toleration } from '../../api/generated/types.js';
import { StateKey, type CycleState } from '../framework/cycle-state.js';
import { MAX_NODE_SCORE } from '../framework/framework.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, NodeScore, PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import { Status } from '../framework/status.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';
import { findUntoleratedTaint, toleratesTaint } from './helpers.js';

const preferKey = new StateKey<readonly Toleration[]>('TaintToleration/preScore');

/**
 * Filter: a node with a NoSchedule or NoExecute taint the pod does not tolerate is out
 * (UnschedulableAndUnresolvable). Score: fewer untolerated PreferNoSchedule taints is better.
 *
 * @public
 */
export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = 'TaintToleration';
  readonly name = TaintToleration.pluginName;

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const taint = findUntoleratedTaint(node.node?.spec?.taints, pod.pod.spec?.tolerations, (e) => e === 'NoSchedule' || e === 'NoExecute');
    if (taint === undefined) return Status.success();
    return Status.unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    state.write(preferKey, (pod.pod.spec?.tolerations ?? []).filter((t) => t.effect === undefined || t.effect === '' || t.effect === 'PreferNoSchedule'));
    return Status.success();
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const taints = node.node?.spec?.taints;
    if (taints === undefined || taints.length === 0) return 0;
    const tols = state.read(preferKey) ?? [];
    let n = 0;
    for (const t of taints) if (t.effect === 'PreferNoSchedule' && !tols.some((tol) => toleratesTaint(tol, t))) n++;
    return n;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): Status {
    let max = 0;
    for (const s of scores) if (s.score > max) max = s.score;
    for (const s of scores) s.score = max === 0 ? MAX_NODE_SCORE : MAX_NODE_SCORE - Math.floor((s.score * MAX_NODE_SCORE) / max);
    return Status.success();
  }

  events(): readonly ClusterEvent[] {
    return ['NodeAdd', 'NodeUpdate'];
  }
}
