import test from 'ava';
import type { Pod, ReplicaSet } from '../../../src/api/generated/types.js';
import { planReplicaSet, replicaSetStatus, REPLICA_FAILURE } from '../../../src/controllers/replicaset/plan.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function mkRs(replicas: number, extra: { minReadySeconds?: number; deleting?: boolean; generation?: number; conditions?: NonNullable<ReplicaSet['status']>['conditions'] } = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'default', uid: 'rs-uid', generation: extra.generation ?? 1, ...(extra.deleting === true ? { deletionTimestamp: iso(NOW) } : {}) },
    spec: {
      replicas,
      ...(extra.minReadySeconds !== undefined ? { minReadySeconds: extra.minReadySeconds } : {}),
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    },
    ...(extra.conditions !== undefined ? { status: { replicas: 0, conditions: extra.conditions } } : {}),
  };
}

interface PodOpts {
  owner?: string | null;
  labels?: Record<string, string>;
  node?: string;
  phase?: string;
  ready?: boolean;
  readySince?: number;
  restarts?: number;
  created?: number;
  deleting?: boolean;
}
function mkPod(name: string, o: PodOpts = {}): Pod {
  const owner = o.owner === undefined ? 'rs-uid' : o.owner;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'web', tier: 'front' },
      creationTimestamp: iso(o.created ?? NOW - 60_000),
      ...(owner !== null ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner === 'rs-uid' ? 'web' : 'other', uid: owner, controller: true }] } : {}),
      ...(o.deleting === true ? { deletionTimestamp: iso(NOW + 30_000) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(o.node !== undefined ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? (o.ready === true ? 'Running' : 'Pending'),
      ...(o.ready !== undefined ? { conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: iso(o.readySince ?? NOW - 60_000) }] } : {}),
      ...(o.restarts !== undefined ? { containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: o.ready ?? false, restartCount: o.restarts }] } : {}),
    },
  };
}
const names = (pods: readonly Pod[]): string[] => pods.map((p) => p.metadata.name ?? '');

const scaleTable: { title: string; replicas: number; pods: Pod[]; creates: number; deletes: string[] }[] = [
  { title: 'no pods and 3 replicas: create 3', replicas: 3, pods: [], creates: 3, deletes: [] },
  { title: 'as many active pods as replicas: nothing', replicas: 2, pods: [mkPod('a', { ready: true, node: 'n' }), mkPod('b', { ready: true, node: 'n' })], creates: 0, deletes: [] },
  { title: 'a Failed pod does not count and is replaced', replicas: 2, pods: [mkPod('a', { ready: true, node: 'n' }), mkPod('b', { phase: 'Failed', node: 'n' })], creates: 1, deletes: [] },
  { title: 'a Succeeded pod does not count', replicas: 1, pods: [mkPod('a', { phase: 'Succeeded', node: 'n' })], creates: 1, deletes: [] },
  { title: 'a terminating pod does not count', replicas: 1, pods: [mkPod('a', { ready: true, node: 'n', deleting: true })], creates: 1, deletes: [] },
  { title: 'pods controlled by another owner are ignored', replicas: 1, pods: [mkPod('a', { owner: 'other-uid', ready: true })], creates: 1, deletes: [] },
  { title: 'an unscheduled pod goes before a scheduled one', replicas: 1, pods: [mkPod('sched', { node: 'n' }), mkPod('unsched')], creates: 0, deletes: ['unsched'] },
  { title: 'a pending pod goes before a running one', replicas: 1, pods: [mkPod('run', { node: 'n', phase: 'Running', ready: false }), mkPod('pend', { node: 'n', phase: 'Pending' })], creates: 0, deletes: ['pend'] },
  { title: 'a not-ready pod goes before a ready one', replicas: 1, pods: [mkPod('ready', { node: 'n', ready: true }), mkPod('notready', { node: 'n', phase: 'Running', ready: false })], creates: 0, deletes: ['notready'] },
  { title: 'of two ready pods, the one ready for less time goes first', replicas: 1, pods: [mkPod('old', { node: 'n', ready: true, readySince: NOW - 100_000 }), mkPod('young', { node: 'n', ready: true, readySince: NOW - 10_000 })], creates: 0, deletes: ['young'] },
  { title: 'more restarts go first', replicas: 1, pods: [mkPod('calm', { node: 'n', ready: true, restarts: 0 }), mkPod('crashy', { node: 'n', ready: true, restarts: 5 })], creates: 0, deletes: ['crashy'] },
  { title: 'newer goes before older', replicas: 1, pods: [mkPod('older', { node: 'n', ready: true, created: NOW - 50_000 }), mkPod('newer', { node: 'n', ready: true, created: NOW - 5_000 })], creates: 0, deletes: ['newer'] },
  { title: 'a pod sharing its node with more siblings goes first', replicas: 2, pods: [mkPod('alone', { node: 'n1', ready: true }), mkPod('crowd1', { node: 'n2', ready: true }), mkPod('crowd2', { node: 'n2', ready: true })], creates: 0, deletes: ['crowd1'] },
  { title: 'scale to zero deletes every active pod, worst first', replicas: 0, pods: [mkPod('r', { node: 'n', ready: true }), mkPod('p')], creates: 0, deletes: ['p', 'r'] },
];
for (const row of scaleTable) {
  test(`plan: ${row.title}`, (t) => {
    const plan = planReplicaSet(mkRs(row.replicas), row.pods, NOW);
    t.is(plan.creates, row.creates);
    t.deepEqual(names(plan.deletes), row.deletes);
  });
}

test('plan: creates are capped by the burst', (t) => {
  t.is(planReplicaSet(mkRs(1000), [], NOW).creates, 500);
  t.is(planReplicaSet(mkRs(10), [], NOW, { burst: 4 }).creates, 4);
});

test('plan: nothing is created or deleted while expectations are unmet, but status is still computed', (t) => {
  const plan = planReplicaSet(mkRs(3), [mkPod('a', { node: 'n', ready: true })], NOW, { expectationsSatisfied: false });
  t.is(plan.creates, 0);
  t.deepEqual(plan.deletes, []);
  t.is(plan.status.replicas, 1);
  t.is(planReplicaSet(mkRs(0), [mkPod('a')], NOW, { expectationsSatisfied: false }).deletes.length, 0);
});

test('plan: a ReplicaSet being deleted neither creates, deletes nor adopts', (t) => {
  const plan = planReplicaSet(mkRs(3, { deleting: true }), [mkPod('orphan', { owner: null })], NOW);
  t.is(plan.creates, 0);
  t.deepEqual(plan.adopt, []);
});

test('plan: matching orphans are adopted and count, orphans being deleted or not matching are not', (t) => {
  const pods = [mkPod('match', { owner: null, ready: true, node: 'n' }), mkPod('gone', { owner: null, deleting: true }), mkPod('nomatch', { owner: null, labels: { app: 'db' } })];
  const plan = planReplicaSet(mkRs(2), pods, NOW);
  t.deepEqual(names(plan.adopt), ['match']);
  t.is(plan.creates, 1);
  t.is(plan.status.replicas, 1);
});

test('plan: owned pods whose labels stop matching are released and replaced', (t) => {
  const plan = planReplicaSet(mkRs(1), [mkPod('moved', { labels: { app: 'debug' }, ready: true, node: 'n' })], NOW);
  t.deepEqual(names(plan.release), ['moved']);
  t.is(plan.creates, 1);
  t.is(plan.status.replicas, 0);
});

test('plan: status counts replicas, fully labeled, ready and available pods and the observed generation', (t) => {
  const pods = [
    mkPod('a', { node: 'n', ready: true, readySince: NOW - 60_000 }),
    mkPod('b', { node: 'n', ready: true, readySince: NOW - 2_000, labels: { app: 'web' } }),
    mkPod('c', { node: 'n', phase: 'Running', ready: false }),
    mkPod('d', { node: 'n', ready: true, deleting: true }),
  ];
  const plan = planReplicaSet(mkRs(3, { minReadySeconds: 10, generation: 7 }), pods, NOW);
  t.deepEqual(plan.status, { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 7, terminatingReplicas: 1 });
  t.is(plan.requeueAfterMs, 8_000);
});

test('plan: without minReadySeconds a ready pod is available at once and no requeue is asked', (t) => {
  const plan = planReplicaSet(mkRs(1), [mkPod('a', { node: 'n', ready: true, readySince: NOW })], NOW);
  t.is(plan.status.availableReplicas, 1);
  t.is(plan.requeueAfterMs, undefined);
});

test('status: a manage error adds ReplicaFailure once, and success removes it', (t) => {
  const withErr = replicaSetStatus(mkRs(1), [], NOW, { reason: 'FailedCreate', message: 'quota exceeded' });
  const cond = withErr.conditions?.find((c) => c.type === REPLICA_FAILURE);
  t.like(cond, { status: 'True', reason: 'FailedCreate', message: 'quota exceeded' });
  const kept = replicaSetStatus(mkRs(1, { conditions: [cond!] }), [], NOW + 5_000, { reason: 'FailedCreate', message: 'other' });
  t.deepEqual(kept.conditions, [cond]);
  const cleared = replicaSetStatus(mkRs(1, { conditions: [cond!] }), [], NOW, undefined);
  t.is(cleared.conditions, undefined);
});
