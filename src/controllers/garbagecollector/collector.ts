/**
 * The garbage collector: owner references drive cascading deletion (background, foreground,
 * orphan) across every kind it watches, from a uid graph kept by informers.
 *
 * @packageDocumentation
 */
import type { EventRecorder } from '../../runtime/event-types.js';
import { Namespace, builtinKinds } from '../../api/generated/kinds.js';
import type { KubeObject, ResourceType } from '../../api/resource.js';
import { mutate, type Client } from '../../client/client.js';
import type { Action, ControllerDefinition, ControllerDeps, RunningController } from '../../runtime/controller.js';
import type { Informer } from '../../runtime/informer.js';
import type { Logger } from '../../runtime/logger.js';
import { WorkQueue } from '../../runtime/workqueue.js';
import { StoreError } from '../../store/errors.js';
import type { ObjectRef } from '../../store/store.js';
import { FOREGROUND_FINALIZER } from '../../store/store.js';
import { KubekitError } from '../../util/errors.js';
import { yieldToEventLoop } from '../../util/yield.js';
import { planDependent, planOwner, type ObservedOwner, type OwnerState } from './plan.js';

/** An error of the garbage collector (the item is retried with backoff). @public */
export class GarbageCollectorError extends KubekitError {}

/** @public */
export interface GarbageCollectorOptions {
  /**
   * The kinds to collect (each needs the verbs list, watch and delete; others are skipped).
   * Default: every kind the cluster serves (`ControllerDeps.kinds`, which a Manager given
   * `kinds` and the test kit supply), custom kinds included, but Events and Leases; or
   * {@link defaultGarbageCollectedKinds} when the deps carry no registry. The default follows
   * the registry, as Kubernetes' collector follows discovery: a kind registered while the
   * collector runs is watched from then on (its existing objects join the graph), and an
   * unregistered kind's objects leave it.
   */
  readonly kinds?: readonly ResourceType[];
  /** Controller name (default `garbagecollector`). */
  readonly name?: string;
  /** Items processed at once (default 20, as kube-controller-manager's attempt-to-delete workers). */
  readonly workers?: number;
}

const EXCLUDED = new Set(['Event', 'Lease']);

/**
 * The built-in kinds the collector watches by default: every namespaced or cluster-scoped
 * built-in with list, watch and delete, except Events and Leases (many writes, no owners in
 * practice).
 *
 * @public
 */
export function defaultGarbageCollectedKinds(): readonly ResourceType[] {
  return builtinKinds.filter((k) => !EXCLUDED.has(k.kind));
}

/** The built-in Event and Lease kinds (a custom kind of the same name in another group is kept). */
const EXCLUDED_TYPES: ReadonlySet<ResourceType> = new Set(builtinKinds.filter((k) => EXCLUDED.has(k.kind)));

function servedKinds(deps: ControllerDeps): readonly ResourceType[] {
  const served = deps.kinds?.list();
  return served === undefined ? defaultGarbageCollectedKinds() : served.filter((k) => !EXCLUDED_TYPES.has(k));
}

function collectable(k: ResourceType): boolean {
  return k.verbs.includes('list') && k.verbs.includes('watch') && k.verbs.includes('delete');
}

interface GraphNode {
  object: KubeObject;
  readonly type: ResourceType;
}

/**
 * Build a garbage collector. It is a controller definition (run it with a Manager or
 * `createTestCluster({ controllers: [...] })`), not a plain Runnable: it shares the manager's
 * informers and its clock. Its queue keys are object uids; `type` is nominal (it watches every
 * kind in `kinds`).
 *
 * Behaviour (Kubernetes' garbage collector):
 * - Background: a dependent whose owners are all gone is deleted — including when the owner
 *   went while the collector was not running (every dependent is examined at start, and an
 *   owner missing from the graph is looked up in the store by name before anything is deleted);
 * - several owners: deleted only when all are gone; references to gone owners are removed
 *   while another owner remains;
 * - Foreground: an owner with deletionTimestamp and the `foregroundDeletion` finalizer gets its
 *   dependents deleted; the finalizer is removed (and the store deletes the owner) once no
 *   dependent with `blockOwnerDeletion: true` remains;
 * - Orphan: an owner with the `orphan` finalizer has its reference removed from every
 *   dependent, then the finalizer.
 *
 * Caveats: dependents are found from informer caches; a dependent created after its owner's
 * orphaning was processed keeps a dangling reference and is then collected in the background,
 * as in Kubernetes.
 *
 * @example
 * ```ts
 * const cluster = await createTestCluster({ controllers: [createGarbageCollector({ kinds: [Pod, ReplicaSet] })] });
 * ```
 * @public
 */
export function createGarbageCollector(options: GarbageCollectorOptions = {}): ControllerDefinition<Namespace> {
  const name = options.name ?? 'garbagecollector';
  return {
    name,
    // Nominal: the collector is not keyed by one kind.
    type: Namespace,
    create: (deps) => new GarbageCollector(name, (options.kinds ?? servedKinds(deps)).filter(collectable), options.workers ?? 20, deps, options.kinds === undefined),
  };
}

/**
 * The garbage collector with default options (every kind the cluster serves but Events and
 * Leases; the built-in kinds when the deps carry no registry).
 *
 * @example
 * ```ts
 * const cluster = await createTestCluster({ controllers: [replicaSetController, garbageCollector] });
 * ```
 * @public
 */
export const garbageCollector: ControllerDefinition<Namespace> = createGarbageCollector();

/**
 * A running garbage collector (see {@link createGarbageCollector}).
 *
 * @public
 */
export class GarbageCollector implements RunningController {
  readonly queue: WorkQueue<string>;
  private readonly informers: { readonly type: ResourceType; readonly informer: Informer<KubeObject>; unsubscribe?: () => void }[] = [];
  private started = false;
  private stopFollowing: (() => void) | undefined;
  private readonly byGvk = new Map<string, ResourceType>();
  /** uid → the latest object with that uid. */
  private readonly nodes = new Map<string, GraphNode>();
  /** owner uid → uids of the objects referencing it. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  private readonly client: Client;
  private readonly recorder: EventRecorder;
  /** Dependents already reported for an unresolvable owner reference (one Event each). */
  private readonly reportedInvalid = new Set<string>();
  private workers: Promise<void>[] = [];
  private reconciles = 0;
  private errors = 0;

  /** @internal */
  constructor(
    readonly name: string,
    kinds: readonly ResourceType[],
    private readonly workerCount: number,
    private readonly deps: ControllerDeps,
    /** Follow the registry: watch kinds registered later, drop kinds unregistered. */
    follow = false,
  ) {
    this.client = deps.client;
    this.recorder = deps.recorder;
    this.logger = deps.logger.child({ controller: name });
    this.queue = new WorkQueue<string>({ clock: deps.clock, name, ...(deps.onQueueMetric !== undefined ? { onMetric: deps.onQueueMetric } : {}) });
    for (const type of kinds) this.watchKind(type);
    if (follow && deps.kinds !== undefined) {
      this.stopFollowing = deps.kinds.onChange((change) => {
        if (this.abort.signal.aborted) return;
        if (change.type === 'registered') {
          if (collectable(change.kind) && !EXCLUDED_TYPES.has(change.kind)) this.watchKind(change.kind);
        } else this.unwatchKind(change.kind);
      });
    }
  }

  /** Watch a kind's objects (once started: at once, its existing objects arriving as adds). */
  private watchKind(type: ResourceType): void {
    const key = `${type.apiVersion}/${type.kind}`;
    if (this.byGvk.has(key)) return;
    this.byGvk.set(key, type);
    const entry: { readonly type: ResourceType; readonly informer: Informer<KubeObject>; unsubscribe?: () => void } = { type, informer: this.deps.informers.informerFor(type) };
    this.informers.push(entry);
    if (this.started) entry.unsubscribe = this.subscribe(entry.type, entry.informer);
  }

  /** Stop watching a kind that is no longer served; its objects leave the graph (owners re-check). */
  private unwatchKind(type: ResourceType): void {
    const key = `${type.apiVersion}/${type.kind}`;
    const known = this.byGvk.get(key);
    if (known === undefined) return;
    this.byGvk.delete(key);
    const i = this.informers.findIndex((e) => e.type === known);
    if (i >= 0) this.informers.splice(i, 1)[0]?.unsubscribe?.();
    for (const node of [...this.nodes.values()]) if (node.type === known) this.remove(node.object);
  }

  private subscribe(type: ResourceType, informer: Informer<KubeObject>): () => void {
    return informer.addHandler({
      onAdd: (obj) => this.upsert(type, obj, undefined),
      onUpdate: (old, obj) => this.upsert(type, obj, old),
      onDelete: (obj) => this.remove(obj),
    });
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (signal !== undefined) {
      if (signal.aborted) return;
      signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
    this.started = true;
    for (const entry of this.informers) entry.unsubscribe = this.subscribe(entry.type, entry.informer);
    await Promise.all(this.informers.map((i) => i.informer.synced));
    if (this.abort.signal.aborted) return;
    for (let i = 0; i < this.workerCount; i++) this.workers.push(this.work());
  }

  async stop(): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort(new GarbageCollectorError('Stopped', `${this.name} stopped`));
    this.stopFollowing?.();
    for (const entry of this.informers) entry.unsubscribe?.();
    await this.queue.shutDown({ drain: true });
    await Promise.all(this.workers);
  }

  /** Examine the object with uid `ref.name`. */
  enqueue(ref: ObjectRef): void {
    this.queue.add(ref.name);
  }

  hasSynced(): boolean {
    return this.informers.every((i) => i.informer.hasSynced());
  }

  stats(): { readonly reconciles: number; readonly errors: number } {
    return { reconciles: this.reconciles, errors: this.errors };
  }

  async runOnce(ref: ObjectRef): Promise<Action> {
    await this.process(ref.name);
    return { kind: 'await' };
  }

  nextWorkAt(): number | undefined {
    return this.queue.nextReadyAt();
  }

  idle(): boolean {
    return this.queue.idle();
  }

  /** The uids of the objects referencing `ownerUid`, as the graph knows them (for tests). */
  dependentsOf(ownerUid: string): readonly string[] {
    return [...(this.dependents.get(ownerUid) ?? [])];
  }

  // ------------------------------------------------------------------ graph

  private upsert(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
    const uid = obj.metadata.uid;
    if (uid === undefined) return;
    const prev = this.nodes.get(uid)?.object ?? old;
    this.nodes.set(uid, { object: obj, type });
    const before = new Set((prev?.metadata.ownerReferences ?? []).map((r) => r.uid));
    const after = new Set((obj.metadata.ownerReferences ?? []).map((r) => r.uid));
    for (const o of before) if (!after.has(o)) this.unlink(o, uid);
    for (const o of after) {
      let set = this.dependents.get(o);
      if (set === undefined) {
        set = new Set();
        this.dependents.set(o, set);
      }
      set.add(uid);
    }
    // The object itself: it may have lost its owners, or be deleting with a GC finalizer.
    if (after.size > 0 || obj.metadata.deletionTimestamp !== undefined) this.queue.add(uid);
    // Owners that lost it as a dependent, or wait for it, re-check.
    for (const o of before) this.queue.add(o);
    if (obj.metadata.deletionTimestamp !== undefined) for (const o of after) this.queue.add(o);
  }

  private remove(obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (uid === undefined) return;
    const node = this.nodes.get(uid);
    this.nodes.delete(uid);
    for (const r of (node?.object ?? obj).metadata.ownerReferences ?? []) {
      this.unlink(r.uid, uid);
      this.queue.add(r.uid);
    }
    for (const d of this.dependents.get(uid) ?? []) this.queue.add(d);
  }

  private unlink(owner: string, dependent: string): void {
    const set = this.dependents.get(owner);
    if (set === undefined) return;
    set.delete(dependent);
    if (set.size === 0) this.dependents.delete(owner);
  }

  // ------------------------------------------------------------------ work

  private async work(): Promise<void> {
    for (;;) {
      const uid = await this.queue.get();
      if (uid === undefined) return;
      this.reconciles++;
      try {
        await this.process(uid);
        this.queue.forget(uid);
      } catch (err) {
        this.errors++;
        this.logger.error('garbage collection failed; will retry', { uid, error: err });
        this.queue.addRateLimited(uid);
      } finally {
        this.queue.done(uid);
      }
      await yieldToEventLoop();
    }
  }

  /** Dependents that really refer to this owner: cluster-scoped owners, or the owner's own namespace. */
  private dependentObjects(uid: string): KubeObject[] {
    const owner = this.nodes.get(uid);
    const out: KubeObject[] = [];
    for (const d of this.dependents.get(uid) ?? []) {
      const n = this.nodes.get(d);
      if (n === undefined) continue;
      if (owner !== undefined && owner.type.namespaced && n.object.metadata.namespace !== owner.object.metadata.namespace) continue;
      out.push(n.object);
    }
    return out;
  }

  private async process(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (node === undefined) return;
    const obj = node.object;
    if (obj.metadata.deletionTimestamp !== undefined) {
      await this.processDeleting(node);
      return;
    }
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const owners: ObservedOwner[] = [];
    for (const ref of refs) owners.push({ ref, state: await this.ownerState(obj, node.type, ref) });
    const action = planDependent(obj, owners, (this.dependents.get(uid)?.size ?? 0) > 0);
    const ref = { name: obj.metadata.name ?? '', namespace: obj.metadata.namespace };
    if (action.kind === 'removeOwnerReferences') {
      const drop = new Set(action.ownerUids);
      await ignoreNotFound(
        mutate(this.client, node.type, ref, (d) => {
          if (d.metadata.uid !== uid) return;
          const rest = (d.metadata.ownerReferences ?? []).filter((r) => !drop.has(r.uid));
          if (rest.length === (d.metadata.ownerReferences ?? []).length) return;
          if (rest.length === 0) delete d.metadata.ownerReferences;
          else d.metadata.ownerReferences = rest;
        }),
      );
    } else if (action.kind === 'delete') {
      this.logger.debug('deleting dependent', { uid, kind: obj.kind, name: ref.name, policy: action.propagationPolicy });
      await ignoreNotFound(this.client.delete(node.type, ref.name, { namespace: ref.namespace, propagationPolicy: action.propagationPolicy, preconditions: { uid } }));
    }
  }

  private async processDeleting(node: GraphNode): Promise<void> {
    const owner = node.object;
    const uid = owner.metadata.uid ?? '';
    const action = planOwner(owner, this.dependentObjects(uid));
    if (action.kind === 'none') return;
    if (action.kind === 'orphan') {
      for (const d of action.dependents) {
        const dn = this.nodes.get(d.metadata.uid ?? '');
        if (dn === undefined) continue;
        await ignoreNotFound(
          mutate(this.client, dn.type, { name: d.metadata.name ?? '', namespace: d.metadata.namespace }, (draft) => {
            if (draft.metadata.uid !== d.metadata.uid) return;
            const refs = draft.metadata.ownerReferences ?? [];
            const rest = refs.filter((r) => r.uid !== uid);
            if (rest.length === refs.length) return;
            if (rest.length === 0) delete draft.metadata.ownerReferences;
            else draft.metadata.ownerReferences = rest;
          }),
        );
      }
      await this.removeFinalizer(node, action.removeFinalizer);
      return;
    }
    for (const d of action.examineDependents) this.queue.add(d.metadata.uid ?? '');
    if (action.removeFinalizer) await this.removeFinalizer(node, FOREGROUND_FINALIZER);
  }

  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const o = node.object;
    await ignoreNotFound(
      mutate(this.client, node.type, { name: o.metadata.name ?? '', namespace: o.metadata.namespace }, (d) => {
        if (d.metadata.uid !== o.metadata.uid) return;
        const f = d.metadata.finalizers ?? [];
        if (!f.includes(finalizer)) return;
        const rest = f.filter((x) => x !== finalizer);
        if (rest.length === 0) delete d.metadata.finalizers;
        else d.metadata.finalizers = rest;
      }),
    );
  }

  /** Whether an owner exists: the graph first; when missing there, the store, by name. */
  private async ownerState(dependent: KubeObject, dependentType: ResourceType, ref: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly uid: string }): Promise<OwnerState> {
    const type = this.byGvk.get(`${ref.apiVersion}/${ref.kind}`);
    const known = this.nodes.get(ref.uid);
    // An owner counts only where Kubernetes resolves it: cluster-scoped, or in the
    // dependent's own namespace. A uid match in another namespace is not the owner.
    if (known !== undefined && (!known.type.namespaced || known.object.metadata.namespace === dependent.metadata.namespace)) return stateOf(known.object);
    if (type === undefined) {
      this.logger.warn('owner kind is not collected; treating the owner as present', { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name });
      return 'unknown';
    }
    // A cluster-scoped object cannot have a namespaced owner: the reference is unresolvable,
    // and Kubernetes leaves the object alone (OwnerRefInvalidNamespace), never deleting it.
    if (type.namespaced && !dependentType.namespaced) {
      if (!this.reportedInvalid.has(dependent.metadata.uid ?? '')) {
        this.reportedInvalid.add(dependent.metadata.uid ?? '');
        this.recorder.event(dependent, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: , name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ""`);
      }
      return 'unknown';
    }
    try {
      const live = await this.client.get(type, ref.name, { namespace: type.namespaced ? dependent.metadata.namespace : undefined });
      return live.metadata.uid === ref.uid ? stateOf(live) : 'absent';
    } catch (err) {
      if (err instanceof StoreError && err.code === 'NotFound') return 'absent';
      throw err;
    }
  }
}

function stateOf(owner: KubeObject): OwnerState {
  return owner.metadata.deletionTimestamp !== undefined && (owner.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER) ? 'waitingForDependents' : 'present';
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof StoreError && err.code === 'NotFound')) throw err;
  }
}
