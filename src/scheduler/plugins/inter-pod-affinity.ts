import type { Namespace } from '../../api/generated/types.js';
import type { Labels } from '../../api/labels.js';
import { StateKey, type CycleState } from '../framework/cycle-state.js';
import { CountsView, type ReadonlyTopologyCounts, TopologyCounts } from '../framework/topology-counts.js';
import { MAX_NODE_SCORE } from '../framework/framework.js';
import type {
  ClusterEvent, EnqueueExtensions, FilterPlugin, NodeScore, ObjectLister, PreFilterExtensions, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScorePlugin,
} from '../framework/interfaces.js';
import { Status } from '../framework/status.js';
import type { AffinityTerm, NamespaceLabels, NodeInfo, NodeInfoLister, PodInfo } from '../framework/types.js';

interface AffinityState {
  /** Domains where an existing pod's required anti-affinity term selects the incoming pod. */
  readonly existingAnti: CountsView;
  /** Domains with pods matching all of the incoming pod's required affinity terms. */
  readonly affinity: CountsView;
  /** Domains with pods matching one of the incoming pod's required anti-affinity terms. */
  readonly anti: CountsView;
  readonly nsLabels: NamespaceLabels;
}

const cloneState = (s: AffinityState): AffinityState => ({ existingAnti: s.existingAnti.clone(), affinity: s.affinity.clone(), anti: s.anti.clone(), nsLabels: s.nsLabels });
const stateKey = new StateKey<AffinityState>('InterPodAffinity/preFilter', cloneState);
const scoreKey = new StateKey<Map<string, Map<string, number>>>('InterPodAffinity/preScore');

/** Args of InterPodAffinity. @public */
export interface InterPodAffinityArgs {
  /** Score weight of an existing pod's required affinity term that selects the incoming pod (Kubernetes: 1). */
  readonly hardPodAffinityWeight: number;
}

/**
 * Required and preferred pod affinity and anti-affinity, by topology key.
 *
 * Filter: (1) no existing pod's required anti-affinity may select the incoming pod within the
 * node's domain ("node(s) didn't satisfy existing pods anti-affinity rules"); (2) no pod in the
 * node's domain may match one of the pod's anti-affinity terms ("node(s) didn't match pod
 * anti-affinity rules"); (3) every affinity term must be satisfied by a pod in the node's
 * domain ("node(s) didn't match pod affinity rules", unresolvable) — except for the first pod
 * of a group that matches its own terms. Score: weighted preferred terms of both the pod and
 * existing pods, min-max normalized. Terms' `namespaceSelector` is evaluated against
 * Namespace labels (from `namespaces`; without it only `{}` — all namespaces — matches).
 *
 * Cost: PreFilter does no scan of existing pods. Existing required anti-affinity terms are
 * grouped by signature in the cache with live per-domain counts
 * ({@link NodeInfoLister.antiAffinityGroupsSelecting}); the counts of pods the pod's own
 * required terms select are live aggregates the cache keeps per term signature
 * ({@link NodeInfoLister.watch}; terms with a label-based namespaceSelector are counted per
 * cycle through the label index instead). Filter is a few map lookups per node; what-if
 * changes (nominated pods, preemption) go to a per-cycle delta. PreScore walks only the pods
 * and terms the label index says may match. PreFilter is skipped when neither the pod nor any
 * existing pod's anti-affinity applies.
 *
 * @public
 */
export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = 'InterPodAffinity';
  readonly name = InterPodAffinity.pluginName;
  readonly preFilterExtensions: PreFilterExtensions;
  readonly #hardWeight: number;
  readonly #namespaces: ObjectLister<Namespace> | undefined;

  constructor(args: InterPodAffinityArgs = { hardPodAffinityWeight: 1 }, namespaces?: ObjectLister<Namespace>) {
    this.#hardWeight = args.hardPodAffinityWeight;
    this.#namespaces = namespaces;
    this.preFilterExtensions = {
      addPod: (state, pod, other, node) => this.#update(state, pod, other, node, 1),
      removePod: (state, pod, other, node) => this.#update(state, pod, other, node, -1),
    };
  }

  /** Namespace labels, memoized for one cycle. */
  #nsLabels(): NamespaceLabels {
    const lister = this.#namespaces;
    if (lister === undefined) return () => undefined;
    const memo = new Map<string, Labels | undefined>();
    return (ns) => {
      if (memo.has(ns)) return memo.get(ns);
      const obj = lister.get(undefined, ns);
      const l = obj === undefined ? undefined : (obj.metadata.labels ?? {});
      memo.set(ns, l);
      return l;
    };
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfoLister): PreFilterResult {
    const nsLabels = this.#nsLabels();
    const groups: ReadonlyTopologyCounts[] = [];
    for (const g of nodes.antiAffinityGroupsSelecting(pod.labels)) if (!g.counts.empty && g.term.matches(pod, nsLabels)) groups.push(g.counts);
    const existingAnti = new CountsView(groups);
    const aff = pod.requiredAffinity;
    const anti = pod.requiredAntiAffinity;
    if (aff.length + anti.length === 0 && existingAnti.empty) return { status: Status.skip() };
    // Counts of the pods the pod's own terms select: shared live aggregates from the cache
    // when the terms do not depend on namespace labels, else counted now.
    const antiSources = anti.map((t) =>
      t.dependsOnNamespaceLabels
        ? countNow(nodes, [t], nsLabels)
        : nodes.watch(`anti:${t.signature}`, (p) => t.matches(p), [t.topologyKey], t.selector),
    );
    const affSources: ReadonlyTopologyCounts[] = [];
    if (aff.length > 0) {
      affSources.push(
        aff.some((t) => t.dependsOnNamespaceLabels)
          ? countNow(nodes, aff, nsLabels)
          : nodes.watch(`aff:${aff.map((t) => t.signature).join('&')}`, (p) => matchesAll(aff, p, undefined), aff.map((t) => t.topologyKey), aff[0]!.selector),
      );
    }
    state.write(stateKey, { existingAnti, affinity: new CountsView(affSources), anti: new CountsView(antiSources), nsLabels });
    return { status: Status.success() };
  }

  #update(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, by: number): Status {
    const st = state.read(stateKey);
    if (st === undefined) return Status.success();
    const labels = node.labels;
    for (const t of other.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && t.matches(pod, st.nsLabels)) st.existingAnti.delta.bump(t.topologyKey, v, by);
    }
    const aff = pod.requiredAffinity;
    if (aff.length > 0 && matchesAll(aff, other, st.nsLabels)) st.affinity.delta.bumpNode(aff.map((t) => t.topologyKey), labels, by);
    for (const t of pod.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && t.matches(other, st.nsLabels)) st.anti.delta.bump(t.topologyKey, v, by);
    }
    return Status.success();
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const st = state.read(stateKey);
    if (st === undefined) return Status.success();
    const labels = node.labels;
    if (!st.existingAnti.empty && st.existingAnti.anyIn(labels)) return Status.unschedulable("node(s) didn't satisfy existing pods anti-affinity rules");
    if (!st.anti.empty) {
      for (const t of pod.requiredAntiAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined && st.anti.get(t.topologyKey, v) > 0) return Status.unschedulable("node(s) didn't match pod anti-affinity rules");
      }
    }
    if (pod.requiredAffinity.length > 0) {
      let podsExist = true;
      for (const t of pod.requiredAffinity) {
        const v = labels[t.topologyKey];
        if (v === undefined) return Status.unresolvable("node(s) didn't match pod affinity rules");
        if (st.affinity.get(t.topologyKey, v) <= 0) podsExist = false;
      }
      // The first pod of a group that selects itself may go anywhere with the topology keys.
      if (!podsExist && !(st.affinity.empty && matchesAll(pod.requiredAffinity, pod, st.nsLabels))) {
        return Status.unresolvable("node(s) didn't match pod affinity rules");
      }
    }
    return Status.success();
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    void nodes;
    const lister = this.#lister;
    if (lister === undefined) return Status.skip();
    const nsLabels = state.read(stateKey)?.nsLabels ?? this.#nsLabels();
    const scores = new Map<string, Map<string, number>>();
    const add = (key: string, value: string | undefined, w: number): void => {
      if (value === undefined || w === 0) return;
      let m = scores.get(key);
      if (m === undefined) scores.set(key, (m = new Map()));
      m.set(value, (m.get(value) ?? 0) + w);
    };
    // The pod's preferred terms, against the existing pods they may select.
    for (const [terms, sign] of [[pod.preferredAffinity, 1], [pod.preferredAntiAffinity, -1]] as const) {
      for (const t of terms) {
        for (const pp of lister.podsMatching(t.selector)) {
          const v = pp.node.labels[t.topologyKey];
          if (v !== undefined && t.matches(pp.pod, nsLabels)) add(t.topologyKey, v, sign * t.weight);
        }
      }
    }
    // Existing pods' terms that select the pod.
    const existing = (kind: 'preferredAffinity' | 'preferredAntiAffinity' | 'requiredAffinity', weight: (w: number) => number): void => {
      for (const pt of lister.termsSelecting(kind, pod.labels)) {
        const v = pt.node.labels[pt.term.topologyKey];
        if (v !== undefined && pt.term.matches(pod, nsLabels)) add(pt.term.topologyKey, v, weight(pt.term.weight));
      }
    };
    existing('preferredAffinity', (w) => w);
    existing('preferredAntiAffinity', (w) => -w);
    if (this.#hardWeight > 0) existing('requiredAffinity', () => this.#hardWeight);
    if (scores.size === 0) return Status.skip();
    state.write(scoreKey, scores);
    return Status.success();
  }

  #lister: NodeInfoLister | undefined;
  /** @internal Set by the factory: where PreScore reads existing pods. */
  setLister(l: NodeInfoLister): this {
    this.#lister = l;
    return this;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const scores = state.read(scoreKey);
    if (scores === undefined) return 0;
    let s = 0;
    const labels = node.labels;
    for (const [key, m] of scores) {
      const v = labels[key];
      if (v !== undefined) s += m.get(v) ?? 0;
    }
    return s;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): Status {
    if (scores.length === 0) return Status.success();
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s.score < min) min = s.score;
      if (s.score > max) max = s.score;
    }
    const diff = max - min;
    for (const s of scores) s.score = diff > 0 ? Math.floor((MAX_NODE_SCORE * (s.score - min)) / diff) : 0;
    return Status.success();
  }

  events(): readonly ClusterEvent[] {
    return ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate', 'NamespaceChange'];
  }
}

function matchesAll(terms: readonly AffinityTerm[], pod: PodInfo, nsLabels: NamespaceLabels | undefined): boolean {
  for (const t of terms) if (!t.matches(pod, nsLabels)) return false;
  return true;
}

/** Counts, per domain, the placed pods matching every term (what a watch keeps live). */
function countNow(nodes: NodeInfoLister, terms: readonly AffinityTerm[], nsLabels: NamespaceLabels): TopologyCounts {
  const c = new TopologyCounts();
  const keys = terms.map((t) => t.topologyKey);
  for (const pp of nodes.podsMatching(terms[0]!.selector)) if (matchesAll(terms, pp.pod, nsLabels)) c.bumpNode(keys, pp.node.labels, 1);
  return c;
}
