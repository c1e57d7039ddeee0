/**
 * Helpers of the Deployment controller that need no store: template hashing and semantic
 * comparison, revisions and their annotations, rolling-update fenceposts, ReplicaSet
 * orderings and Deployment conditions (after Kubernetes' pkg/controller/deployment/util).
 *
 * @packageDocumentation
 */
import { rfc3339 } from '../../util/time.js';
import type { Deployment, DeploymentCondition, DeploymentStatus, PodTemplateSpec, ReplicaSet } from '../../api/generated/types.js';
import { scaledValue, type IntOrString } from '../../api/intstr.js';
import { KubekitError } from '../../util/errors.js';

/** Label put on a ReplicaSet's selector, template and pods: the hash of its pod template. @public */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** The revision of a ReplicaSet (and of its Deployment's current template). @public */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** Earlier revisions a reused ReplicaSet had (comma-separated). @public */
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
/** The Deployment's `spec.replicas` when the ReplicaSet was last scaled by it. @public */
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
/** The Deployment's `spec.replicas + maxSurge` when the ReplicaSet was last scaled by it. @public */
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
/** Why the template changed (set by users or `kubectl --record`); copied to the ReplicaSet. @public */
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
/** Longest revision history annotation kept, in characters (Kubernetes' default). @public */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Deployment annotations never copied to its ReplicaSets (nor back by a rollback). @public */
export const ANNOTATIONS_NOT_COPIED: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/** Reasons of Deployment conditions, as Kubernetes spells them. @public */
export const Reasons = {
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  DeploymentPaused: 'DeploymentPaused',
  DeploymentResumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** @public */
export type DeploymentErrorCode = 'RevisionNotFound' | 'NoRolloutHistory' | 'Paused' | 'InvalidStrategy';

/** An error of the Deployment controller or of {@link rollbackDeployment}. @public */
export class DeploymentError extends KubekitError {
  declare readonly code: DeploymentErrorCode;
  constructor(code: DeploymentErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

// ---------------------------------------------------------------------------------------
// Hashing and semantic template comparison

/**
 * A template with what does not matter semantically removed: `null`/`undefined` values,
 * empty objects and empty arrays, and the `pod-template-hash` label.
 */
function normalize(value: unknown, dropHashLabel: boolean, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const out = value.map((v, i) => normalize(v, dropHashLabel, `${path}[${i}]`)).filter((v) => v !== undefined);
    return out.length === 0 ? undefined : out;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (dropHashLabel && path === '.metadata.labels' && key === POD_TEMPLATE_HASH_LABEL) continue;
      const v = normalize((value as Record<string, unknown>)[key], dropHashLabel, `${path}.${key}`);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

const canonicalCache = new WeakMap<PodTemplateSpec, string>();

/**
 * A canonical serialization of a pod template: keys sorted, empties stripped, hash label
 * ignored. Memoized per object for frozen templates (cached objects never change).
 */
export function canonicalTemplate(template: PodTemplateSpec | undefined): string {
  if (template === undefined) return '{}';
  const hit = canonicalCache.get(template);
  if (hit !== undefined) return hit;
  const out = JSON.stringify(normalize(template, true, '') ?? {});
  if (Object.isFrozen(template)) canonicalCache.set(template, out);
  return out;
}

/**
 * True when two pod templates are semantically equal (Kubernetes' `EqualIgnoreHash`): nulls,
 * empty objects and empty lists do not count, nor does the `pod-template-hash` label.
 *
 * @public
 */
export function templatesEqual(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalTemplate(a) === canonicalTemplate(b);
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function fnv1a32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The hash naming a Deployment's ReplicaSet for a pod template (Kubernetes' `ComputeHash`):
 * FNV-32a over the canonical serialization of the template (plus the collision count as four
 * little-endian bytes when set), printed in decimal and encoded with the alphabet Kubernetes
 * uses for generated names (no vowels, so no words).
 *
 * Guarantees: deterministic across processes and versions of this library for the same
 * semantic template and collision count; a valid label value.
 *
 * @example
 * ```ts
 * const name = `${deploy.metadata.name}-${computeTemplateHash(deploy.spec.template, deploy.status?.collisionCount)}`;
 * ```
 * @public
 */
export function computeTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv1a32(enc.encode(canonicalTemplate(template)));
  if (collisionCount !== undefined && collisionCount !== 0) {
    const c = new Uint8Array(4);
    new DataView(c.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(c, h);
  }
  let out = '';
  for (const ch of String(h)) out += SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length];
  return out;
}

// ---------------------------------------------------------------------------------------
// Revisions

/** The revision a ReplicaSet (or Deployment) carries in its annotation; 0 when none or unparsable. @public */
export function revisionOf(obj: { readonly metadata: { readonly annotations?: { readonly [k: string]: string } | undefined } }): number {
  const v = obj.metadata.annotations?.[REVISION_ANNOTATION];
  if (v === undefined || !/^[0-9]+$/.test(v)) return 0;
  return Number(v);
}

/** The highest revision among ReplicaSets (0 when none). @public */
export function maxRevision(replicaSets: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of replicaSets) max = Math.max(max, revisionOf(rs));
  return max;
}

// ---------------------------------------------------------------------------------------
// Fenceposts

/** True for a RollingUpdate Deployment (the default strategy). @public */
export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** `spec.replicas`, defaulting to 1 as the API server does. @public */
export function desiredReplicas(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

/**
 * maxSurge and maxUnavailable resolved against `spec.replicas` (Kubernetes'
 * `ResolveFenceposts`): surge rounds up, unavailable rounds down, and when both come to 0
 * maxUnavailable is 1 so a rollout can make progress.
 *
 * Errors: {@link DeploymentError} `InvalidStrategy` for a value that is neither an integer
 * nor an integer percentage.
 *
 * @public
 */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, replicas: number): { readonly maxSurge: number; readonly maxUnavailable: number } {
  let surge: number;
  let unavailable: number;
  try {
    surge = Math.max(0, scaledValue(maxSurge ?? '25%', replicas, true));
    unavailable = Math.max(0, scaledValue(maxUnavailable ?? '25%', replicas, false));
  } catch (err) {
    throw new DeploymentError('InvalidStrategy', `spec.strategy.rollingUpdate has an invalid maxSurge/maxUnavailable: ${(err as Error).message}`, { cause: err });
  }
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { maxSurge: surge, maxUnavailable: unavailable };
}

/** The Deployment's maxSurge as a number (0 for Recreate). @public */
export function maxSurgeOf(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d)).maxSurge;
}

/** The Deployment's maxUnavailable as a number, never above `spec.replicas` (0 for Recreate). @public */
export function maxUnavailableOf(d: Deployment): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return Math.min(replicas, resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas).maxUnavailable);
}

// ---------------------------------------------------------------------------------------
// ReplicaSet accessors and orderings

/** `spec.replicas` of a ReplicaSet (0 when unset by a Deployment's plan). @public */
export function specReplicas(rs: ReplicaSet): number {
  return rs.spec?.replicas ?? 0;
}

function created(rs: ReplicaSet): number {
  const t = rs.metadata.creationTimestamp;
  return t === undefined ? 0 : Date.parse(t);
}

/** Oldest first; ties by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || cmp(a.metadata.name ?? '', b.metadata.name ?? '');
}

/** Lowest revision first; ties by creation. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

/** Largest first; ties newer first (where scaling up should go). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** Largest first; ties older first (where scaling down should go). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------
// Conditions

/** The condition of `type`, if present. @public */
export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** A new condition stamped `now` (both times). */
export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now: number): DeploymentCondition {
  const at = rfc3339(now);
  return { type, status, reason, message, lastUpdateTime: at, lastTransitionTime: at };
}

/**
 * Conditions with `cond` set (Kubernetes' `SetDeploymentCondition`): unchanged when one of
 * the same type has the same status and reason; the transition time is kept when the status
 * does not change.
 */
export function setCondition(conditions: readonly DeploymentCondition[], cond: DeploymentCondition): readonly DeploymentCondition[] {
  const current = conditions.find((c) => c.type === cond.type);
  if (current !== undefined && current.status === cond.status && current.reason === cond.reason) return conditions;
  const next = current !== undefined && current.status === cond.status ? { ...cond, lastTransitionTime: current.lastTransitionTime } : cond;
  return [...conditions.filter((c) => c.type !== cond.type), next];
}

/** Conditions without the one of `type`. */
export function removeCondition(conditions: readonly DeploymentCondition[], type: string): readonly DeploymentCondition[] {
  return conditions.filter((c) => c.type !== type);
}

export { rfc3339 };
