/**
 * Validation of apps/v1 workloads (Deployment, ReplicaSet, DaemonSet, StatefulSet), after
 * Kubernetes' pkg/apis/apps/validation.
 *
 * @packageDocumentation
 */
import type { FieldError } from '../../schema/decode.js';
import type * as T from '../../generated/types.js';
import { selectorFromLabelSelector } from '../../labels.js';
import { isDNS1123Subdomain } from '../names.js';
import {
  FieldPath, forbidden, formatErrors, intOrPercentOf, invalid, isEmptySelector, notSupported, required, validateImmutable, validateIntOrPercent,
  validateLabelSelector, validateNonnegative, validateStatusCounters,
} from './common.js';
import { serviceNameProblems, validatePersistentVolumeClaimSpec, validatePodTemplateSpec } from './core.js';

const ALWAYS = { allowed: ['Always'], hint: 'pods of this workload are restarted in place; set restartPolicy: Always or leave it unset' } as const;

/**
 * A workload's selector and template: the selector is required, not empty, valid, and selects
 * the template's labels.
 *
 * @public
 */
export function validateSelectorAndTemplate(selector: T.LabelSelector | undefined, template: T.PodTemplateSpec | undefined, spec: FieldPath, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  if (selector === undefined) errs.push(required(spec.child('selector'), 'set spec.selector.matchLabels to the template\'s labels'));
  else if (isEmptySelector(selector)) errs.push(invalid(spec.child('selector'), selector, `empty selector is invalid for ${kind}; set spec.selector.matchLabels to the template's labels`));
  else {
    const selErrs = validateLabelSelector(selector, spec.child('selector'));
    errs.push(...selErrs);
    if (selErrs.length === 0 && template !== undefined) {
      let matches = false;
      try {
        matches = selectorFromLabelSelector(selector).matches(template.metadata?.labels ?? {});
      } catch {
        matches = false;
      }
      if (!matches) errs.push(invalid(spec.child('template', 'metadata', 'labels'), template.metadata?.labels, '`selector` does not match template `labels`; make spec.template.metadata.labels include the labels spec.selector requires'));
    }
  }
  return errs;
}

function validateTemplateNoDeadline(template: T.PodTemplateSpec | undefined, spec: FieldPath, kind: string): FieldError[] {
  return template?.spec?.activeDeadlineSeconds !== undefined
    ? [forbidden(spec.child('template', 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`)]
    : [];
}

function validateRollingParams(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateIntOrPercent(maxUnavailable, path.child('maxUnavailable'), 100));
  errs.push(...validateIntOrPercent(maxSurge, path.child('maxSurge')));
  if (maxSurge !== undefined && maxUnavailable !== undefined && intOrPercentOf(maxSurge) === 0 && intOrPercentOf(maxUnavailable) === 0) {
    errs.push(invalid(path.child('maxUnavailable'), maxUnavailable, 'may not be 0 when `maxSurge` is 0; allow at least one of them to be non-zero so the rollout can progress'));
  }
  return errs;
}

/** A Deployment on create. @public */
export function validateDeployment(d: T.Deployment): FieldError[] {
  const spec = FieldPath.root('spec');
  const s = d.spec;
  if (s === undefined) return [required(spec)];
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(s.replicas, spec.child('replicas')));
  errs.push(...validateSelectorAndTemplate(s.selector, s.template, spec, 'deployment'));
  errs.push(...validatePodTemplateSpec(s.template, spec.child('template'), ALWAYS));
  errs.push(...validateTemplateNoDeadline(s.template, spec, 'Deployment'));
  const st = s.strategy;
  if (st !== undefined) {
    const type = st.type ?? 'RollingUpdate';
    if (type === 'Recreate') {
      if (st.rollingUpdate !== undefined) errs.push(forbidden(spec.child('strategy', 'rollingUpdate'), 'may not be specified when strategy `type` is \'Recreate\''));
    } else if (type === 'RollingUpdate') {
      if (st.rollingUpdate !== undefined) errs.push(...validateRollingParams(st.rollingUpdate.maxSurge, st.rollingUpdate.maxUnavailable, spec.child('strategy', 'rollingUpdate')));
    } else errs.push(notSupported(spec.child('strategy', 'type'), type, ['Recreate', 'RollingUpdate']));
  }
  errs.push(...validateNonnegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  errs.push(...validateNonnegative(s.minReadySeconds, spec.child('minReadySeconds')));
  if (s.progressDeadlineSeconds !== undefined) {
    errs.push(...validateNonnegative(s.progressDeadlineSeconds, spec.child('progressDeadlineSeconds')));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) errs.push(invalid(spec.child('progressDeadlineSeconds'), s.progressDeadlineSeconds, `must be greater than minReadySeconds`));
  }
  return errs;
}

/** A Deployment on update: the selector is immutable. @public */
export function validateDeploymentUpdate(d: T.Deployment, old: T.Deployment): FieldError[] {
  return [...validateDeployment(d), ...validateImmutable(d.spec?.selector, old.spec?.selector, FieldPath.root('spec', 'selector'))];
}

/** A ReplicaSet on create. @public */
export function validateReplicaSet(rs: T.ReplicaSet): FieldError[] {
  const spec = FieldPath.root('spec');
  const s = rs.spec;
  if (s === undefined) return [required(spec)];
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(s.replicas, spec.child('replicas')));
  errs.push(...validateNonnegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...validateSelectorAndTemplate(s.selector, s.template, spec, 'replicaset'));
  errs.push(...validatePodTemplateSpec(s.template, spec.child('template'), ALWAYS));
  errs.push(...validateTemplateNoDeadline(s.template, spec, 'ReplicaSet'));
  return errs;
}

/** A ReplicaSet on update: the selector is immutable. @public */
export function validateReplicaSetUpdate(rs: T.ReplicaSet, old: T.ReplicaSet): FieldError[] {
  return [...validateReplicaSet(rs), ...validateImmutable(rs.spec?.selector, old.spec?.selector, FieldPath.root('spec', 'selector'))];
}

/** A ReplicationController on create: map selector matching the template, replicas ≥ 0. @public */
export function validateReplicationController(rc: T.ReplicationController): FieldError[] {
  const spec = FieldPath.root('spec');
  const s = rc.spec;
  if (s === undefined) return [required(spec)];
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(s.replicas, spec.child('replicas')));
  const selector = s.selector === undefined ? undefined : { matchLabels: s.selector };
  errs.push(...validateSelectorAndTemplate(selector, s.template, spec, 'replicationcontroller'));
  errs.push(...validatePodTemplateSpec(s.template, spec.child('template'), ALWAYS));
  return errs;
}

/** A DaemonSet on create. @public */
export function validateDaemonSet(ds: T.DaemonSet): FieldError[] {
  const spec = FieldPath.root('spec');
  const s = ds.spec;
  if (s === undefined) return [required(spec)];
  const errs: FieldError[] = [];
  errs.push(...validateSelectorAndTemplate(s.selector, s.template, spec, 'daemonset'));
  errs.push(...validatePodTemplateSpec(s.template, spec.child('template'), ALWAYS));
  errs.push(...validateTemplateNoDeadline(s.template, spec, 'DaemonSet'));
  errs.push(...validateNonnegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...validateNonnegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  const us = s.updateStrategy;
  if (us !== undefined) {
    const type = us.type ?? 'RollingUpdate';
    if (type === 'OnDelete') {
      if (us.rollingUpdate !== undefined) errs.push(forbidden(spec.child('updateStrategy', 'rollingUpdate'), 'may not be specified when strategy `type` is \'OnDelete\''));
    } else if (type === 'RollingUpdate') {
      const ru = us.rollingUpdate;
      if (ru !== undefined) errs.push(...validateRollingParams(ru.maxSurge ?? 0, ru.maxUnavailable ?? 1, spec.child('updateStrategy', 'rollingUpdate')));
    } else errs.push(notSupported(spec.child('updateStrategy', 'type'), type, ['OnDelete', 'RollingUpdate']));
  }
  return errs;
}

/** A DaemonSet on update: the selector is immutable. @public */
export function validateDaemonSetUpdate(ds: T.DaemonSet, old: T.DaemonSet): FieldError[] {
  return [...validateDaemonSet(ds), ...validateImmutable(ds.spec?.selector, old.spec?.selector, FieldPath.root('spec', 'selector'))];
}

/** A StatefulSet on create. @public */
export function validateStatefulSet(sts: T.StatefulSet): FieldError[] {
  const spec = FieldPath.root('spec');
  const s = sts.spec;
  if (s === undefined) return [required(spec)];
  const errs: FieldError[] = [];
  if (s.serviceName !== undefined && s.serviceName !== '') errs.push(...formatErrors(spec.child('serviceName'), s.serviceName, serviceNameProblems(s.serviceName)));
  errs.push(...validateNonnegative(s.replicas, spec.child('replicas')));
  errs.push(...validateNonnegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...validateNonnegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  if (s.podManagementPolicy !== undefined && !['OrderedReady', 'Parallel'].includes(s.podManagementPolicy)) {
    errs.push(notSupported(spec.child('podManagementPolicy'), s.podManagementPolicy, ['OrderedReady', 'Parallel']));
  }
  const us = s.updateStrategy;
  if (us !== undefined) {
    const type = us.type ?? 'RollingUpdate';
    if (type === 'OnDelete') {
      if (us.rollingUpdate !== undefined) errs.push(forbidden(spec.child('updateStrategy', 'rollingUpdate'), 'only allowed for updateStrategy \'RollingUpdate\''));
    } else if (type === 'RollingUpdate') {
      const ru = us.rollingUpdate;
      if (ru !== undefined) {
        errs.push(...validateNonnegative(ru.partition, spec.child('updateStrategy', 'rollingUpdate', 'partition')));
        if (ru.maxUnavailable !== undefined) {
          errs.push(...validateIntOrPercent(ru.maxUnavailable, spec.child('updateStrategy', 'rollingUpdate', 'maxUnavailable'), 100));
          if (intOrPercentOf(ru.maxUnavailable) === 0) errs.push(invalid(spec.child('updateStrategy', 'rollingUpdate', 'maxUnavailable'), ru.maxUnavailable, 'must be greater than 0'));
        }
      }
    } else errs.push(notSupported(spec.child('updateStrategy', 'type'), type, ['OnDelete', 'RollingUpdate']));
  }
  const retention = s.persistentVolumeClaimRetentionPolicy;
  for (const f of ['whenDeleted', 'whenScaled'] as const) {
    const v = retention?.[f];
    if (v !== undefined && !['Retain', 'Delete'].includes(v)) errs.push(notSupported(spec.child('persistentVolumeClaimRetentionPolicy', f), v, ['Retain', 'Delete']));
  }
  const claimNames = new Set<string>();
  (s.volumeClaimTemplates ?? []).forEach((pvc, i) => {
    const p = spec.child('volumeClaimTemplates').index(i);
    const name = pvc.metadata?.name ?? '';
    if (name === '') errs.push(required(p.child('metadata', 'name'), 'name the claim template; volumeMounts refer to it by this name'));
    else errs.push(...formatErrors(p.child('metadata', 'name'), name, isDNS1123Subdomain(name)));
    claimNames.add(name);
    errs.push(...validatePersistentVolumeClaimSpec(pvc.spec, p.child('spec')));
  });
  errs.push(...validateSelectorAndTemplate(s.selector, s.template, spec, 'statefulset'));
  errs.push(...validatePodTemplateSpec(s.template, spec.child('template'), ALWAYS, { extraVolumes: claimNames }));
  errs.push(...validateTemplateNoDeadline(s.template, spec, 'StatefulSet'));
  return errs;
}

/**
 * A StatefulSet on update: only replicas, ordinals, template, updateStrategy,
 * revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds may change.
 *
 * @public
 */
export function validateStatefulSetUpdate(sts: T.StatefulSet, old: T.StatefulSet): FieldError[] {
  const errs = validateStatefulSet(sts);
  const mask = (s: T.StatefulSetSpec | undefined): unknown =>
    s === undefined ? undefined : { ...s, replicas: undefined, ordinals: undefined, template: undefined, updateStrategy: undefined, revisionHistoryLimit: undefined, persistentVolumeClaimRetentionPolicy: undefined, minReadySeconds: undefined };
  if (validateImmutable(mask(sts.spec), mask(old.spec), FieldPath.root('spec')).length > 0) {
    errs.push(forbidden(FieldPath.root('spec'), "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

/** A ReplicaSet's status write: counters non-negative and consistent (Kubernetes' ValidateReplicaSetStatus). @public */
export function validateReplicaSetStatusUpdate(rs: T.ReplicaSet): FieldError[] {
  return validateStatusCounters(
    (rs.status ?? {}) as { readonly [field: string]: unknown },
    ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'terminatingReplicas', 'observedGeneration'],
    [['fullyLabeledReplicas', 'replicas'], ['readyReplicas', 'replicas'], ['availableReplicas', 'replicas'], ['availableReplicas', 'readyReplicas']],
  );
}

/** A Deployment's status write: counters non-negative and consistent (Kubernetes' ValidateDeploymentStatus). @public */
export function validateDeploymentStatusUpdate(d: T.Deployment): FieldError[] {
  return validateStatusCounters(
    (d.status ?? {}) as { readonly [field: string]: unknown },
    ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'terminatingReplicas', 'collisionCount'],
    [['updatedReplicas', 'replicas'], ['readyReplicas', 'replicas'], ['availableReplicas', 'replicas'], ['availableReplicas', 'readyReplicas']],
  );
}

/** A DaemonSet's status write: counters non-negative (Kubernetes' ValidateDaemonSetStatusUpdate). @public */
export function validateDaemonSetStatusUpdate(ds: T.DaemonSet): FieldError[] {
  return validateStatusCounters(
    (ds.status ?? {}) as { readonly [field: string]: unknown },
    ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'],
    [],
  );
}

/** A StatefulSet's status write: counters non-negative and consistent (Kubernetes' ValidateStatefulSetStatus). @public */
export function validateStatefulSetStatusUpdate(ss: T.StatefulSet): FieldError[] {
  return validateStatusCounters(
    (ss.status ?? {}) as { readonly [field: string]: unknown },
    ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'],
    [['readyReplicas', 'replicas'], ['currentReplicas', 'replicas'], ['updatedReplicas', 'replicas'], ['availableReplicas', 'replicas'], ['availableReplicas', 'readyReplicas']],
  );
}
