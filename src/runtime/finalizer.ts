import type { KubeObject, ResourceType } from '../api/resource.js';
import type { Patch } from '../store/store.js';
import { KubekitError } from '../util/errors.js';
import { Action, type ReconcileContext } from './controller.js';

/** @public */
export type FinalizerErrorCode = 'InvalidFinalizer' | 'UnnamedObject';

/** A misuse of {@link finalizer}: a malformed finalizer name, an object without a name. @public */
export class FinalizerError extends KubekitError {
  declare readonly code: FinalizerErrorCode;
  constructor(code: FinalizerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * The two halves of a reconcile guarded by a finalizer.
 *
 * @public
 */
export interface FinalizerHandlers<T extends KubeObject> {
  /**
   * Make the world match `object`; runs only while the object carries the finalizer and is
   * not being deleted. The returned Action is the reconcile's.
   */
  apply(object: T): Promise<Action> | Action;
  /**
   * Release what `apply` acquired outside the cluster (external records, cloud resources);
   * runs once the object is being deleted. Must be idempotent: it runs again after a
   * failure, and may run again after it succeeded if removing the finalizer then fails.
   *
   * Return `Action.awaitChange()` when done: the finalizer is removed and the store deletes
   * the object (if no other finalizer holds it). Return `Action.requeueAfter(ms)` when the
   * cleanup is under way but not finished (an external deletion still in progress): the
   * finalizer stays and cleanup runs again after `ms`.
   */
  cleanup(object: T): Promise<Action> | Action;
}

// A qualified name as Kubernetes checks finalizers: an optional DNS-subdomain prefix and a
// name of at most 63 characters.
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function checkFinalizerName(name: string): void {
  const slash = name.indexOf('/');
  const prefix = slash < 0 ? undefined : name.slice(0, slash);
  const local = slash < 0 ? name : name.slice(slash + 1);
  const ok = (prefix === undefined || (prefix.length <= 253 && PREFIX.test(prefix))) && local.length <= 63 && NAME.test(local);
  if (!ok) {
    throw new FinalizerError(
      'InvalidFinalizer',
      `finalizer name ${JSON.stringify(name)} is not a qualified name; use a domain you own and a short name, e.g. "example.com/cleanup"`,
    );
  }
}

/**
 * Run a reconcile behind a finalizer, so that cleanup outside the cluster happens before
 * the object disappears (kube-rs's `finalizer`, controller-runtime's finalizer pattern).
 * Call it as the whole body of a reconcile; it decides from `ctx.object`:
 *
 * | object state | what happens | returns |
 * |---|---|---|
 * | gone (`ctx.object` undefined) | nothing | `awaitChange()` |
 * | not being deleted, finalizer missing | finalizer added | `awaitChange()` (the write triggers the next reconcile) |
 * | not being deleted, finalizer present | `apply(object)` | its Action |
 * | being deleted, finalizer present | `cleanup(object)`; when it returns `awaitChange()`, the finalizer is removed | `awaitChange()`, or cleanup's `requeueAfter` |
 * | being deleted, finalizer absent | nothing (cleanup already done, or never needed) | `awaitChange()` |
 *
 * Guarantees: `cleanup` runs for every object `apply` ever ran for (apply only runs once
 * the finalizer is stored); the object stays in the store until cleanup has succeeded;
 * both writes (adding and removing the finalizer) are JSON merge patches pinned to the
 * `resourceVersion` the reconcile read, so they never overwrite a concurrent change nor
 * drop another party's finalizer.
 *
 * Caveats: `apply` never runs in the reconcile that adds the finalizer, and never once
 * deletion has begun (Kubernetes refuses new finalizers on a deleting object, so nothing
 * new may be acquired then). `cleanup` must tolerate running more than once. Objects that
 * existed before the finalizer was introduced get it on their next reconcile. The store
 * deletes a deleting object as soon as its last finalizer goes: do not read it back.
 *
 * Errors: whatever `apply` or `cleanup` throws propagates unchanged (the controller retries
 * with backoff; a `TerminalError` stops retries until the object changes). The finalizer
 * writes reject with a `StoreError`: `Conflict` when the object changed since the
 * reconcile read it (the controller retries, now reading the newer object), `NotFound`
 * when it is already gone. {@link FinalizerError} `InvalidFinalizer` for a malformed name,
 * `UnnamedObject` for an object without `metadata.name`.
 *
 * @example
 * ```ts
 * const websites = controllerFor(Website).reconcile((ctx) =>
 *   finalizer(ctx, Website, 'example.com/dns-record', {
 *     apply: async (site) => { await dns.upsert(hostOf(site), site.metadata.name!); return Action.awaitChange(); },
 *     cleanup: async (site) => { await dns.remove(hostOf(site)); return Action.awaitChange(); },
 *   }),
 * );
 * ```
 * @public
 */
export async function finalizer<T extends KubeObject>(ctx: ReconcileContext<T>, type: ResourceType<T>, name: string, handlers: FinalizerHandlers<T>): Promise<Action> {
  checkFinalizerName(name);
  const object = ctx.object;
  if (object === undefined) return Action.awaitChange();
  const objectName = object.metadata.name;
  if (objectName === undefined || objectName === '') {
    throw new FinalizerError('UnnamedObject', `a ${type.kind} without metadata.name cannot carry a finalizer; reconcile objects read from the store or a cache`);
  }
  const finalizers = object.metadata.finalizers ?? [];
  const has = finalizers.includes(name);
  const deleting = object.metadata.deletionTimestamp !== undefined;

  if (!deleting && !has) {
    await writeFinalizers(ctx, type, object, [...finalizers, name]);
    ctx.logger.debug('finalizer added', { finalizer: name });
    return Action.awaitChange();
  }
  if (!deleting) return handlers.apply(object);
  if (!has) return Action.awaitChange();

  const action = await handlers.cleanup(object);
  if (action.kind === 'requeue') return action;
  await writeFinalizers(
    ctx,
    type,
    object,
    finalizers.filter((f) => f !== name),
  );
  ctx.logger.debug('cleanup done; finalizer removed', { finalizer: name });
  return Action.awaitChange();
}

/** Replace metadata.finalizers, failing with Conflict if the object changed since it was read. */
async function writeFinalizers<T extends KubeObject>(ctx: ReconcileContext<T>, type: ResourceType<T>, object: T, finalizers: readonly string[]): Promise<void> {
  const patch: Patch = {
    type: 'merge',
    patch: {
      metadata: {
        // A resourceVersion in a patch is a precondition: the write fails with Conflict if stale.
        resourceVersion: object.metadata.resourceVersion,
        finalizers: finalizers.length === 0 ? null : finalizers,
      },
    },
  };
  await ctx.client.patch(type, object.metadata.name ?? '', patch, { namespace: object.metadata.namespace });
}
