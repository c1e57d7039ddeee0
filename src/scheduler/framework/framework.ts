import type { Pod } from '../../api/generated/types.js';
import type { Clock, TimerHandle } from '../../runtime/clock-types.js';
import { SchedulerError } from '../errors.js';
import { CycleState } from './cycle-state.js';
import type {
  BindPlugin, ClusterEvent, EnqueueExtensions, FilterPlugin, Handle, NodeScore, NodeToStatus, PermitPlugin, Plugin, PostBindPlugin,
  PostFilterPlugin, PostFilterResult, PreBindPlugin, PreEnqueuePlugin, PreFilterPlugin, PreScorePlugin, QueueSortPlugin, ReservePlugin,
  ScorePlugin, WaitingPod,
} from './interfaces.js';
import type { PluginRef, Registry } from './registry.js';
import { Status } from './status.js';
import type { NodeInfo, NodeInfoLister, PodInfo } from './types.js';

/** Highest score a Score plugin may give (after normalization). @public */
export const MAX_NODE_SCORE = 100;

const has = <K extends string>(p: Plugin, method: K): boolean => typeof (p as unknown as Record<string, unknown>)[method] === 'function';

class WaitingPodImpl implements WaitingPod {
  readonly pending: Set<string>;
  readonly done: Promise<Status>;
  #resolve: (s: Status) => void = () => {};
  #timers: TimerHandle[] = [];
  constructor(readonly pod: PodInfo, readonly nodeName: string, waits: ReadonlyMap<string, number>, private readonly clock: Clock) {
    this.pending = new Set(waits.keys());
    this.done = new Promise((r) => (this.#resolve = r));
    for (const [plugin, ms] of waits) {
      this.#timers.push(clock.setTimeout(() => this.reject(plugin, `rejected due to timeout after waiting ${ms}ms at plugin ${plugin}`), ms));
    }
  }
  allow(plugin: string): void {
    if (!this.pending.delete(plugin)) return;
    if (this.pending.size === 0) this.#finish(Status.success());
  }
  reject(plugin: string, message: string): void {
    if (this.pending.size === 0) return;
    this.pending.clear();
    this.#finish(Status.unschedulable(message).withPlugin(plugin));
  }
  #finish(s: Status): void {
    for (const t of this.#timers) this.clock.clearTimeout(t);
    this.#timers = [];
    this.#resolve(s);
  }
}

/** Pods held by Permit plugins, by uid, shared by every profile of a scheduler. @internal */
export class WaitingPods {
  readonly #pods = new Map<string, WaitingPodImpl>();
  get(uid: string): WaitingPod | undefined {
    return this.#pods.get(uid);
  }
  values(): Iterable<WaitingPod> {
    return this.#pods.values();
  }
  add(w: WaitingPodImpl): void {
    this.#pods.set(w.pod.uid, w);
  }
  delete(uid: string): void {
    this.#pods.delete(uid);
  }
  /** Reject every waiting pod (on stop), clearing their timers. */
  rejectAll(message: string): void {
    for (const w of this.#pods.values()) for (const p of [...w.pending]) w.reject(p, message);
  }
}

/** Kubernetes' default Permit wait when a plugin gives none, and the cap. */
const DEFAULT_PERMIT_WAIT_MS = 60_000;
const MAX_PERMIT_WAIT_MS = 15 * 60_000;

/**
 * One profile's plugins, sorted by extension point, and the code that runs each point with
 * Kubernetes' semantics (first rejecting Filter wins, weighted Score sum, Unreserve in reverse
 * order, Permit waits, first non-Skip binder binds).
 *
 * @public
 */
export class Framework {
  readonly schedulerName: string;
  readonly percentageOfNodesToScore: number;
  readonly plugins: readonly Plugin[];
  readonly queueSort: QueueSortPlugin | undefined;
  readonly preEnqueue: readonly PreEnqueuePlugin[];
  readonly preFilter: readonly PreFilterPlugin[];
  readonly filter: readonly FilterPlugin[];
  readonly postFilter: readonly PostFilterPlugin[];
  readonly preScore: readonly PreScorePlugin[];
  readonly score: readonly { readonly plugin: ScorePlugin; readonly weight: number }[];
  readonly reserve: readonly ReservePlugin[];
  readonly permit: readonly PermitPlugin[];
  readonly preBind: readonly PreBindPlugin[];
  readonly bind: readonly BindPlugin[];
  readonly postBind: readonly PostBindPlugin[];
  /** Cluster events each plugin cares about (for requeueing pods it rejected). */
  readonly events: ReadonlyMap<string, ReadonlySet<ClusterEvent>>;
  readonly handle: Handle;
  readonly #waiting: WaitingPods;
  readonly #nominatedOn: (nodeName: string) => ReadonlyMap<string, PodInfo> | undefined;

  /**
   * Errors: `UnknownPlugin` for an unregistered name; `InvalidProfile` for a duplicate plugin,
   * a bad weight, or no binder.
   */
  constructor(options: {
    readonly schedulerName: string;
    readonly registry: Registry<object>;
    readonly plugins: readonly PluginRef<Record<string, unknown>>[];
    readonly percentageOfNodesToScore?: number | undefined;
    readonly handle: Omit<Handle, 'schedulerName' | 'runFilters' | 'runFiltersWithNominatedPods' | 'runPreFilterExtension'>;
    readonly waiting: WaitingPods;
    /** Pods nominated to a node by preemption (the scheduling queue's nominator); none when left out. */
    readonly nominatedOn?: (nodeName: string) => ReadonlyMap<string, PodInfo> | undefined;
  }) {
    this.schedulerName = options.schedulerName;
    this.percentageOfNodesToScore = options.percentageOfNodesToScore ?? 0;
    this.#waiting = options.waiting;
    this.#nominatedOn = options.nominatedOn ?? (() => undefined);
    this.handle = {
      ...options.handle,
      schedulerName: options.schedulerName,
      runFilters: (state, pod, node) => this.runFilters(state, pod, node),
      runFiltersWithNominatedPods: (state, pod, node) => this.runFiltersWithNominatedPods(state, pod, node),
      runPreFilterExtension: (op, state, pod, other, node) => this.runPreFilterExtension(op, state, pod, other, node),
    };
    const plugins: Plugin[] = [];
    const weights = new Map<string, number>();
    const seen = new Set<string>();
    for (const ref of options.plugins) {
      const name = typeof ref === 'string' ? ref : ref.name;
      if (seen.has(name)) throw new SchedulerError('InvalidProfile', `profile ${options.schedulerName} lists plugin ${name} twice; list each plugin once`);
      seen.add(name);
      const weight = typeof ref === 'string' ? 1 : (ref.weight ?? 1);
      if (!Number.isInteger(weight) || weight < 0) throw new SchedulerError('InvalidProfile', `plugin ${name} in profile ${options.schedulerName} has weight ${weight}; use a non-negative integer`);
      weights.set(name, weight);
      plugins.push(options.registry.build(name, typeof ref === 'string' ? undefined : ref.args, this.handle));
    }
    this.plugins = plugins;
    const sorts = plugins.filter((p) => has(p, 'less')) as QueueSortPlugin[];
    if (sorts.length > 1) throw new SchedulerError('InvalidProfile', `profile ${options.schedulerName} has ${sorts.length} QueueSort plugins; enable exactly one`);
    this.queueSort = sorts[0];
    this.preEnqueue = plugins.filter((p) => has(p, 'preEnqueue')) as PreEnqueuePlugin[];
    this.preFilter = plugins.filter((p) => has(p, 'preFilter')) as PreFilterPlugin[];
    this.filter = plugins.filter((p) => has(p, 'filter')) as FilterPlugin[];
    this.postFilter = plugins.filter((p) => has(p, 'postFilter')) as PostFilterPlugin[];
    this.preScore = plugins.filter((p) => has(p, 'preScore')) as PreScorePlugin[];
    this.score = (plugins.filter((p) => has(p, 'score')) as ScorePlugin[]).map((plugin) => ({ plugin, weight: weights.get(plugin.name) ?? 1 }));
    this.reserve = plugins.filter((p) => has(p, 'reserve')) as ReservePlugin[];
    this.permit = plugins.filter((p) => has(p, 'permit')) as PermitPlugin[];
    this.preBind = plugins.filter((p) => has(p, 'preBind')) as PreBindPlugin[];
    this.bind = plugins.filter((p) => has(p, 'bind')) as BindPlugin[];
    this.postBind = plugins.filter((p) => has(p, 'postBind')) as PostBindPlugin[];
    if (this.bind.length === 0) throw new SchedulerError('InvalidProfile', `profile ${options.schedulerName} has no Bind plugin; add DefaultBinder`);
    const events = new Map<string, ReadonlySet<ClusterEvent>>();
    for (const p of plugins) if (has(p, 'events')) events.set(p.name, new Set((p as EnqueueExtensions).events()));
    this.events = events;
  }

  /** Success if every PreEnqueue plugin lets the pod into the active queue. */
  runPreEnqueue(pod: Pod): Status {
    for (const p of this.preEnqueue) {
      const s = p.preEnqueue(pod);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** Runs PreFilter plugins; Skip marks the plugin's Filter skipped; returns the allowed node names if any plugin narrowed them. */
  runPreFilter(state: CycleState, pod: PodInfo, nodes: NodeInfoLister): { status: Status; nodeNames?: ReadonlySet<string> } {
    let nodeNames: Set<string> | undefined;
    for (const p of this.preFilter) {
      let r;
      try {
        r = p.preFilter(state, pod, nodes);
      } catch (err) {
        return { status: Status.error(err).withPlugin(p.name) };
      }
      if (r.status.code === 'Skip') {
        state.skipFilter.add(p.name);
        continue;
      }
      if (!r.status.isSuccess()) return { status: r.status.withPlugin(p.name) };
      if (r.nodeNames !== undefined) {
        if (nodeNames === undefined) nodeNames = new Set(r.nodeNames);
        else for (const n of nodeNames) if (!r.nodeNames.has(n)) nodeNames.delete(n);
        if (nodeNames.size === 0) return { status: Status.unresolvable('node(s) didn\'t satisfy plugin(s) [' + p.name + ']').withPlugin(p.name) };
      }
    }
    return nodeNames === undefined ? { status: Status.success() } : { status: Status.success(), nodeNames };
  }

  /** The Filter plugins not skipped in this cycle. */
  activeFilters(state: CycleState): readonly FilterPlugin[] {
    return state.skipFilter.size === 0 ? this.filter : this.filter.filter((p) => !state.skipFilter.has(p.name));
  }

  /** Runs the Filters on one node; the first non-success status (with its plugin) is returned. */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo, filters: readonly FilterPlugin[] = this.activeFilters(state)): Status {
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i]!;
      let s: Status;
      try {
        s = p.filter(state, pod, node);
      } catch (err) {
        return Status.error(err).withPlugin(p.name);
      }
      if (s.code !== 'Success') return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /**
   * Filter one node, accounting for pods nominated to it (kube-scheduler's
   * RunFilterPluginsWithNominatedPods). Nominated pods of priority ≥ the pod's (other than the
   * pod itself) are first added to a copy of the node and cycle state; if that run passes and
   * any pod was added, the filters run again on the node as it is. The node passes only if both
   * runs pass: resources and anti-affinity see the nominated pods, while pod affinity cannot be
   * satisfied by a pod that is only nominated (it may still land elsewhere). With nothing
   * nominated this is a single run on the node itself.
   */
  runFiltersWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo, filters: readonly FilterPlugin[] = this.activeFilters(state)): Status {
    const nominated = this.#nominatedOn(node.name);
    if (nominated === undefined) return this.runFilters(state, pod, node, filters);
    let withNominated: NodeInfo | undefined;
    let st: CycleState | undefined;
    for (const other of nominated.values()) {
      if (other.uid === pod.uid || other.priority < pod.priority) continue;
      withNominated ??= node.clone();
      st ??= state.clone();
      withNominated.addPod(other);
      const added = this.runPreFilterExtension('add', st, pod, other, withNominated);
      if (!added.isSuccess()) return Status.error(added, `running AddPod for nominated pod ${other.key}: ${added.message()}`).withPlugin(added.plugin ?? 'PreFilterExtensions');
    }
    if (withNominated === undefined || st === undefined) return this.runFilters(state, pod, node, filters);
    const first = this.runFilters(st, pod, withNominated, filters);
    if (!first.isSuccess()) return first;
    return this.runFilters(state, pod, node, filters);
  }

  runPreFilterExtension(op: 'add' | 'remove', state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): Status {
    for (const p of this.preFilter) {
      const ext = p.preFilterExtensions;
      if (ext === undefined || state.skipFilter.has(p.name)) continue;
      const s = op === 'add' ? ext.addPod(state, pod, other, node) : ext.removePod(state, pod, other, node);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** Runs PostFilter plugins until one succeeds (nominating a node) or one returns Unresolvable. */
  async runPostFilter(state: CycleState, pod: PodInfo, filtered: NodeToStatus): Promise<PostFilterResult> {
    let last: PostFilterResult = { status: Status.unschedulable() };
    for (const p of this.postFilter) {
      try {
        const r = await p.postFilter(state, pod, filtered);
        if (r.status.isSuccess()) return r;
        if (r.status.code === 'Error' || r.status.code === 'UnschedulableAndUnresolvable') return { ...r, status: r.status.withPlugin(p.name) };
        last = { ...r, status: r.status.withPlugin(p.name) };
      } catch (err) {
        return { status: Status.error(err).withPlugin(p.name) };
      }
    }
    return last;
  }

  runPreScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    for (const p of this.preScore) {
      let s: Status;
      try {
        s = p.preScore(state, pod, nodes);
      } catch (err) {
        return Status.error(err).withPlugin(p.name);
      }
      if (s.code === 'Skip') state.skipScore.add(p.name);
      else if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /**
   * Runs Score (+ NormalizeScore) for every feasible node and returns the weighted totals,
   * index-aligned with `nodes`.
   */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { status: Status; totals: Float64Array; perPlugin?: Map<string, NodeScore[]> } {
    const totals = new Float64Array(nodes.length);
    for (const { plugin, weight } of this.score) {
      if (state.skipScore.has(plugin.name) || weight === 0) continue;
      const scores: NodeScore[] = new Array(nodes.length);
      try {
        for (let i = 0; i < nodes.length; i++) scores[i] = { name: nodes[i]!.name, score: plugin.score(state, pod, nodes[i]!) };
        if (plugin.normalizeScore !== undefined) {
          const s = plugin.normalizeScore(state, pod, scores);
          if (!s.isSuccess()) return { status: s.withPlugin(plugin.name), totals };
        }
      } catch (err) {
        return { status: Status.error(err).withPlugin(plugin.name), totals };
      }
      for (let i = 0; i < nodes.length; i++) {
        const sc = scores[i]!.score;
        if (!(sc >= 0 && sc <= MAX_NODE_SCORE)) {
          return { status: Status.error(new SchedulerError('InvalidArgs', `plugin ${plugin.name} scored node ${nodes[i]!.name} ${sc}; scores must be in [0, ${MAX_NODE_SCORE}] (add normalizeScore)`)).withPlugin(plugin.name), totals };
        }
        totals[i]! += sc * weight;
      }
    }
    return { status: Status.success(), totals };
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const p of this.reserve) {
      let s: Status;
      try {
        s = p.reserve(state, pod, nodeName);
      } catch (err) {
        s = Status.error(err);
      }
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** Unreserve in reverse order; errors are swallowed (Unreserve must not fail). */
  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let i = this.reserve.length - 1; i >= 0; i--) {
      try {
        this.reserve[i]!.unreserve(state, pod, nodeName);
      } catch {
        // Unreserve is best effort by contract.
      }
    }
  }

  /**
   * Runs Permit plugins: a rejection or error is returned at once; if some plugin says Wait,
   * the pod is registered as waiting and `wait` resolves when it is allowed, rejected or
   * timed out.
   */
  runPermit(state: CycleState, pod: PodInfo, nodeName: string, clock: Clock): { status: Status; wait?: Promise<Status> } {
    const waits = new Map<string, number>();
    for (const p of this.permit) {
      let r;
      try {
        r = p.permit(state, pod, nodeName);
      } catch (err) {
        return { status: Status.error(err).withPlugin(p.name) };
      }
      if (r.status.code === 'Wait') waits.set(p.name, Math.min(r.timeoutMs ?? DEFAULT_PERMIT_WAIT_MS, MAX_PERMIT_WAIT_MS));
      else if (!r.status.isSuccess()) return { status: r.status.withPlugin(p.name) };
    }
    if (waits.size === 0) return { status: Status.success() };
    const w = new WaitingPodImpl(pod, nodeName, waits, clock);
    this.#waiting.add(w);
    const wait = w.done.finally(() => this.#waiting.delete(pod.uid));
    return { status: Status.wait(), wait };
  }

  async runPreBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const p of this.preBind) {
      let s: Status;
      try {
        s = await p.preBind(state, pod, nodeName);
      } catch (err) {
        s = Status.error(err);
      }
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  async runBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const p of this.bind) {
      let s: Status;
      try {
        s = await p.bind(state, pod, nodeName);
      } catch (err) {
        s = Status.error(err);
      }
      if (s.code === 'Skip') continue;
      return s.withPlugin(p.name);
    }
    return Status.error(new SchedulerError('InvalidProfile', 'every Bind plugin skipped the pod'));
  }

  runPostBind(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const p of this.postBind) {
      try {
        p.postBind(state, pod, nodeName);
      } catch {
        // PostBind is informational.
      }
    }
  }

  /** A fresh state for one attempt. */
  newCycleState(): CycleState {
    return new CycleState();
  }
}
