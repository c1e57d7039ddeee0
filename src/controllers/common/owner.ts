/**
 * Owner-reference helpers: controller references, as Kubernetes' `metav1.GetControllerOf`,
 * `NewControllerRef` and the claim rules of `ControllerRefManager` use them.
 *
 * @packageDocumentation
 */
import type { KubeObject, ResourceType } from '../../api/resource.js';
import type { OwnerReference } from '../../api/generated/types.js';

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

/**
 * The group of an apiVersion (`apps/v1` → `apps`, `v1` → ``).
 *
 * @public
 */
export function groupOfApiVersion(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

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
