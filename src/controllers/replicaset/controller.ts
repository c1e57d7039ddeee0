/**
 * The ReplicaSet controller: keeps `spec.replicas` pods matching a ReplicaSet's selector,
 * adopting orphans, releasing pods that stop matching, and reporting status — observe
 * (informer caches) → plan ({@link planReplicaSet}) → apply (client writes).
 *
 * @packageDocumentation
 */
import { castDraft } from 'immer';
import { Pod, ReplicaSet } from '../../api/generated/kinds.js';
import { mutate, type Client } from '../../client/client.js';
import { Action, controllerFor, refKey, type ControllerDefinition, type ReconcileContext, type RunningController } from '../../runtime/controller.js';
import type { Cache } from '../../runtime/cache.js';
import { StoreError } from '../../store/errors.js';
import { jsonEqual } from '../../store/objects.js';
import { KubekitError } from '../../util/errors.js';
import { Expectations } from '../common/expectations.js';
import { CONTROLLER_UID_INDEX, controllerRefOf, controllerUidIndexFunc, dependentsOf, groupOfApiVersion, newControllerRef, ownerIndexers } from '../common/owner.js';
import { compiledSelector } from '../common/selectors.js';
import { slowStartBatch } from '../common/slow-start.js';
import { planReplicaSet, replicaSetStatus, type ManageReplicasError } from './plan.js';

/** An error syncing a ReplicaSet (the sync is retried with backoff). @public */
export class ReplicaSetError extends KubekitError {}

/** @public */
export interface ReplicaSetControllerOptions {
  /** Controller name (default `replicaset`). */
  readonly name?: string;
  /** Reconcile this many ReplicaSets at once (default 5, as kube-controller-manager). */
  readonly workers?: number;
  /** Maximum pods created or deleted per sync (default 500). */
  readonly burst?: number;
}

/**
 * Build a ReplicaSet controller definition (see {@link replicaSetController} for the default).
 *
 * Guarantees: never creates or deletes again for a ReplicaSet while its earlier creates and
 * deletes have not been observed by the pod informer (expectations, trusted for 5 minutes);
 * creates go in slow-start batches of 1, 2, 4, … and stop at the first failure; adoption
 * re-reads the ReplicaSet first and never adopts for one being deleted.
 *
 * Cost: registers the owner indexes (`controller-uid`, `orphans-by-namespace`, see
 * `ownerIndexers`) on the shared pod informer, so a sync reads only the ReplicaSet's own pods
 * and the namespace's orphans — linear in those, not in the pods of the namespace. It also
 * registers `controller-uid` on the shared ReplicaSet informer: a scale-down of a ReplicaSet
 * with a controller (e.g. a Deployment) reads the pods of that owner's ReplicaSets, to prefer
 * deleting pods on nodes crowded with pods of the same owner (as Kubernetes does).
 *
 * Events: `SuccessfulCreate`, `FailedCreate`, `SuccessfulDelete`, `FailedDelete` on the
 * ReplicaSet. Errors: a failed create or delete sets the `ReplicaFailure` condition and the
 * sync is retried with backoff; the condition is removed by the next sync that succeeds.
 *
 * @example
 * ```ts
 * const cluster = await createTestCluster({ controllers: [createReplicaSetController({ workers: 2 })] });
 * ```
 * @public
 */
export function createReplicaSetController(options: ReplicaSetControllerOptions = {}): ControllerDefinition<ReplicaSet> {
  const name = options.name ?? 'replicaset';
  return {
    name,
    type: ReplicaSet,
    create(deps) {
      const expectations = new Expectations(deps.clock);
      const rsInformer = deps.informers.informerFor(ReplicaSet);
      const podInformer = deps.informers.informerFor(Pod);
      // ReplicaSets by their owner's uid: the related ReplicaSets whose pods rank scale-down.
      rsInformer.addIndexer(CONTROLLER_UID_INDEX, controllerUidIndexFunc);
      const def = controllerFor(ReplicaSet)
        .named(name)
        // Owner indexes: a sync reads its own pods and the namespace's orphans, not every pod.
        .owns(Pod, { indexers: ownerIndexers })
        // Orphans: a pod without a controller enqueues every ReplicaSet that selects it.
        .watches(Pod, (pod) => (controllerRefOf(pod) === undefined ? replicaSetsSelecting(rsInformer.cache, pod) : []))
        .maxConcurrentReconciles(options.workers ?? 5)
        .reconcile((ctx) => syncReplicaSet(ctx, expectations, rsInformer.cache, options.burst));
      const inner = def.create(deps);
      const ownerKey = (pod: Pod): string | undefined => {
        const ref = controllerRefOf(pod);
        if (ref === undefined || ref.kind !== ReplicaSet.kind || groupOfApiVersion(ref.apiVersion) !== ReplicaSet.group) return undefined;
        return refKey({ namespace: pod.metadata.namespace, name: ref.name });
      };
      const unsubscribe = podInformer.addHandler({
        onAdd(pod) {
          const key = ownerKey(pod);
          if (key === undefined) return;
          if (pod.metadata.deletionTimestamp !== undefined) expectations.deletionObserved(key, pod.metadata.uid ?? '');
          else expectations.creationObserved(key);
        },
        onUpdate(old, pod) {
          if (pod.metadata.deletionTimestamp === undefined || old.metadata.deletionTimestamp !== undefined) return;
          const key = ownerKey(pod);
          if (key !== undefined) expectations.deletionObserved(key, pod.metadata.uid ?? '');
        },
        onDelete(pod) {
          const key = ownerKey(pod);
          if (key !== undefined) expectations.deletionObserved(key, pod.metadata.uid ?? '');
        },
      });
      return withCleanup(inner, unsubscribe);
    },
  };
}

/**
 * The ReplicaSet controller with default options.
 *
 * @example
 * ```ts
 * const cluster = await createTestCluster({ controllers: [replicaSetController], runnables: [] });
 * ```
 * @public
 */
export const replicaSetController: ControllerDefinition<ReplicaSet> = createReplicaSetController();

function withCleanup(inner: RunningController, cleanup: () => void): RunningController {
  return {
    name: inner.name,
    queue: inner.queue,
    start: (signal) => inner.start(signal),
    async stop() {
      cleanup();
      await inner.stop();
    },
    enqueue: (ref) => inner.enqueue(ref),
    hasSynced: () => inner.hasSynced(),
    stats: () => inner.stats(),
    runOnce: (ref) => inner.runOnce(ref),
    nextWorkAt: () => inner.nextWorkAt(),
    idle: () => inner.idle(),
  };
}

function replicaSetsSelecting(cache: Cache<ReplicaSet>, pod: Pod): { name: string; namespace: string | undefined }[] {
  const ns = pod.metadata.namespace ?? '';
  const out: { name: string; namespace: string | undefined }[] = [];
  for (const rs of cache.byIndex('namespace', ns)) {
    const sel = rs.spec?.selector;
    if (sel === undefined || ((sel.matchLabels === undefined || Object.keys(sel.matchLabels).length === 0) && (sel.matchExpressions ?? []).length === 0)) continue;
    if (compiledSelector(sel).matches(pod.metadata.labels ?? {})) out.push({ name: rs.metadata.name ?? '', namespace: rs.metadata.namespace });
  }
  return out;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function podFromTemplate(rs: ReplicaSet): Pod {
  const t = rs.spec?.template;
  const meta = t?.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name ?? ''}-`,
      namespace: rs.metadata.namespace,
      ...(meta?.labels !== undefined ? { labels: meta.labels } : {}),
      ...(meta?.annotations !== undefined ? { annotations: meta.annotations } : {}),
      ...(meta?.finalizers !== undefined ? { finalizers: meta.finalizers } : {}),
      ownerReferences: [newControllerRef(rs, ReplicaSet)],
    },
    ...(t?.spec !== undefined ? { spec: t.spec } : {}),
  } as Pod;
}

/**
 * The pods of the ReplicaSets controlled by the same owner as `rs` (itself included), from the
 * owner indexes: Kubernetes' `getIndirectlyRelatedPods`, by ownership rather than selector.
 * Undefined when `rs` has no controller (its own pods are then the only related ones).
 */
function relatedPodsOf(rs: ReplicaSet, replicaSets: Pick<Cache<ReplicaSet>, 'byIndex'>, pods: Pick<Cache<Pod>, 'byIndex'>): Pod[] | undefined {
  const ref = controllerRefOf(rs);
  if (ref === undefined || ref.uid === '') return undefined;
  const ns = rs.metadata.namespace ?? '';
  const out: Pod[] = [];
  for (const sibling of replicaSets.byIndex(CONTROLLER_UID_INDEX, ref.uid)) {
    const uid = sibling.metadata.uid;
    if ((sibling.metadata.namespace ?? '') !== ns || uid === undefined || uid === '') continue;
    for (const pod of pods.byIndex(CONTROLLER_UID_INDEX, uid)) if ((pod.metadata.namespace ?? '') === ns) out.push(pod);
  }
  return out;
}

async function syncReplicaSet(ctx: ReconcileContext<ReplicaSet>, expectations: Expectations, replicaSets: Pick<Cache<ReplicaSet>, 'byIndex'>, burst: number | undefined): Promise<Action> {
  const key = refKey(ctx.request);
  const rs = ctx.object;
  if (rs === undefined) {
    expectations.delete(key);
    return Action.awaitChange();
  }
  const { client, clock, recorder } = ctx;
  const ns = rs.metadata.namespace;
  // Its own pods and the orphans it may adopt (planReplicaSet ignores pods of other owners anyway).
  const pods = dependentsOf(ctx.cache(Pod), rs);
  const satisfied = expectations.satisfied(key);
  // Related pods only matter for ranking a scale-down: read them only when one is due.
  const wanted = rs.spec?.replicas ?? 1;
  const scalingDown = satisfied && pods.length > wanted;
  const relatedPods = scalingDown ? relatedPodsOf(rs, replicaSets, ctx.cache(Pod)) : undefined;
  const plan = planReplicaSet(rs, pods, clock.now(), {
    expectationsSatisfied: satisfied,
    ...(burst !== undefined ? { burst } : {}),
    ...(relatedPods !== undefined ? { relatedPods } : {}),
  });

  // Adopt and release (Kubernetes' ControllerRefManager).
  if (plan.adopt.length > 0) {
    // Re-read the owner: never adopt for a ReplicaSet that was replaced or is being deleted.
    const fresh = await client.get(ReplicaSet, rs.metadata.name ?? '', { namespace: ns });
    if (fresh.metadata.uid !== rs.metadata.uid) throw new ReplicaSetError('Conflict', `replicaset ${key} was recreated (uid ${fresh.metadata.uid ?? ''}); its cached state is stale, retrying`);
    if (fresh.metadata.deletionTimestamp === undefined) {
      for (const pod of plan.adopt) await adopt(client, rs, pod);
    }
  }
  for (const pod of plan.release) await release(client, rs, pod);

  let manageError: ManageReplicasError | undefined;
  if (plan.creates > 0) {
    const n = plan.creates;
    expectations.expectCreations(key, n);
    const template = podFromTemplate(rs);
    const result = await slowStartBatch(n, 1, async () => {
      const created = await client.create(Pod, template, { namespace: ns ?? 'default' });
      recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name ?? ''}`);
    });
    // Creates that failed or never ran will not be observed.
    for (let i = 0; i < result.skipped + result.errors.length; i++) expectations.creationObserved(key);
    if (result.errors.length > 0) {
      const msg = message(result.errors[0]);
      for (const e of result.errors) recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${message(e)}`);
      manageError = { reason: 'FailedCreate', message: msg };
    }
  } else if (plan.deletes.length > 0) {
    expectations.expectDeletions(key, plan.deletes.map((p) => p.metadata.uid ?? ''));
    const errors: unknown[] = [];
    await Promise.all(
      plan.deletes.map(async (pod) => {
        const uid = pod.metadata.uid ?? '';
        try {
          await client.delete(Pod, pod.metadata.name ?? '', { namespace: ns, preconditions: { uid } });
          recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name ?? ''}`);
        } catch (err) {
          // The delete will not be observed (or already was): lower the expectation.
          expectations.deletionObserved(key, uid);
          if (err instanceof StoreError && (err.code === 'NotFound' || err.code === 'Conflict')) return;
          errors.push(err);
          recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${message(err)}`);
        }
      }),
    );
    if (errors.length > 0) manageError = { reason: 'FailedDelete', message: message(errors[0]) };
  }

  // Status, from what was observed (the new pods arrive with the next sync).
  const status = manageError === undefined ? plan.status : replicaSetStatus(rs, plan.active, clock.now(), manageError, plan.status.terminatingReplicas);
  if (!jsonEqual(status, rs.status)) {
    try {
      await mutate(client, ReplicaSet, { name: rs.metadata.name ?? '', namespace: ns }, (d) => {
        if (d.metadata.uid !== rs.metadata.uid) return;
        d.status = castDraft(status);
      }, { subresource: 'status' });
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'NotFound')) throw err;
    }
  }
  if (manageError !== undefined) throw new ReplicaSetError(manageError.reason, `replicaset ${key}: ${manageError.message}`);
  return plan.requeueAfterMs !== undefined ? Action.requeueAfter(plan.requeueAfterMs) : Action.awaitChange();
}

async function adopt(client: Client, rs: ReplicaSet, pod: Pod): Promise<void> {
  const selector = compiledSelector(rs.spec?.selector);
  try {
    await mutate(client, Pod, { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace }, (d) => {
      if (d.metadata.uid !== pod.metadata.uid || d.metadata.deletionTimestamp !== undefined) return;
      if ((d.metadata.ownerReferences ?? []).some((r) => r.controller === true)) return;
      if (!selector.matches(d.metadata.labels ?? {})) return;
      d.metadata.ownerReferences = [...(d.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid), castDraft(newControllerRef(rs, ReplicaSet))];
    });
  } catch (err) {
    if (!(err instanceof StoreError && err.code === 'NotFound')) throw err;
  }
}

async function release(client: Client, rs: ReplicaSet, pod: Pod): Promise<void> {
  try {
    await mutate(client, Pod, { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace }, (d) => {
      if (d.metadata.uid !== pod.metadata.uid) return;
      const refs = d.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === rs.metadata.uid)) return;
      const rest = refs.filter((r) => r.uid !== rs.metadata.uid);
      if (rest.length === 0) delete d.metadata.ownerReferences;
      else d.metadata.ownerReferences = rest;
    });
  } catch (err) {
    if (!(err instanceof StoreError && err.code === 'NotFound')) throw err;
  }
}
