import type { KubeObject, ResourceType } from '../api/resource.js';
import { KindRegistry } from '../api/registry.js';
import { loadManifests } from '../api/manifest.js';
import { LocalClient, type Client } from '../client/client.js';
import { FakeClock } from '../runtime/clock.js';
import type { Action, ControllerDefinition, RunningController } from '../runtime/controller.js';
import type { EventRecorder, EventType } from '../runtime/event-types.js';
import { silentLogger, type Logger } from '../runtime/logger.js';
import { Manager, type Runnable } from '../runtime/manager.js';
import { MemoryBackend } from '../store/backend/memory.js';
import { StoreError } from '../store/errors.js';
import { Store, type AdmissionPlugin } from '../store/store.js';
import { KubekitError } from '../util/errors.js';
import { FaultyClient, type RecordedWrite } from './faulty-client.js';

/** An Event recorded by the test kit's recorder. @public */
export interface RecordedEvent {
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly at: number;
}

/** @public */
export interface TestClusterOptions {
  /** Controllers to run (definitions from `controllerFor(…).reconcile(…)`). */
  readonly controllers?: readonly ControllerDefinition[];
  /** Other loops to run (scheduler, kubelets, …). */
  readonly runnables?: readonly Runnable[];
  /** Objects (or YAML/JSON manifests) to create before the controllers start. */
  readonly objects?: readonly (KubeObject | string)[];
  /** Custom kinds to serve besides the built-ins. */
  readonly kinds?: readonly ResourceType[];
  readonly clock?: FakeClock;
  readonly admission?: readonly AdmissionPlugin[];
  readonly logger?: Logger;
  /** Extra Event recorder (e.g. one writing Event objects); events are always kept in `events`. */
  readonly recorder?: EventRecorder;
}

/** @public */
export interface SettleOptions {
  /** Advance virtual time to delayed work (requeues, backoffs, runnables' timers). Default true. */
  readonly advance?: boolean;
  /** Do not advance virtual time further than this many ms past the start of settle. Default 1 hour. */
  readonly maxAdvanceMs?: number;
  /** Fail (loudly) after this many reconciles in one settle: a hot loop. Default 10,000. */
  readonly maxReconciles?: number;
  /** Fail after this many scheduler turns without becoming idle. Default 200,000. */
  readonly maxTurns?: number;
}

/** What a settle did. @public */
export interface SettleReport {
  readonly reconciles: number;
  readonly advancedMs: number;
  readonly turns: number;
}

/** A settle that did not converge. @public */
export class SettleError extends KubekitError {}

/** @public */
export interface TestCluster {
  readonly clock: FakeClock;
  readonly store: Store;
  /** The client controllers use: records writes, injects faults (see {@link FaultyClient}). */
  readonly client: FaultyClient;
  /** A client that bypasses fault injection (for test setup and assertions). */
  readonly admin: Client;
  readonly manager: Manager;
  /** Every Event recorded by controllers, in order. */
  readonly events: readonly RecordedEvent[];
  /** Every write controllers made through `client`, in order. */
  readonly writes: readonly RecordedWrite[];
  /** Create (or, if it exists, replace the spec of) objects given as objects or manifests. */
  apply(input: KubeObject | string): Promise<KubeObject[]>;
  /** Run until every queue is empty and nothing is running, advancing virtual time through delayed work. */
  settle(options?: SettleOptions): Promise<SettleReport>;
  /** Advance virtual time by `ms` (firing every timer on the way), then settle. */
  advance(ms: number, options?: SettleOptions): Promise<SettleReport>;
  /** The running controller of a definition name. */
  controller(name: string): RunningController | undefined;
  /** Stop everything; leaves no timers. */
  stop(): Promise<void>;
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * An in-memory cluster on virtual time for testing controllers: a Store over a
 * MemoryBackend, a FakeClock, a Manager running the given controllers and runnables, and a
 * fault-injecting client.
 *
 * Limits: no API server (objects are decoded, defaulted and validated by the store exactly
 * as the API server would, but nothing is serialized); Events are recorded in memory, not
 * written as objects, unless you pass a `recorder`; `settle()` advances time only to work
 * the controllers' queues or the runnables declare (`nextWorkAt`), not to heartbeats.
 *
 * @example
 * ```ts
 * const cluster = await createTestCluster({ controllers: [websites], objects: [websiteYaml] });
 * await cluster.settle();
 * const deploy = await cluster.admin.get(Deployment, 'home', { namespace: 'default' });
 * await cluster.stop();
 * ```
 * @public
 */
export async function createTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const clock = options.clock ?? new FakeClock();
  const kinds = KindRegistry.withBuiltins();
  for (const k of options.kinds ?? []) kinds.register(k);
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock, kinds, ...(options.admission !== undefined ? { admission: options.admission } : {}) });
  const admin = new LocalClient(store);
  const client = new FaultyClient(admin, clock);
  const events: RecordedEvent[] = [];
  const extra = options.recorder;
  const recorder: EventRecorder = {
    event(object, type, reason, message) {
      events.push({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name ?? '', type, reason, message, at: clock.now() });
      extra?.event(object, type, reason, message);
    },
  };
  const manager = new Manager({ client, clock, logger: options.logger ?? silentLogger, recorder, kinds });
  const apply = async (input: KubeObject | string): Promise<KubeObject[]> => {
    const items = typeof input === 'string' ? loadManifests(input, { kinds }).map((l) => ({ type: l.type, object: l.object })) : [{ type: typeFor(kinds, input), object: input }];
    const out: KubeObject[] = [];
    for (const { type, object } of items) {
      try {
        // Like kubectl: a namespaced object without a namespace goes to "default".
        out.push(await admin.create(type, object, { namespace: object.metadata.namespace ?? 'default' }));
      } catch (err) {
        if (!(err instanceof StoreError && err.code === 'AlreadyExists')) throw err;
        const current = await admin.get(type, object.metadata.name ?? '', { namespace: object.metadata.namespace ?? 'default' });
        const merged = { ...object, metadata: { ...current.metadata, labels: object.metadata.labels, annotations: object.metadata.annotations } };
        out.push(await admin.update(type, merged));
      }
    }
    return out;
  };
  for (const o of options.objects ?? []) await apply(o);
  for (const def of options.controllers ?? []) manager.add(def);
  for (const r of options.runnables ?? []) manager.add(r);
  await manager.start();
  await manager.waitForCacheSync();

  const reconcileCount = (): number => manager.controllers().reduce((n, c) => n + c.stats().reconciles, 0);
  const idle = (): boolean => manager.controllers().every((c) => c.idle()) && manager.runnablesAdded().every((r) => r.idle?.() ?? true);
  const nextWorkAt = (): number | undefined => {
    let min: number | undefined;
    const consider = (t: number | undefined): void => {
      if (t !== undefined && (min === undefined || t < min)) min = t;
    };
    for (const c of manager.controllers()) consider(c.nextWorkAt());
    for (const r of manager.runnablesAdded()) consider(r.nextWorkAt?.());
    return min;
  };

  const settle = async (o: SettleOptions = {}): Promise<SettleReport> => {
    const startReconciles = reconcileCount();
    const startTime = clock.now();
    const maxReconciles = o.maxReconciles ?? 10_000;
    const maxTurns = o.maxTurns ?? 200_000;
    const horizon = startTime + (o.maxAdvanceMs ?? 3_600_000);
    let turns = 0;
    let quietTurns = 0;
    let stuckTurns = 0;
    let lastProgress = '';
    for (;;) {
      await turn();
      turns++;
      const progress = `${reconcileCount()}/${store.currentResourceVersion()}`;
      const done = reconcileCount() - startReconciles;
      if (done > maxReconciles) throw new SettleError('HotLoop', `settle: more than ${maxReconciles} reconciles without settling — a controller is in a hot loop (it keeps changing what it watches, or requeues at once). Queues: ${describeQueues(manager)}`);
      if (turns > maxTurns) throw new SettleError('HotLoop', `settle: not idle after ${maxTurns} turns. Queues: ${describeQueues(manager)}`);
      if (!idle()) {
        quietTurns = 0;
        // Busy but not moving: something in flight waits on virtual time (a sleep or
        // timeout inside a reconcile). Let time pass to the next timer.
        stuckTurns = progress === lastProgress ? stuckTurns + 1 : 0;
        lastProgress = progress;
        const next = clock.nextTimerAt();
        if (stuckTurns >= 20 && o.advance !== false && next !== undefined && next <= horizon) {
          stuckTurns = 0;
          await clock.advanceAsync(Math.max(0, next - clock.now()));
        }
        continue;
      }
      // Idle now; give in-flight promises (watch deliveries, writes) a few turns to land.
      if (++quietTurns < 3) continue;
      quietTurns = 0;
      if (o.advance === false) break;
      const next = nextWorkAt();
      if (next === undefined || next > horizon) break;
      await clock.advanceAsync(Math.max(0, next - clock.now()));
    }
    return { reconciles: reconcileCount() - startReconciles, advancedMs: clock.now() - startTime, turns };
  };

  return {
    clock,
    store,
    client,
    admin,
    manager,
    events,
    writes: client.writes,
    apply,
    settle,
    async advance(ms, o) {
      await clock.advanceAsync(ms);
      return settle(o);
    },
    controller: (name) => manager.controller(name),
    async stop() {
      await manager.stop();
      await store.close();
    },
  };
}

function describeQueues(manager: Manager): string {
  return manager
    .controllers()
    .map((c) => {
      const s = c.queue.inspect();
      return `${c.name}: queued [${s.queued.slice(0, 5).join(', ')}] processing [${s.processing.join(', ')}] reconciles ${c.stats().reconciles}`;
    })
    .join('; ');
}

function typeFor(kinds: KindRegistry, obj: KubeObject): ResourceType {
  const t = kinds.byApiVersionKind(obj.apiVersion, obj.kind);
  if (t === undefined) throw new KubekitError('UnknownKind', `no kind ${obj.kind} in ${obj.apiVersion} is served by this test cluster; pass it in options.kinds`);
  return t;
}

/** The outcome of {@link reconcileOnce}. @public */
export interface ReconcileOnceResult {
  /** The Action returned, or undefined when the reconcile threw. */
  readonly action: Action | undefined;
  readonly error: unknown;
  /** Every write the reconcile made, in order. */
  readonly writes: readonly RecordedWrite[];
  readonly events: readonly RecordedEvent[];
  /** The cluster it ran in: its loops are stopped, its store stays readable (`cluster.admin.get(…)`). */
  readonly cluster: TestCluster;
}

/**
 * Run a controller's reconcile exactly once for `ref` against a fresh cluster holding
 * `objects`, and return the Action, the writes and the Events — the unit test of a
 * reconciler, in milliseconds.
 *
 * @example
 * ```ts
 * const { action, writes } = await reconcileOnce(websites, { name: 'home', namespace: 'default' }, { objects: [website] });
 * t.deepEqual(writes.map((w) => `${w.verb} ${w.kind}`), ['create ConfigMap', 'create Deployment']);
 * ```
 * @public
 */
export async function reconcileOnce<T extends KubeObject>(
  definition: ControllerDefinition<T>,
  ref: { readonly name: string; readonly namespace?: string },
  options: Omit<TestClusterOptions, 'controllers'> = {},
): Promise<ReconcileOnceResult> {
  const cluster = await createTestCluster({ ...options, controllers: [] });
  const controller = definition.create({
    client: cluster.client,
    clock: cluster.clock,
    informers: cluster.manager,
    recorder: { event: (object, type, reason, message) => (cluster.events as RecordedEvent[]).push({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name ?? '', type, reason, message, at: cluster.clock.now() }) },
    logger: options.logger ?? silentLogger,
    kinds: cluster.store.kinds,
  });
  // Creating the controller asked the manager for informers of its kinds; they start at
  // once. The controller itself is not started: nothing is reconciled but this one call.
  await cluster.manager.waitForCacheSync();
  for (let i = 0; i < 1000 && !controller.hasSynced(); i++) await turn();
  let action: Action | undefined;
  let error: unknown;
  try {
    action = await controller.runOnce(ref);
  } catch (err) {
    error = err;
  }
  await cluster.manager.stop();
  return { action, error, writes: [...cluster.writes], events: [...cluster.events], cluster };
}
