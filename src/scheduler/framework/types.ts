import type { Node, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from '../../api/generated/types.js';
import { type Labels, newRequirement, nothing, type Requirement, type Selector, selectorFromLabelSelector, selectorFromRequirements } from '../../api/labels.js';
import { computePodRequests, Resource } from './resource.js';

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

/**
 * A compiled pod (anti-)affinity term: which pods it selects (label selector plus
 * `matchLabelKeys` / `mismatchLabelKeys` resolved against the owning pod) in which namespaces,
 * over which topology key.
 *
 * Caveat: a non-empty `namespaceSelector` would need namespace labels; it is treated as
 * "all namespaces" only when empty (`{}`), otherwise as the listed `namespaces`.
 *
 * @public
 */
export class AffinityTerm {
  readonly selector: Selector;
  readonly namespaces: ReadonlySet<string>;
  readonly allNamespaces: boolean;
  readonly topologyKey: string;
  readonly weight: number;

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
    this.allNamespaces = nsSel !== undefined && (nsSel.matchLabels === undefined || Object.keys(nsSel.matchLabels).length === 0) && (nsSel.matchExpressions ?? []).length === 0;
    if (ns.size === 0 && nsSel === undefined) ns.add(owner.metadata.namespace ?? 'default');
    this.namespaces = ns;
    this.topologyKey = term.topologyKey;
    this.weight = weight;
  }

  /** Whether `pod` is selected by this term (namespace and labels). */
  matches(pod: PodInfo): boolean {
    if (!this.allNamespaces && !this.namespaces.has(pod.namespace)) return false;
    return this.selector.matches(pod.labels);
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
}
