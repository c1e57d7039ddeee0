import type { Node, Pod } from '../api/generated/types.js';
import { NodeInfo, type NodeInfoLister, PodInfo } from './framework/types.js';

interface PodState {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
  /** When the binding finished (assumed pods only); expiry counts from here. */
  deadline: number | undefined;
}

/**
 * The scheduler's view of nodes and the pods on them, including "assumed" pods: pods the
 * scheduler decided on whose bind has not been observed yet, so that the next decisions see
 * them. Per-node aggregates are incremental (see {@link NodeInfo}); a cycle costs O(nodes
 * visited), never O(pods).
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
    ni.setNode(node);
    if (!wasKnown) this.#list = undefined;
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
      ni.node = undefined;
      ni.generation++;
    }
  }

  #place(info: PodInfo, nodeName: string): void {
    const ni = this.#nodeInfo(nodeName);
    ni.addPod(info);
    this.#track(ni);
  }

  #unplace(uid: string, nodeName: string): void {
    const ni = this.#nodes.get(nodeName);
    if (ni === undefined) return;
    ni.removePod(uid);
    this.#track(ni);
    if (ni.node === undefined && ni.pods.size === 0) {
      this.#nodes.delete(nodeName);
      this.#affinity.delete(ni);
    }
  }

  /** Record the scheduler's decision before the bind is observed. */
  assumePod(info: PodInfo, nodeName: string): void {
    const prev = this.#pods.get(info.uid);
    if (prev !== undefined) this.#unplace(info.uid, prev.nodeName);
    this.#pods.set(info.uid, { info, nodeName, assumed: true, deadline: undefined });
    this.#place(info, nodeName);
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
    this.#unplace(uid, s.nodeName);
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
    if (prev !== undefined) this.#unplace(uid, prev.nodeName);
    const info = new PodInfo(pod);
    this.#pods.set(uid, { info, nodeName, assumed: false, deadline: undefined });
    this.#place(info, nodeName);
  }

  /** A bound pod was deleted. */
  removePod(pod: Pod): void {
    const uid = pod.metadata.uid ?? `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    const s = this.#pods.get(uid);
    if (s === undefined) return;
    this.#pods.delete(uid);
    this.#pending.delete(uid);
    this.#unplace(uid, s.nodeName);
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
        this.#unplace(uid, s.nodeName);
        out.push(s.info);
      }
    }
    return out;
  }
}
