import type { Node, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from '../../api/generated/types.js';
import { type Labels, newRequirement, nothing, type Requirement, type Selector, selectorFromLabelSelector, selectorFromRequirements } from '../../api/labels.js';
import { computePodRequests, Resource } from './resource.js';
import type { ReadonlyTopologyCounts } from './topology-counts.js';

/** `namespace/name` of a pod (or `name` for cluster-scoped objects). @public */
export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

/** A host port a pod asks for: protocol, port and host IP ("0.0.0.0" for all). @public */
export interface HostPort {
  readonly protocol: string;
  readonly port: number;
  readonly ip: string;
}

/** Looks up the labels of a namespace by name (undefined when the namespace is unknown). @public */
export type NamespaceLabels = (namespace: string) => Labels | undefined;

/**
 * A compiled pod (anti-)affinity term: which pods it selects (label selector plus
 * `matchLabelKeys` / `mismatchLabelKeys` resolved against the owning pod) in which namespaces,
 * over which topology key.
 *
 * Namespaces follow Kubernetes: a pod's namespace qualifies if it is in `namespaces` OR its
 * labels match `namespaceSelector`; an empty selector (`{}`) means every namespace; with
 * neither set, the owning pod's namespace.
 *
 * @public
 */
export class AffinityTerm {
  readonly selector: Selector;
  readonly namespaces: ReadonlySet<string>;
  /** `nothing()` when the term has no namespaceSelector. */
  readonly namespaceSelector: Selector;
  readonly allNamespaces: boolean;
  readonly topologyKey: string;
  readonly weight: number;
  /** True if the namespaceSelector is neither absent nor `{}`: matching needs namespace labels. */
  readonly dependsOnNamespaceLabels: boolean;
  /** Equal for terms that select the same pods over the same topology key. */
  readonly signature: string;

  constructor(term: PodAffinityTerm, owner: Pod, weight = 0) {
    let selector = term.labelSelector === undefined ? nothing() : selectorFromLabelSelector(term.labelSelector);
    const extra: Requirement[] = [];
    const labels = owner.metadata.labels ?? {};
    for (const k of term.matchLabelKeys ?? []) {
      const v = labels[k];
      if (v !== undefined) extra.push(newRequirement(k, 'in', [v]));
    }
    for (const k of term.mismatchLabelKeys ?? []) {
      const v = labels[k];
      if (v !== undefined) extra.push(newRequirement(k, 'notin', [v]));
    }
    if (extra.length > 0 && !selector.matchesNothing) selector = selectorFromRequirements([...selector.requirements, ...extra]);
    this.selector = selector;
    const ns = new Set(term.namespaces ?? []);
    const nsSel = term.namespaceSelector;
    this.namespaceSelector = nsSel === undefined ? nothing() : selectorFromLabelSelector(nsSel);
    this.allNamespaces = this.namespaceSelector.empty && !this.namespaceSelector.matchesNothing;
    if (ns.size === 0 && nsSel === undefined) ns.add(owner.metadata.namespace ?? 'default');
    this.namespaces = ns;
    this.topologyKey = term.topologyKey;
    this.weight = weight;
    this.dependsOnNamespaceLabels = !this.allNamespaces && !this.namespaceSelector.matchesNothing;
    const sel = (x: Selector): string => (x.matchesNothing ? '\u2205' : x.toString());
    this.signature = `${sel(selector)}|${[...ns].sort().join(',')}|${sel(this.namespaceSelector)}|${term.topologyKey}`;
  }

  /** Whether a pod in `namespace` qualifies by namespace (`nsLabels` resolves namespace labels). */
  matchesNamespace(namespace: string, nsLabels?: NamespaceLabels): boolean {
    if (this.allNamespaces || this.namespaces.has(namespace)) return true;
    if (this.namespaceSelector.matchesNothing) return false;
    const l = nsLabels?.(namespace);
    return l !== undefined && this.namespaceSelector.matches(l);
  }

  /** Whether `pod` is selected by this term (namespace and labels). */
  matches(pod: PodInfo, nsLabels?: NamespaceLabels): boolean {
    return this.matchesNamespace(pod.namespace, nsLabels) && this.selector.matches(pod.labels);
  }
}

function compileTerms(terms: readonly PodAffinityTerm[] | undefined, owner: Pod): AffinityTerm[] {
  return terms === undefined ? [] : terms.map((t) => new AffinityTerm(t, owner));
}
function compileWeighted(terms: readonly WeightedPodAffinityTerm[] | undefined, owner: Pod): AffinityTerm[] {
  return terms === undefined ? [] : terms.map((t) => new AffinityTerm(t.podAffinityTerm, owner, t.weight));
}

/**
 * A pod with everything the scheduler derives from it computed once: requests (exact and
 * "non-zero" for scoring), host ports, priority, compiled affinity terms.
 *
 * Guarantees: built from a frozen pod and never changed; rebuild it when the pod changes.
 *
 * @public
 */
export class PodInfo {
  readonly key: string;
  readonly uid: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly priority: number;
  readonly requests: Resource;
  readonly nonZeroRequests: Resource;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly AffinityTerm[];
  readonly preferredAntiAffinity: readonly AffinityTerm[];
  /** True if any affinity or anti-affinity term is set. */
  readonly hasAffinity: boolean;

  constructor(readonly pod: Pod) {
    this.key = podKey(pod);
    this.uid = pod.metadata.uid ?? this.key;
    this.namespace = pod.metadata.namespace ?? 'default';
    this.labels = pod.metadata.labels ?? {};
    this.priority = pod.spec?.priority ?? 0;
    this.requests = computePodRequests(pod);
    this.nonZeroRequests = computePodRequests(pod, true);
    const ports: HostPort[] = [];
    for (const c of pod.spec?.containers ?? []) {
      for (const p of c.ports ?? []) {
        if (p.hostPort !== undefined && p.hostPort > 0) ports.push({ protocol: p.protocol ?? 'TCP', port: p.hostPort, ip: p.hostIP === undefined || p.hostIP === '' ? '0.0.0.0' : p.hostIP });
      }
    }
    this.hostPorts = ports;
    const a = pod.spec?.affinity;
    this.requiredAffinity = compileTerms(a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, pod);
    this.requiredAntiAffinity = compileTerms(a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, pod);
    this.preferredAffinity = compileWeighted(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, pod);
    this.preferredAntiAffinity = compileWeighted(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, pod);
    this.hasAffinity = this.requiredAffinity.length + this.requiredAntiAffinity.length + this.preferredAffinity.length + this.preferredAntiAffinity.length > 0;
  }
}

function portKey(protocol: string, port: number): string {
  return `${protocol}/${port}`;
}

/**
 * What the scheduler knows about one node: the node, the pods on it (bound and assumed), and
 * aggregates kept incrementally as pods come and go (requested resources, used host ports,
 * pods with affinity), so that a filter or score reads them in O(1).
 *
 * Guarantees: `generation` changes on every change; `clone()` is a deep-enough copy to add and
 * remove pods on (used by preemption and nominated pods) without touching the original.
 *
 * @public
 */
export class NodeInfo {
  node: Node | undefined;
  readonly pods = new Map<string, PodInfo>();
  allocatable = new Resource();
  requested = new Resource();
  nonZeroRequested = new Resource();
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;
  /** `protocol/port` → host IP → count. */
  usedPorts = new Map<string, Map<string, number>>();
  generation = 0;

  constructor(readonly name: string, node?: Node) {
    if (node !== undefined) this.setNode(node);
  }

  /** Labels of the node (empty when the node object is not known yet). */
  get labels(): Labels {
    return this.node?.metadata.labels ?? {};
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = Resource.fromList(node.status?.allocatable ?? node.status?.capacity);
    this.generation++;
  }

  addPod(pi: PodInfo): void {
    this.pods.set(pi.uid, pi);
    this.requested.add(pi.requests);
    this.nonZeroRequested.add(pi.nonZeroRequests);
    if (pi.hasAffinity) this.podsWithAffinity++;
    if (pi.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity++;
    for (const hp of pi.hostPorts) {
      const k = portKey(hp.protocol, hp.port);
      let m = this.usedPorts.get(k);
      if (m === undefined) this.usedPorts.set(k, (m = new Map()));
      m.set(hp.ip, (m.get(hp.ip) ?? 0) + 1);
    }
    this.generation++;
  }

  /** Remove a pod by uid; false if it was not there. */
  removePod(uid: string): boolean {
    const pi = this.pods.get(uid);
    if (pi === undefined) return false;
    this.pods.delete(uid);
    this.requested.add(pi.requests, -1);
    this.nonZeroRequested.add(pi.nonZeroRequests, -1);
    if (pi.hasAffinity) this.podsWithAffinity--;
    if (pi.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity--;
    for (const hp of pi.hostPorts) {
      const k = portKey(hp.protocol, hp.port);
      const m = this.usedPorts.get(k);
      if (m === undefined) continue;
      const n = (m.get(hp.ip) ?? 0) - 1;
      if (n <= 0) m.delete(hp.ip);
      else m.set(hp.ip, n);
      if (m.size === 0) this.usedPorts.delete(k);
    }
    this.generation++;
    return true;
  }

  /** Whether a host port is already taken on this node (0.0.0.0 conflicts with every IP). */
  portInUse(hp: HostPort): boolean {
    const m = this.usedPorts.get(portKey(hp.protocol, hp.port));
    if (m === undefined) return false;
    if (hp.ip === '0.0.0.0') return m.size > 0;
    return m.has(hp.ip) || m.has('0.0.0.0');
  }

  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.allocatable = this.allocatable;
    for (const [k, v] of this.pods) c.pods.set(k, v);
    c.requested = this.requested.clone();
    c.nonZeroRequested = this.nonZeroRequested.clone();
    c.podsWithAffinity = this.podsWithAffinity;
    c.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity;
    for (const [k, m] of this.usedPorts) c.usedPorts.set(k, new Map(m));
    c.generation = this.generation;
    return c;
  }
}

/** Which list of a pod's affinity terms a term comes from. @public */
export type TermKind = 'requiredAffinity' | 'requiredAntiAffinity' | 'preferredAffinity' | 'preferredAntiAffinity';

/** A pod placed (bound or assumed) on a node, as the cache's indexes return it. @public */
export interface PlacedPod {
  readonly pod: PodInfo;
  readonly node: NodeInfo;
}

/**
 * Placed pods' required anti-affinity terms with the same {@link AffinityTerm.signature},
 * with where those pods are: counts per value of the term's topology key (live; read-only).
 *
 * @public
 */
export interface TermGroup {
  /** A representative term (all members select the same pods). */
  readonly term: AffinityTerm;
  readonly counts: ReadonlyTopologyCounts;
}

/** An (anti-)affinity term of a placed pod. @public */
export interface PlacedTerm {
  readonly kind: TermKind;
  readonly term: AffinityTerm;
  readonly pod: PodInfo;
  readonly node: NodeInfo;
}

/**
 * Read access to the scheduler's view of the cluster during a cycle. In a scheduling cycle it
 * is the live node cache (cycles are synchronous, so it cannot change under a plugin).
 *
 * @public
 */
export interface NodeInfoLister {
  /** Every node, in a stable order. */
  list(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Nodes with at least one pod that has (anti-)affinity terms. */
  withPodsWithAffinity(): Iterable<NodeInfo>;
  /** Nodes with at least one pod that has required anti-affinity terms. */
  withPodsWithRequiredAntiAffinity(): Iterable<NodeInfo>;
  /**
   * Placed pods that may match `selector`, found through a label index: a superset of the
   * matching pods (each once), usually close to exact. Callers check selector and namespace.
   */
  podsMatching(selector: Selector): Iterable<PlacedPod>;
  /**
   * Terms of kind `kind` of placed pods that may select a pod with `labels` (a superset, each
   * once). Callers check the term against the pod.
   */
  termsSelecting(kind: TermKind, labels: Labels): Iterable<PlacedTerm>;
  /** Groups of placed pods' required anti-affinity terms that may select a pod with `labels` (a superset). */
  antiAffinityGroupsSelecting(labels: Labels): Iterable<TermGroup>;
  /**
   * Live counts, per domain of `keys`, of the placed pods `match` accepts (each matching pod
   * adds 1 for each key its node carries), kept up to date as pods come and go; built once
   * from the pods `seed` may match, then shared by every caller of the same `signature`.
   * `match` must depend only on the pod (labels, namespace), never on other state.
   */
  watch(signature: string, match: (pod: PodInfo) => boolean, keys: readonly string[], seed: Selector): ReadonlyTopologyCounts;
}
