import { SchedulerError } from '../errors.js';
import type { CycleState } from '../framework/cycle-state.js';
import { MAX_NODE_SCORE } from '../framework/framework.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import { Status } from '../framework/status.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';

/** A resource and its weight in a scoring strategy. @public */
export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

/** One point of RequestedToCapacityRatio's shape: utilization 0–100 → score 0–10. @public */
export interface UtilizationShapePoint {
  readonly utilization: number;
  readonly score: number;
}

/** Args of NodeResourcesFit (Kubernetes' NodeResourcesFitArgs). @public */
export interface NodeResourcesFitArgs {
  readonly ignoredResources: readonly string[];
  readonly scoringStrategy: {
    readonly type: 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
    readonly resources: readonly ResourceSpec[];
    readonly requestedToCapacityRatio?: { readonly shape: readonly UtilizationShapePoint[] };
  };
}

/** Defaults: LeastAllocated over cpu and memory, weight 1 each. @public */
export const defaultNodeResourcesFitArgs: NodeResourcesFitArgs = {
  ignoredResources: [],
  scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] },
};

/** The pod's request of one resource for scoring (`useRequested`: exact, else non-zero cpu/memory defaults). */
function podRequest(pod: PodInfo, name: string, useRequested: boolean): number {
  if (name === 'pods') return 0;
  if (!useRequested && name === 'cpu') return pod.nonZeroRequests.milliCPU;
  if (!useRequested && name === 'memory') return pod.nonZeroRequests.memory;
  return pod.requests.get(name);
}

/**
 * Kubernetes' `calculateResourceAllocatableRequest`: the node's allocatable of a resource and
 * what would be requested on it after placing the pod, or `undefined` when the resource takes
 * no part in scoring (an extended resource the pod does not request, `pods`, or a resource
 * the node does not have). cpu and memory use the node's non-zero aggregate unless
 * `useRequested`.
 */
function allocatableAndRequested(node: NodeInfo, pod: PodInfo, name: string, useRequested: boolean): readonly [number, number] | undefined {
  const req = podRequest(pod, name, useRequested);
  switch (name) {
    case 'cpu':
      return [node.allocatable.milliCPU, (useRequested ? node.requested : node.nonZeroRequested).milliCPU + req];
    case 'memory':
      return [node.allocatable.memory, (useRequested ? node.requested : node.nonZeroRequested).memory + req];
    case 'ephemeral-storage':
      return [node.allocatable.ephemeralStorage, node.requested.ephemeralStorage + req];
    case 'pods':
      return undefined;
    default: {
      if (req === 0) return undefined;
      const alloc = node.allocatable.scalar?.get(name);
      return alloc === undefined ? undefined : [alloc, node.requested.get(name) + req];
    }
  }
}

/**
 * Kubernetes' broken-linear function over a shape already on the 0–100 score scale, in
 * integer arithmetic (division truncating toward zero, as Go's).
 */
function shapeScore(shape: readonly UtilizationShapePoint[], p: number): number {
  for (let i = 0; i < shape.length; i++) {
    const b = shape[i]!;
    if (p > b.utilization) continue;
    if (i === 0) return b.score;
    const a = shape[i - 1]!;
    return a.score + Math.trunc(((b.score - a.score) * (p - a.utilization)) / (b.utilization - a.utilization));
  }
  return shape.length === 0 ? 0 : shape[shape.length - 1]!.score;
}

/**
 * Filter: the pod's requests (max of app-container sum and init containers, plus overhead)
 * must fit in the node's allocatable minus what its pods (bound and assumed) request, for
 * cpu, memory, ephemeral-storage, extended resources, and the pod count. Every shortfall is a
 * reason (`Insufficient cpu`, `Too many pods`), code Unschedulable (preemption may help).
 * Score: LeastAllocated (spread), MostAllocated (pack) or RequestedToCapacityRatio (shape),
 * weighted over the configured resources, on cpu/memory requests with the non-zero defaults.
 * Extended resources the pod does not request take no part; RequestedToCapacityRatio also
 * leaves out resources scoring 0 and rounds its weighted mean (the others truncate).
 *
 * @public
 */
export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = 'NodeResourcesFit';
  readonly name = NodeResourcesFit.pluginName;
  readonly #ignored: ReadonlySet<string>;
  readonly #resources: readonly ResourceSpec[];
  readonly #type: NodeResourcesFitArgs['scoringStrategy']['type'];
  readonly #shape: readonly UtilizationShapePoint[];

  /** Errors: `InvalidArgs` for a bad strategy, weight or shape. */
  constructor(args: NodeResourcesFitArgs = defaultNodeResourcesFitArgs) {
    const st = args.scoringStrategy;
    if (!['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio'].includes(st.type)) {
      throw new SchedulerError('InvalidArgs', `NodeResourcesFit scoringStrategy.type ${JSON.stringify(st.type)} is unknown; use LeastAllocated, MostAllocated or RequestedToCapacityRatio`);
    }
    for (const r of st.resources) {
      if (!(r.weight >= 1 && r.weight <= 100)) throw new SchedulerError('InvalidArgs', `NodeResourcesFit resource ${r.name} has weight ${r.weight}; use 1–100`);
    }
    this.#ignored = new Set(args.ignoredResources);
    this.#resources = st.resources;
    this.#type = st.type;
    const shape = st.requestedToCapacityRatio?.shape ?? [{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }];
    if (this.#type === 'RequestedToCapacityRatio') {
      if (shape.length === 0) throw new SchedulerError('InvalidArgs', 'RequestedToCapacityRatio shape is empty; give at least one {utilization, score} point');
      for (let i = 1; i < shape.length; i++) {
        if (shape[i]!.utilization <= shape[i - 1]!.utilization) throw new SchedulerError('InvalidArgs', 'RequestedToCapacityRatio shape utilizations must be strictly increasing');
      }
    }
    // Shape scores are 0–10 (MaxCustomPriorityScore); scale them once to the 0–100 node score range.
    this.#shape = shape.map((x) => ({ utilization: x.utilization, score: x.score * (MAX_NODE_SCORE / 10) }));
  }

  preFilter(): PreFilterResult {
    return { status: Status.success() };
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const req = pod.requests;
    const alloc = node.allocatable;
    const used = node.requested;
    let reasons: string[] | undefined;
    if (node.pods.size + 1 > alloc.pods) (reasons ??= []).push('Too many pods');
    if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) (reasons ??= []).push('Insufficient cpu');
    if (req.memory > 0 && req.memory > alloc.memory - used.memory) (reasons ??= []).push('Insufficient memory');
    if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) (reasons ??= []).push('Insufficient ephemeral-storage');
    if (req.scalar !== undefined) {
      for (const [name, v] of req.scalar) {
        if (v === 0 || this.#ignored.has(name)) continue;
        if (v > (alloc.scalar?.get(name) ?? 0) - (used.scalar?.get(name) ?? 0)) (reasons ??= []).push(`Insufficient ${name}`);
      }
    }
    return reasons === undefined ? Status.success() : Status.unschedulable(...reasons);
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const rtcr = this.#type === 'RequestedToCapacityRatio';
    let sum = 0;
    let weights = 0;
    for (const r of this.#resources) {
      const ar = allocatableAndRequested(node, pod, r.name, false);
      if (ar === undefined || ar[0] === 0) continue;
      const [cap, requested] = ar;
      let s: number;
      if (this.#type === 'LeastAllocated') s = requested > cap ? 0 : Math.floor(((cap - requested) * MAX_NODE_SCORE) / cap);
      else if (this.#type === 'MostAllocated') s = requested > cap ? MAX_NODE_SCORE : Math.floor((requested * MAX_NODE_SCORE) / cap);
      else {
        s = shapeScore(this.#shape, requested > cap ? 100 : Math.floor((requested * 100) / cap));
        // RequestedToCapacityRatio leaves resources scoring 0 (or less) out of the weighted mean.
        if (s <= 0) continue;
      }
      sum += s * r.weight;
      weights += r.weight;
    }
    if (weights === 0) return 0;
    return rtcr ? Math.round(sum / weights) : Math.floor(sum / weights);
  }

  events(): readonly ClusterEvent[] {
    return ['NodeAdd', 'NodeUpdate', 'AssignedPodDelete', 'AssignedPodUpdate'];
  }
}

/** Args of NodeResourcesBalancedAllocation. @public */
export interface BalancedAllocationArgs {
  readonly resources: readonly ResourceSpec[];
}

/**
 * Score: nodes whose resource fractions (requested / allocatable, after placing the pod, from
 * the real requests) are close to each other score higher: `(1 − standard deviation) × 100`.
 * Extended resources the pod does not request, and resources the node lacks, take no part.
 * PreScore skips the plugin for a best-effort pod (no request among the resources), so that
 * such pods do not all pile onto one balanced node.
 *
 * @public
 */
export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  static readonly pluginName = 'NodeResourcesBalancedAllocation';
  readonly name = NodeResourcesBalancedAllocation.pluginName;
  constructor(private readonly args: BalancedAllocationArgs = { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] }) {}

  preScore(_s: CycleState, pod: PodInfo): Status {
    for (const r of this.args.resources) if (podRequest(pod, r.name, true) !== 0) return Status.success();
    return Status.skip();
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const fs: number[] = [];
    for (const r of this.args.resources) {
      const ar = allocatableAndRequested(node, pod, r.name, true);
      if (ar === undefined || ar[0] === 0) continue;
      fs.push(Math.min(1, ar[1] / ar[0]));
    }
    let std = 0;
    if (fs.length === 2) std = Math.abs(fs[0]! - fs[1]!) / 2;
    else if (fs.length > 2) {
      const mean = fs.reduce((a, b) => a + b, 0) / fs.length;
      std = Math.sqrt(fs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / fs.length);
    }
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  }
}
