import { SchedulerError } from '../errors.js';
import type { CycleState } from '../framework/cycle-state.js';
import { MAX_NODE_SCORE } from '../framework/framework.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, PreFilterPlugin, PreFilterResult, ScorePlugin } from '../framework/interfaces.js';
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

function requestedAfter(node: NodeInfo, pod: PodInfo, name: string): number {
  // Scoring uses the "non-zero" requests for cpu and memory, exact requests for the rest.
  if (name === 'cpu') return node.nonZeroRequested.milliCPU + pod.nonZeroRequests.milliCPU;
  if (name === 'memory') return node.nonZeroRequested.memory + pod.nonZeroRequests.memory;
  return node.requested.get(name) + pod.requests.get(name);
}

/** Piecewise-linear interpolation of the shape at `p` (shape scores 0–10 scaled to 0–100). */
function shapeScore(shape: readonly UtilizationShapePoint[], p: number): number {
  if (shape.length === 0) return 0;
  const first = shape[0]!;
  if (p <= first.utilization) return first.score * 10;
  for (let i = 1; i < shape.length; i++) {
    const a = shape[i - 1]!;
    const b = shape[i]!;
    if (p <= b.utilization) return Math.floor((a.score + ((b.score - a.score) * (p - a.utilization)) / (b.utilization - a.utilization)) * 10);
  }
  return shape[shape.length - 1]!.score * 10;
}

/**
 * Filter: the pod's requests (max of app-container sum and init containers, plus overhead)
 * must fit in the node's allocatable minus what its pods (bound and assumed) request, for
 * cpu, memory, ephemeral-storage, extended resources, and the pod count. Every shortfall is a
 * reason (`Insufficient cpu`, `Too many pods`), code Unschedulable (preemption may help).
 * Score: LeastAllocated (spread), MostAllocated (pack) or RequestedToCapacityRatio (shape),
 * weighted over the configured resources.
 *
 * @public
 */
export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, ScorePlugin, EnqueueExtensions {
  static readonly pluginName = 'NodeResourcesFit';
  readonly name = NodeResourcesFit.pluginName;
  readonly #ignored: ReadonlySet<string>;
  readonly #resources: readonly ResourceSpec[];
  readonly #weightSum: number;
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
    this.#weightSum = st.resources.reduce((a, r) => a + r.weight, 0);
    this.#type = st.type;
    this.#shape = st.requestedToCapacityRatio?.shape ?? [{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }];
    if (this.#type === 'RequestedToCapacityRatio') {
      for (let i = 1; i < this.#shape.length; i++) {
        if (this.#shape[i]!.utilization <= this.#shape[i - 1]!.utilization) throw new SchedulerError('InvalidArgs', 'RequestedToCapacityRatio shape utilizations must be strictly increasing');
      }
    }
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
    let sum = 0;
    let weights = 0;
    for (const r of this.#resources) {
      const cap = node.allocatable.get(r.name);
      if (cap === 0) continue;
      const requested = requestedAfter(node, pod, r.name);
      let s: number;
      if (this.#type === 'LeastAllocated') s = requested > cap ? 0 : Math.floor(((cap - requested) * MAX_NODE_SCORE) / cap);
      else if (this.#type === 'MostAllocated') s = requested > cap ? MAX_NODE_SCORE : Math.floor((requested * MAX_NODE_SCORE) / cap);
      else s = shapeScore(this.#shape, Math.min(100, Math.floor((requested * 100) / cap)));
      sum += s * r.weight;
      weights += r.weight;
    }
    return weights === 0 ? 0 : Math.floor(sum / (weights === this.#weightSum ? this.#weightSum : weights));
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
 * Score: nodes whose resource fractions (requested / allocatable, after placing the pod) are
 * close to each other score higher: `(1 − standard deviation) × 100`.
 *
 * @public
 */
export class NodeResourcesBalancedAllocation implements ScorePlugin {
  static readonly pluginName = 'NodeResourcesBalancedAllocation';
  readonly name = NodeResourcesBalancedAllocation.pluginName;
  constructor(private readonly args: BalancedAllocationArgs = { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] }) {}

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const res = this.args.resources;
    if (res.length === 2) {
      const f0 = fraction(node, pod, res[0]!.name);
      const f1 = fraction(node, pod, res[1]!.name);
      if (f0 >= 0 && f1 >= 0) return Math.floor((1 - Math.abs(f0 - f1) / 2) * MAX_NODE_SCORE);
    }
    const fs: number[] = [];
    for (const r of res) {
      const f = fraction(node, pod, r.name);
      if (f >= 0) fs.push(f);
    }
    if (fs.length === 0) return 0;
    const mean = fs.reduce((a, b) => a + b, 0) / fs.length;
    const variance = fs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / fs.length;
    return Math.floor((1 - Math.sqrt(variance)) * MAX_NODE_SCORE);
  }
}

function fraction(node: NodeInfo, pod: PodInfo, name: string): number {
  const cap = node.allocatable.get(name);
  if (cap === 0) return -1;
  return Math.min(1, requestedAfter(node, pod, name) / cap);
}
