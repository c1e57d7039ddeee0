/**
 * The Deployment controller: observe (informer caches of Deployments, their ReplicaSets and
 * pods) → plan ({@link planRollout}) → apply (client writes, in order).
 *
 * @packageDocumentation
 */
import { Deployment, Pod, ReplicaSet } from '../../api/generated/kinds.js';
import type * as T from '../../api/generated/types.js';
import type { Cache } from '../../runtime/cache.js';
import { Action, TerminalError, controllerFor, type ControllerDefinition, type ReconcileContext } from '../../runtime/controller.js';
import { StoreError } from '../../store/errors.js';
import type { ObjectRef } from '../../store/store.js';
import { CONTROLLER_UID_INDEX, dependentsOf, ownerIndexers } from '../common/owner.js';
import { compiledSelector } from '../common/selectors.js';
import { planRollout, type RolloutPlan } from './plan.js';
import { DeploymentError, isRollingUpdate, templatesEqual } from './util.js';

/** @public */
export interface DeploymentControllerOptions {
  /** Controller name (default `deployment`). */
  readonly name?: string;
  /** Reconcile this many Deployments at once (default 5, as kube-controller-manager). */
  readonly workers?: number;
}

/**
 * Build a Deployment controller definition (see {@link deploymentController} for the default).
 *
 * Guarantees: each reconcile plans from the informer caches and applies the plan in order,
 * stopping at the first failed write (the reconcile is retried with backoff and plans
 * again); ReplicaSet writes carry the observed resourceVersion, so a plan made from a stale
 * cache fails with Conflict instead of scaling twice; a name collision of a new ReplicaSet
 * with a foreign one bumps `status.collisionCount` and the next plan uses another name;
 * orphan ReplicaSets matching the selector are adopted (given a controller reference).
 * A Deployment being deleted only has its status updated; its ReplicaSets go by garbage
 * collection.
 *
 * Cost: registers the owner indexes (`ownerIndexers`) on the shared ReplicaSet and pod
 * informers; a sync reads its own ReplicaSets and the namespace's orphan ReplicaSets (and, for
 * Recreate only, the pods of its ReplicaSets), never the whole namespace.
 *
 * @example
 * ```ts
 * const manager = new Manager({ client, clock });
 * manager.add(createDeploymentController({ workers: 10 }));
 * manager.add(replicaSetController);
 * await manager.start();
 * ```
 * @public
 */
export function createDeploymentController(options: DeploymentControllerOptions = {}): ControllerDefinition<T.Deployment> {
  const name = options.name ?? 'deployment';
  return {
    name,
    type: Deployment,
    create(deps) {
      const replicaSets = deps.informers.informerFor(ReplicaSet).cache;
      return controllerFor(Deployment)
        .named(name)
        // Owner indexes: a sync reads its own ReplicaSets (and pods) and the orphans, not the namespace.
        .owns(ReplicaSet, { indexers: ownerIndexers })
        .watches(Pod, (pod) => podToDeployment(pod, replicaSets), { indexers: ownerIndexers })
        .maxConcurrentReconciles(options.workers ?? 5)
        .reconcile(reconcileDeployment)
        .create(deps);
    },
  };
}

/**
 * The Deployment controller with default options.
 *
 * @public
 */
export const deploymentController: ControllerDefinition<T.Deployment> = createDeploymentController();

/**
 * Pods matter to a Deployment only when they go away (Recreate waits for old pods to be gone):
 * map terminating and finished pods to the Deployment controlling their ReplicaSet. Other pod
 * changes reach the Deployment through its ReplicaSets' status.
 */
function podToDeployment(pod: T.Pod, replicaSets: Cache<T.ReplicaSet>): readonly ObjectRef[] {
  const phase = pod.status?.phase;
  if (pod.metadata.deletionTimestamp === undefined && phase !== 'Failed' && phase !== 'Succeeded') return [];
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller === true && o.kind === 'ReplicaSet');
  if (owner === undefined) return [];
  const rs = replicaSets.getByName(pod.metadata.namespace, owner.name);
  const d = rs?.metadata.ownerReferences?.find((o) => o.controller === true && o.kind === 'Deployment');
  return d === undefined ? [] : [{ namespace: pod.metadata.namespace, name: d.name }];
}

function controlledBy(obj: { readonly metadata: T.ObjectMeta }, uid: string | undefined): boolean {
  return obj.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === uid) ?? false;
}

function hasController(obj: { readonly metadata: T.ObjectMeta }): boolean {
  return obj.metadata.ownerReferences?.some((o) => o.controller === true) ?? false;
}

async function reconcileDeployment(ctx: ReconcileContext<T.Deployment>): Promise<Action> {
  const d = ctx.object;
  if (d === undefined) return Action.awaitChange();
  const ns = d.metadata.namespace ?? 'default';
  const uid = d.metadata.uid;
  // Its own ReplicaSets and the namespace's orphans, from the owner indexes.
  const candidates = dependentsOf(ctx.cache(ReplicaSet), d);
  const owned = candidates.filter((rs) => controlledBy(rs, uid));

  if (d.metadata.deletionTimestamp === undefined && (await claimReplicaSets(ctx, d, candidates))) return Action.awaitChange();

  // Pods only matter to Recreate (waiting for old pods to be gone); skip the lookup otherwise.
  let pods: T.Pod[] = [];
  if (!isRollingUpdate(d)) {
    const podCache = ctx.cache(Pod);
    for (const rs of owned) {
      const rsUid = rs.metadata.uid;
      if (rsUid === undefined || rsUid === '') continue;
      for (const p of podCache.byIndex(CONTROLLER_UID_INDEX, rsUid)) if ((p.metadata.namespace ?? 'default') === ns) pods.push(p);
    }
  }

  let plan: RolloutPlan;
  try {
    plan = planRollout(d, owned, pods, ctx.clock.now());
  } catch (err) {
    if (err instanceof DeploymentError) throw new TerminalError(err.message, { cause: err });
    throw err;
  }
  const latest = await applyPlan(ctx, d, plan);
  if (latest === undefined) return Action.awaitChange();
  return plan.requeueAfterMs !== undefined ? Action.requeueAfter(plan.requeueAfterMs) : Action.awaitChange();
}

/** Gives orphan ReplicaSets whose labels match the selector a controller reference to `d`. True when it adopted any. */
/**
 * Kubernetes' ClaimReplicaSets: adopt matching orphans, and release owned ReplicaSets whose
 * labels no longer match the selector (how users quarantine one). Writes are guarded by
 * resourceVersion. Returns true when anything changed (the next reconcile sees the result).
 */
async function claimReplicaSets(ctx: ReconcileContext<T.Deployment>, d: T.Deployment, candidates: readonly T.ReplicaSet[]): Promise<boolean> {
  const selector = d.spec?.selector;
  if (selector === undefined) return false;
  const matches = compiledSelector(selector);
  const uid = d.metadata.uid;
  let changed = false;
  for (const rs of candidates) {
    if (rs.metadata.deletionTimestamp !== undefined) continue;
    const fits = matches.matches(rs.metadata.labels ?? {});
    if (!hasController(rs) && fits) {
      const ref: T.OwnerReference = { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name ?? '', uid: uid ?? '', controller: true, blockOwnerDeletion: true };
      await ctx.client.update(ReplicaSet, { ...rs, metadata: { ...rs.metadata, ownerReferences: [...(rs.metadata.ownerReferences ?? []), ref] } });
      changed = true;
    } else if (controlledBy(rs, uid) && !fits) {
      const rest = (rs.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid);
      const { ownerReferences: _dropped, ...meta } = rs.metadata;
      await ctx.client.update(ReplicaSet, { ...rs, metadata: rest.length > 0 ? { ...meta, ownerReferences: rest } : meta });
      changed = true;
    }
  }
  return changed;
}

/**
 * Applies a plan's actions in order, then its status. Returns the last written Deployment, or
 * undefined when the plan was cut short (a name collision: the status with the bumped
 * collision count was written and the next reconcile plans again).
 */
async function applyPlan(ctx: ReconcileContext<T.Deployment>, d: T.Deployment, plan: RolloutPlan): Promise<T.Deployment | undefined> {
  const ns = d.metadata.namespace ?? 'default';
  const written = new Map<string, string>();
  let deployment = d;
  for (const action of plan.actions) {
    switch (action.kind) {
      case 'createReplicaSet': {
        const ok = await createReplicaSet(ctx, deployment, action.replicaSet);
        if (!ok) return undefined;
        break;
      }
      case 'updateReplicaSet': {
        const rs = action.replicaSet;
        const rv = written.get(rs.metadata.name ?? '') ?? rs.metadata.resourceVersion;
        const out = await ctx.client.update(ReplicaSet, { ...rs, metadata: { ...rs.metadata, resourceVersion: rv } });
        written.set(rs.metadata.name ?? '', out.metadata.resourceVersion ?? '');
        break;
      }
      case 'deleteReplicaSet':
        try {
          await ctx.client.delete(ReplicaSet, action.name, { namespace: ns, ...(action.uid !== undefined ? { preconditions: { uid: action.uid } } : {}) });
        } catch (err) {
          if (!(err instanceof StoreError && err.code === 'NotFound')) throw err;
        }
        break;
      case 'updateDeploymentAnnotations':
        deployment = await ctx.client.update(Deployment, {
          ...deployment,
          metadata: { ...deployment.metadata, annotations: { ...(deployment.metadata.annotations ?? {}), ...action.annotations } },
        });
        break;
      case 'event':
        ctx.recorder.event(deployment, action.type, action.reason, action.message);
        break;
      default:
        assertNever(action);
    }
  }
  if (plan.status !== undefined) deployment = await ctx.client.updateStatus(Deployment, { ...deployment, status: plan.status });
  return deployment;
}

/**
 * Creates a new ReplicaSet. On AlreadyExists: fine when the existing one is ours with the same
 * template (a cache that has not caught up); otherwise a hash collision — bump
 * `status.collisionCount` and return false so the next plan picks another name.
 */
async function createReplicaSet(ctx: ReconcileContext<T.Deployment>, d: T.Deployment, rs: T.ReplicaSet): Promise<boolean> {
  try {
    await ctx.client.create(ReplicaSet, rs);
    return true;
  } catch (err) {
    if (!(err instanceof StoreError && err.code === 'AlreadyExists')) throw err;
  }
  const existing = await ctx.client.get(ReplicaSet, rs.metadata.name ?? '', { namespace: rs.metadata.namespace });
  if (controlledBy(existing, d.metadata.uid) && templatesEqual(existing.spec?.template, d.spec?.template)) return true;
  const collisionCount = (d.status?.collisionCount ?? 0) + 1;
  await ctx.client.updateStatus(Deployment, { ...d, status: { ...(d.status ?? {}), collisionCount } });
  ctx.logger.info('hash collision creating the new ReplicaSet; bumped status.collisionCount', { replicaSet: rs.metadata.name, collisionCount });
  return false;
}

function assertNever(x: never): never {
  throw new DeploymentError('InvalidStrategy', `unknown rollout action ${JSON.stringify(x)}`);
}


