import test from 'ava';
import { ReplicaSet } from '../../../src/api/generated/kinds.js';
import type * as T from '../../../src/api/generated/types.js';
import { computeTemplateHash, planRollout, rollbackDeployment } from '../../../src/controllers/deployment/index.js';
import { NS, cluster, deployment, getDeployment, imageOf, replicaSetsOf, updateSpec, withImage } from './_helpers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const template = (image: string): T.PodTemplateSpec => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });

function deploy(spec: Partial<T.DeploymentSpec> = {}, status?: T.DeploymentStatus): T.Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1 },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: template('v2'),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...spec,
    },
    ...(status !== undefined ? { status } : {}),
  };
}

function rs(image: string, o: { spec: number; available?: number; revision: number; conditions?: T.ReplicaSetCondition[] }): T.ReplicaSet {
  const hash = computeTemplateHash(template(image));
  const labels = { app: 'web', 'pod-template-hash': hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`, namespace: 'default', uid: `rs-${image}`, resourceVersion: '1', generation: 1,
      creationTimestamp: iso(NOW - 100_000), labels,
      annotations: { 'deployment.kubernetes.io/revision': String(o.revision), 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }],
    },
    spec: { replicas: o.spec, selector: { matchLabels: labels }, template: { ...template(image), metadata: { labels } }, minReadySeconds: 0 },
    status: { replicas: o.spec, availableReplicas: o.available ?? o.spec, readyReplicas: o.available ?? o.spec, observedGeneration: 1, ...(o.conditions !== undefined ? { conditions: o.conditions } : {}) },
  };
}

test('a ReplicaFailure condition on the new ReplicaSet is surfaced on the Deployment as ReplicaFailure', (t) => {
  // Kubernetes' syncRolloutStatus copies the new (else any) ReplicaSet's ReplicaFailure condition
  // (getReplicaFailures) so that `kubectl describe deploy` shows why pods cannot be created.
  const failure: T.ReplicaSetCondition = { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota', lastTransitionTime: iso(NOW - 5000) };
  const status: T.DeploymentStatus = { observedGeneration: 1, replicas: 3, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 };
  const plan = planRollout(deploy({}, status), [rs('v1', { spec: 3, revision: 1 }), rs('v2', { spec: 1, available: 0, revision: 2, conditions: [failure] })], [], NOW);
  const cond = (plan.status?.conditions ?? []).find((c) => c.type === 'ReplicaFailure');
  t.like(cond, { status: 'True', reason: 'FailedCreate', message: failure.message });
});

test('rolling back to a revision that had no change-cause drops the current change-cause, as kubectl rollout undo does', async (t) => {
  // kubectl's DeploymentRollbacker replaces metadata.annotations with the ReplicaSet's (keeping only
  // the controller's own annotations), so revision 1's history does not inherit revision 2's cause.
  const c = await cluster([deployment('web')]);
  await c.settle();
  await updateSpec(c, 'web', withImage('nginx:2'), { 'kubernetes.io/change-cause': 'upgrade to 2' });
  await c.settle();
  const r = await rollbackDeployment(c.admin, { namespace: NS, name: 'web' }, 1);
  t.true(r.changed);
  t.is(r.deployment.metadata.annotations?.['kubernetes.io/change-cause'], undefined);
  await c.settle();
  const d = await getDeployment(c, 'web');
  const rev1 = (await replicaSetsOf(c, d)).find((x) => imageOf(x.spec?.template ?? {}) === 'nginx:1');
  t.is(rev1?.metadata.annotations?.['kubernetes.io/change-cause'], undefined, 'revision history of nginx:1 now claims the cause of nginx:2');
  await c.stop();
});

test('a ReplicaSet relabelled out of the selector is released and replaced, as ClaimReplicaSets does', async (t) => {
  // Kubernetes' getReplicaSetsForDeployment claims with the selector: an owned ReplicaSet whose
  // labels no longer match has its controller reference removed (the standard "quarantine" move).
  const c = await cluster([deployment('web', { replicas: 2 })]);
  await c.settle();
  const d = await getDeployment(c, 'web');
  const [first] = await replicaSetsOf(c, d);
  if (first === undefined) return t.fail('no ReplicaSet');
  await c.admin.update(ReplicaSet, { ...first, metadata: { ...first.metadata, labels: { ...(first.metadata.labels ?? {}), app: 'quarantine' } } });
  await c.settle();
  const released = await c.admin.get(ReplicaSet, first.metadata.name ?? '', { namespace: NS });
  t.is(released.metadata.ownerReferences?.find((o) => o.controller === true), undefined, 'still controlled by the Deployment');
  t.is((await getDeployment(c, 'web')).status?.replicas, 2);
  await c.stop();
});
