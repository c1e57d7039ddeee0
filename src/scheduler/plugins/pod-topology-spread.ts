import type { TopologySpreadConstraint } from '../../api/generated/types.js';
import { type Selector, selectorFromLabelSelector } from '../../api/labels.js';
import { StateKey, type CycleState } from '../framework/cycle-state.js';
import { MAX_NODE_SCORE } from '../framework/framework.js';
import type {
  ClusterEvent, EnqueueExtensions, FilterPlugin, NodeScore, PreFilterExtensions, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScorePlugin,
} from '../framework/interfaces.js';
import { Status } from '../framework/status.js';
import type { NodeInfo, NodeInfoLister, PodInfo } from '../framework/types.js';
import { findUntoleratedTaint, isTerminating, podMatchesNodeSelectorAndAffinity } from './helpers.js';

/** A constraint the plugin works with: the spec plus its compiled selector. */
interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly minDomains: number;
  readonly selector: Selector;
  readonly honorTaints: boolean;
  readonly honorAffinity: boolean;
  /** When set (default constraints), pods match by sharing this controller owner uid. */
  readonly ownerUid?: string | undefined;
}

interface SpreadState {
  readonly constraints: readonly Constraint[];
  /** Per constraint: domain value → matching pods. */
  readonly counts: Map<string, number>[];
}

const cloneState = (s: SpreadState): SpreadState => ({ constraints: s.constraints, counts: s.counts.map((m) => new Map(m)) });
const filterKey = new StateKey<SpreadState>('PodTopologySpread/preFilter', cloneState);
const scoreKey = new StateKey<SpreadState & { readonly weights: number[] }>('PodTopologySpread/preScore');

/** Args of PodTopologySpread. @public */
export interface PodTopologySpreadArgs {
  /** Applied to pods that have no constraints of their own (`ScheduleAnyway` only). */
  readonly defaultConstraints: readonly TopologySpreadConstraint[];
}

/** Kubernetes' system defaults: spread by hostname (skew 3) and zone (skew 5), softly. @public */
export const systemDefaultSpreadConstraints: readonly TopologySpreadConstraint[] = [
  { maxSkew: 3, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
  { maxSkew: 5, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
];

function matches(c: Constraint, pod: PodInfo, candidate: PodInfo): boolean {
  if (candidate.namespace !== pod.namespace || isTerminating(candidate.pod)) return false;
  if (c.ownerUid !== undefined) return candidate.pod.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === c.ownerUid) ?? false;
  return c.selector.matches(candidate.labels);
}

/**
 * Spreads pods over topology domains (`maxSkew`, `whenUnsatisfiable`, `minDomains`,
 * `nodeAffinityPolicy`, `nodeTaintsPolicy`, `matchLabelKeys`).
 *
 * Filter (DoNotSchedule constraints): placing the pod must keep `count(domain) + 1 − min(count)`
 * within `maxSkew` ("node(s) didn't match pod topology spread constraints"); nodes without the
 * topology key are unresolvable. Score (ScheduleAnyway): fewer matching pods in the node's
 * domains is better.
 *
 * Default constraints apply to pods without their own, and (unlike Kubernetes, which derives a
 * selector from the Services/ReplicaSets selecting the pod) select the pods sharing the pod's
 * controller owner; pods without a controller owner get no default spreading.
 *
 * @public
 */
export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = 'PodTopologySpread';
  readonly name = PodTopologySpread.pluginName;
  readonly preFilterExtensions: PreFilterExtensions;
  #lister: NodeInfoLister | undefined;

  constructor(private readonly args: PodTopologySpreadArgs = { defaultConstraints: systemDefaultSpreadConstraints }) {
    this.preFilterExtensions = {
      addPod: (state, pod, other, node) => this.#update(state, pod, other, node, 1),
      removePod: (state, pod, other, node) => this.#update(state, pod, other, node, -1),
    };
  }

  /** @internal Set by the factory: where PreScore reads nodes. */
  setLister(l: NodeInfoLister): this {
    this.#lister = l;
    return this;
  }

  #constraints(pod: PodInfo, hard: boolean): Constraint[] {
    const own = pod.pod.spec?.topologySpreadConstraints ?? [];
    const want = hard ? 'DoNotSchedule' : 'ScheduleAnyway';
    if (own.length > 0) {
      return own
        .filter((c) => (c.whenUnsatisfiable === '' ? 'DoNotSchedule' : c.whenUnsatisfiable) === want)
        .map((c) => {
          const ls = c.labelSelector;
          const extra: Record<string, string> = {};
          for (const k of c.matchLabelKeys ?? []) {
            const v = pod.labels[k];
            if (v !== undefined) extra[k] = v;
          }
          const merged = ls === undefined ? undefined : { ...ls, matchLabels: { ...(ls.matchLabels ?? {}), ...extra } };
          return {
            maxSkew: c.maxSkew,
            topologyKey: c.topologyKey,
            minDomains: c.minDomains ?? 1,
            selector: selectorFromLabelSelector(merged),
            honorTaints: c.nodeTaintsPolicy === 'Honor',
            honorAffinity: c.nodeAffinityPolicy !== 'Ignore',
          };
        });
    }
    if (hard) return [];
    const owner = pod.pod.metadata.ownerReferences?.find((o) => o.controller === true);
    if (owner === undefined) return [];
    return this.args.defaultConstraints
      .filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway')
      .map((c) => ({ maxSkew: c.maxSkew, topologyKey: c.topologyKey, minDomains: 1, selector: selectorFromLabelSelector(undefined), honorTaints: false, honorAffinity: true, ownerUid: owner.uid }));
  }

  #eligible(c: readonly Constraint[], pod: PodInfo, ni: NodeInfo): boolean {
    const node = ni.node;
    if (node === undefined) return false;
    const labels = ni.labels;
    for (const x of c) if (labels[x.topologyKey] === undefined) return false;
    if (c.some((x) => x.honorAffinity) && !podMatchesNodeSelectorAndAffinity(pod.pod, node)) return false;
    if (c.some((x) => x.honorTaints) && findUntoleratedTaint(node.spec?.taints, pod.pod.spec?.tolerations, (e) => e === 'NoSchedule' || e === 'NoExecute') !== undefined) return false;
    return true;
  }

  #count(constraints: readonly Constraint[], pod: PodInfo, nodes: Iterable<NodeInfo>): Map<string, number>[] {
    const counts = constraints.map(() => new Map<string, number>());
    for (const ni of nodes) {
      if (!this.#eligible(constraints, pod, ni)) continue;
      constraints.forEach((c, i) => {
        const v = ni.labels[c.topologyKey]!;
        let n = 0;
        for (const ep of ni.pods.values()) if (matches(c, pod, ep)) n++;
        counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + n);
      });
    }
    return counts;
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfoLister): PreFilterResult {
    const constraints = this.#constraints(pod, true);
    if (constraints.length === 0) return { status: Status.skip() };
    state.write(filterKey, { constraints, counts: this.#count(constraints, pod, nodes.list()) });
    return { status: Status.success() };
  }

  #update(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, by: number): Status {
    const st = state.read(filterKey);
    if (st === undefined || !this.#eligible(st.constraints, pod, node)) return Status.success();
    st.constraints.forEach((c, i) => {
      if (!matches(c, pod, other)) return;
      const v = node.labels[c.topologyKey]!;
      st.counts[i]!.set(v, (st.counts[i]!.get(v) ?? 0) + by);
    });
    return Status.success();
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const st = state.read(filterKey);
    if (st === undefined) return Status.success();
    const labels = node.labels;
    for (let i = 0; i < st.constraints.length; i++) {
      const c = st.constraints[i]!;
      const v = labels[c.topologyKey];
      if (v === undefined) return Status.unresolvable("node(s) didn't match pod topology spread constraints (missing required label)");
      const counts = st.counts[i]!;
      let min = Infinity;
      for (const n of counts.values()) if (n < min) min = n;
      if (min === Infinity || counts.size < c.minDomains) min = 0;
      const self = matches(c, pod, pod) ? 1 : 0;
      const skew = (counts.get(v) ?? 0) + self - min;
      if (skew > c.maxSkew) return Status.unschedulable("node(s) didn't match pod topology spread constraints");
    }
    return Status.success();
  }

  preScore(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[]): Status {
    const constraints = this.#constraints(pod, false);
    if (constraints.length === 0 || this.#lister === undefined) return Status.skip();
    const counts = this.#count(constraints, pod, this.#lister.list());
    // Each constraint weighs log(domains among feasible nodes + 2), as in Kubernetes.
    const weights = constraints.map((c) => {
      const domains = new Set<string>();
      for (const ni of feasible) {
        const v = ni.labels[c.topologyKey];
        if (v !== undefined) domains.add(v);
      }
      return Math.log(domains.size + 2);
    });
    state.write(scoreKey, { constraints, counts, weights });
    return Status.success();
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const st = state.read(scoreKey);
    if (st === undefined) return 0;
    let s = 0;
    for (let i = 0; i < st.constraints.length; i++) {
      const c = st.constraints[i]!;
      const v = node.labels[c.topologyKey];
      if (v === undefined) continue;
      s += ((st.counts[i]!.get(v) ?? 0) + c.maxSkew - 1) * st.weights[i]!;
    }
    return Math.round(s);
  }

  normalizeScore(state: CycleState, _p: PodInfo, scores: NodeScore[]): Status {
    const st = state.read(scoreKey);
    if (st === undefined || scores.length === 0) return Status.success();
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s.score < min) min = s.score;
      if (s.score > max) max = s.score;
    }
    for (const s of scores) s.score = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - s.score)) / max);
    return Status.success();
  }

  events(): readonly ClusterEvent[] {
    return ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'];
  }
}
