/**
 * The pure heart of the Deployment controller: from a Deployment, the ReplicaSets it controls
 * and their pods, decide which ReplicaSets to create, scale, annotate or delete and what the
 * Deployment's status becomes (after Kubernetes' sync.go, rolling.go, recreate.go and
 * progress.go).
 *
 * @packageDocumentation
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, Pod, ReplicaSet } from '../../api/generated/types.js';
import {
  ANNOTATIONS_NOT_COPIED,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  MAX_REVISION_HISTORY_CHARS,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  Reasons,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  canonicalTemplate,
  computeTemplateHash,
  desiredReplicas,
  getCondition,
  isRollingUpdate,
  maxRevision,
  maxSurgeOf,
  maxUnavailableOf,
  newCondition,
  removeCondition,
  setCondition,
  specReplicas,
} from './util.js';

/**
 * One change the plan asks for, applied in order; the controller stops at the first that
 * fails and plans again from fresh state.
 *
 * - `createReplicaSet`: create `replicaSet` (a name collision with an object the plan did
 *   not see is the applier's to handle: bump `status.collisionCount`);
 * - `updateReplicaSet`: write `replicaSet` (the observed object with new replicas and/or
 *   annotations; its resourceVersion guards against acting on a stale view); `scale` says
 *   whether the replica count changed;
 * - `deleteReplicaSet`: delete a scaled-down ReplicaSet beyond `revisionHistoryLimit`;
 * - `updateDeploymentAnnotations`: set these annotations on the Deployment (its revision);
 * - `event`: record an Event on the Deployment (after the writes before it succeeded).
 *
 * @public
 */
export type RolloutAction =
  | { readonly kind: 'createReplicaSet'; readonly replicaSet: ReplicaSet }
  | { readonly kind: 'updateReplicaSet'; readonly replicaSet: ReplicaSet; readonly scale?: { readonly from: number; readonly to: number } | undefined }
  | { readonly kind: 'deleteReplicaSet'; readonly name: string; readonly uid: string | undefined }
  | { readonly kind: 'updateDeploymentAnnotations'; readonly annotations: Readonly<Record<string, string>> }
  | { readonly kind: 'event'; readonly type: 'Normal' | 'Warning'; readonly reason: string; readonly message: string };

/**
 * What {@link planRollout} decided.
 *
 * @public
 */
export interface RolloutPlan {
  readonly actions: readonly RolloutAction[];
  /** The status to write after the actions, or undefined when it would not change. */
  readonly status: DeploymentStatus | undefined;
  /** Look again after this many ms even if nothing changes (the progress deadline). */
  readonly requeueAfterMs: number | undefined;
}

const MAX_INT32 = 2_147_483_647;

/**
 * Plans one sync of a Deployment: `observe → plan → apply`, the plan part.
 *
 * Inputs: the Deployment; the ReplicaSets it controls (controller ownerReference to it); the
 * pods of those ReplicaSets (used by Recreate to wait for old pods to be gone); `now` in ms.
 *
 * Rules (Kubernetes' semantics):
 * - one ReplicaSet per pod template, named `<deployment>-<hash>`, found by semantic template
 *   equality so a rollback reuses the old ReplicaSet and renumbers it (revision = max + 1,
 *   the old number going to `deployment.kubernetes.io/revision-history`);
 * - a deleted Deployment only gets its status updated; a paused one, or one whose replicas
 *   changed (desired-replicas annotations differ), is scaled proportionally but not rolled;
 * - RollingUpdate: scale the new ReplicaSet up to `replicas + maxSurge` pods in all, scale
 *   old ones down (unhealthy first) while keeping `replicas - maxUnavailable` available;
 * - Recreate: scale every old ReplicaSet to 0, wait until their pods are gone, then scale up
 *   the new one;
 * - a complete rollout prunes scaled-down ReplicaSets beyond `revisionHistoryLimit`;
 * - status counts come from the ReplicaSets' status; conditions Available and Progressing
 *   (with the progress deadline) as Kubernetes sets them.
 *
 * Guarantees: pure (inputs are not changed; the same inputs give the same plan); never plans
 * more than `replicas + maxSurge` replicas in all — counting a scaled-down ReplicaSet's pods
 * until its status says they are gone — nor a scale-down that would leave fewer than
 * `replicas - maxUnavailable` available by the ReplicaSets' status (an old ReplicaSet's
 * available count is capped at its size). Proportional scaling during a rollout follows
 * Kubernetes' annotations and may briefly exceed the surge while old pods terminate.
 *
 * Errors: throws `DeploymentError` `InvalidStrategy` for an unreadable maxSurge/maxUnavailable.
 *
 * @example
 * ```ts
 * const plan = planRollout(deployment, ownedReplicaSets, podsOfThem, clock.now());
 * for (const action of plan.actions) await apply(action);
 * if (plan.status !== undefined) await client.updateStatus(Deployment, { ...deployment, status: plan.status });
 * ```
 * @public
 */
export function planRollout(deployment: Deployment, replicaSets: readonly ReplicaSet[], pods: readonly Pod[], now: number): RolloutPlan {
  return new Planner(deployment, replicaSets, pods, now).run();
}

class Planner {
  private readonly actions: RolloutAction[] = [];
  /** Working copies, updated as the plan scales them. */
  private rsList: ReplicaSet[];
  private conditions: readonly DeploymentCondition[];
  private collisionCount: number | undefined;
  private deploymentRevision: string | undefined;
  private readonly name: string;

  constructor(
    private readonly d: Deployment,
    replicaSets: readonly ReplicaSet[],
    private readonly pods: readonly Pod[],
    private readonly now: number,
  ) {
    this.rsList = [...replicaSets].sort(byCreation);
    this.conditions = d.status?.conditions ?? [];
    this.collisionCount = d.status?.collisionCount;
    this.name = d.metadata.name ?? '';
  }

  run(): RolloutPlan {
    const d = this.d;
    if (d.metadata.deletionTimestamp !== undefined) {
      const { newRS } = this.getAllReplicaSets(false);
      return this.finish(this.calculateStatus(newRS), false);
    }
    this.checkPausedConditions();
    if (d.spec?.paused === true) return this.sync(true);
    if (this.isScalingEvent()) return this.sync(false);
    return isRollingUpdate(d) ? this.rolloutRolling() : this.rolloutRecreate();
  }

  // -------------------------------------------------------------------------------------
  // Finding and creating the new ReplicaSet

  private split(): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] } {
    const template = canonicalTemplate(this.d.spec?.template);
    const newRS = this.rsList.find((rs) => canonicalTemplate(rs.spec?.template) === template);
    return { newRS, oldRSs: this.rsList.filter((rs) => rs !== newRS) };
  }

  /** Kubernetes' getAllReplicaSetsAndSyncRevision. */
  private getAllReplicaSets(createIfNotExisted: boolean): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] } {
    const { newRS, oldRSs } = this.split();
    const newRevision = String(maxRevision(oldRSs) + 1);
    const d = this.d;
    if (newRS !== undefined) {
      let annotations = { ...(newRS.metadata.annotations ?? {}) };
      const changed = this.setNewReplicaSetAnnotations(annotations, newRevision, true);
      annotations = changed.annotations;
      const minReady = d.spec?.minReadySeconds ?? 0;
      const minReadyChanged = (newRS.spec?.minReadySeconds ?? 0) !== minReady;
      let current = newRS;
      if (changed.changed || minReadyChanged) {
        current = this.replace(newRS, {
          ...newRS,
          metadata: { ...newRS.metadata, annotations },
          spec: { ...(newRS.spec ?? { selector: {} }), minReadySeconds: minReady },
        });
        this.actions.push({ kind: 'updateReplicaSet', replicaSet: current });
      }
      this.setDeploymentRevision(current.metadata.annotations?.[REVISION_ANNOTATION]);
      if (this.hasProgressDeadline() && getCondition({ conditions: this.conditions }, 'Progressing') === undefined) {
        this.conditions = setCondition(this.conditions, newCondition('Progressing', 'True', Reasons.FoundNewReplicaSet, `Found new replica set "${current.metadata.name ?? ''}"`, this.now));
      }
      return this.split();
    }
    if (!createIfNotExisted) return { newRS: undefined, oldRSs };

    const template = d.spec?.template ?? {};
    const hash = computeTemplateHash(template, this.collisionCount);
    const name = `${this.name}-${hash}`;
    const clash = this.rsList.find((rs) => rs.metadata.name === name);
    if (clash !== undefined) {
      // The name is taken by one of ours with another template: a hash collision.
      this.collisionCount = (this.collisionCount ?? 0) + 1;
      return { newRS: undefined, oldRSs };
    }
    const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const selector = d.spec?.selector ?? {};
    const draft: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        labels,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: this.name, uid: d.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        replicas: 0,
        minReadySeconds: d.spec?.minReadySeconds ?? 0,
        selector: { ...selector, matchLabels: { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } },
        template: { ...template, metadata: { ...(template.metadata ?? {}), labels } },
      },
    };
    const replicas = this.newRSNewReplicas([...oldRSs, draft], draft);
    const { annotations } = this.setNewReplicaSetAnnotations({}, newRevision, false);
    const created: ReplicaSet = { ...draft, metadata: { ...draft.metadata, annotations }, spec: { ...(draft.spec ?? { selector: {} }), replicas } };
    this.rsList.push(created);
    this.actions.push({ kind: 'createReplicaSet', replicaSet: created });
    if (replicas > 0) this.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} to ${replicas} from 0`);
    this.setDeploymentRevision(newRevision);
    if (this.hasProgressDeadline()) {
      this.conditions = setCondition(this.conditions, newCondition('Progressing', 'True', Reasons.NewReplicaSetCreated, `Created new replica set "${name}"`, this.now));
    }
    return this.split();
  }

  /** Copies the Deployment's annotations, sets the revision (keeping history), and the replica annotations on creation. */
  private setNewReplicaSetAnnotations(annotations: Record<string, string>, newRevision: string, exists: boolean): { annotations: Record<string, string>; changed: boolean } {
    const out = { ...annotations };
    let changed = false;
    for (const [k, v] of Object.entries(this.d.metadata.annotations ?? {})) {
      if (ANNOTATIONS_NOT_COPIED.has(k) || out[k] === v) continue;
      out[k] = v;
      changed = true;
    }
    const oldRevision = out[REVISION_ANNOTATION];
    const oldInt = oldRevision !== undefined && /^[0-9]+$/.test(oldRevision) ? Number(oldRevision) : 0;
    const newInt = Number(newRevision);
    if (oldInt < newInt) {
      out[REVISION_ANNOTATION] = newRevision;
      changed = true;
      if (oldRevision !== undefined) {
        const history = out[REVISION_HISTORY_ANNOTATION] ?? '';
        const revisions = history === '' ? [] : history.split(',');
        revisions.push(oldRevision);
        while (revisions.join(',').length > MAX_REVISION_HISTORY_CHARS && revisions.length > 1) revisions.shift();
        out[REVISION_HISTORY_ANNOTATION] = revisions.join(',');
      }
    }
    if (!exists) {
      const replicas = desiredReplicas(this.d);
      out[DESIRED_REPLICAS_ANNOTATION] = String(replicas);
      out[MAX_REPLICAS_ANNOTATION] = String(replicas + maxSurgeOf(this.d));
      changed = true;
    }
    return { annotations: out, changed };
  }

  private setDeploymentRevision(revision: string | undefined): void {
    if (revision === undefined) return;
    if (this.d.metadata.annotations?.[REVISION_ANNOTATION] !== revision) this.deploymentRevision = revision;
  }

  /** How many replicas the new ReplicaSet should have now (Kubernetes' NewRSNewReplicas). */
  private newRSNewReplicas(allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
    const replicas = desiredReplicas(this.d);
    if (!isRollingUpdate(this.d)) return replicas;
    // Pods of a ReplicaSet just scaled down count until its status says they are gone, so a
    // scale-up never overtakes the scale-down it depends on (live pods stay within maxSurge).
    const current = allRSs.reduce((n, rs) => n + Math.max(specReplicas(rs), rs.status?.replicas ?? 0), 0);
    const maxTotal = replicas + maxSurgeOf(this.d);
    if (current >= maxTotal) return specReplicas(newRS);
    const up = Math.min(maxTotal - current, replicas - specReplicas(newRS));
    return specReplicas(newRS) + up;
  }

  // -------------------------------------------------------------------------------------
  // Scaling

  private replace(old: ReplicaSet, next: ReplicaSet): ReplicaSet {
    this.rsList = this.rsList.map((rs) => (rs === old ? next : rs));
    return next;
  }

  private current(rs: ReplicaSet): ReplicaSet {
    return this.rsList.find((r) => r.metadata.name === rs.metadata.name) ?? rs;
  }

  /** Kubernetes' scaleReplicaSet: set the size and the replica annotations; an Event when the size changes. */
  private scaleReplicaSet(rs0: ReplicaSet, to: number, operation: 'up' | 'down'): ReplicaSet {
    const rs = this.current(rs0);
    const from = specReplicas(rs);
    const desired = String(desiredReplicas(this.d));
    const max = String(desiredReplicas(this.d) + maxSurgeOf(this.d));
    const annotations = rs.metadata.annotations ?? {};
    const annotationsChange = annotations[DESIRED_REPLICAS_ANNOTATION] !== desired || annotations[MAX_REPLICAS_ANNOTATION] !== max;
    if (from === to && !annotationsChange) return rs;
    const next = this.replace(rs, {
      ...rs,
      metadata: { ...rs.metadata, annotations: { ...annotations, [DESIRED_REPLICAS_ANNOTATION]: desired, [MAX_REPLICAS_ANNOTATION]: max } },
      spec: { ...(rs.spec ?? { selector: {} }), replicas: to },
    });
    this.actions.push({ kind: 'updateReplicaSet', replicaSet: next, ...(from !== to ? { scale: { from, to } } : {}) });
    if (from !== to) this.event('Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata.name ?? ''} to ${to} from ${from}`);
    return next;
  }

  /** Scales only when the size changes (Kubernetes' scaleReplicaSetAndRecordEvent). */
  private scaleAndRecord(rs: ReplicaSet, to: number): boolean {
    const from = specReplicas(this.current(rs));
    if (from === to) return false;
    this.scaleReplicaSet(rs, to, to > from ? 'up' : 'down');
    return true;
  }

  private isScalingEvent(): boolean {
    const replicas = desiredReplicas(this.d);
    for (const rs of this.rsList) {
      if (specReplicas(rs) === 0) continue;
      const v = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      if (v === undefined) continue;
      if (Number(v) !== replicas) return true;
    }
    return false;
  }

  /** Proportional scaling (Kubernetes' scale()). */
  private scale(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): void {
    const replicas = desiredReplicas(this.d);
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest !== undefined) {
      if (specReplicas(activeOrLatest) !== replicas) this.scaleReplicaSet(activeOrLatest, replicas, specReplicas(activeOrLatest) < replicas ? 'up' : 'down');
      return;
    }
    if (newRS !== undefined && this.isSaturated(newRS)) {
      for (const old of oldRSs.filter((rs) => specReplicas(rs) > 0)) this.scaleAndRecord(old, 0);
      return;
    }
    if (!isRollingUpdate(this.d)) return;
    const all = [...oldRSs, ...(newRS !== undefined ? [newRS] : [])].filter((rs) => specReplicas(rs) > 0);
    const allReplicas = all.reduce((n, rs) => n + specReplicas(rs), 0);
    const allowed = replicas > 0 ? replicas + maxSurgeOf(this.d) : 0;
    const toAdd = allowed - allReplicas;
    if (toAdd === 0 || all.length === 0) return;
    all.sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of all) {
      const p = this.proportion(rs, toAdd, added);
      sizes.set(rs, specReplicas(rs) + p);
      added += p;
    }
    const first = all[0] as ReplicaSet;
    sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
    const operation = toAdd > 0 ? 'up' : 'down';
    for (const rs of all) this.scaleReplicaSet(rs, sizes.get(rs) ?? specReplicas(rs), operation);
  }

  private proportion(rs: ReplicaSet, toAdd: number, added: number): number {
    if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
    const fraction = this.fraction(rs);
    const allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  /** How much of a scaling `rs` should take, by its share of the size it was scaled for. */
  private fraction(rs: ReplicaSet): number {
    const replicas = desiredReplicas(this.d);
    if (replicas === 0) return -specReplicas(rs);
    const deploymentReplicas = replicas + maxSurgeOf(this.d);
    const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? NaN);
    const base = Number.isInteger(annotated) ? annotated : (this.d.status?.replicas ?? 0);
    if (base === 0) return 0;
    // Go's math.Round: half away from zero.
    const size = (specReplicas(rs) * deploymentReplicas) / base;
    return Math.sign(size) * Math.round(Math.abs(size)) - specReplicas(rs);
  }

  private isSaturated(rs: ReplicaSet): boolean {
    const replicas = desiredReplicas(this.d);
    const desired = Number(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] ?? NaN);
    return desired === replicas && specReplicas(rs) === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
  }

  // -------------------------------------------------------------------------------------
  // Strategies

  /** A sync without rollout: paused or scaling (Kubernetes' sync()). */
  private sync(paused: boolean): RolloutPlan {
    const { newRS, oldRSs } = this.getAllReplicaSets(false);
    this.scale(newRS, oldRSs);
    if (paused) this.cleanup(this.split().oldRSs);
    return this.finish(this.calculateStatus(this.split().newRS), false);
  }

  private rolloutRolling(): RolloutPlan {
    const { newRS: created, oldRSs } = this.getAllReplicaSets(true);
    if (created === undefined) return this.finish(this.calculateStatus(undefined), true);
    const newRS = created;
    // Scale up the new ReplicaSet, if it can be.
    const replicas = desiredReplicas(this.d);
    let scaledUp = false;
    if (specReplicas(newRS) > replicas) scaledUp = this.scaleAndRecord(newRS, replicas);
    else if (specReplicas(newRS) < replicas) scaledUp = this.scaleAndRecord(newRS, this.newRSNewReplicas(this.rsList, newRS));
    if (scaledUp) return this.finish(this.calculateStatus(this.current(newRS)), true);

    if (this.reconcileOldReplicaSets(this.current(newRS), oldRSs)) return this.finish(this.calculateStatus(this.current(newRS)), true);
    if (deploymentComplete(this.d, this.d.status)) this.cleanup(this.split().oldRSs);
    return this.finish(this.calculateStatus(this.current(newRS)), true);
  }

  private reconcileOldReplicaSets(newRS: ReplicaSet, oldRSs0: readonly ReplicaSet[]): boolean {
    const oldRSs = oldRSs0.map((rs) => this.current(rs));
    const oldPods = oldRSs.reduce((n, rs) => n + specReplicas(rs), 0);
    if (oldPods === 0) return false;
    const allPods = oldPods + specReplicas(newRS);
    const minAvailable = desiredReplicas(this.d) - maxUnavailableOf(this.d);
    const newUnavailable = specReplicas(newRS) - availableOf(newRS);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;

    // First the old pods that are not available: removing them costs no availability.
    let cleaned = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (cleaned >= maxScaledDown) break;
      const cur = this.current(rs);
      const unhealthy = specReplicas(cur) - availableOf(cur);
      if (specReplicas(cur) === 0 || unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - cleaned, unhealthy);
      this.scaleAndRecord(cur, specReplicas(cur) - n);
      cleaned += n;
    }

    // Then available ones, keeping minAvailable.
    const all = [...oldRSs, newRS].map((rs) => this.current(rs));
    const available = all.reduce((n, rs) => n + availableOf(rs), 0);
    let scaledDown = 0;
    if (available > minAvailable) {
      const total = Math.min(available - minAvailable, maxScaledDown - cleaned);
      for (const rs of [...oldRSs].sort(byCreation)) {
        if (scaledDown >= total) break;
        const cur = this.current(rs);
        if (specReplicas(cur) === 0) continue;
        const n = Math.min(specReplicas(cur), total - scaledDown);
        this.scaleAndRecord(cur, specReplicas(cur) - n);
        scaledDown += n;
      }
    }
    return cleaned + scaledDown > 0;
  }

  private rolloutRecreate(): RolloutPlan {
    const first = this.getAllReplicaSets(false);
    let scaledDown = false;
    for (const rs of first.oldRSs) if (specReplicas(rs) > 0) scaledDown = this.scaleAndRecord(rs, 0) || scaledDown;
    if (scaledDown) return this.finish(this.calculateStatus(first.newRS), true);
    if (this.oldPodsRunning(first.newRS, first.oldRSs)) return this.finish(this.calculateStatus(first.newRS), true);
    const { newRS, oldRSs } = first.newRS === undefined ? this.getAllReplicaSets(true) : first;
    if (newRS === undefined) return this.finish(this.calculateStatus(undefined), true);
    if (this.scaleAndRecord(newRS, desiredReplicas(this.d))) return this.finish(this.calculateStatus(this.current(newRS)), true);
    if (deploymentComplete(this.d, this.d.status)) this.cleanup(oldRSs.map((rs) => this.current(rs)));
    return this.finish(this.calculateStatus(this.current(newRS)), true);
  }

  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): boolean {
    if (oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid));
    const newUid = newRS?.metadata.uid;
    return this.pods.some((pod) => {
      const owner = pod.metadata.ownerReferences?.find((o) => o.controller === true);
      if (owner === undefined || owner.uid === newUid || !oldUids.has(owner.uid)) return false;
      const phase = pod.status?.phase;
      return phase !== 'Failed' && phase !== 'Succeeded';
    });
  }

  /** Deletes scaled-down old ReplicaSets beyond revisionHistoryLimit, oldest revisions first. */
  private cleanup(oldRSs: readonly ReplicaSet[]): void {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined) return;
    const cleanable = oldRSs.filter((rs) => rs.metadata.deletionTimestamp === undefined).sort(byRevision);
    const diff = cleanable.length - limit;
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i] as ReplicaSet;
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0) continue;
      if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      this.actions.push({ kind: 'deleteReplicaSet', name: rs.metadata.name ?? '', uid: rs.metadata.uid });
      this.rsList = this.rsList.filter((r) => r !== rs);
    }
  }

  // -------------------------------------------------------------------------------------
  // Status

  private hasProgressDeadline(): boolean {
    const p = this.d.spec?.progressDeadlineSeconds;
    return p !== undefined && p !== MAX_INT32;
  }

  private checkPausedConditions(): void {
    if (!this.hasProgressDeadline()) return;
    const cond = getCondition({ conditions: this.conditions }, 'Progressing');
    if (cond?.reason === Reasons.ProgressDeadlineExceeded) return;
    const pausedExists = cond?.reason === Reasons.DeploymentPaused;
    if (this.d.spec?.paused === true && !pausedExists) {
      this.conditions = setCondition(this.conditions, newCondition('Progressing', 'Unknown', Reasons.DeploymentPaused, 'Deployment is paused', this.now));
    } else if (this.d.spec?.paused !== true && pausedExists) {
      this.conditions = setCondition(this.conditions, newCondition('Progressing', 'Unknown', Reasons.DeploymentResumed, 'Deployment is resumed', this.now));
    }
  }

  /** Kubernetes' calculateStatus: counts from the ReplicaSets' status, and the Available condition. */
  private calculateStatus(newRS: ReplicaSet | undefined): DeploymentStatus {
    const all = this.rsList;
    const sum = (f: (rs: ReplicaSet) => number): number => all.reduce((n, rs) => n + f(rs), 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const total = sum(specReplicas);
    const replicas = desiredReplicas(this.d);
    let conditions = this.conditions;
    conditions = available >= replicas - maxUnavailableOf(this.d)
      ? setCondition(conditions, newCondition('Available', 'True', Reasons.MinimumReplicasAvailable, 'Deployment has minimum availability.', this.now))
      : setCondition(conditions, newCondition('Available', 'False', Reasons.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', this.now));
    return {
      observedGeneration: this.d.metadata.generation ?? 0,
      replicas: sum((rs) => rs.status?.replicas ?? 0),
      updatedReplicas: newRS === undefined ? 0 : (this.current(newRS).status?.replicas ?? 0),
      readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      ...(this.collisionCount !== undefined ? { collisionCount: this.collisionCount } : {}),
      ...(conditions.length > 0 ? { conditions } : {}),
    };
  }

  /** Kubernetes' syncRolloutStatus (with `rollout`) or syncDeploymentStatus (without), then the plan. */
  private finish(calculated: DeploymentStatus, rollout: boolean): RolloutPlan {
    let status = calculated;
    const newRS = this.split().newRS;
    if (rollout) {
      let conditions = status.conditions ?? [];
      if (!this.hasProgressDeadline()) conditions = removeCondition(conditions, 'Progressing');
      const current = getCondition(this.d.status, 'Progressing');
      const complete = status.replicas === status.updatedReplicas && current?.reason === Reasons.NewReplicaSetAvailable;
      if (this.hasProgressDeadline() && !complete) {
        const rsName = newRS?.metadata.name ?? '';
        if (deploymentComplete(this.d, status)) {
          const msg = newRS !== undefined ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${this.name}" has successfully progressed.`;
          conditions = setCondition(conditions, newCondition('Progressing', 'True', Reasons.NewReplicaSetAvailable, msg, this.now));
        } else if (deploymentProgressing(this.d.status, status)) {
          const working = getCondition({ conditions }, 'Progressing');
          let cond = newCondition('Progressing', 'True', Reasons.ReplicaSetUpdated, `ReplicaSet "${rsName}" is progressing.`, this.now);
          if (working?.status === 'True' && working.lastTransitionTime !== undefined) cond = { ...cond, lastTransitionTime: working.lastTransitionTime };
          conditions = [...removeCondition(conditions, 'Progressing'), cond];
        } else if (this.timedOut(conditions)) {
          conditions = setCondition(conditions, newCondition('Progressing', 'False', Reasons.ProgressDeadlineExceeded, `ReplicaSet "${rsName}" has timed out progressing.`, this.now));
        }
      }
      // ReplicaFailure, as Kubernetes' syncRolloutStatus: the new ReplicaSet's failure
      // first, else any ReplicaSet's; removed when none reports one.
      const failing = [newRS, ...this.split().oldRSs].find((rs) => rs !== undefined && (rs.status?.conditions ?? []).some((c) => c.type === 'ReplicaFailure' && c.status === 'True'));
      const failure = failing?.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
      if (failure !== undefined) {
        conditions = setCondition(conditions, newCondition('ReplicaFailure', 'True', failure.reason ?? '', failure.message ?? '', this.now));
      } else {
        conditions = removeCondition(conditions, 'ReplicaFailure');
      }
      status = withConditions(status, conditions);
    }
    const actions = [...this.actions];
    if (this.deploymentRevision !== undefined) {
      actions.push({ kind: 'updateDeploymentAnnotations', annotations: { [REVISION_ANNOTATION]: this.deploymentRevision } });
    }
    const changed = !statusEqual(status, this.d.status);
    return { actions, status: changed ? status : undefined, requeueAfterMs: rollout ? this.requeueAfter(status) : undefined };
  }

  private timedOut(conditions: readonly DeploymentCondition[]): boolean {
    const cond = getCondition({ conditions }, 'Progressing');
    if (cond === undefined || cond.reason === Reasons.NewReplicaSetAvailable) return false;
    if (cond.reason === Reasons.ProgressDeadlineExceeded) return true;
    const from = cond.lastUpdateTime === undefined ? NaN : Date.parse(cond.lastUpdateTime);
    if (Number.isNaN(from)) return false;
    return from + (this.d.spec?.progressDeadlineSeconds ?? 0) * 1000 < this.now;
  }

  /** When the progress deadline of a stuck rollout expires (Kubernetes' requeueStuckDeployment). */
  private requeueAfter(status: DeploymentStatus): number | undefined {
    if (!this.hasProgressDeadline() || deploymentComplete(this.d, status)) return undefined;
    const cond = getCondition(status, 'Progressing');
    if (cond === undefined || cond.reason === Reasons.ProgressDeadlineExceeded || cond.reason === Reasons.DeploymentPaused) return undefined;
    if (cond.reason === Reasons.NewReplicaSetAvailable) return undefined;
    const from = cond.lastUpdateTime === undefined ? NaN : Date.parse(cond.lastUpdateTime);
    if (Number.isNaN(from)) return undefined;
    const at = from + (this.d.spec?.progressDeadlineSeconds ?? 0) * 1000;
    return Math.max(0, at - this.now) + 1;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.actions.push({ kind: 'event', type, reason, message });
  }
}

/**
 * Available pods of a ReplicaSet that will stay: its status count, capped at its size (an
 * RS just scaled down still reports pods about to go; counting them would let a rollout scale
 * down twice for the same headroom).
 */
function availableOf(rs: ReplicaSet): number {
  return Math.min(rs.status?.availableReplicas ?? 0, specReplicas(rs));
}

function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (newRS === undefined && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = [...newestFirst, ...(newRS !== undefined ? [newRS] : [])].filter((rs) => specReplicas(rs) > 0);
  if (active.length === 1) return active[0];
  if (active.length === 0) return newRS ?? newestFirst[0];
  return undefined;
}

/** Kubernetes' DeploymentComplete: every replica updated and available, and the latest generation observed. */
function deploymentComplete(d: Deployment, status: DeploymentStatus | undefined): boolean {
  const replicas = desiredReplicas(d);
  return (
    (status?.updatedReplicas ?? 0) === replicas &&
    (status?.replicas ?? 0) === replicas &&
    (status?.availableReplicas ?? 0) === replicas &&
    (status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** Kubernetes' DeploymentProgressing: more updated, fewer old, more ready or more available pods than before. */
function deploymentProgressing(old: DeploymentStatus | undefined, next: DeploymentStatus): boolean {
  const oldOld = (old?.replicas ?? 0) - (old?.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old?.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old?.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old?.availableReplicas ?? 0)
  );
}

/**
 * Whether two statuses are the same for the purpose of writing one: the counts (absent = 0),
 * the collision count, and the conditions compared by type, status, reason, message and times
 * whatever their order. Compared field by field (this runs on every sync).
 */
function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  const x = a ?? {};
  const y = b ?? {};
  if (
    (x.observedGeneration ?? 0) !== (y.observedGeneration ?? 0) ||
    (x.replicas ?? 0) !== (y.replicas ?? 0) ||
    (x.updatedReplicas ?? 0) !== (y.updatedReplicas ?? 0) ||
    (x.readyReplicas ?? 0) !== (y.readyReplicas ?? 0) ||
    (x.availableReplicas ?? 0) !== (y.availableReplicas ?? 0) ||
    (x.unavailableReplicas ?? 0) !== (y.unavailableReplicas ?? 0) ||
    (x.collisionCount ?? null) !== (y.collisionCount ?? null)
  ) {
    return false;
  }
  const cx = x.conditions ?? [];
  const cy = y.conditions ?? [];
  if (cx.length !== cy.length) return false;
  if (cx === cy) return true;
  const sx = sortedByType(cx);
  const sy = sortedByType(cy);
  for (let i = 0; i < sx.length; i++) {
    const p = sx[i] as DeploymentCondition;
    const q = sy[i] as DeploymentCondition;
    if (
      p.type !== q.type ||
      p.status !== q.status ||
      (p.reason ?? '') !== (q.reason ?? '') ||
      (p.message ?? '') !== (q.message ?? '') ||
      (p.lastUpdateTime ?? '') !== (q.lastUpdateTime ?? '') ||
      (p.lastTransitionTime ?? '') !== (q.lastTransitionTime ?? '')
    ) {
      return false;
    }
  }
  return true;
}

/** Conditions in type order (stable for equal types). */
function sortedByType(conditions: readonly DeploymentCondition[]): readonly DeploymentCondition[] {
  return [...conditions].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

function withConditions(status: DeploymentStatus, conditions: readonly DeploymentCondition[]): DeploymentStatus {
  const out: { -readonly [K in keyof DeploymentStatus]: DeploymentStatus[K] } = { ...status };
  if (conditions.length > 0) out.conditions = conditions;
  else delete out.conditions;
  return out;
}
