/**
 * `kubectl rollout undo` as a library call.
 *
 * @packageDocumentation
 */
import { Deployment, ReplicaSet } from '../../api/generated/kinds.js';
import type * as T from '../../api/generated/types.js';
import { mutate, type Client } from '../../client/client.js';
import type { ObjectRef } from '../../store/store.js';
import { ANNOTATIONS_NOT_COPIED, DeploymentError, POD_TEMPLATE_HASH_LABEL, revisionOf, templatesEqual } from './util.js';

/** What {@link rollbackDeployment} did. @public */
export interface RollbackResult {
  /** The revision whose template the Deployment now has. */
  readonly revision: number;
  /** False when the Deployment already had that template (nothing was written). */
  readonly changed: boolean;
  readonly deployment: T.Deployment;
}

/**
 * Rolls a Deployment back to an earlier revision, as `kubectl rollout undo` does: copies the
 * pod template of the ReplicaSet of revision `toRevision` (default: the revision before the
 * current one) into the Deployment, with that ReplicaSet's annotations (its
 * `kubernetes.io/change-cause`, …; not the controller's revision and replica annotations).
 * The Deployment controller then finds the old ReplicaSet by template, renumbers it as the
 * newest revision and rolls to it.
 *
 * Guarantees: a Deployment that already has the template of the revision is not written
 * (`changed: false`); conflicts are retried.
 *
 * Errors: `DeploymentError` `Paused` (resume the Deployment first), `NoRolloutHistory` (no
 * ReplicaSet of this Deployment has a revision), `RevisionNotFound` (no ReplicaSet has
 * `toRevision`, or there is no previous one); store errors (`NotFound`, …) as is.
 *
 * @example
 * ```ts
 * await rollbackDeployment(client, { namespace: 'default', name: 'web' });        // previous revision
 * await rollbackDeployment(client, { namespace: 'default', name: 'web' }, 2);     // revision 2
 * ```
 * @public
 */
export async function rollbackDeployment(client: Client, ref: ObjectRef, toRevision?: number): Promise<RollbackResult> {
  const d = await client.get(Deployment, ref.name, { namespace: ref.namespace });
  if (d.spec?.paused === true) {
    throw new DeploymentError('Paused', `deployment ${ref.name} is paused; resume it first (spec.paused: false, or kubectl rollout resume) and then roll back`);
  }
  const all = (await client.list(ReplicaSet, { namespace: d.metadata.namespace })).items;
  const owned = all.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === d.metadata.uid) ?? false);
  const withRevision = owned.filter((rs) => revisionOf(rs) > 0);
  if (withRevision.length === 0) throw new DeploymentError('NoRolloutHistory', `deployment ${ref.name} has no rollout history: none of its ReplicaSets carries a revision yet; wait for the controller to create one`);
  let target: T.ReplicaSet | undefined;
  if (toRevision === undefined || toRevision === 0) {
    const revisions = [...new Set(withRevision.map(revisionOf))].sort((a, b) => b - a);
    const previous = revisions[1];
    if (previous === undefined) throw new DeploymentError('RevisionNotFound', `deployment ${ref.name} has no previous revision to roll back to (only revision ${revisions[0] ?? 0})`);
    target = withRevision.find((rs) => revisionOf(rs) === previous);
  } else {
    target = withRevision.find((rs) => revisionOf(rs) === toRevision);
    if (target === undefined) {
      const known = withRevision.map(revisionOf).sort((a, b) => a - b).join(', ');
      throw new DeploymentError('RevisionNotFound', `unable to find revision ${toRevision} of deployment ${ref.name}; known revisions: ${known}`);
    }
  }
  const rs = target as T.ReplicaSet;
  const revision = revisionOf(rs);
  const template = withoutHashLabel(rs.spec?.template);
  if (templatesEqual(template, d.spec?.template)) return { revision, changed: false, deployment: d };
  // As kubectl rollout undo: the Deployment's annotations become the revision's, except the
  // controller's own bookkeeping annotations, which the Deployment keeps.
  const fromRevision: Record<string, string> = {};
  for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (!ANNOTATIONS_NOT_COPIED.has(k)) fromRevision[k] = v;
  const written = await mutate(client, Deployment, { name: ref.name, namespace: d.metadata.namespace }, (draft) => {
    if (draft.spec === undefined) return;
    draft.spec.template = structuredClone(template) as typeof draft.spec.template;
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(draft.metadata.annotations ?? {})) if (ANNOTATIONS_NOT_COPIED.has(k)) kept[k] = v;
    const next = { ...kept, ...fromRevision };
    if (Object.keys(next).length === 0) delete draft.metadata.annotations;
    else draft.metadata.annotations = next;
  });
  return { revision, changed: true, deployment: written };
}

function withoutHashLabel(template: T.PodTemplateSpec | undefined): T.PodTemplateSpec {
  const t = template ?? {};
  const labels = { ...(t.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  return { ...t, metadata: { ...(t.metadata ?? {}), labels } };
}
