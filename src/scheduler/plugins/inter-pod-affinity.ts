import { StateKey, type CycleState } from '../framework/cycle-state.js';
import { MAX_NODE_SCORE } from '../framework/framework.js';
import type {
  ClusterEvent, EnqueueExtensions, FilterPlugin, NodeScore, PreFilterExtensions, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScorePlugin,
} from '../framework/interfaces.js';
import { Status } from '../framework/status.js';
import type { NodeInfo, NodeInfoLister, PodInfo } from '../framework/types.js';

/** `key\0value` → count of matching pods in that topology domain. */
type Counts = Map<string, number>;

interface AffinityState {
  /** Domains where an existing pod's required anti-affinity term selects the incoming pod. */
  existingAnti: Counts;
  /** Domains with pods matching all of the incoming pod's required affinity terms. */
  affinity: Counts;
  /** Domains with pods matching one of the incoming pod's required anti-affinity terms. */
  anti: Counts;
}

const cloneCounts = (s: AffinityState): AffinityState => ({ existingAnti: new Map(s.existingAnti), affinity: new Map(s.affinity), anti: new Map(s.anti) });
const stateKey = new StateKey<AffinityState>('InterPodAffinity/preFilter', cloneCounts);
const scoreKey = new StateKey<Map<string, Map<string, number>>>('InterPodAffinity/preScore');

const pair = (key: string, value: string): string => `${key}\u0000${value}`;
function bump(c: Counts, k: string, by: number): void {
  const n = (c.get(k) ?? 0) + by;
  if (n === 0) c.delete(k);
  else c.set(k, n);
}

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
 * existing pods, min-max normalized.
 *
 * Cost: PreFilter visits only nodes with anti-affinity pods, unless the pod itself has
 * required terms (then every pod); it is skipped entirely when neither applies.
 *
 * @public
 */
export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = 'InterPodAffinity';
  readonly name = InterPodAffinity.pluginName;
  readonly preFilterExtensions: PreFilterExtensions;
  readonly #hardWeight: number;

  constructor(args: InterPodAffinityArgs = { hardPodAffinityWeight: 1 }) {
    this.#hardWeight = args.hardPodAffinityWeight;
    this.preFilterExtensions = {
      addPod: (state, pod, other, node) => this.#update(state, pod, other, node, 1),
      removePod: (state, pod, other, node) => this.#update(state, pod, other, node, -1),
    };
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfoLister): PreFilterResult {
    const own = pod.requiredAffinity.length + pod.requiredAntiAffinity.length > 0;
    const st: AffinityState = { existingAnti: new Map(), affinity: new Map(), anti: new Map() };
    let anyExisting = false;
    for (const ni of nodes.withPodsWithRequiredAntiAffinity()) {
      anyExisting = true;
      for (const ep of ni.pods.values()) this.#countExisting(st, pod, ep, ni, 1);
    }
    if (!own && !anyExisting) return { status: Status.skip() };
    if (own) for (const ni of nodes.list()) for (const ep of ni.pods.values()) this.#countIncoming(st, pod, ep, ni, 1);
    state.write(stateKey, st);
    return { status: Status.success() };
  }

  #countExisting(st: AffinityState, pod: PodInfo, ep: PodInfo, ni: NodeInfo, by: number): void {
    const labels = ni.labels;
    for (const t of ep.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && t.matches(pod)) bump(st.existingAnti, pair(t.topologyKey, v), by);
    }
  }

  #countIncoming(st: AffinityState, pod: PodInfo, ep: PodInfo, ni: NodeInfo, by: number): void {
    const labels = ni.labels;
    if (pod.requiredAffinity.length > 0 && pod.requiredAffinity.every((t) => t.matches(ep))) {
      for (const t of pod.requiredAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined) bump(st.affinity, pair(t.topologyKey, v), by);
      }
    }
    for (const t of pod.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && t.matches(ep)) bump(st.anti, pair(t.topologyKey, v), by);
    }
  }

  #update(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, by: number): Status {
    const st = state.read(stateKey);
    if (st === undefined) return Status.success();
    this.#countExisting(st, pod, other, node, by);
    this.#countIncoming(st, pod, other, node, by);
    return Status.success();
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const st = state.read(stateKey);
    if (st === undefined) return Status.success();
    const labels = node.labels;
    if (st.existingAnti.size > 0) {
      for (const k in labels) if (st.existingAnti.has(pair(k, labels[k]!))) return Status.unschedulable("node(s) didn't satisfy existing pods anti-affinity rules");
    }
    for (const t of pod.requiredAntiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && (st.anti.get(pair(t.topologyKey, v)) ?? 0) > 0) return Status.unschedulable("node(s) didn't match pod anti-affinity rules");
    }
    if (pod.requiredAffinity.length > 0) {
      let ok = true;
      for (const t of pod.requiredAffinity) {
        const v = labels[t.topologyKey];
        if (v === undefined || (st.affinity.get(pair(t.topologyKey, v)) ?? 0) <= 0) {
          ok = false;
          break;
        }
      }
      if (!ok) {
        // The first pod of a group that selects itself may go anywhere with the topology keys.
        const selfMatch = st.affinity.size === 0 && pod.requiredAffinity.every((t) => t.matches(pod) && labels[t.topologyKey] !== undefined);
        if (!selfMatch) return Status.unresolvable("node(s) didn't match pod affinity rules");
      }
    }
    return Status.success();
  }

  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    void nodes;
    const lister = this.#lister;
    if (lister === undefined) return Status.skip();
    const ownPreferred = pod.preferredAffinity.length + pod.preferredAntiAffinity.length > 0;
    const scores = new Map<string, Map<string, number>>();
    const add = (key: string, value: string | undefined, w: number): void => {
      if (value === undefined || w === 0) return;
      let m = scores.get(key);
      if (m === undefined) scores.set(key, (m = new Map()));
      m.set(value, (m.get(value) ?? 0) + w);
    };
    const visit = (ni: NodeInfo): void => {
      const labels = ni.labels;
      for (const ep of ni.pods.values()) {
        if (ownPreferred) {
          for (const t of pod.preferredAffinity) if (t.matches(ep)) add(t.topologyKey, labels[t.topologyKey], t.weight);
          for (const t of pod.preferredAntiAffinity) if (t.matches(ep)) add(t.topologyKey, labels[t.topologyKey], -t.weight);
        }
        if (!ep.hasAffinity) continue;
        for (const t of ep.preferredAffinity) if (t.matches(pod)) add(t.topologyKey, labels[t.topologyKey], t.weight);
        for (const t of ep.preferredAntiAffinity) if (t.matches(pod)) add(t.topologyKey, labels[t.topologyKey], -t.weight);
        if (this.#hardWeight > 0) for (const t of ep.requiredAffinity) if (t.matches(pod)) add(t.topologyKey, labels[t.topologyKey], this.#hardWeight);
      }
    };
    if (ownPreferred) for (const ni of lister.list()) visit(ni);
    else for (const ni of lister.withPodsWithAffinity()) visit(ni);
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
    return ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'];
  }
}
