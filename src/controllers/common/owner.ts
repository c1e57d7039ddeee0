/**
 * Owner-reference helpers: controller references, as Kubernetes' `metav1.GetControllerOf`,
 * `NewControllerRef` and the claim rules of `ControllerRefManager` use them.
 *
 * @packageDocumentation
 */
import { groupOfApiVersion } from '../../api/resource.js';
import type { KubeObject, ResourceType } from '../../api/resource.js';
import type { OwnerReference } from '../../api/generated/types.js';
import type { Cache } from '../../runtime/cache.js';

/**
 * The owner reference with `controller: true`, if any (an object has at most one).
 *
 * @public
 */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/**
 * A controller owner reference to `owner` (a {@link ResourceType} of it), with
 * `blockOwnerDeletion: true` so that foreground deletion of the owner waits for the dependent.
 *
 * @example
 * ```ts
 * const ref = newControllerRef(rs, ReplicaSet);
 * ```
 * @public
 */
export function newControllerRef(owner: KubeObject, type: Pick<ResourceType, 'apiVersion' | 'kind'>): OwnerReference {
  return { apiVersion: type.apiVersion, kind: type.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/**
 * Whether `obj`'s controller reference points at `owner` (by uid).
 *
 * @public
 */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerRefOf(obj);
  return ref !== undefined && owner.metadata.uid !== undefined && ref.uid === owner.metadata.uid;
}

export { groupOfApiVersion };

/**
 * The owner references of `obj` without the ones to `ownerUid` (the same array when none is).
 *
 * @public
 */
export function withoutOwner(refs: readonly OwnerReference[] | undefined, ownerUid: string): readonly OwnerReference[] {
  const list = refs ?? [];
  return list.some((r) => r.uid === ownerUid) ? list.filter((r) => r.uid !== ownerUid) : list;
}

/**
 * `namespace/name` (or `name`) of an object: the key controllers use for it.
 *
 * @public
 */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns === undefined || ns === '' ? (obj.metadata.name ?? '') : `${ns}/${obj.metadata.name ?? ''}`;
}

/** Name of the index of objects by the uid of their controller reference (see {@link ownerIndexers}). @public */
export const CONTROLLER_UID_INDEX = 'controller-uid';

/** Name of the index of objects without a controller reference, by namespace (see {@link ownerIndexers}). @public */
export const ORPHANS_BY_NAMESPACE_INDEX = 'orphans-by-namespace';

/**
 * Index function: the uid of the object's controller reference (none without one).
 *
 * @public
 */
export function controllerUidIndexFunc(obj: KubeObject): readonly string[] {
  const ref = controllerRefOf(obj);
  return ref === undefined || ref.uid === '' ? [] : [ref.uid];
}

/**
 * Index function: the object's namespace (`""` when cluster-scoped) when it has no controller
 * reference — the candidates for adoption by a selector — and none otherwise.
 *
 * @public
 */
export function orphansByNamespaceIndexFunc(obj: KubeObject): readonly string[] {
  return controllerRefOf(obj) === undefined ? [obj.metadata.namespace ?? ''] : [];
}

/**
 * The informer-cache indexers a controller needs to find its dependents without scanning a
 * namespace: {@link CONTROLLER_UID_INDEX} (objects by their controller's uid) and
 * {@link ORPHANS_BY_NAMESPACE_INDEX} (objects with no controller, by namespace). The functions
 * are module constants, so every controller registering them on a shared informer shares one
 * index.
 *
 * Guarantees: `byIndex(CONTROLLER_UID_INDEX, owner.uid)` ∪ `byIndex(ORPHANS_BY_NAMESPACE_INDEX,
 * ns)` is exactly the set of objects of `ns` a controller can own or adopt (plus any object of
 * another namespace wrongly pointing at the owner's uid, which callers filter by namespace).
 *
 * @example
 * ```ts
 * controllerFor(ReplicaSet).owns(Pod, { indexers: ownerIndexers }).reconcile(async (ctx) => {
 *   const pods = dependentsOf(ctx.cache(Pod), rs); // owned pods + orphans of rs's namespace
 *   …
 * });
 * ```
 * @public
 */
export const ownerIndexers: Readonly<Record<string, (obj: KubeObject) => readonly string[]>> = Object.freeze({
  [CONTROLLER_UID_INDEX]: controllerUidIndexFunc,
  [ORPHANS_BY_NAMESPACE_INDEX]: orphansByNamespaceIndexFunc,
});

/**
 * The objects of `owner`'s namespace that `owner` controls or could adopt: those whose
 * controller reference has `owner`'s uid, then those without a controller reference — read from
 * the {@link ownerIndexers} of `cache` in time proportional to the result, not the namespace.
 * Objects of other namespaces are left out.
 *
 * Errors: `CacheError` `UnknownIndex` when the cache lacks the owner indexes.
 *
 * @public
 */
export function dependentsOf<T extends KubeObject>(cache: Pick<Cache<T>, 'byIndex'>, owner: KubeObject): T[] {
  const ns = owner.metadata.namespace ?? '';
  const uid = owner.metadata.uid;
  const out: T[] = [];
  if (uid !== undefined && uid !== '') {
    for (const obj of cache.byIndex(CONTROLLER_UID_INDEX, uid)) if ((obj.metadata.namespace ?? '') === ns) out.push(obj);
  }
  for (const obj of cache.byIndex(ORPHANS_BY_NAMESPACE_INDEX, ns)) out.push(obj);
  return out;
}
