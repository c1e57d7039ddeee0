import { EventEmitter } from 'eventemitter3';
import type { KindRegistry } from '../api/registry.js';
import type { KubeObject, ResourceType } from '../api/resource.js';
import { listWatcherFor, type Client } from '../client/client.js';
import { KubekitError } from '../util/errors.js';
import type { Clock } from './clock-types.js';
import { realClock } from './clock.js';
import type { ControllerDefinition, InformerSource, RunningController } from './controller.js';
import type { EventRecorder } from './event-types.js';
import type { Informer } from './informer.js';
import { silentLogger, type Logger } from './logger.js';
import { SharedInformerFactory } from './shared-informers.js';
import type { WorkQueueMetricEvent } from './workqueue.js';
import { createEventRecorder, type ClientEventRecorder } from './events.js';
import { ControllerMetrics, startHealthServer, type HealthServer } from './health.js';

/**
 * Anything long-running a Manager starts and stops alongside controllers: a scheduler, a
 * kubelet, a proxy, your own loop.
 *
 * @public
 */
export interface Runnable {
  readonly name: string;
  /** Start; resolve once running. The signal aborts when the manager stops. */
  start(signal: AbortSignal): Promise<void> | void;
  /**
   * Stop and release every timer, socket and child process. May be called while `start()`
   * is still in flight (leadership lost early, manager stopped): it must then make that
   * start finish promptly.
   */
  stop(): Promise<void> | void;
  /** True (default): run only while this manager holds the leader lease. */
  readonly needLeaderElection?: boolean;
  /**
   * When this runnable next has state-changing work due (a backoff expiring, a simulated
   * container exiting) — not periodic heartbeats. The test kit's `settle()` advances virtual
   * time to it.
   */
  nextWorkAt?(): number | undefined;
  /** True when nothing is queued or running right now (for `settle()`). */
  idle?(): boolean;
}

/** A leader-election loop the manager drives (see `LeaderElector`). @public */
export interface LeaderElection {
  run(signal: AbortSignal): Promise<void>;
  isLeader(): boolean;
  on(event: 'started-leading' | 'stopped-leading', fn: () => void): unknown;
  off(event: 'started-leading' | 'stopped-leading', fn: () => void): unknown;
}

/** @public */
export interface ManagerOptions {
  readonly client: Client;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /**
   * Records Events for controllers. Default: Event objects written through `client`
   * (aggregated and rate-limited as client-go's recorder does), source component `name`.
   */
  readonly recorder?: EventRecorder;
  /**
   * The kinds the cluster serves, passed to every controller it creates (`ControllerDeps.kinds`)
   * so that the namespace controller and the garbage collector cover custom kinds too; e.g.
   * `store.kinds`. Without it those controllers cover the built-in kinds only. Both follow
   * the registry (`KindRegistry.onChange`): kinds registered while they run are covered too.
   */
  readonly kinds?: KindRegistry;
  /** Names this manager in Events and logs. Default `kubekit-controller-manager`. */
  readonly name?: string;
  /**
   * Serve `/healthz`, `/readyz` (ready once every controller's caches synced) and
   * `/metrics` (controller-runtime's metric names, Prometheus text) on this address.
   */
  readonly health?: { readonly host?: string; readonly port?: number };
  /**
   * Leader election: controllers and leader-only runnables run only while this manager
   * leads. Informers run regardless so a new leader starts with warm caches.
   */
  readonly leaderElection?: LeaderElection;
  /** Informer tuning. */
  readonly informers?: { readonly resyncPeriodMs?: number; readonly watchTimeoutMs?: number; readonly pageSize?: number };
  /** Observers for metrics (the health module's ControllerMetrics plugs in here). */
  readonly onQueueMetric?: (event: WorkQueueMetricEvent) => void;
  readonly onReconcile?: (controller: string, result: 'success' | 'error' | 'requeue' | 'requeue_after', seconds: number) => void;
}

/** @public */
export interface ManagerEvents {
  started: [];
  'started-leading': [];
  'stopped-leading': [];
  stopped: [];
  error: [error: unknown];
}

/** @public */
export class ManagerError extends KubekitError {}


/**
 * Owns the lifecycle of an orchestrator's loops: one shared informer per kind and scope,
 * the controllers built from definitions, other runnables, and (optionally) leader election.
 *
 * Guarantees: caches sync before any controller reconciles; with leader election only the
 * leader runs controllers, and losing the lease stops them; `stop()` (or aborting the start
 * signal) stops everything and leaves no timers, watches or sockets.
 *
 * @example
 * ```ts
 * const manager = new Manager({ client, clock });
 * manager.add(websites); // a ControllerDefinition from controllerFor(…)
 * await manager.start();
 * // …
 * await manager.stop();
 * ```
 * @public
 */
export class Manager extends EventEmitter<ManagerEvents> implements InformerSource {
  readonly client: Client;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly recorder: EventRecorder;
  private readonly factory: SharedInformerFactory;
  private readonly definitions: ControllerDefinition[] = [];
  private readonly runnables: Runnable[] = [];
  private controllersRunning: RunningController[] = [];
  private leaderRunning: Runnable[] = [];
  private abort: AbortController | undefined;
  private electionLoop: Promise<void> | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private leaderStarting: Promise<void> = Promise.resolve();
  private leaderStopping: Promise<void> = Promise.resolve();
  /** Incremented on every gain and loss of leadership. */
  private leaderEpoch = 0;
  private readonly ownRecorder: ClientEventRecorder | undefined;
  /** Controller and work-queue metrics (registered on a registry of its own). */
  readonly metrics = new ControllerMetrics();
  private healthServer: HealthServer | undefined;

  constructor(private readonly options: ManagerOptions) {
    super();
    this.client = options.client;
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? silentLogger;
    if (options.recorder !== undefined) {
      this.recorder = options.recorder;
    } else {
      this.ownRecorder = createEventRecorder({ client: this.client, clock: this.clock, component: options.name ?? 'kubekit-controller-manager', logger: this.logger.child({ component: 'events' }) });
      this.recorder = this.ownRecorder;
    }
    this.factory = new SharedInformerFactory({
      clock: this.clock,
      ...(options.informers?.resyncPeriodMs !== undefined ? { defaultResyncPeriodMs: options.informers.resyncPeriodMs } : {}),
      ...(options.informers?.watchTimeoutMs !== undefined ? { watchTimeoutMs: options.informers.watchTimeoutMs } : {}),
      ...(options.informers?.pageSize !== undefined ? { pageSize: options.informers.pageSize } : {}),
      logger: this.logger.child({ component: 'informer' }),
    });
  }

  /** The shared informer for a kind (and optional namespace / label selector). */
  informerFor<U extends KubeObject>(type: ResourceType<U>, scope: { readonly namespace?: string | undefined; readonly labelSelector?: string | undefined } = {}): Informer<U> {
    const key = `${type.group}/${type.version}/${type.plural}|${scope.namespace ?? ''}|${scope.labelSelector ?? ''}`;
    return this.factory.informerFor<U>(key, () => listWatcherFor(this.client, type, scope), {
      name: key,
      ...(scope.labelSelector !== undefined ? { labelSelector: scope.labelSelector } : {}),
    });
  }

  /** Add a controller definition or a runnable. Before or after start. */
  add(item: ControllerDefinition | Runnable): this {
    if (isDefinition(item)) {
      const def = item;
      if (this.definitions.some((d) => d.name === def.name)) throw new ManagerError('AlreadyExists', `a controller named ${def.name} was already added; give one of them another name with .named(…)`);
      this.definitions.push(def);
      if (this.state === 'running' && this.isLeading()) void this.startController(def);
    } else {
      this.runnables.push(item);
      if (this.state === 'running' && (item.needLeaderElection === false || this.isLeading())) void this.startRunnable(item);
    }
    return this;
  }

  /** The running controller of a definition name (after start, while leading). */
  controller(name: string): RunningController | undefined {
    return this.controllersRunning.find((c) => c.name === name);
  }

  /** Every running controller. */
  controllers(): readonly RunningController[] {
    return this.controllersRunning;
  }

  /** Every runnable added (running or not). */
  runnablesAdded(): readonly Runnable[] {
    return this.runnables;
  }

  /** True when every informer has synced (the readiness check). */
  hasSynced(): boolean {
    return this.controllersRunning.every((c) => c.hasSynced());
  }

  private isLeading(): boolean {
    return this.options.leaderElection === undefined || this.options.leaderElection.isLeader();
  }

  /**
   * Start informers, then (once leading, or at once without leader election) controllers
   * and runnables. Resolves when they run (or, with leader election, when the election
   * loop is running). Aborting `signal` stops the manager.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.state !== 'new') throw new ManagerError('AlreadyStarted', 'a Manager starts once; create a new one to start again');
    this.state = 'running';
    this.abort = new AbortController();
    if (signal !== undefined) {
      if (signal.aborted) {
        await this.stop();
        return;
      }
      signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
    const s = this.abort.signal;
    // Informers the controllers need must exist before the factory starts.
    for (const r of this.runnables.filter((r) => r.needLeaderElection === false)) await this.startRunnable(r);
    const election = this.options.leaderElection;
    if (election === undefined) {
      await this.startLeaderWork();
    } else {
      const onLead = (): void => {
        this.emit('started-leading');
        const epoch = ++this.leaderEpoch;
        // Start only after any stop of the previous term has finished, and only if this term
        // is still current by then.
        this.leaderStarting = this.leaderStopping.then(() => (epoch === this.leaderEpoch ? this.startLeaderWork() : undefined));
      };
      const onLose = (): void => {
        this.emit('stopped-leading');
        this.logger.warn('lost leadership; stopping controllers');
        this.leaderEpoch++;
        this.leaderStopping = this.stopLeaderWork();
      };
      election.on('started-leading', onLead);
      election.on('stopped-leading', onLose);
      // An elector's run() returns when leadership is lost; campaign again until stopped.
      this.electionLoop = (async () => {
        try {
          while (!s.aborted) await election.run(s);
        } finally {
          election.off('started-leading', onLead);
          election.off('stopped-leading', onLose);
        }
      })();
    }
    this.factory.start(s);
    if (this.options.health !== undefined) {
      this.healthServer = await startHealthServer({
        ...(this.options.health.host !== undefined ? { host: this.options.health.host } : {}),
        ...(this.options.health.port !== undefined ? { port: this.options.health.port } : {}),
        checks: {
          healthz: { ping: () => true },
          readyz: { 'informer-sync': () => this.hasSynced(), ...(this.options.leaderElection !== undefined ? { 'leader-election': () => true } : {}) },
        },
        registry: this.metrics.registry,
        logger: this.logger.child({ component: 'health' }),
      });
    }
    this.emit('started');
  }

  /** The port of the health/metrics server, when `health` was given and the manager runs. */
  healthPort(): number | undefined {
    return this.healthServer?.port;
  }

  private async startLeaderWork(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const def of this.definitions) pending.push(this.startController(def));
    for (const r of this.runnables.filter((r) => r.needLeaderElection !== false)) pending.push(this.startRunnable(r));
    this.factory.start(this.abort?.signal);
    await Promise.all(pending.map((p) => p.catch((err: unknown) => this.emit('error', err))));
  }

  private async startController(def: ControllerDefinition): Promise<void> {
    const c = def.create({
      client: this.client,
      clock: this.clock,
      informers: this,
      recorder: this.recorder,
      logger: this.logger,
      ...(this.options.kinds !== undefined ? { kinds: this.options.kinds } : {}),
      onQueueMetric: (e) => {
        this.metrics.queueMetric(def.name, e);
        this.options.onQueueMetric?.(e);
      },
      onReconcile: (controller, result, seconds) => {
        this.metrics.reconcileDone(controller, result, seconds);
        this.options.onReconcile?.(controller, result, seconds);
      },
    });
    this.metrics.registerController(def.name);
    this.controllersRunning.push(c);
    this.factory.start(this.abort?.signal);
    // The controller waits for its caches; don't block the manager on it.
    void c.start(this.abort?.signal).catch((err: unknown) => this.emit('error', err));
  }

  private async startRunnable(r: Runnable): Promise<void> {
    if (r.needLeaderElection !== false) this.leaderRunning.push(r);
    await r.start((this.abort as AbortController).signal);
  }

  private async stopLeaderWork(): Promise<void> {
    // Take what this term started, now: a new term may add its own meanwhile. A start
    // registers its controllers and runnables synchronously, so nothing of this term is
    // missed; their stop() may run while their start() is still in flight (see Runnable).
    const controllers = this.controllersRunning.splice(0);
    const runnables = this.leaderRunning.splice(0);
    await Promise.all([...controllers.map((c) => c.stop()), ...runnables.map(async (r) => r.stop())]);
  }

  /** Wait until every informer the running controllers read has synced. */
  async waitForCacheSync(): Promise<boolean> {
    return this.factory.waitForCacheSync(this.abort?.signal);
  }

  /** Stop everything: controllers (finishing running reconciles), runnables, informers, election. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.abort?.abort(new ManagerError('Stopped', 'manager stopped'));
    await this.stopLeaderWork();
    const others = this.runnables.filter((r) => r.needLeaderElection === false);
    await Promise.all(others.map(async (r) => r.stop()));
    await this.electionLoop?.catch(() => undefined);
    await this.factory.stop();
    await this.ownRecorder?.stop();
    await this.healthServer?.close();
    this.emit('stopped');
  }
}

function isDefinition(x: ControllerDefinition | Runnable): x is ControllerDefinition {
  return 'create' in x && 'type' in x;
}
