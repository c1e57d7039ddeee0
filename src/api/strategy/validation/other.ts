/**
 * Validation of the smaller kinds: HorizontalPodAutoscaler, Lease, RBAC roles and bindings,
 * PriorityClass, PodDisruptionBudget, StorageClass and EndpointSlice.
 *
 * @packageDocumentation
 */
import type { FieldError } from '../../schema/decode.js';
import type * as T from '../../generated/types.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPathSegmentName, isValidPortNum } from '../names.js';
import {
  deepEqual, FieldPath, forbidden, formatErrors, invalid, notSupported, required, tooLong, tooMany, validateImmutable, validateIntOrPercent,
  validateLabelSelector, validateNonnegative, validatePositive, validateStatusCounters,
} from './common.js';

const METRIC_TYPES = ['Object', 'Pods', 'Resource', 'ContainerResource', 'External'] as const;
const METRIC_SOURCE: { readonly [type: string]: keyof T.MetricSpec } = { Object: 'object', Pods: 'pods', Resource: 'resource', ContainerResource: 'containerResource', External: 'external' };

function validateMetricTarget(t: T.MetricTarget, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!['Utilization', 'Value', 'AverageValue'].includes(t.type)) errs.push(notSupported(path.child('type'), t.type, ['Utilization', 'Value', 'AverageValue']));
  if (t.type === 'Utilization' && t.averageUtilization === undefined) errs.push(required(path.child('averageUtilization'), 'must set averageUtilization when target type is Utilization'));
  if (t.averageUtilization !== undefined && t.averageUtilization < 1) errs.push(invalid(path.child('averageUtilization'), t.averageUtilization, `must be greater than 0`));
  if (t.type === 'Value' && t.value === undefined) errs.push(required(path.child('value'), 'must set value when target type is Value'));
  if (t.type === 'AverageValue' && t.averageValue === undefined) errs.push(required(path.child('averageValue'), 'must set averageValue when target type is AverageValue'));
  return errs;
}

/** A HorizontalPodAutoscaler (autoscaling/v2): replica bounds, target reference, metrics. @public */
export function validateHorizontalPodAutoscaler(hpa: T.HorizontalPodAutoscaler): FieldError[] {
  const spec = FieldPath.root('spec');
  const s = hpa.spec;
  const errs: FieldError[] = [];
  if (s.minReplicas !== undefined && s.minReplicas < 1) errs.push(invalid(spec.child('minReplicas'), s.minReplicas, `must be greater than or equal to 1`));
  if (s.maxReplicas < 1) errs.push(invalid(spec.child('maxReplicas'), s.maxReplicas, `must be greater than or equal to 1`));
  if (s.minReplicas !== undefined && s.maxReplicas < s.minReplicas) errs.push(invalid(spec.child('maxReplicas'), s.maxReplicas, `must be greater than or equal to \`minReplicas\` (${s.minReplicas})`));
  const ref = spec.child('scaleTargetRef');
  if (s.scaleTargetRef.kind === '') errs.push(required(ref.child('kind')));
  if (s.scaleTargetRef.name === '') errs.push(required(ref.child('name')));
  else errs.push(...formatErrors(ref.child('name'), s.scaleTargetRef.name, isValidPathSegmentName(s.scaleTargetRef.name)));
  (s.metrics ?? []).forEach((m, i) => {
    const p = spec.child('metrics').index(i);
    if (!(METRIC_TYPES as readonly string[]).includes(m.type)) {
      errs.push(notSupported(p.child('type'), m.type, METRIC_TYPES));
      return;
    }
    const field = METRIC_SOURCE[m.type] as keyof T.MetricSpec;
    if (m[field] === undefined) errs.push(required(p.child(field), `must populate information for the given metric source (${m.type})`));
    for (const other of Object.values(METRIC_SOURCE)) {
      if (other !== field && m[other] !== undefined) errs.push(forbidden(p.child(other), 'must populate the given metric source only'));
    }
    if (m.resource !== undefined) {
      if (m.resource.name === '') errs.push(required(p.child('resource', 'name')));
      errs.push(...validateMetricTarget(m.resource.target, p.child('resource', 'target')));
    }
    if (m.containerResource !== undefined) errs.push(...validateMetricTarget(m.containerResource.target, p.child('containerResource', 'target')));
    if (m.pods !== undefined) errs.push(...validateMetricTarget(m.pods.target, p.child('pods', 'target')));
    if (m.object !== undefined) errs.push(...validateMetricTarget(m.object.target, p.child('object', 'target')));
    if (m.external !== undefined) errs.push(...validateMetricTarget(m.external.target, p.child('external', 'target')));
  });
  return errs;
}

/** A Lease: duration positive, transitions non-negative. @public */
export function validateLease(lease: T.Lease): FieldError[] {
  const spec = FieldPath.root('spec');
  const s = lease.spec ?? {};
  return [
    ...validatePositive(s.leaseDurationSeconds, spec.child('leaseDurationSeconds')),
    ...validateNonnegative(s.leaseTransitions, spec.child('leaseTransitions')),
  ];
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** RBAC policy rules: verbs required; resource rules need apiGroups; non-resource URLs only in cluster roles. @public */
export function validatePolicyRules(rules: readonly T.PolicyRule[] | undefined, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (rules ?? []).forEach((r, i) => {
    const p = path.index(i);
    if (r.verbs.length === 0) errs.push(required(p.child('verbs'), 'verbs must contain at least one value (e.g. get, list, watch)'));
    const nonResource = (r.nonResourceURLs ?? []).length > 0;
    if (nonResource) {
      if (namespaced) errs.push(invalid(p.child('nonResourceURLs'), r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs; use a ClusterRole'));
      if ((r.apiGroups ?? []).length > 0 || (r.resources ?? []).length > 0) errs.push(invalid(p.child('nonResourceURLs'), r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
      return;
    }
    if ((r.apiGroups ?? []).length === 0) errs.push(required(p.child('apiGroups'), 'resource rules must supply at least one api group (use "" for the core group)'));
    if ((r.resources ?? []).length === 0) errs.push(required(p.child('resources'), 'resource rules must supply at least one resource'));
  });
  return errs;
}

/** A Role. @public */
export function validateRole(role: T.Role): FieldError[] {
  return validatePolicyRules(role.rules, true, FieldPath.root('rules'));
}

/** A ClusterRole. @public */
export function validateClusterRole(role: T.ClusterRole): FieldError[] {
  const errs = validatePolicyRules(role.rules, false, FieldPath.root('rules'));
  (role.aggregationRule?.clusterRoleSelectors ?? []).forEach((s, i) => errs.push(...validateLabelSelector(s, FieldPath.root('aggregationRule', 'clusterRoleSelectors').index(i))));
  return errs;
}

function validateRoleRef(ref: T.RoleRef, allowedKinds: readonly string[]): FieldError[] {
  const p = FieldPath.root('roleRef');
  const errs: FieldError[] = [];
  if ((ref.apiGroup ?? '') !== RBAC_GROUP) errs.push(notSupported(p.child('apiGroup'), ref.apiGroup ?? '', [RBAC_GROUP]));
  if (!allowedKinds.includes(ref.kind)) errs.push(notSupported(p.child('kind'), ref.kind, allowedKinds));
  if (ref.name === '') errs.push(required(p.child('name'), 'name the role to bind'));
  else errs.push(...formatErrors(p.child('name'), ref.name, isValidPathSegmentName(ref.name)));
  return errs;
}

function validateSubjects(subjects: readonly T.Subject[] | undefined, clusterScoped: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (subjects ?? []).forEach((s, i) => {
    const p = FieldPath.root('subjects').index(i);
    if (s.name === '') errs.push(required(p.child('name')));
    switch (s.kind) {
      case 'ServiceAccount':
        if ((s.apiGroup ?? '') !== '') errs.push(notSupported(p.child('apiGroup'), s.apiGroup, ['']));
        if (s.name !== '') errs.push(...formatErrors(p.child('name'), s.name, isDNS1123Subdomain(s.name)));
        if (clusterScoped && (s.namespace ?? '') === '') errs.push(required(p.child('namespace'), 'a ServiceAccount subject of a ClusterRoleBinding needs its namespace'));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(p.child('apiGroup'), s.apiGroup ?? '', [RBAC_GROUP]));
        break;
      default:
        errs.push(notSupported(p.child('kind'), s.kind, ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

/** A RoleBinding: roleRef to a Role or ClusterRole, valid subjects. @public */
export function validateRoleBinding(rb: T.RoleBinding): FieldError[] {
  return [...validateRoleRef(rb.roleRef, ['Role', 'ClusterRole']), ...validateSubjects(rb.subjects, false)];
}

/** A ClusterRoleBinding: roleRef to a ClusterRole, valid subjects. @public */
export function validateClusterRoleBinding(rb: T.ClusterRoleBinding): FieldError[] {
  return [...validateRoleRef(rb.roleRef, ['ClusterRole']), ...validateSubjects(rb.subjects, true)];
}

/** A binding on update: roleRef cannot change (delete and recreate the binding). @public */
export function validateRoleRefUpdate(next: T.RoleRef, prev: T.RoleRef): FieldError[] {
  return deepEqual(next, prev) ? [] : [invalid(FieldPath.root('roleRef'), next, 'cannot change roleRef; delete the binding and create a new one')];
}

const HIGHEST_USER_PRIORITY = 1_000_000_000;

/** A PriorityClass: user values at most one billion, `system-` names reserved, preemption policy. @public */
export function validatePriorityClass(pc: T.PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata.name ?? '';
  const system = name === 'system-cluster-critical' || name === 'system-node-critical';
  if (!system) {
    if (name.startsWith('system-')) errs.push(forbidden(FieldPath.root('metadata', 'name'), "priority class names with 'system-' prefix are reserved"));
    if ((pc.value ?? 0) > HIGHEST_USER_PRIORITY) errs.push(forbidden(FieldPath.root('value'), `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  if (pc.preemptionPolicy !== undefined && !['PreemptLowerPriority', 'Never'].includes(pc.preemptionPolicy)) {
    errs.push(notSupported(FieldPath.root('preemptionPolicy'), pc.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
  }
  return errs;
}

/** A PriorityClass on update: value and preemptionPolicy are immutable. @public */
export function validatePriorityClassUpdate(pc: T.PriorityClass, old: T.PriorityClass): FieldError[] {
  return [
    ...validatePriorityClass(pc),
    ...validateImmutable(pc.value, old.value, FieldPath.root('value')),
    ...validateImmutable(pc.preemptionPolicy, old.preemptionPolicy, FieldPath.root('preemptionPolicy')),
  ];
}

/** A PodDisruptionBudget: minAvailable xor maxUnavailable, each an int or a percentage ≤ 100%. @public */
export function validatePodDisruptionBudget(pdb: T.PodDisruptionBudget): FieldError[] {
  const spec = FieldPath.root('spec');
  const s = pdb.spec ?? {};
  const errs: FieldError[] = [];
  if (s.minAvailable !== undefined && s.maxUnavailable !== undefined) errs.push(invalid(spec, s, 'minAvailable and maxUnavailable cannot be both set; keep one of them'));
  errs.push(...validateIntOrPercent(s.minAvailable, spec.child('minAvailable'), 100));
  errs.push(...validateIntOrPercent(s.maxUnavailable, spec.child('maxUnavailable'), 100));
  errs.push(...validateLabelSelector(s.selector, spec.child('selector')));
  if (s.unhealthyPodEvictionPolicy !== undefined && !['IfHealthyBudget', 'AlwaysAllow'].includes(s.unhealthyPodEvictionPolicy)) {
    errs.push(notSupported(spec.child('unhealthyPodEvictionPolicy'), s.unhealthyPodEvictionPolicy, ['IfHealthyBudget', 'AlwaysAllow']));
  }
  return errs;
}

/** A StorageClass: provisioner, reclaim policy, binding mode, parameters. @public */
export function validateStorageClass(sc: T.StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  if (sc.provisioner === '') errs.push(required(FieldPath.root('provisioner'), 'name the volume plugin, e.g. kubernetes.io/gce-pd or a CSI driver name'));
  else errs.push(...formatErrors(FieldPath.root('provisioner'), sc.provisioner, isQualifiedName(sc.provisioner.toLowerCase())));
  if (sc.reclaimPolicy !== undefined && !['Delete', 'Retain'].includes(sc.reclaimPolicy)) errs.push(notSupported(FieldPath.root('reclaimPolicy'), sc.reclaimPolicy, ['Delete', 'Retain']));
  if (sc.volumeBindingMode !== undefined && !['Immediate', 'WaitForFirstConsumer'].includes(sc.volumeBindingMode)) {
    errs.push(notSupported(FieldPath.root('volumeBindingMode'), sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
  }
  const params = Object.entries(sc.parameters ?? {});
  if (params.length > 512) errs.push(tooLong(FieldPath.root('parameters'), `must have at most 512 entries, has ${params.length}`));
  else for (const [k] of params) if (k === '') errs.push(invalid(FieldPath.root('parameters'), k, 'parameter keys must not be empty'));
  return errs;
}

/** A StorageClass on update: parameters, provisioner, reclaimPolicy and volumeBindingMode are immutable. @public */
export function validateStorageClassUpdate(sc: T.StorageClass, old: T.StorageClass): FieldError[] {
  const errs = validateStorageClass(sc);
  if (!deepEqual(sc.parameters, old.parameters)) errs.push(forbidden(FieldPath.root('parameters'), 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(forbidden(FieldPath.root('provisioner'), 'updates to provisioner are forbidden.'));
  errs.push(...validateImmutable(sc.reclaimPolicy, old.reclaimPolicy, FieldPath.root('reclaimPolicy')));
  errs.push(...validateImmutable(sc.volumeBindingMode, old.volumeBindingMode, FieldPath.root('volumeBindingMode')));
  return errs;
}

/** An EndpointSlice: address type, 1–100 addresses per endpoint, ports. @public */
export function validateEndpointSlice(es: T.EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  if (!['IPv4', 'IPv6', 'FQDN'].includes(es.addressType)) errs.push(notSupported(FieldPath.root('addressType'), es.addressType, ['IPv4', 'IPv6', 'FQDN']));
  (es.endpoints ?? []).forEach((e, i) => {
    const n = e.addresses.length;
    const ap = FieldPath.root('endpoints').index(i).child('addresses');
    if (n < 1) errs.push(required(ap, 'must contain at least 1 address'));
    else if (n > 100) errs.push(tooMany(ap, n, 100));
  });
  const names = new Set<string>();
  (es.ports ?? []).forEach((p, i) => {
    const path = FieldPath.root('ports').index(i);
    if (p.name !== undefined && p.name !== '') errs.push(...formatErrors(path.child('name'), p.name, isDNS1123Label(p.name)));
    const name = p.name ?? '';
    if (names.has(name)) errs.push(invalid(path.child('name'), name, `port names must be unique`));
    names.add(name);
    if (p.port !== undefined) errs.push(...isValidPortNum(p.port).map((m) => invalid(path.child('port'), p.port, m)));
    if (p.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) errs.push(notSupported(path.child('protocol'), p.protocol, ['TCP', 'UDP', 'SCTP']));
  });
  return errs;
}

/** An HPA's status write: replica counts are non-negative (Kubernetes' ValidateHorizontalPodAutoscalerStatusUpdate). @public */
export function validateHorizontalPodAutoscalerStatusUpdate(hpa: T.HorizontalPodAutoscaler): FieldError[] {
  return validateStatusCounters(hpa.status, ['currentReplicas', 'desiredReplicas']);
}

/** A PodDisruptionBudget's status write: its counters are non-negative (Kubernetes' ValidatePodDisruptionBudgetStatusUpdate). @public */
export function validatePodDisruptionBudgetStatusUpdate(pdb: T.PodDisruptionBudget): FieldError[] {
  return validateStatusCounters(pdb.status, ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods', 'observedGeneration']);
}
