/**
 * Defaulting and validation of built-in kinds, as the Kubernetes API server applies them, keyed
 * by `group/Kind` (`/Pod`, `apps/Deployment`). Every built-in kind gets ObjectMeta validation
 * (name rule of the kind, namespace scope, labels, annotations, owner references, finalizers;
 * identity immutable on update); the kinds below add their own defaults and rules.
 *
 * @packageDocumentation
 */
import type { KubeObject, ResourceStrategy } from '../resource.js';
import type { FieldError } from '../schema/decode.js';
import type * as T from '../generated/types.js';
import { builtinResources } from '../generated/resources.js';
import * as D from './defaults.js';
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, nameIsPathSegment, type NameValidator } from './names.js';
import { FieldPath, validateObjectMeta, validateObjectMetaUpdate, type ObjectMetaRules } from './validation/common.js';
import * as C from './validation/core.js';
import * as A from './validation/apps.js';
import * as B from './validation/batch.js';
import * as N from './validation/networking.js';
import * as O from './validation/other.js';

/** The kind-specific part of a strategy; ObjectMeta checks are added around it. */
interface KindRules<X> {
  readonly name?: NameValidator;
  readonly defaults?: (obj: X) => X;
  readonly create?: (obj: X) => readonly FieldError[];
  /** Update rules; defaults to the create rules. */
  readonly update?: (obj: X, old: X) => readonly FieldError[];
  /**
   * Set when `defaults`, `create` or `update` read `metadata` (names, labels, annotations):
   * the store must then not reuse the body of an earlier create (see
   * `ResourceStrategy.validateMetadata`).
   */
  readonly readsMetadata?: true;
  /**
   * Rules for writes through the status subresource, beside the metadata update rules (the
   * rest of the object is the stored one). Kinds without them validate status writes in full.
   */
  readonly status?: (obj: X, old: X) => readonly FieldError[];
}

const KIND_RULES: { [groupKind: string]: unknown } = {};

function rules<X extends KubeObject>(groupKind: string, r: KindRules<X>): void {
  // The table holds each kind's rules under its own key; looked up by that key only.
  KIND_RULES[groupKind] = r;
}

rules<T.Pod>('/Pod', { defaults: D.defaultPod, create: C.validatePod, update: C.validatePodUpdate, status: C.validatePodStatusUpdate });
rules<T.PodTemplate>('/PodTemplate', { defaults: D.defaultPodTemplate, create: (pt) => (pt.template === undefined ? [] : C.validatePodTemplateSpec(pt.template, FieldPath.root('template'))) });
rules<T.ReplicationController>('/ReplicationController', { readsMetadata: true, defaults: D.defaultReplicationController, create: A.validateReplicationController });
rules<T.Service>('/Service', { name: nameIsDNS1035Label, defaults: D.defaultService, create: C.validateService, update: C.validateServiceUpdate, status: C.validateServiceStatusUpdate });
rules<T.ConfigMap>('/ConfigMap', { create: C.validateConfigMap, update: C.validateConfigMapUpdate });
rules<T.Secret>('/Secret', { readsMetadata: true, defaults: D.defaultSecret, create: C.validateSecret, update: C.validateSecretUpdate });
rules<T.Namespace>('/Namespace', { readsMetadata: true, name: nameIsDNSLabel, defaults: D.defaultNamespace, create: C.validateNamespace, status: C.validateNamespaceStatusUpdate });
rules<T.Node>('/Node', { defaults: D.defaultNode, create: C.validateNode, update: C.validateNodeUpdate });
rules<T.PersistentVolume>('/PersistentVolume', { defaults: D.defaultPersistentVolume, create: C.validatePersistentVolume, update: C.validatePersistentVolumeUpdate });
rules<T.PersistentVolumeClaim>('/PersistentVolumeClaim', { defaults: D.defaultPersistentVolumeClaim, create: C.validatePersistentVolumeClaim, update: C.validatePersistentVolumeClaimUpdate });
rules<T.Event>('/Event', { readsMetadata: true, create: C.validateEvent });
rules<T.Endpoints>('/Endpoints', { defaults: D.defaultEndpoints, create: C.validateEndpoints });
rules<T.Deployment>('apps/Deployment', { defaults: D.defaultDeployment, create: A.validateDeployment, update: A.validateDeploymentUpdate, status: A.validateDeploymentStatusUpdate });
rules<T.ReplicaSet>('apps/ReplicaSet', { defaults: D.defaultReplicaSet, create: A.validateReplicaSet, update: A.validateReplicaSetUpdate, status: A.validateReplicaSetStatusUpdate });
rules<T.DaemonSet>('apps/DaemonSet', { defaults: D.defaultDaemonSet, create: A.validateDaemonSet, update: A.validateDaemonSetUpdate, status: A.validateDaemonSetStatusUpdate });
rules<T.StatefulSet>('apps/StatefulSet', { defaults: D.defaultStatefulSet, create: A.validateStatefulSet, update: A.validateStatefulSetUpdate, status: A.validateStatefulSetStatusUpdate });
rules<T.Job>('batch/Job', { defaults: D.defaultJob, create: B.validateJob, update: B.validateJobUpdate, status: B.validateJobStatusUpdate });
rules<T.CronJob>('batch/CronJob', { readsMetadata: true, defaults: D.defaultCronJob, create: B.validateCronJob });
rules<T.HorizontalPodAutoscaler>('autoscaling/HorizontalPodAutoscaler', { defaults: D.defaultHorizontalPodAutoscaler, create: O.validateHorizontalPodAutoscaler, status: O.validateHorizontalPodAutoscalerStatusUpdate });
rules<T.Ingress>('networking.k8s.io/Ingress', { create: N.validateIngress, status: N.validateIngressStatusUpdate });
rules<T.Lease>('coordination.k8s.io/Lease', { create: O.validateLease });
rules<T.EndpointSlice>('discovery.k8s.io/EndpointSlice', { defaults: D.defaultEndpointSlice, create: O.validateEndpointSlice });
rules<T.Role>('rbac.authorization.k8s.io/Role', { name: nameIsPathSegment, create: O.validateRole });
rules<T.ClusterRole>('rbac.authorization.k8s.io/ClusterRole', { name: nameIsPathSegment, create: O.validateClusterRole });
rules<T.RoleBinding>('rbac.authorization.k8s.io/RoleBinding', {
  name: nameIsPathSegment,
  create: O.validateRoleBinding,
  update: (rb, old) => [...O.validateRoleBinding(rb), ...O.validateRoleRefUpdate(rb.roleRef, old.roleRef)],
});
rules<T.ClusterRoleBinding>('rbac.authorization.k8s.io/ClusterRoleBinding', {
  name: nameIsPathSegment,
  create: O.validateClusterRoleBinding,
  update: (rb, old) => [...O.validateClusterRoleBinding(rb), ...O.validateRoleRefUpdate(rb.roleRef, old.roleRef)],
});
rules<T.PriorityClass>('scheduling.k8s.io/PriorityClass', { readsMetadata: true, defaults: D.defaultPriorityClass, create: O.validatePriorityClass, update: O.validatePriorityClassUpdate });
rules<T.PodDisruptionBudget>('policy/PodDisruptionBudget', { create: O.validatePodDisruptionBudget, status: O.validatePodDisruptionBudgetStatusUpdate });
rules<T.StorageClass>('storage.k8s.io/StorageClass', { defaults: D.defaultStorageClass, create: O.validateStorageClass, update: O.validateStorageClassUpdate });

function strategyFor(groupKind: string, namespaced: boolean): ResourceStrategy<KubeObject> {
  const r = (KIND_RULES[groupKind] ?? {}) as KindRules<KubeObject>;
  const meta: ObjectMetaRules = { namespaced, name: r.name ?? nameIsDNSSubdomain };
  const validateMetadata = (obj: KubeObject, old: KubeObject | undefined): FieldError[] =>
    old === undefined ? validateObjectMeta(obj.metadata, meta) : validateObjectMetaUpdate(obj.metadata, old.metadata, meta);
  const strategy: ResourceStrategy<KubeObject> = {
    validate(obj, old) {
      const kind = old === undefined ? (r.create?.(obj) ?? []) : r.update !== undefined ? r.update(obj, old) : (r.create?.(obj) ?? []);
      return [...validateMetadata(obj, old), ...kind];
    },
    ...(r.readsMetadata === true ? {} : { validateMetadata }),
    ...(r.status === undefined
      ? {}
      : { validateStatusUpdate: (obj: KubeObject, old: KubeObject): FieldError[] => [...validateObjectMetaUpdate(obj.metadata, old.metadata, meta), ...(r.status?.(obj, old) ?? [])] }),
  };
  return r.defaults === undefined ? strategy : { ...strategy, applyDefaults: r.defaults };
}

const table: { [groupKind: string]: ResourceStrategy<KubeObject> } = {};
for (const res of builtinResources) {
  const key = `${res.group}/${res.kind}`;
  if (table[key] === undefined) table[key] = strategyFor(key, res.namespaced);
}

/**
 * Defaulting and validation of built-in kinds, keyed by `group/Kind` (`/Pod`, `apps/Deployment`).
 *
 * @internal
 */
export const builtinStrategies: { readonly [groupKind: string]: ResourceStrategy<KubeObject> } = table;
