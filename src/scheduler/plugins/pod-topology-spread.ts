import type { ReplicaSet, ReplicationController, Service, StatefulSet, TopologySpreadConstraint } from '../../api/generated/types.js';
import { type Requirement, type Selector, selectorFromLabelSelector, selectorFromRequirements, selectorFromSet } from '../../api/labels.js';
import { StateKey, type CycleState } from '../framework/cycle-state.js';
import { MAX_NODE_SCORE } from '../framework/framework.js';
import type {
  ClusterEvent, EnqueueExtensions, FilterPlugin, NodeScore, ObjectLister, PreFilterExtensions, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScorePlugin,
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
}

interface SpreadState {
  readonly constraints: readonly Constraint[];
  /** Per constraint: domain value → matching pods. */
  readonly counts: Map<string, number>[];
  /** Per constraint: the global minimum over `counts` (recomputed lazily after a change). */
  readonly mins: (number | undefined)[];
  /** Nodes must carry every constraint's topology key (false only for system defaults). */
  readonly requireAll: boolean;
}

const cloneState = (s: SpreadState): SpreadState => ({ constraints: s.constraints, counts: s.counts.map((m) => new Map(m)), mins: [...s.mins], requireAll: s.requireAll });
const filterKey = new StateKey<SpreadState>('PodTopologySpread/preFilter', cloneState);
interface ScoreState {
  readonly constraints: readonly Constraint[];
  readonly counts: Map<string, number>[];
  readonly weights: number[];
  /** Feasible nodes missing a required topology key: scored 0 and left out of normalization. */
  readonly ignored: ReadonlySet<string>;
}
const scoreKey = new StateKey<ScoreState>('PodTopologySpread/preScore');
const HOSTNAME_KEY = 'kubernetes.io/hostname';

/** Args of PodTopologySpread. @public */
export interface PodTopologySpreadArgs {
  /**
   * Applied to pods that have no constraints of their own (`ScheduleAnyway` only), selecting
   * pods by {@link defaultSelector}. With Kubernetes' system defaults (the default), nodes
   * missing one of the topology keys are still scored on the keys they have.
   */
  readonly defaultConstraints: readonly TopologySpreadConstraint[];
}

/** Kubernetes' system defaults: spread by hostname (skew 3) and zone (skew 5), softly. @public */
export const systemDefaultSpreadConstraints: readonly TopologySpreadConstraint[] = [
  { maxSkew: 3, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
  { maxSkew: 5, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
];

/**
 * The objects whose selectors define which pods default constraints count: the Services,
 * ReplicationControllers, ReplicaSets and StatefulSets of the pod's namespace.
 *
 * @public
 */
export interface SpreadListers {
  readonly services: ObjectLister<Service>;
  readonly replicationControllers: ObjectLister<ReplicationController>;
  readonly replicaSets: ObjectLister<ReplicaSet>;
  readonly statefulSets: ObjectLister<StatefulSet>;
}

/**
 * Kubernetes' `helper.DefaultSelector`: the union (AND) of the selectors of every Service,
 * ReplicationController, ReplicaSet and StatefulSet in the pod's namespace that selects the
 * pod. Objects with a missing or empty selector select nothing; invalid selectors are ignored.
 * Returns an empty selector when nothing selects the pod (no default spreading then).
 *
 * @public
 */
export function defaultSelector(pod: PodInfo, listers: SpreadListers): Selector {
  const ns = pod.namespace;
  const labels = pod.labels;
  const set: Record<string, string> = {};
  const mapSelects = (sel: Readonly<Record<string, string>> | undefined): sel is Readonly<Record<string, string>> => {
    if (sel === undefined || Object.keys(sel).length === 0) return false;
    for (const k in sel) if (labels[k] !== sel[k]) return false;
    return true;
  };
  for (const svc of listers.services.listNamespace(ns)) {
    const sel = svc.spec?.selector;
    if (mapSelects(sel)) Object.assign(set, sel);
  }
  for (const rc of listers.replicationControllers.listNamespace(ns)) {
    const sel = rc.spec?.selector;
    if (mapSelects(sel)) Object.assign(set, sel);
  }
  const reqs: Requirement[] = [...selectorFromSet(set).requirements];
  const addStructured = (ls: Parameters<typeof selectorFromLabelSelector>[0]): void => {
    let sel: Selector;
    try {
      sel = selectorFromLabelSelector(ls);
    } catch {
      return;
    }
    if (sel.empty || sel.matchesNothing || !sel.matches(labels)) return;
    reqs.push(...sel.requirements);
  };
  for (const rs of listers.replicaSets.listNamespace(ns)) addStructured(rs.spec?.selector);
  for (const ss of listers.statefulSets.listNamespace(ns)) addStructured(ss.spec?.selector);
  return selectorFromRequirements(reqs);
}

function matches(c: Constraint, pod: PodInfo, candidate: PodInfo): boolean {
  if (candidate.namespace !== pod.namespace || isTerminating(candidate.pod)) return false;
  return c.selector.matches(candidate.labels);
}

/**
 * Spreads pods over topology domains (`maxSkew`, `whenUnsatisfiable`, `minDomains`,
 * `nodeAffinityPolicy`, `nodeTaintsPolicy`, `matchLabelKeys`).
 *
 * Filter (DoNotSchedule constraints): placing the pod must keep `count(domain) + 1 − min(count)`
 * within `maxSkew` ("node(s) didn't match pod topology spread constraints"); nodes without the
 * topology key are unresolvable. Score (ScheduleAnyway): fewer matching pods in the node's
 * domains is better (per constraint `count × log(domains + 2) + maxSkew − 1`, normalized so
 * the lowest total scores 100); with the pod's own constraints, a node missing one of the
 * topology keys scores 0 and takes no part in the normalization.
 *
 * Default constraints apply to pods without their own and count the pods matching
 * {@link defaultSelector} (the selectors of the Services, ReplicationControllers, ReplicaSets
 * and StatefulSets selecting the pod); pods nothing selects get no default spreading.
 *
 * Cost: matching pods are found through the cache's label index
 * ({@link NodeInfoLister.podsMatching}); Filter reads a precomputed minimum per constraint.
 *
 * @public
 */
export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = 'PodTopologySpread';
  readonly name = PodTopologySpread.pluginName;
  readonly preFilterExtensions: PreFilterExtensions;
  #lister: NodeInfoLister | undefined;
  readonly #systemDefaulted: boolean;

  constructor(
    private readonly args: PodTopologySpreadArgs = { defaultConstraints: systemDefaultSpreadConstraints },
    private readonly listers?: SpreadListers,
  ) {
    this.#systemDefaulted = args.defaultConstraints === systemDefaultSpreadConstraints || JSON.stringify(args.defaultConstraints) === JSON.stringify(systemDefaultSpreadConstraints);
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
    if (hard || this.listers === undefined) return [];
    const soft = this.args.defaultConstraints.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
    if (soft.length === 0) return [];
    const selector = defaultSelector(pod, this.listers);
    if (selector.empty) return [];
    return soft.map((c) => ({ maxSkew: c.maxSkew, topologyKey: c.topologyKey, minDomains: 1, selector, honorTaints: false, honorAffinity: true }));
  }

  /** Whether pods on the node count (node inclusion policies, and all topology keys if `requireAll`). */
  #eligible(c: readonly Constraint[], pod: PodInfo, ni: NodeInfo, requireAll: boolean): boolean {
    const node = ni.node;
    if (node === undefined) return false;
    const labels = ni.labels;
    if (requireAll) for (const x of c) if (labels[x.topologyKey] === undefined) return false;
    if (c.some((x) => x.honorAffinity) && !podMatchesNodeSelectorAndAffinity(pod.pod, node)) return false;
    if (c.some((x) => x.honorTaints) && findUntoleratedTaint(node.spec?.taints, pod.pod.spec?.tolerations, (e) => e === 'NoSchedule' || e === 'NoExecute') !== undefined) return false;
    return true;
  }

  /**
   * Matching pods per constraint and domain. With `allDomains`, every eligible node's domain is
   * present (with 0 when empty), as Filter's minimum needs; the pods come from the label index.
   */
  #count(constraints: readonly Constraint[], pod: PodInfo, lister: NodeInfoLister, requireAll: boolean, allDomains: boolean): Map<string, number>[] {
    const counts = constraints.map(() => new Map<string, number>());
    const memo = new Map<NodeInfo, boolean>();
    const eligible = (ni: NodeInfo): boolean => {
      let e = memo.get(ni);
      if (e === undefined) memo.set(ni, (e = this.#eligible(constraints, pod, ni, requireAll)));
      return e;
    };
    if (allDomains) {
      for (const ni of lister.list()) {
        if (!eligible(ni)) continue;
        const labels = ni.labels;
        for (let i = 0; i < constraints.length; i++) {
          const v = labels[constraints[i]!.topologyKey];
          if (v !== undefined && !counts[i]!.has(v)) counts[i]!.set(v, 0);
        }
      }
    }
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i]!;
      const m = counts[i]!;
      for (const pp of lister.podsMatching(c.selector)) {
        const v = pp.node.labels[c.topologyKey];
        if (v === undefined || !matches(c, pod, pp.pod) || !eligible(pp.node)) continue;
        m.set(v, (m.get(v) ?? 0) + 1);
      }
    }
    return counts;
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfoLister): PreFilterResult {
    const constraints = this.#constraints(pod, true);
    if (constraints.length === 0) return { status: Status.skip() };
    state.write(filterKey, { constraints, counts: this.#count(constraints, pod, nodes, true, true), mins: constraints.map(() => undefined), requireAll: true });
    return { status: Status.success() };
  }

  #update(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, by: number): Status {
    const st = state.read(filterKey);
    if (st === undefined || !this.#eligible(st.constraints, pod, node, st.requireAll)) return Status.success();
    st.constraints.forEach((c, i) => {
      const v = node.labels[c.topologyKey];
      if (v === undefined || !matches(c, pod, other)) return;
      st.counts[i]!.set(v, (st.counts[i]!.get(v) ?? 0) + by);
      st.mins[i] = undefined;
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
      let min = st.mins[i];
      if (min === undefined) {
        min = Infinity;
        for (const n of counts.values()) if (n < min) min = n;
        if (min === Infinity || counts.size < c.minDomains) min = 0;
        st.mins[i] = min;
      }
      const self = matches(c, pod, pod) ? 1 : 0;
      const skew = (counts.get(v) ?? 0) + self - min;
      if (skew > c.maxSkew) return Status.unschedulable("node(s) didn't match pod topology spread constraints");
    }
    return Status.success();
  }

  preScore(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[]): Status {
    const constraints = this.#constraints(pod, false);
    if (constraints.length === 0 || this.#lister === undefined) return Status.skip();
    const requireAll = (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0 || !this.#systemDefaulted;
    const counts = this.#count(constraints, pod, this.#lister, requireAll, false);
    // Feasible nodes without every topology key are ignored when all keys are required.
    const ignored = new Set<string>();
    const domains = constraints.map(() => new Set<string>());
    for (const ni of feasible) {
      const labels = ni.labels;
      if (requireAll && constraints.some((c) => labels[c.topologyKey] === undefined)) {
        ignored.add(ni.name);
        continue;
      }
      constraints.forEach((c, i) => {
        const v = labels[c.topologyKey];
        if (v !== undefined) domains[i]!.add(v);
      });
    }
    // Each constraint weighs log(domains among the scored nodes + 2), as in Kubernetes; for the
    // hostname key every scored node is its own domain.
    const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME_KEY ? feasible.length - ignored.size : domains[i]!.size) + 2));
    state.write(scoreKey, { constraints, counts, weights, ignored });
    return Status.success();
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const st = state.read(scoreKey);
    if (st === undefined || st.ignored.has(node.name)) return 0;
    let s = 0;
    for (let i = 0; i < st.constraints.length; i++) {
      const c = st.constraints[i]!;
      const v = node.labels[c.topologyKey];
      if (v === undefined) continue;
      s += (st.counts[i]!.get(v) ?? 0) * st.weights[i]! + (c.maxSkew - 1);
    }
    return Math.round(s);
  }

  normalizeScore(state: CycleState, _p: PodInfo, scores: NodeScore[]): Status {
    const st = state.read(scoreKey);
    if (st === undefined || scores.length === 0) return Status.success();
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (st.ignored.has(s.name)) continue;
      if (s.score < min) min = s.score;
      if (s.score > max) max = s.score;
    }
    for (const s of scores) {
      if (st.ignored.has(s.name)) s.score = 0;
      else s.score = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - s.score)) / max);
    }
    return Status.success();
  }

  events(): readonly ClusterEvent[] {
    return ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeUpdate'];
  }
}
