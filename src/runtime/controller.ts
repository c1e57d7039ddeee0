import type { KindRegistry } from '../api/registry.js';
import { groupOfApiVersion, type KubeObject, type ResourceType } from '../api/resource.js';
import type { Client } from '../client/client.js';
import type { ObjectRef } from '../store/store.js';
import { KubekitError } from '../util/errors.js';
import { yieldToEventLoop } from '../util/yield.js';
import type { Cache, IndexFunc } from './cache.js';
import type { Clock } from './clock-types.js';
import type { EventRecorder } from './event-types.js';
import type { Informer, InformerHandler } from './informer.js';
import type { Logger } from './logger.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';
import { WorkQueue, type WorkQueueMetricEvent } from './workqueue.js';

/**
 * What a reconcile asks for next. Two constructors, no flags:
 * - `Action.requeueAfter(ms)`: reconcile this object again after `ms` even if nothing
 *   changes (polling an external system, a deadline);
 * - `Action.awaitChange()`: done; reconcile again only when something watched changes.
 *
 * @public
 */
export type Action = { readonly kind: 'requeue'; readonly afterMs: number } | { readonly kind: 'await' };

/** @public */
export const Action = {
  /** Reconcile again after `ms` milliseconds of (virtual) time. */
  requeueAfter(ms: number): Action {
    if (!Number.isFinite(ms) || ms < 0) throw new ControllerError('InvalidAction', `requeueAfter needs a non-negative number of milliseconds, got ${ms}`);
    return { kind: 'requeue', afterMs: ms };
  },
  /** Reconcile again only when a watched object changes. */
  awaitChange(): Action {
    return AWAIT;
  },
} as const;
const AWAIT: Action = Object.freeze({ kind: 'await' });

/** @public */
export type ControllerErrorCode = 'InvalidAction' | 'NotWatched' | 'AlreadyStarted' | 'Terminal';

/** An error of the controller runtime itself. @public */
export class ControllerError extends KubekitError {
  declare readonly code: ControllerErrorCode;
  constructor(code: ControllerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * Thrown from a reconcile to say "retrying will not help" (invalid spec, missing
 * permission): the error is logged, recorded as a Warning Event on the object and counted,
 * and the object is not requeued until it changes.
 *
 * @public
 */
export class TerminalError extends KubekitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Terminal', message, options);
  }
}

/**
 * Everything a reconcile gets. `object` is the latest cached state of the object named by
 * `request` when the reconcile starts (undefined when it no longer exists): reconciles are
 * level-triggered and never see the event that caused them.
 *
 * @public
 */
export interface ReconcileContext<T extends KubeObject> {
  readonly request: ObjectRef;
  readonly object: T | undefined;
  readonly client: Client;
  readonly clock: Clock;
  readonly recorder: EventRecorder;
  readonly logger: Logger;
  /** Aborted when the controller stops; pass it to long calls. */
  readonly signal: AbortSignal;
  /** The read-only cache of a kind this controller watches (`for`, `owns` or `watches`). */
  cache<U extends KubeObject>(type: ResourceType<U>): Cache<U>;
}

/**
 * The one method a controller's logic implements.
 *
 * Contract: return an {@link Action}; throw to retry with rate-limited backoff (the error
 * policy may decide otherwise); throw {@link TerminalError} to stop retrying until the object
 * changes. A reconcile must be idempotent: it may run any number of times for the same state.
 * It never runs concurrently for the same object.
 *
 * @public
 */
export type Reconcile<T extends KubeObject> = (ctx: ReconcileContext<T>) => Promise<Action> | Action;

/**
 * Decides what happens after a reconcile throws (other than TerminalError): an Action, or
 * `'backoff'` for the rate-limited requeue (the default: 5 ms doubling to 1000 s per object,
 * within a 10/s, burst 100 token bucket).
 *
 * @public
 */
export type ErrorPolicy<T extends KubeObject> = (error: unknown, ctx: ReconcileContext<T>) => Action | 'backoff';

/**
 * Filters events of the primary kind before they enqueue a reconcile. Absent methods allow.
 *
 * @public
 */
export interface Predicate<T> {
  create?(object: T): boolean;
  update?(old: T, object: T): boolean;
  delete?(object: T): boolean;
}

/** Built-in predicates. @public */
export const predicates = {
  /** Updates pass only when metadata.generation changed (spec changes; not status-only writes). */
  generationChanged<T extends KubeObject>(): Predicate<T> {
    return { update: (old, obj) => old.metadata.generation !== obj.metadata.generation };
  },
  /** Updates pass only when labels changed. */
  labelsChanged<T extends KubeObject>(): Predicate<T> {
    return { update: (old, obj) => !shallowEqual(old.metadata.labels, obj.metadata.labels) };
  },
  /** Updates pass only when annotations changed. */
  annotationsChanged<T extends KubeObject>(): Predicate<T> {
    return { update: (old, obj) => !shallowEqual(old.metadata.annotations, obj.metadata.annotations) };
  },
  /** Updates pass only when resourceVersion changed (drops resyncs). */
  resourceVersionChanged<T extends KubeObject>(): Predicate<T> {
    return { update: (old, obj) => old.metadata.resourceVersion !== obj.metadata.resourceVersion };
  },
  /** Passes when any of the predicates passes. */
  or<T>(...ps: Predicate<T>[]): Predicate<T> {
    return {
      create: (o) => ps.some((p) => p.create?.(o) ?? true),
      update: (a, b) => ps.some((p) => p.update?.(a, b) ?? true),
      delete: (o) => ps.some((p) => p.delete?.(o) ?? true),
    };
  },
};

function shallowEqual(a: { readonly [k: string]: string } | undefined, b: { readonly [k: string]: string } | undefined): boolean {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b ?? {}).length) return false;
  return ak.every((k) => a?.[k] === b?.[k]);
}

/** A source of shared informers, one per kind and scope (the Manager is one). @public */
export interface InformerSource {
  informerFor<U extends KubeObject>(type: ResourceType<U>, scope?: { readonly namespace?: string | undefined; readonly labelSelector?: string | undefined }): Informer<U>;
}

/** What a controller needs to run; the Manager supplies it. @public */
export interface ControllerDeps {
  readonly client: Client;
  readonly clock: Clock;
  readonly informers: InformerSource;
  readonly recorder: EventRecorder;
  readonly logger: Logger;
  /**
   * The kinds the cluster serves (built-ins and custom kinds), for controllers that act on
   * every kind (the namespace controller, the garbage collector). Controllers that cover every
   * kind follow it (`KindRegistry.onChange`), so kinds registered while they run are seen.
   */
  readonly kinds?: KindRegistry;
  readonly onQueueMetric?: (event: WorkQueueMetricEvent) => void;
  readonly onReconcile?: (controller: string, result: 'success' | 'error' | 'requeue' | 'requeue_after', seconds: number) => void;
}

interface Watch {
  readonly type: ResourceType;
  /** Maps an event's object to the requests it should enqueue. */
  readonly map: (obj: KubeObject) => readonly ObjectRef[];
  /** Secondary indexes this controller needs on the watched kind's cache. */
  readonly indexers: Readonly<Record<string, IndexFunc<KubeObject>>> | undefined;
}

/**
 * Options of {@link ControllerBuilder.owns} and {@link ControllerBuilder.watches}.
 *
 * @public
 */
export interface RelatedWatchOptions<U> {
  /**
   * Secondary indexes to add to the (shared) cache of the watched kind, by name, for the
   * reconcile to query with `ctx.cache(Kind).byIndex(name, value)`. They are added when the
   * controller is created, built at once from what is cached, and kept up to date by the
   * informer. Give the same function object for the same name everywhere (e.g. a module
   * constant such as `ownerIndexers` of the built-in controllers): a name already registered
   * with another function fails with `CacheError` `DuplicateIndex` when the controller is
   * created.
   */
  readonly indexers?: Readonly<Record<string, IndexFunc<U>>>;
}

/**
 * A controller, described but not yet running: what it reconciles, what it watches, and its
 * reconcile function. Build one with {@link controllerFor}; a Manager (or the test kit)
 * runs it.
 *
 * @public
 */
export interface ControllerDefinition<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly type: ResourceType<T>;
  /** Instantiate (not start) the controller. */
  create(deps: ControllerDeps): RunningController;
}

/**
 * A controller instance as its owner (a Manager, the test kit) drives it.
 *
 * @public
 */
export interface RunningController {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  start(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  enqueue(ref: ObjectRef): void;
  hasSynced(): boolean;
  stats(): { readonly reconciles: number; readonly errors: number };
  runOnce(ref: ObjectRef): Promise<Action>;
  nextWorkAt(): number | undefined;
  idle(): boolean;
}

interface BuilderState<T extends KubeObject> {
  name: string;
  type: ResourceType<T>;
  namespace: string | undefined;
  labelSelector: string | undefined;
  watches: Watch[];
  predicates: Predicate<T>[];
  maxConcurrent: number;
  rateLimiter: ((clock: Clock) => RateLimiter<string>) | undefined;
  errorPolicy: ErrorPolicy<T> | undefined;
}

/**
 * Start describing a controller for a primary kind (controller-runtime's builder).
 *
 * @example
 * ```ts
 * export const websites = controllerFor(Website)
 *   .owns(Deployment)
 *   .owns(ConfigMap)
 *   .withPredicate(predicates.generationChanged())
 *   .reconcile(async ({ object, client }) => {
 *     if (object === undefined) return Action.awaitChange();
 *     // … create or update the children …
 *     return Action.awaitChange();
 *   });
 * ```
 * @public
 */
export function controllerFor<T extends KubeObject>(type: ResourceType<T>): ControllerBuilder<T> {
  return new ControllerBuilder<T>({
    name: type.group === '' ? type.plural : `${type.plural}.${type.group}`,
    type,
    namespace: undefined,
    labelSelector: undefined,
    watches: [],
    predicates: [],
    maxConcurrent: 1,
    rateLimiter: undefined,
    errorPolicy: undefined,
  });
}

/** @public */
export class ControllerBuilder<T extends KubeObject> {
  /** @internal */
  constructor(private readonly state: BuilderState<T>) {}

  /** Name used in logs, metrics and the work queue (default: `plural.group`). */
  named(name: string): this {
    this.state.name = name;
    return this;
  }

  /** Watch only one namespace (default: all). */
  inNamespace(namespace: string): this {
    this.state.namespace = namespace;
    return this;
  }

  /** Watch only primary objects matching a label selector. */
  withLabelSelector(selector: string): this {
    this.state.labelSelector = selector;
    return this;
  }

  /**
   * Reconcile the owner when an owned object changes: events of `type` enqueue the object
   * named by their controller ownerReference if it is of the primary kind. `options.indexers`
   * adds indexes to the owned kind's cache (see {@link WatchOptions}).
   *
   * @example
   * ```ts
   * controllerFor(ReplicaSet)
   *   .owns(Pod, { indexers: { 'controller-uid': (p) => (p.metadata.ownerReferences ?? []).filter((r) => r.controller === true).map((r) => r.uid) } })
   *   .reconcile(async (ctx) => {
   *     const mine = ctx.cache(Pod).byIndex('controller-uid', ctx.object?.metadata.uid ?? '');
   *     return Action.awaitChange();
   *   });
   * ```
   */
  owns<U extends KubeObject>(type: ResourceType<U>, options: RelatedWatchOptions<U> = {}): this {
    const primary = this.state.type;
    this.state.watches.push({
      type: type as unknown as ResourceType,
      indexers: options.indexers as Readonly<Record<string, IndexFunc<KubeObject>>> | undefined,
      map: (obj) => {
        const refs: ObjectRef[] = [];
        for (const o of obj.metadata.ownerReferences ?? []) {
          if (o.controller !== true || o.kind !== primary.kind || groupOfApiVersion(o.apiVersion) !== primary.group) continue;
          refs.push(primary.namespaced ? { name: o.name, namespace: obj.metadata.namespace } : { name: o.name });
        }
        return refs;
      },
    });
    return this;
  }

  /**
   * Reconcile the objects `map` returns whenever an object of `type` changes.
   * `options.indexers` adds indexes to that kind's cache (see {@link WatchOptions}).
   */
  watches<U extends KubeObject>(type: ResourceType<U>, map: (object: U) => readonly ObjectRef[], options: RelatedWatchOptions<U> = {}): this {
    this.state.watches.push({
      type: type as unknown as ResourceType,
      map: map as unknown as (obj: KubeObject) => readonly ObjectRef[],
      indexers: options.indexers as Readonly<Record<string, IndexFunc<KubeObject>>> | undefined,
    });
    return this;
  }

  /** Filter events of the primary kind (all predicates must pass). */
  withPredicate(predicate: Predicate<T>): this {
    this.state.predicates.push(predicate);
    return this;
  }

  /** Reconcile up to `n` different objects at once (never the same object twice at once). */
  maxConcurrentReconciles(n: number): this {
    if (!Number.isInteger(n) || n < 1) throw new ControllerError('InvalidAction', `maxConcurrentReconciles must be a positive integer, got ${n}`);
    this.state.maxConcurrent = n;
    return this;
  }

  /** Use a custom rate limiter for error requeues. */
  withRateLimiter(make: (clock: Clock) => RateLimiter<string>): this {
    this.state.rateLimiter = make;
    return this;
  }

  /** Decide what follows a failed reconcile (default: rate-limited backoff). */
  withErrorPolicy(policy: ErrorPolicy<T>): this {
    this.state.errorPolicy = policy;
    return this;
  }

  /** Finish with the reconcile function. */
  reconcile(fn: Reconcile<T>): ControllerDefinition<T> {
    const state: BuilderState<T> = { ...this.state, watches: [...this.state.watches], predicates: [...this.state.predicates] };
    return { name: state.name, type: state.type, create: (deps) => new Controller<T>(state, fn, deps) };
  }
}


/** "namespace/name" or "name": the work-queue key of an object reference. @public */
export function refKey(ref: ObjectRef): string {
  return ref.namespace === undefined || ref.namespace === '' ? ref.name : `${ref.namespace}/${ref.name}`;
}

function refFromKey(key: string): ObjectRef {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/**
 * A running reconcile loop: informers feed a {@link WorkQueue} of object references;
 * workers take keys, read the latest cached object and call the reconcile function.
 *
 * Guarantees: the same object is never reconciled concurrently; a change during a reconcile
 * causes exactly one more reconcile after it; reconcile errors never end the controller.
 *
 * @public
 */
export class Controller<T extends KubeObject> implements RunningController {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  private readonly primary: Informer<T>;
  /** Informers of watched kinds (owns/watches), unfiltered by the primary's label selector. */
  private readonly informers = new Map<ResourceType, Informer<KubeObject>>();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly abort = new AbortController();
  private workers: Promise<void>[] = [];
  private started = false;
  private readonly logger: Logger;
  private reconciles = 0;
  private errors = 0;

  /** @internal */
  constructor(
    private readonly state: BuilderState<T>,
    private readonly fn: Reconcile<T>,
    private readonly deps: ControllerDeps,
  ) {
    this.name = state.name;
    this.logger = deps.logger.child({ controller: state.name });
    const limiter = state.rateLimiter?.(deps.clock) ?? defaultControllerRateLimiter<string>(deps.clock);
    this.queue = new WorkQueue<string>({ clock: deps.clock, name: state.name, rateLimiter: limiter, ...(deps.onQueueMetric !== undefined ? { onMetric: deps.onQueueMetric } : {}) });
    this.primary = deps.informers.informerFor(state.type, { namespace: state.namespace, labelSelector: state.labelSelector });
    for (const w of state.watches) {
      let inf = this.informers.get(w.type);
      if (inf === undefined) {
        inf = deps.informers.informerFor(w.type, { namespace: state.namespace });
        this.informers.set(w.type, inf);
      }
      for (const [name, fn] of Object.entries(w.indexers ?? {})) inf.addIndexer(name, fn);
    }
    if (!this.informers.has(state.type as unknown as ResourceType)) this.informers.set(state.type as unknown as ResourceType, this.primary as unknown as Informer<KubeObject>);
  }

  /** Counts since start: reconciles run and reconciles that failed. */
  stats(): { readonly reconciles: number; readonly errors: number } {
    return { reconciles: this.reconciles, errors: this.errors };
  }

  /** Enqueue a reconcile of `ref` (deduplicated with pending ones). */
  enqueue(ref: ObjectRef): void {
    this.queue.add(refKey(ref));
  }

  /** True when every informer this controller reads has synced. */
  hasSynced(): boolean {
    if (!this.primary.hasSynced()) return false;
    for (const inf of this.informers.values()) if (!inf.hasSynced()) return false;
    return true;
  }

  /**
   * Register event handlers and start the workers. Informers are started by their source
   * (the Manager); reconciles begin once every informer this controller reads has synced.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.started) throw new ControllerError('AlreadyStarted', `controller ${this.name} was already started; create a new one from its definition`);
    this.started = true;
    if (signal !== undefined) {
      if (signal.aborted) return;
      signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
    const preds = this.state.predicates;
    const primaryHandler: InformerHandler<T> = {
      onAdd: (obj) => {
        if (preds.every((p) => p.create?.(obj) ?? true)) this.enqueue(refOf(obj));
      },
      onUpdate: (old, obj) => {
        if (preds.every((p) => p.update?.(old, obj) ?? true)) this.enqueue(refOf(obj));
      },
      onDelete: (obj) => {
        if (preds.every((p) => p.delete?.(obj) ?? true)) this.enqueue(refOf(obj));
      },
    };
    this.unsubscribes.push(this.primary.addHandler(primaryHandler));
    for (const w of this.state.watches) {
      const inf = this.informers.get(w.type) as Informer<KubeObject>;
      const enqueueAll = (obj: KubeObject): void => {
        for (const ref of w.map(obj)) this.enqueue(ref);
      };
      this.unsubscribes.push(
        inf.addHandler({
          onAdd: enqueueAll,
          onUpdate: (old, obj) => {
            enqueueAll(old);
            enqueueAll(obj);
          },
          onDelete: enqueueAll,
        }),
      );
    }
    await Promise.all([this.primary.synced, ...[...this.informers.values()].map((i) => i.synced)]);
    if (this.abort.signal.aborted) return;
    this.logger.debug('caches synced; starting workers', { workers: this.state.maxConcurrent });
    for (let i = 0; i < this.state.maxConcurrent; i++) this.workers.push(this.work());
  }

  /** Stop: no new reconciles; waits for running ones to finish. Leaves no timers. */
  async stop(): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort(new ControllerError('Terminal', `controller ${this.name} stopped`));
    for (const u of this.unsubscribes.splice(0)) u();
    await this.queue.shutDown({ drain: true });
    await Promise.all(this.workers);
  }

  /**
   * Run the reconcile function once for `ref`, outside the queue, and return its Action
   * (errors are thrown, not retried). For tests: see `reconcileOnce` in `kubekit/testing`.
   */
  async runOnce(ref: ObjectRef): Promise<Action> {
    const key = refKey(ref);
    return this.fn(this.contextFor(refFromKey(key), key));
  }

  /** The earliest time a delayed reconcile (requeueAfter or backoff) is due, if any. */
  nextWorkAt(): number | undefined {
    return this.queue.nextReadyAt();
  }

  /** True when no reconcile is queued or running. */
  idle(): boolean {
    return this.queue.idle();
  }

  private contextFor(request: ObjectRef, key: string): ReconcileContext<T> {
    const object = this.primary.cache.getByName(request.namespace, request.name);
    return {
      request,
      object,
      client: this.deps.client,
      clock: this.deps.clock,
      recorder: this.deps.recorder,
      logger: this.logger.child({ object: key }),
      signal: this.abort.signal,
      cache: <U extends KubeObject>(type: ResourceType<U>): Cache<U> => {
        const inf = this.informers.get(type as unknown as ResourceType);
        if (inf === undefined) throw new ControllerError('NotWatched', `controller ${this.name} does not watch ${type.plural}; add .owns(${type.kind}) or .watches(${type.kind}, …) to its definition`);
        return inf.cache as unknown as Cache<U>;
      },
    };
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      // A stopped controller starts no new reconciles, even for keys still queued.
      if (this.abort.signal.aborted) {
        this.queue.done(key);
        return;
      }
      try {
        await this.processOne(key);
      } finally {
        this.queue.done(key);
      }
      // Let I/O and other loops run between reconciles, whatever this controller does.
      await yieldToEventLoop();
    }
  }

  private async processOne(key: string): Promise<void> {
    const ctx = this.contextFor(refFromKey(key), key);
    const object = ctx.object;
    const started = this.deps.clock.now();
    this.reconciles++;
    let action: Action | 'backoff';
    let result: 'success' | 'error' | 'requeue' | 'requeue_after' = 'success';
    try {
      action = await this.fn(ctx);
      this.queue.forget(key);
    } catch (err) {
      this.errors++;
      result = 'error';
      const terminal = err instanceof TerminalError;
      this.logger.error(terminal ? 'reconcile failed permanently; waiting for a change' : 'reconcile failed; will retry', { error: err, retries: this.queue.numRequeues(key) });
      if (object !== undefined) this.deps.recorder.event(object, 'Warning', terminal ? 'ReconcileFailed' : 'ReconcileError', err instanceof Error ? err.message : String(err));
      if (terminal) {
        this.queue.forget(key);
        action = Action.awaitChange();
      } else {
        action = this.state.errorPolicy !== undefined ? this.state.errorPolicy(err, ctx) : 'backoff';
      }
    }
    if (action === 'backoff') this.queue.addRateLimited(key);
    else if (action.kind === 'requeue') {
      if (result === 'success') result = action.afterMs === 0 ? 'requeue' : 'requeue_after';
      if (action.afterMs === 0) this.queue.add(key);
      else this.queue.addAfter(key, action.afterMs);
    }
    this.deps.onReconcile?.(this.name, result, (this.deps.clock.now() - started) / 1000);
  }
}

function refOf(obj: KubeObject): ObjectRef {
  return { name: obj.metadata.name ?? '', namespace: obj.metadata.namespace };
}
