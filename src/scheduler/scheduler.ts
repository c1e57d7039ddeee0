import { rfc3339 } from '../util/time.js';
import type { Runnable } from '../runtime/manager.js';
import { EventEmitter } from 'eventemitter3';
import { Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod } from '../api/generated/kinds.js';
import type { KubeObject, ResourceType } from '../api/resource.js';
import { type Client, listWatcherFor, mutate } from '../client/client.js';
import type { Clock, TimerHandle } from '../runtime/clock-types.js';
import type { Informer } from '../runtime/informer.js';
import { SharedInformerFactory } from '../runtime/shared-informers.js';
import { StoreError } from '../store/errors.js';
import { SchedulerCache } from './cache.js';
import { SchedulerError } from './errors.js';
import { CycleState } from './framework/cycle-state.js';
import { Framework, WaitingPods } from './framework/framework.js';
import type { ClusterEvent, Handle, ObjectLister, QueuedPodInfo } from './framework/interfaces.js';
import type { PluginRef, Profile, Registry } from './framework/registry.js';
import { Status } from './framework/status.js';
import { PodInfo, type NodeInfo } from './framework/types.js';
import { defaultPluginRefs, defaultRegistry, type DefaultRegistry, histogram, PrioritySort } from './plugins/index.js';
import { SchedulingQueue } from './queue.js';

/** The schedulerName pods get when they name none. @public */
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** Options of {@link Scheduler}. @public */
export interface SchedulerOptions<R extends Registry<object> = DefaultRegistry> {
  readonly client: Client;
  readonly clock: Clock;
  /** Default: one profile, `default-scheduler`, with the default plugins. */
  readonly profiles?: readonly Profile<R>[];
  /** Default: {@link defaultRegistry}. */
  readonly registry?: R;
  /** Share informers with other components; the scheduler then neither starts nor stops them. */
  readonly informers?: SharedInformerFactory;
  /** Default for profiles that set none; 0: adaptive (50 % at 100 nodes … 10 % at 5,000, floor 5 %). */
  readonly percentageOfNodesToScore?: number;
  readonly podInitialBackoffMs?: number;
  readonly podMaxBackoffMs?: number;
  readonly podMaxUnschedulableMs?: number;
  /** How long an assumed pod whose bind returned may stay unobserved (default 30 s). */
  readonly assumedPodTtlMs?: number;
  /** Tie-breaking among equal best scores; default `Math.random`. */
  readonly random?: () => number;
  /** Write core/v1 Events (Scheduled, FailedScheduling); default true. */
  readonly recordEvents?: boolean;
}

/** What one scheduling attempt decided. @public */
export type ScheduleOutcome =
  | { readonly result: 'assumed'; readonly pod: PodInfo; readonly nodeName: string; readonly evaluatedNodes: number; readonly feasibleNodes: number }
  | { readonly result: 'unschedulable' | 'error'; readonly pod: PodInfo; readonly message: string; readonly status: Status; readonly nominatedNodeName?: string | undefined }
  | { readonly result: 'skipped'; readonly pod: PodInfo; readonly reason: string };

/** Typed lifecycle events of a {@link Scheduler}. @public */
export interface SchedulerEvents {
  /** The bind succeeded. */
  scheduled: (pod: PodInfo, nodeName: string) => void;
  /** An attempt failed (no fit, error, or failed bind); the pod was requeued. */
  failed: (pod: PodInfo, message: string, status: Status) => void;
}

/** Kubernetes' adaptive node sampling: how many feasible nodes to look for. @public */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  const MIN = 100;
  if (numAllNodes < MIN) return numAllNodes;
  let p = percentage;
  if (p <= 0) {
    p = 50 - Math.floor(numAllNodes / 125);
    if (p < 5) p = 5;
  }
  if (p >= 100) return numAllNodes;
  const n = Math.floor((numAllNodes * p) / 100);
  return n < MIN ? MIN : n;
}

type FitResult =
  | { readonly ok: true; readonly nodeName: string; readonly evaluated: number; readonly feasible: number }
  | { readonly ok: false; readonly status: Status; readonly statuses: Map<string, Status>; readonly message: string };

const isoSeconds = rfc3339;

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The scheduler: watches unscheduled pods whose `spec.schedulerName` matches one of its
 * profiles, and nodes; picks a node per pod through the profile's plugins; binds through the
 * client. One pod's scheduling cycle runs at a time (synchronously, on the node cache); its
 * binding cycle (Permit wait, PreBind, Bind) runs in the background so the next pod does not
 * wait for the bind.
 *
 * On failure the pod gets `PodScheduled=False` (reason `Unschedulable`, Kubernetes' message
 * `0/5 nodes are available: …`) and a `FailedScheduling` Warning Event; on success a
 * `Scheduled` Event. Failed pods wait in the queue (see {@link SchedulingQueue}).
 *
 * Guarantees: after `stop()` resolves, no timers, watches or background writes remain.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler({ client, clock });
 * scheduler.on('scheduled', (pod, node) => console.log(`${pod.key} → ${node}`));
 * const ac = new AbortController();
 * await scheduler.start(ac.signal);
 * // …
 * await scheduler.stop();
 * ```
 * @public
 */
export class Scheduler<R extends Registry<object> = DefaultRegistry> extends EventEmitter<SchedulerEvents> {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly #frameworks = new Map<string, Framework>();
  readonly #client: Client;
  readonly #clock: Clock;
  readonly #factory: SharedInformerFactory;
  readonly #ownsFactory: boolean;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #informers: Informer<KubeObject>[] = [];
  readonly #waiting = new WaitingPods();
  readonly #random: () => number;
  readonly #recordEvents: boolean;
  readonly #background = new Set<Promise<unknown>>();
  readonly #abort = new AbortController();
  #nextStart = 0;
  #expiryTimer: TimerHandle | undefined;
  #loop: Promise<void> | undefined;
  #state: 'new' | 'synced' | 'running' | 'stopped' = 'new';
  #eventSeq = 0;
  #unsubscribe: (() => void)[] = [];

  /** Errors: `InvalidProfile` / `UnknownPlugin` for bad profiles. */
  constructor(options: SchedulerOptions<R>) {
    super();
    this.#client = options.client;
    this.#clock = options.clock;
    this.#random = options.random ?? Math.random;
    this.#recordEvents = options.recordEvents ?? true;
    this.#ownsFactory = options.informers === undefined;
    this.#factory = options.informers ?? new SharedInformerFactory({ clock: options.clock });
    this.cache = new SchedulerCache(options.assumedPodTtlMs);
    this.#pods = this.#informer(Pod);
    this.#nodes = this.#informer(Node);
    const registry = (options.registry ?? defaultRegistry()) as Registry<object>;
    const profiles: readonly Profile<Registry<object>>[] = (options.profiles as readonly Profile<Registry<object>>[] | undefined) ?? [{ schedulerName: DEFAULT_SCHEDULER_NAME }];
    if (profiles.length === 0) throw new SchedulerError('InvalidProfile', 'a scheduler needs at least one profile; omit `profiles` for the default one');
    const handleBase: Omit<Handle, 'schedulerName' | 'runFilters' | 'runFiltersWithNominatedPods' | 'runPreFilterExtension'> = {
      client: this.#client,
      clock: this.#clock,
      nodes: this.cache,
      lister: <T extends KubeObject>(type: ResourceType<T>) => this.#lister(type),
      getWaitingPod: (uid) => this.#waiting.get(uid),
      waitingPods: () => this.#waiting.values(),
    };
    for (const p of profiles) {
      if (this.#frameworks.has(p.schedulerName)) throw new SchedulerError('InvalidProfile', `two profiles are named ${p.schedulerName}; give each a unique schedulerName`);
      this.#frameworks.set(
        p.schedulerName,
        new Framework({
          schedulerName: p.schedulerName,
          registry,
          plugins: (p.plugins ?? defaultPluginRefs()) as readonly PluginRef<Record<string, unknown>>[],
          percentageOfNodesToScore: p.percentageOfNodesToScore ?? options.percentageOfNodesToScore,
          handle: handleBase,
          waiting: this.#waiting,
          nominatedOn: (nodeName) => this.queue.nominatedOn(nodeName),
        }),
      );
    }
    const first = [...this.#frameworks.values()][0]!;
    const sort = first.queueSort ?? new PrioritySort();
    this.queue = new SchedulingQueue({
      clock: this.#clock,
      less: (a, b) => sort.less(a, b),
      preEnqueue: (pod) => this.#frameworks.get(pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME)?.runPreEnqueue(pod) ?? Status.success(),
      ...(options.podInitialBackoffMs !== undefined ? { initialBackoffMs: options.podInitialBackoffMs } : {}),
      ...(options.podMaxBackoffMs !== undefined ? { maxBackoffMs: options.podMaxBackoffMs } : {}),
      ...(options.podMaxUnschedulableMs !== undefined ? { maxUnschedulableMs: options.podMaxUnschedulableMs } : {}),
    });
  }

  /** The profile for a schedulerName. */
  framework(schedulerName: string = DEFAULT_SCHEDULER_NAME): Framework | undefined {
    return this.#frameworks.get(schedulerName);
  }

  #informer<T extends KubeObject>(type: ResourceType<T>): Informer<T> {
    const key = `${type.group === '' ? 'core' : type.group}/${type.version}/${type.plural}`;
    const inf = this.#factory.informerFor<T>(key, () => listWatcherFor(this.#client, type));
    this.#informers.push(inf as unknown as Informer<KubeObject>);
    return inf;
  }

  #lister<T extends KubeObject>(type: ResourceType<T>): ObjectLister<T> {
    const inf = this.#informer(type);
    const event: ClusterEvent | undefined =
      type === (PersistentVolumeClaim as unknown) ? 'PvcChange' : type === (PersistentVolume as unknown) ? 'PvChange' : type === (Namespace as unknown) ? 'NamespaceChange' : undefined;
    if (event !== undefined) {
      const move = (): void => void this.#move(event);
      this.#unsubscribe.push(inf.addHandler({ onAdd: move, onUpdate: move }));
    }
    return { list: () => inf.cache.list(), listNamespace: (ns) => inf.cache.byIndex('namespace', ns), get: (ns, name) => inf.cache.getByName(ns, name) };
  }

  #responsible(pod: Pod): boolean {
    return this.#frameworks.has(pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME);
  }

  #move(event: ClusterEvent): number {
    return this.queue.moveOnEvent(event, (plugin, e) => {
      for (const f of this.#frameworks.values()) {
        const evs = f.events.get(plugin);
        if (evs === undefined || evs.has(e)) return true;
      }
      return false;
    });
  }

  #registerHandlers(): void {
    const assigned = (p: Pod): boolean => p.spec?.nodeName !== undefined && p.spec.nodeName !== '';
    this.#unsubscribe.push(
      this.#pods.addHandler({
        onAdd: (pod) => {
          if (assigned(pod)) {
            this.cache.addPod(pod);
            this.#move('AssignedPodAdd');
          } else if (this.#responsible(pod) && pod.metadata.deletionTimestamp === undefined) {
            this.queue.add(pod);
          }
        },
        onUpdate: (old, pod) => {
          if (assigned(pod)) {
            const uid = pod.metadata.uid ?? '';
            if (!assigned(old)) this.queue.delete(uid);
            this.cache.addPod(pod);
            if (!assigned(old)) this.#move('AssignedPodAdd');
            else if (old.metadata.labels !== pod.metadata.labels && !sameJson(old.metadata.labels, pod.metadata.labels)) this.#move('AssignedPodUpdate');
            return;
          }
          if (!this.#responsible(pod) || this.cache.isAssumed(pod.metadata.uid ?? '')) return;
          if (pod.metadata.deletionTimestamp !== undefined) {
            this.queue.delete(pod.metadata.uid ?? '');
            return;
          }
          // Our own status writes (conditions, nominatedNodeName) must not wake the pod up.
          const relevant = !sameJson(old.spec, pod.spec) || !sameJson(old.metadata.labels, pod.metadata.labels) || !sameJson(old.metadata.annotations, pod.metadata.annotations);
          if (relevant || !this.queue.has(pod.metadata.uid ?? '')) this.queue.update(pod);
        },
        onDelete: (pod) => {
          const uid = pod.metadata.uid ?? '';
          this.#waiting.get(uid)?.reject('', 'pod was deleted');
          if (assigned(pod)) {
            this.cache.removePod(pod);
            this.#move('AssignedPodDelete');
          } else {
            this.queue.delete(uid);
          }
        },
      }),
      this.#nodes.addHandler({
        onAdd: (node) => {
          this.cache.addNode(node);
          this.#move('NodeAdd');
        },
        onUpdate: (old, node) => {
          this.cache.addNode(node);
          const relevant =
            !sameJson(old.metadata.labels, node.metadata.labels) || !sameJson(old.spec, node.spec) || !sameJson(old.status?.allocatable, node.status?.allocatable);
          if (relevant) this.#move('NodeUpdate');
        },
        onDelete: (node) => this.cache.removeNode(node.metadata.name ?? ''),
      }),
    );
  }

  /**
   * Start the informers and wait until their caches are in sync, without scheduling (tests
   * then call {@link Scheduler.scheduleOne}). `start` calls it.
   *
   * Errors: `Stopped` after `stop()`.
   */
  async sync(signal?: AbortSignal): Promise<void> {
    if (this.#state === 'stopped') throw new SchedulerError('Stopped', 'the scheduler was stopped; create a new one');
    if (this.#state !== 'new') return;
    this.#state = 'synced';
    this.#registerHandlers();
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    if (this.#ownsFactory) this.#factory.start(this.#abort.signal);
    await Promise.all(this.#informers.map((i) => i.synced));
  }

  /**
   * Sync, then schedule pods until `signal` aborts or `stop()` is called. Resolves once the
   * loop runs.
   *
   * Errors: `AlreadyStarted` if the loop is running; `Stopped` after `stop()`.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#state === 'running') throw new SchedulerError('AlreadyStarted', 'the scheduler is already running');
    await this.sync(signal);
    if (this.#state !== 'synced') return;
    this.#state = 'running';
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const q = this.queue.pop();
      if (q === undefined) {
        await this.queue.waitForPod(signal);
        continue;
      }
      await this.#scheduleQueued(q);
    }
  }

  /** Stop scheduling, reject waiting pods, finish background writes, stop owned informers. Idempotent. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#abort.abort();
    this.queue.close();
    this.#waiting.rejectAll('scheduler stopped');
    await this.#loop;
    await this.idle();
    if (this.#expiryTimer !== undefined) this.#clock.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe = [];
    if (this.#ownsFactory) await this.#factory.stop();
  }

  /**
   * This scheduler as a Manager {@link Runnable}: `manager.add(scheduler.runnable())`.
   * Its `nextWorkAt` is the next backoff expiry, so the test kit's `settle()` drives retries.
   */
  runnable(name = 'scheduler'): Runnable {
    return {
      name,
      start: (signal) => this.start(signal),
      stop: () => this.stop(),
      nextWorkAt: () => this.queue.nextBackoffAt(),
      idle: () => this.#background.size === 0 && this.queue.stats().active === 0,
    };
  }

  /** Resolves when no binding cycle, status write or Event write is in flight. */
  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  #track(p: Promise<unknown>): void {
    const t = p.catch(() => undefined).finally(() => this.#background.delete(t));
    this.#background.add(t);
  }

  /**
   * Run one scheduling cycle for the next pod in the active queue, if any. The binding cycle
   * continues in the background (await {@link Scheduler.idle} for it).
   */
  async scheduleOne(): Promise<ScheduleOutcome | undefined> {
    const q = this.queue.pop();
    return q === undefined ? undefined : this.#scheduleQueued(q);
  }

  async #scheduleQueued(qpi: QueuedPodInfo): Promise<ScheduleOutcome> {
    const pi = qpi.podInfo;
    const cycle = this.queue.schedulingCycle;
    const latest = this.#pods.cache.getByName(pi.namespace, pi.pod.metadata.name ?? '');
    if (latest === undefined || latest.metadata.uid !== pi.pod.metadata.uid || (latest.spec?.nodeName ?? '') !== '' || latest.metadata.deletionTimestamp !== undefined) {
      this.queue.done(pi.uid);
      return { result: 'skipped', pod: pi, reason: 'pod was deleted or bound meanwhile' };
    }
    const fwk = this.#frameworks.get(pi.pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME);
    if (fwk === undefined) {
      this.queue.done(pi.uid);
      return { result: 'skipped', pod: pi, reason: 'no profile for its schedulerName' };
    }
    const state = new CycleState();
    const fit = this.#schedulePod(fwk, state, pi);
    if (!fit.ok) {
      let message = fit.message;
      let nominated: string | undefined;
      if (fit.status.isRejected() && fwk.postFilter.length > 0) {
        const r = await fwk.runPostFilter(state, pi, fit.statuses);
        if (r.status.isSuccess()) nominated = r.nominatedNodeName;
        else if (r.status.reasons.length > 0) message = `${message} ${r.status.message()}`;
      }
      qpi.unschedulablePlugins = new Set();
      for (const s of fit.statuses.values()) if (s.plugin !== undefined) qpi.unschedulablePlugins.add(s.plugin);
      if (fit.status.plugin !== undefined) qpi.unschedulablePlugins.add(fit.status.plugin);
      this.#failed(qpi, fit.status, message, cycle, nominated);
      return { result: fit.status.code === 'Error' ? 'error' : 'unschedulable', pod: pi, message, status: fit.status, nominatedNodeName: nominated };
    }
    const nodeName = fit.nodeName;
    this.cache.assumePod(pi, nodeName);
    const reserved = fwk.runReserve(state, pi, nodeName);
    if (!reserved.isSuccess()) {
      fwk.runUnreserve(state, pi, nodeName);
      this.cache.forgetPod(pi.uid);
      const message = reserved.message();
      this.#failed(qpi, reserved, message, cycle, undefined);
      return { result: reserved.code === 'Error' ? 'error' : 'unschedulable', pod: pi, message, status: reserved };
    }
    const permit = fwk.runPermit(state, pi, nodeName, this.#clock);
    if (!permit.status.isSuccess() && permit.status.code !== 'Wait') {
      fwk.runUnreserve(state, pi, nodeName);
      this.cache.forgetPod(pi.uid);
      const message = permit.status.message();
      this.#failed(qpi, permit.status, message, cycle, undefined);
      return { result: permit.status.code === 'Error' ? 'error' : 'unschedulable', pod: pi, message, status: permit.status };
    }
    this.#track(this.#bindingCycle(fwk, state, qpi, nodeName, cycle, permit.wait));
    return { result: 'assumed', pod: pi, nodeName, evaluatedNodes: fit.evaluated, feasibleNodes: fit.feasible };
  }

  async #bindingCycle(fwk: Framework, state: CycleState, qpi: QueuedPodInfo, nodeName: string, cycle: number, wait: Promise<Status> | undefined): Promise<void> {
    const pi = qpi.podInfo;
    let status: Status = Status.success();
    try {
      if (wait !== undefined) status = await wait;
      if (status.isSuccess()) status = await fwk.runPreBind(state, pi, nodeName);
      if (status.isSuccess()) status = await fwk.runBind(state, pi, nodeName);
    } catch (err) {
      status = Status.error(err);
    }
    if (status.isSuccess()) {
      this.cache.finishBinding(pi.uid, this.#clock.now());
      this.#armExpiry();
      this.queue.done(pi.uid);
      this.queue.deleteNominated(pi.uid);
      fwk.runPostBind(state, pi, nodeName);
      this.emit('scheduled', pi, nodeName);
      this.#event(pi, 'Normal', 'Scheduled', `Successfully assigned ${pi.key} to ${nodeName}`);
      return;
    }
    fwk.runUnreserve(state, pi, nodeName);
    this.cache.forgetPod(pi.uid);
    this.#move('AssignedPodDelete');
    const cause = status.cause;
    if (cause instanceof StoreError && (cause.code === 'NotFound' || (cause.code === 'Conflict' && /already assigned|being deleted/.test(cause.message)))) {
      this.queue.done(pi.uid);
      return;
    }
    const message = status.code === 'Error' ? `binding rejected: ${status.message()}` : status.message();
    this.#failed(qpi, status, message, cycle, undefined);
  }

  #armExpiry(): void {
    if (this.#expiryTimer !== undefined || this.#state === 'stopped') return;
    const at = this.cache.nextExpiry();
    if (at === undefined) return;
    this.#expiryTimer = this.#clock.setTimeout(() => {
      this.#expiryTimer = undefined;
      if (this.cache.cleanupExpired(this.#clock.now()).length > 0) this.#move('AssignedPodDelete');
      this.#armExpiry();
    }, Math.max(0, at - this.#clock.now()));
  }

  #failed(qpi: QueuedPodInfo, status: Status, message: string, cycle: number, nominated: string | undefined): void {
    const pi = qpi.podInfo;
    // As kube-scheduler's handleSchedulingFailure: requeue the latest version of the pod,
    // and not at all if it is gone, was replaced, got a node meanwhile, or is being deleted.
    const latest = this.#pods.cache.getByName(pi.namespace, pi.pod.metadata.name ?? '');
    if (latest === undefined || latest.metadata.uid !== pi.uid || (latest.spec?.nodeName ?? '') !== '' || latest.metadata.deletionTimestamp !== undefined) {
      this.queue.done(pi.uid);
      this.queue.deleteNominated(pi.uid);
      return;
    }
    const changed = latest !== pi.pod;
    if (nominated !== undefined) this.queue.addNominated(pi, nominated);
    // A pod that changed during its cycle gets another try after its backoff, with the change.
    this.queue.requeue(changed ? { ...qpi, podInfo: new PodInfo(latest) } : qpi, status.code !== 'Error' && !changed, cycle);
    this.emit('failed', pi, message, status);
    const reason = status.code === 'Error' ? 'SchedulerError' : 'Unschedulable';
    const now = isoSeconds(this.#clock.now());
    const ref = { name: pi.pod.metadata.name ?? '', namespace: pi.namespace };
    this.#track(
      mutate(
        this.#client,
        Pod,
        ref,
        (draft) => {
          const status = (draft.status ??= {});
          const conds = (status.conditions ??= []);
          const i = conds.findIndex((c) => c.type === 'PodScheduled');
          const prev = i >= 0 ? conds[i] : undefined;
          if (prev === undefined || prev.status !== 'False' || prev.reason !== reason || prev.message !== message) {
            const next = { type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: undefined, lastTransitionTime: prev?.status === 'False' ? prev.lastTransitionTime : now };
            if (i >= 0) conds[i] = next;
            else conds.push(next);
          }
          if (nominated !== undefined) status.nominatedNodeName = nominated;
        },
        { subresource: 'status' },
      ),
    );
    this.#event(pi, 'Warning', 'FailedScheduling', message);
  }

  #event(pi: PodInfo, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (!this.#recordEvents) return;
    const m = pi.pod.metadata;
    const now = this.#clock.now();
    const ts = isoSeconds(now);
    const ev: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${m.name ?? 'pod'}.${now.toString(16)}${(this.#eventSeq++).toString(16)}`, namespace: pi.namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: m.name, namespace: pi.namespace, uid: m.uid, resourceVersion: m.resourceVersion },
      reason,
      message,
      type,
      source: { component: pi.pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME },
      reportingComponent: pi.pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
    };
    this.#track(this.#client.create(Event, ev));
  }

  #schedulePod(fwk: Framework, state: CycleState, pi: PodInfo): FitResult {
    const all = this.cache.list();
    const n = all.length;
    const statuses = new Map<string, Status>();
    if (n === 0) return { ok: false, status: Status.unschedulable('no nodes available to schedule pods'), statuses, message: 'no nodes available to schedule pods' };
    const pre = fwk.runPreFilter(state, pi, this.cache);
    if (!pre.status.isSuccess()) {
      const msg = `0/${n} nodes are available: ${pre.status.message()}.`;
      for (const ni of all) statuses.set(ni.name, pre.status);
      return { ok: false, status: pre.status, statuses, message: msg };
    }
    const filters = fwk.activeFilters(state);
    // A node nominated by preemption is tried first.
    const nominated = pi.pod.status?.nominatedNodeName;
    if (nominated !== undefined && nominated !== '' && (pre.nodeNames === undefined || pre.nodeNames.has(nominated))) {
      const ni = this.cache.get(nominated);
      if (ni !== undefined && fwk.runFiltersWithNominatedPods(state, pi, ni, filters).isSuccess()) return { ok: true, nodeName: nominated, evaluated: 1, feasible: 1 };
    }
    const feasible: NodeInfo[] = [];
    let evaluated = 0;
    if (pre.nodeNames !== undefined) {
      for (const name of pre.nodeNames) {
        const ni = this.cache.get(name);
        if (ni === undefined) continue;
        evaluated++;
        const s = fwk.runFiltersWithNominatedPods(state, pi, ni, filters);
        if (s.code === 'Success') feasible.push(ni);
        else statuses.set(ni.name, s);
      }
    } else {
      const want = numFeasibleNodesToFind(fwk.percentageOfNodesToScore, n);
      const start = this.#nextStart % n;
      for (let i = 0; i < n && feasible.length < want; i++) {
        const ni = all[(start + i) % n]!;
        evaluated++;
        const s = fwk.runFiltersWithNominatedPods(state, pi, ni, filters);
        if (s.code === 'Success') feasible.push(ni);
        else statuses.set(ni.name, s);
      }
      this.#nextStart = (start + evaluated) % n;
    }
    if (feasible.length === 0) {
      if (pre.nodeNames !== undefined) {
        const outside = Status.unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]");
        for (const ni of all) if (!pre.nodeNames.has(ni.name)) statuses.set(ni.name, outside);
      }
      let err: Status | undefined;
      const reasons = new Map<string, number>();
      for (const s of statuses.values()) {
        if (s.code === 'Error') err = s;
        for (const r of s.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
      }
      if (err !== undefined) return { ok: false, status: err, statuses, message: err.message() };
      return { ok: false, status: Status.unschedulable(), statuses, message: histogram(n, reasons) };
    }
    if (feasible.length === 1) return { ok: true, nodeName: feasible[0]!.name, evaluated, feasible: 1 };
    const ps = fwk.runPreScore(state, pi, feasible);
    if (!ps.isSuccess()) return { ok: false, status: ps, statuses, message: ps.message() };
    const sc = fwk.runScore(state, pi, feasible);
    if (!sc.status.isSuccess()) return { ok: false, status: sc.status, statuses, message: sc.status.message() };
    // Highest total wins; ties are broken uniformly at random (reservoir sampling).
    let best = 0;
    let ties = 1;
    const totals = sc.totals;
    for (let i = 1; i < totals.length; i++) {
      if (totals[i]! > totals[best]!) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (this.#random() * ties < 1) best = i;
      }
    }
    return { ok: true, nodeName: feasible[best]!.name, evaluated, feasible: feasible.length };
  }
}
