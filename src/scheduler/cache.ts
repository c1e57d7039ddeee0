import type { Node, Pod } from '../api/generated/types.js';
import type { Labels, Selector } from '../api/labels.js';
import type { ReadonlyTopologyCounts } from './framework/topology-counts.js';
import { NodeInfo, type NodeInfoLister, type PlacedPod, type PlacedTerm, PodInfo, type TermGroup, type TermKind } from './framework/types.js';
import { PodIndex } from './pod-index.js';

interface PodState {
  info: PodInfo;
  nodeName: string;
  placed: PlacedPod;
  assumed: boolean;
  /** When the binding finished (assumed pods only); expiry counts from here. */
  deadline: number | undefined;
}

/**
 * The scheduler's view of nodes and the pods on them, including "assumed" pods: pods the
 * scheduler decided on whose bind has not been observed yet, so that the next decisions see
 * them. Per-node aggregates are incremental (see {@link NodeInfo}), and so is a
 * {@link PodIndex} of placed pods by label and of their (anti-)affinity terms, so that a
 * cycle costs O(nodes visited + matching pods), never O(all pods).
 *
 * Guarantees:
 * - An assumed pod is confirmed when the informer reports it bound (`addPod`), moved if it
 *   landed elsewhere, and removed by `forgetPod` (failed bind) or by `cleanupExpired` when its
 *   bind finished more than `ttlMs` ago without being observed.
 * - `list()` has only nodes whose Node object is known, in a stable order.
 *
 * @public
 */
export class SchedulerCache implements NodeInfoLister {
  readonly #nodes = new Map<string, NodeInfo>();
  readonly #pods = new Map<string, PodState>();
  readonly #affinity = new Set<NodeInfo>();
  readonly #antiAffinity = new Set<NodeInfo>();
  /** Assumed pods whose bind finished and that wait for confirmation. */
  readonly #pending = new Set<string>();
  readonly #index = new PodIndex();
  #list: NodeInfo[] | undefined;

  /** @param ttlMs - how long an assumed pod whose bind finished may stay unconfirmed (default 30 s). */
  constructor(readonly ttlMs = 30_000) {}

  list(): readonly NodeInfo[] {
    if (this.#list === undefined) this.#list = [...this.#nodes.values()].filter((n) => n.node !== undefined);
    return this.#list;
  }
  get(name: string): NodeInfo | undefined {
    const n = this.#nodes.get(name);
    return n?.node === undefined ? undefined : n;
  }
  withPodsWithAffinity(): Iterable<NodeInfo> {
    return this.#affinity;
  }
  withPodsWithRequiredAntiAffinity(): Iterable<NodeInfo> {
    return this.#antiAffinity;
  }
  podsMatching(selector: Selector): Iterable<PlacedPod> {
    return this.#index.podsMatching(selector);
  }
  termsSelecting(kind: TermKind, labels: Labels): Iterable<PlacedTerm> {
    return this.#index.termsSelecting(kind, labels);
  }
  antiAffinityGroupsSelecting(labels: Labels): Iterable<TermGroup> {
    return this.#index.antiAffinityGroupsSelecting(labels);
  }
  watch(signature: string, match: (pod: PodInfo) => boolean, keys: readonly string[], seed: Selector): ReadonlyTopologyCounts {
    return this.#index.watch(signature, match, keys, seed);
  }
  /** Number of known nodes. */
  get nodeCount(): number {
    return this.list().length;
  }
  /** Number of pods (bound and assumed). */
  get podCount(): number {
    return this.#pods.size;
  }

  #nodeInfo(name: string): NodeInfo {
    let ni = this.#nodes.get(name);
    if (ni === undefined) {
      this.#nodes.set(name, (ni = new NodeInfo(name)));
      this.#list = undefined;
    }
    return ni;
  }

  #track(ni: NodeInfo): void {
    if (ni.podsWithAffinity > 0) this.#affinity.add(ni);
    else this.#affinity.delete(ni);
    if (ni.podsWithRequiredAntiAffinity > 0) this.#antiAffinity.add(ni);
    else this.#antiAffinity.delete(ni);
  }

  addNode(node: Node): void {
    const ni = this.#nodeInfo(node.metadata.name ?? '');
    const wasKnown = ni.node !== undefined;
    this.#relabel(ni, node.metadata.labels ?? {}, () => ni.setNode(node));
    if (!wasKnown) this.#list = undefined;
  }

  /** Apply a node change; if its labels change, re-index its pods (topology domains moved). */
  #relabel(ni: NodeInfo, next: Labels, apply: () => void): void {
    const prev = ni.labels;
    if (ni.pods.size === 0 || prev === next || sameLabels(prev, next)) {
      apply();
      return;
    }
    const states: PodState[] = [];
    for (const uid of ni.pods.keys()) {
      const st = this.#pods.get(uid);
      if (st === undefined) continue;
      this.#index.remove(st.placed);
      states.push(st);
    }
    apply();
    for (const st of states) st.placed = this.#index.add(st.info, ni);
  }

  removeNode(name: string): void {
    const ni = this.#nodes.get(name);
    if (ni === undefined) return;
    this.#list = undefined;
    if (ni.pods.size === 0) {
      this.#nodes.delete(name);
      this.#affinity.delete(ni);
      this.#antiAffinity.delete(ni);
    } else {
      this.#relabel(ni, {}, () => {
        ni.node = undefined;
        ni.generation++;
      });
    }
  }

  #place(info: PodInfo, nodeName: string): PlacedPod {
    const ni = this.#nodeInfo(nodeName);
    ni.addPod(info);
    this.#track(ni);
    return this.#index.add(info, ni);
  }

  #unplace(s: PodState): void {
    const { uid } = s.info;
    const nodeName = s.nodeName;
    this.#index.remove(s.placed);
    const ni = this.#nodes.get(nodeName);
    if (ni === undefined) return;
    ni.removePod(uid);
    this.#track(ni);
    if (ni.node === undefined && ni.pods.size === 0) {
      this.#nodes.delete(nodeName);
      this.#affinity.delete(ni);
      this.#antiAffinity.delete(ni);
    }
  }

  /** Record the scheduler's decision before the bind is observed. */
  assumePod(info: PodInfo, nodeName: string): void {
    const prev = this.#pods.get(info.uid);
    if (prev !== undefined) this.#unplace(prev);
    this.#pods.set(info.uid, { info, nodeName, assumed: true, deadline: undefined, placed: this.#place(info, nodeName) });
  }

  /** The bind call returned: start the expiry clock of the assumption. */
  finishBinding(uid: string, now: number): void {
    const s = this.#pods.get(uid);
    if (s !== undefined && s.assumed) {
      s.deadline = now + this.ttlMs;
      this.#pending.add(uid);
    }
  }

  /** Drop an assumption (failed bind). */
  forgetPod(uid: string): void {
    const s = this.#pods.get(uid);
    if (s === undefined || !s.assumed) return;
    this.#pods.delete(uid);
    this.#pending.delete(uid);
    this.#unplace(s);
  }

  isAssumed(uid: string): boolean {
    return this.#pods.get(uid)?.assumed === true;
  }

  /** A bound pod was observed (add or update); confirms an assumption. */
  addPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (nodeName === undefined || nodeName === '') return;
    const uid = pod.metadata.uid ?? `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    const prev = this.#pods.get(uid);
    this.#pending.delete(uid);
    // Keep the derived info when nothing the scheduler reads changed (status-only updates).
    const same = prev !== undefined && prev.nodeName === nodeName && prev.info.pod.metadata.labels === pod.metadata.labels &&
      prev.info.pod.metadata.deletionTimestamp === pod.metadata.deletionTimestamp && (prev.info.pod.spec === pod.spec || prev.assumed);
    if (same) {
      prev.assumed = false;
      prev.deadline = undefined;
      return;
    }
    if (prev !== undefined) this.#unplace(prev);
    const info = new PodInfo(pod);
    this.#pods.set(uid, { info, nodeName, assumed: false, deadline: undefined, placed: this.#place(info, nodeName) });
  }

  /** A bound pod was deleted. */
  removePod(pod: Pod): void {
    const uid = pod.metadata.uid ?? `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    const s = this.#pods.get(uid);
    if (s === undefined) return;
    this.#pods.delete(uid);
    this.#pending.delete(uid);
    this.#unplace(s);
  }

  /** The earliest expiry of a finished-binding assumption, if any. */
  nextExpiry(): number | undefined {
    let min: number | undefined;
    for (const uid of this.#pending) {
      const d = this.#pods.get(uid)?.deadline;
      if (d !== undefined && (min === undefined || d < min)) min = d;
    }
    return min;
  }

  /** Remove assumptions whose deadline passed; returns the expired pods. */
  cleanupExpired(now: number): PodInfo[] {
    const out: PodInfo[] = [];
    for (const uid of this.#pending) {
      const s = this.#pods.get(uid);
      if (s === undefined || !s.assumed) {
        this.#pending.delete(uid);
        continue;
      }
      if (s.deadline !== undefined && s.deadline <= now) {
        this.#pending.delete(uid);
        this.#pods.delete(uid);
        this.#unplace(s);
        out.push(s.info);
      }
    }
    return out;
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}
