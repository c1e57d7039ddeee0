import type { Pod } from '../../api/generated/types.js';
import type { KubeObject, ResourceType } from '../../api/resource.js';
import type { Client } from '../../client/client.js';
import type { Clock } from '../../runtime/clock-types.js';
import type { CycleState } from './cycle-state.js';
import type { Status } from './status.js';
import type { NodeInfo, NodeInfoLister, PodInfo } from './types.js';

/** Every plugin has a unique name (the registry key). @public */
export interface Plugin {
  readonly name: string;
}

/**
 * Cluster changes that can make an unschedulable pod schedulable. A pod rejected by plugin P
 * is moved back to the active/backoff queue only by events P lists in `events()` (all events
 * if the rejecting plugin lists none).
 *
 * @public
 */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeUpdate'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete'
  | 'PvcChange'
  | 'PvChange'
  | 'NamespaceChange'
  | 'UnschedulableTimeout';

/** A pod in the scheduling queue, as QueueSort compares them. @public */
export interface QueuedPodInfo {
  readonly podInfo: PodInfo;
  /** When the pod was first added to the queue (ms, the scheduler's clock). */
  readonly initialAttemptTimestamp: number;
  /** When the pod was last added or moved to the active queue. */
  timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** Plugins that rejected the pod in its last attempt. */
  unschedulablePlugins: Set<string>;
}

/** Gate a pod before it enters the active queue (e.g. scheduling gates). @public */
export interface PreEnqueuePlugin extends Plugin {
  /** Success: enqueue; anything else: park the pod until it changes. */
  preEnqueue(pod: Pod): Status;
}

/** Orders the active queue. Exactly one per profile. @public */
export interface QueueSortPlugin extends Plugin {
  /** True if `a` should be scheduled before `b`. */
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** What a PreFilter returns: a status and optionally the only nodes worth filtering. @public */
export interface PreFilterResult {
  readonly status: Status;
  /** When set, only these nodes are considered (intersected across plugins). */
  readonly nodeNames?: ReadonlySet<string>;
}

/**
 * Incremental updates of a PreFilter's state when a pod is added to or removed from a node
 * in a what-if evaluation (nominated pods, preemption victims).
 *
 * @public
 */
export interface PreFilterExtensions {
  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status;
  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status;
}

/** Once per cycle before filtering: compute state, reject early, or Skip. @public */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfoLister): PreFilterResult;
  readonly preFilterExtensions?: PreFilterExtensions;
}

/** Per node: can the pod run here? Must be fast and must not mutate the NodeInfo. @public */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

/** The status of every node that failed filtering, by node name. @public */
export type NodeToStatus = ReadonlyMap<string, Status>;

/** What a PostFilter returns: a status, and on success the node the pod is nominated to. @public */
export interface PostFilterResult {
  readonly status: Status;
  readonly nominatedNodeName?: string;
}

/** Runs when no node passed filtering (preemption). @public */
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, filtered: NodeToStatus): Promise<PostFilterResult>;
}

/** Once per cycle before scoring, with the feasible nodes; Skip disables this plugin's Score. @public */
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status;
}

/** A node and its score. @public */
export interface NodeScore {
  readonly name: string;
  score: number;
}

/**
 * Per feasible node: a score in [0, 100] (after NormalizeScore, if the plugin has one).
 * A Score that throws fails the cycle with an Error status.
 *
 * @public
 */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rescale the raw scores in place to [0, 100]. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): Status;
}

/** Claim (and on failure release) what the pod will use on the chosen node. @public */
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  /** Must be idempotent and must not fail. */
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** A Permit decision: Success, Unschedulable, or Wait with a timeout. @public */
export interface PermitResult {
  readonly status: Status;
  /** For Wait: how long before the pod is rejected (default 60 s, at most 15 min). */
  readonly timeoutMs?: number;
}

/** Last say before binding; Wait holds the pod until allowed (see {@link WaitingPod}). @public */
export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: PodInfo, nodeName: string): PermitResult;
}

/** Before binding (e.g. provision volumes). Runs in the binding cycle. @public */
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

/** Binds the pod; Skip hands over to the next binder. @public */
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

/** Informational, after a successful bind. @public */
export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** Plugins that say which cluster events can make pods they rejected schedulable. @public */
export interface EnqueueExtensions extends Plugin {
  events(): readonly ClusterEvent[];
}

/** A pod held by a Permit plugin's Wait. @public */
export interface WaitingPod {
  readonly pod: PodInfo;
  readonly nodeName: string;
  /** Plugins still waiting. */
  readonly pending: ReadonlySet<string>;
  /** The plugin allows the pod; it proceeds once every waiting plugin has allowed it. */
  allow(plugin: string): void;
  /** Reject the pod: it is unreserved and requeued as unschedulable. */
  reject(plugin: string, message: string): void;
}

/** A read-only view of the objects of one kind, kept by an informer the scheduler runs. @public */
export interface ObjectLister<T> {
  list(): readonly T[];
  /** The objects of one namespace (through the cache's namespace index). */
  listNamespace(namespace: string): readonly T[];
  get(namespace: string | undefined, name: string): T | undefined;
}

/**
 * What a plugin factory receives: the cluster client, the clock, the node cache, waiting
 * pods, and listers for any other kind it needs (call `lister` in the factory; the scheduler
 * starts and syncs those informers before scheduling).
 *
 * @public
 */
export interface Handle {
  readonly client: Client;
  readonly clock: Clock;
  readonly nodes: NodeInfoLister;
  readonly schedulerName: string;
  lister<T extends KubeObject>(type: ResourceType<T>): ObjectLister<T>;
  getWaitingPod(uid: string): WaitingPod | undefined;
  waitingPods(): Iterable<WaitingPod>;
  /**
   * Run every Filter of this profile (with PreFilter state from `state`) on a node: what
   * preemption uses to ask "would the pod fit here without these pods".
   */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  /**
   * {@link Handle.runFilters} counting the pods nominated to the node with a priority at least
   * the pod's, as the scheduling cycle does (kube-scheduler's
   * RunFilterPluginsWithNominatedPods): preemption asks this when choosing victims, so a node
   * whose room is promised to a more important pod is not emptied for this one.
   */
  runFiltersWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  /** Run the PreFilter extensions' addPod/removePod on a cloned state. */
  runPreFilterExtension(op: 'add' | 'remove', state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): Status;
}

/** Builds a plugin from its (typed) args. @public */
export type PluginFactory<A> = (args: A, handle: Handle) => Plugin;
