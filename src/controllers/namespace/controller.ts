/**
 * The namespace lifecycle controller: empties a namespace being deleted, then releases it
 * (Kubernetes' `NamespacedResourcesDeleter`).
 *
 * @packageDocumentation
 */
import { castDraft } from 'immer';
import { Namespace, builtinKinds } from '../../api/generated/kinds.js';
import type { NamespaceCondition } from '../../api/generated/types.js';
import type { KubeObject, ResourceType } from '../../api/resource.js';
import { mutate } from '../../client/client.js';
import { Action, controllerFor, type ControllerDefinition, type ReconcileContext } from '../../runtime/controller.js';
import { StoreError } from '../../store/errors.js';
import { NAMESPACE_FINALIZER } from '../../store/store.js';
import { rfc3339 } from '../common/time.js';

/** @public */
export interface NamespaceControllerOptions {
  /**
   * Namespaced kinds to delete (those with list and delete are used). Default: every kind the
   * cluster serves (`ControllerDeps.kinds`, which a Manager given `kinds` and the test kit
   * supply), custom kinds included, as Kubernetes discovers every namespaced resource; or
   * every built-in namespaced kind when the deps carry no registry. The default is read from
   * the registry on every pass, so kinds registered while the controller runs are emptied too.
   */
  readonly kinds?: readonly ResourceType[];
  /** Controller name (default `namespace`). */
  readonly name?: string;
}

/** What is left in a namespace being emptied (the input of {@link planNamespaceDeletion}). @public */
export interface NamespaceContent {
  readonly type: ResourceType;
  readonly items: readonly KubeObject[];
}

/** The plan for one pass over a terminating namespace. @public */
export interface NamespaceDeletionPlan {
  /** Objects to delete now (not yet being deleted). */
  readonly deletes: readonly { readonly type: ResourceType; readonly object: KubeObject }[];
  /** Objects that exist (deleted now or earlier): the namespace waits for them. */
  readonly remaining: number;
  /** Remaining objects held by finalizers, by finalizer name. */
  readonly finalizersRemaining: readonly string[];
  /** Remove `kubernetes` from spec.finalizers: nothing remains. */
  readonly finalize: boolean;
  /** When to look again (ms), if something remains. */
  readonly requeueAfterMs: number | undefined;
}

/**
 * Plan a pass over a terminating namespace from its content.
 *
 * Rules: every object not yet being deleted is deleted; objects already being deleted are
 * waited for (a pod until its grace period ends, others until their finalizers are removed);
 * when nothing remains the `kubernetes` finalizer is removed. The next look is due when the
 * first grace period ends (at least 1 s, at most 30 s), or in 5 s when objects wait on
 * finalizers.
 *
 * Guarantees: pure; `finalize` iff `remaining === 0`.
 *
 * @public
 */
export function planNamespaceDeletion(content: readonly NamespaceContent[], now: number): NamespaceDeletionPlan {
  const deletes: { type: ResourceType; object: KubeObject }[] = [];
  const finalizers = new Set<string>();
  let remaining = 0;
  let estimate: number | undefined;
  for (const { type, items } of content) {
    for (const object of items) {
      remaining++;
      for (const f of object.metadata.finalizers ?? []) finalizers.add(f);
      const ts = object.metadata.deletionTimestamp;
      if (ts === undefined) {
        deletes.push({ type, object });
        continue;
      }
      const left = Date.parse(ts) - now;
      const e = (object.metadata.finalizers ?? []).length > 0 ? 5_000 : Math.min(30_000, Math.max(1_000, left));
      if (estimate === undefined || e < estimate) estimate = e;
    }
  }
  if (deletes.length > 0) estimate = 1_000;
  return { deletes, remaining, finalizersRemaining: [...finalizers].sort(), finalize: remaining === 0, requeueAfterMs: remaining === 0 ? undefined : (estimate ?? 1_000) };
}

function namespacedKinds(kinds: readonly ResourceType[]): ResourceType[] {
  return kinds.filter((k) => k.namespaced && k.verbs.includes('list') && k.verbs.includes('delete'));
}

function setCondition(conds: readonly NamespaceCondition[], type: string, status: boolean, reason: string, message: string, now: number): NamespaceCondition[] {
  const s = status ? 'True' : 'False';
  const old = conds.find((c) => c.type === type);
  const next: NamespaceCondition = { type, status: s, reason, message, lastTransitionTime: old !== undefined && old.status === s ? (old.lastTransitionTime ?? rfc3339(now)) : rfc3339(now) };
  return [...conds.filter((c) => c.type !== type), next];
}

/**
 * Build a namespace lifecycle controller.
 *
 * Behaviour: for a namespace with a deletionTimestamp (phase Terminating), delete every object
 * of every namespaced kind (see {@link NamespaceControllerOptions.kinds}) in it (background propagation), wait for objects held by grace
 * periods or finalizers, keep the conditions `NamespaceDeletionContentFailure`,
 * `NamespaceContentRemaining` and `NamespaceFinalizersRemaining` current, and finally remove
 * `kubernetes` from `spec.finalizers`, upon which the store removes the namespace. The store
 * refuses new objects in a terminating namespace (Forbidden).
 *
 * @example
 * ```ts
 * const cluster = await createTestCluster({ controllers: [createNamespaceController(), fakeKubelet()] });
 * await cluster.admin.delete(Namespace, 'team-a');
 * await cluster.settle();
 * ```
 * @public
 */
export function createNamespaceController(options: NamespaceControllerOptions = {}): ControllerDefinition<Namespace> {
  const name = options.name ?? 'namespace';
  const build = (kinds: () => readonly ResourceType[]): ControllerDefinition<Namespace> =>
    controllerFor(Namespace)
      .named(name)
      .reconcile((ctx) => syncNamespace(ctx, namespacedKinds(kinds())));
  if (options.kinds !== undefined) {
    const fixed = options.kinds;
    return build(() => fixed);
  }
  // The kinds come from the deps' registry, read on every pass (kinds may be registered later).
  return {
    name,
    type: Namespace,
    create: (deps) => {
      const registry = deps.kinds;
      return build(() => registry?.list() ?? builtinKinds).create(deps);
    },
  };
}

/**
 * The namespace lifecycle controller with default options: it empties namespaces of every
 * kind the cluster serves (`ControllerDeps.kinds`), or of the built-in kinds without one.
 *
 * @example
 * ```ts
 * const cluster = await createTestCluster({ controllers: [namespaceController] });
 * ```
 * @public
 */
export const namespaceController: ControllerDefinition<Namespace> = createNamespaceController();

async function syncNamespace(ctx: ReconcileContext<Namespace>, kinds: readonly ResourceType[]): Promise<Action> {
  const ns = ctx.object;
  if (ns === undefined || ns.metadata.deletionTimestamp === undefined) return Action.awaitChange();
  const name = ns.metadata.name ?? '';
  const { client, clock } = ctx;
  const content: NamespaceContent[] = [];
  const failures: string[] = [];
  for (const type of kinds) {
    try {
      const list = await client.list(type, { namespace: name });
      if (list.items.length > 0) content.push({ type, items: list.items });
    } catch (err) {
      failures.push(`${type.plural}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const plan = planNamespaceDeletion(content, clock.now());
  for (const { type, object } of plan.deletes) {
    try {
      await client.delete(type, object.metadata.name ?? '', { namespace: name, propagationPolicy: 'Background', preconditions: { uid: object.metadata.uid ?? '' } });
    } catch (err) {
      if (err instanceof StoreError && (err.code === 'NotFound' || err.code === 'Conflict')) continue;
      failures.push(`${type.plural}/${object.metadata.name ?? ''}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const now = clock.now();
  const kindsLeft = content.map((c) => `${c.type.plural}.${c.type.group || 'core'} has ${c.items.length} resource instances`).join(', ');
  await mutate(client, Namespace, { name }, (d) => {
    if (d.metadata.uid !== ns.metadata.uid) return;
    let conds: NamespaceCondition[] = [...(d.status?.conditions ?? [])];
    conds = setCondition(conds, 'NamespaceDeletionContentFailure', failures.length > 0, failures.length > 0 ? 'ContentDeletionFailed' : 'ContentDeleted', failures.length > 0 ? `Failed to delete all resource types: ${failures.join('; ')}` : 'All content successfully deleted, may be waiting on finalization', now);
    conds = setCondition(conds, 'NamespaceContentRemaining', plan.remaining > 0, plan.remaining > 0 ? 'SomeResourcesRemain' : 'ContentRemoved', plan.remaining > 0 ? `Some resources are remaining: ${kindsLeft}` : 'All content successfully removed', now);
    conds = setCondition(conds, 'NamespaceFinalizersRemaining', plan.finalizersRemaining.length > 0, plan.finalizersRemaining.length > 0 ? 'SomeFinalizersRemain' : 'ContentHasNoFinalizers', plan.finalizersRemaining.length > 0 ? `Some content in the namespace has finalizers remaining: ${plan.finalizersRemaining.join(', ')}` : 'All content-preserving finalizers finished', now);
    const same = JSON.stringify(conds.map((c) => [c.type, c.status, c.message])) === JSON.stringify((d.status?.conditions ?? []).map((c) => [c.type, c.status, c.message]));
    if (same) return;
    d.status = { ...(d.status ?? {}), conditions: castDraft(conds) };
  }, { subresource: 'status' }).catch((err: unknown) => {
    if (!(err instanceof StoreError && err.code === 'NotFound')) throw err;
  });
  if (failures.length > 0) throw new StoreError('InternalError', `namespace ${name}: could not delete all content (${failures.join('; ')}); retrying`);
  if (!plan.finalize) return Action.requeueAfter(plan.requeueAfterMs ?? 1_000);
  try {
    await mutate(client, Namespace, { name }, (d) => {
      if (d.metadata.uid !== ns.metadata.uid) return;
      const f = d.spec?.finalizers ?? [];
      if (!f.includes(NAMESPACE_FINALIZER)) return;
      d.spec = { ...(d.spec ?? {}), finalizers: f.filter((x) => x !== NAMESPACE_FINALIZER) };
    });
  } catch (err) {
    if (!(err instanceof StoreError && err.code === 'NotFound')) throw err;
  }
  return Action.awaitChange();
}
