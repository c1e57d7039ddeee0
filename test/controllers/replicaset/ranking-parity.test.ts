import test from 'ava';
import fc from 'fast-check';
import { Deployment, Pod, ReplicaSet } from '../../../src/api/generated/kinds.js';
import type { OwnerReference, Pod as PodT, ReplicaSet as RsT } from '../../../src/api/generated/types.js';
import { comparePodsForDeletion, podDeletionCost, POD_DELETION_COST_ANNOTATION } from '../../../src/controllers/common/ranking.js';
import { planReplicaSet } from '../../../src/controllers/replicaset/plan.js';
import { replicaSetController } from '../../../src/controllers/replicaset/controller.js';
import { createTestCluster, type TestCluster } from '../../../src/testing/cluster.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function mkRs(replicas: number): RsT {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'default', uid: 'rs-uid', generation: 1 },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  };
}

interface PodOpts {
  annotations?: Record<string, string>;
  node?: string;
  ready?: boolean;
  ownerUid?: string;
  namespace?: string;
  deleting?: boolean;
}

function mkPod(name: string, annotations: Record<string, string> = {}, opts: PodOpts = {}): PodT {
  const ready = opts.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name, namespace: opts.namespace ?? 'default', uid: `uid-${name}`, labels: { app: 'web' }, annotations, creationTimestamp: iso(NOW - 60_000),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: opts.ownerUid ?? 'rs-uid', controller: true }],
      ...(opts.deleting === true ? { deletionTimestamp: iso(NOW) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }], nodeName: opts.node ?? 'n1' },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: iso(NOW - 60_000) }] },
  };
}

const cost = (v: string): Record<string, string> => ({ [POD_DELETION_COST_ANNOTATION]: v });
const names = (pods: readonly PodT[]): string[] => pods.map((p) => p.metadata.name ?? '');

test('scale down deletes the pod with the lowest pod-deletion-cost first', (t) => {
  // Kubernetes' ActivePodsWithRanks (PodDeletionCost, beta and on since 1.22): lower
  // controller.kubernetes.io/pod-deletion-cost is deleted first, before rank/age tie-breaks.
  const pods = [mkPod('a', cost('100')), mkPod('b', cost('-5'))];
  const plan = planReplicaSet(mkRs(1), pods, NOW);
  t.deepEqual(names(plan.deletes), ['b']);
});

test('a pod deletion cost that is not a base-10 int32 counts as 0', (t) => {
  t.is(podDeletionCost(mkPod('a', cost('+7'))), 7);
  t.is(podDeletionCost(mkPod('a', cost('-2147483648'))), -2147483648);
  t.is(podDeletionCost(mkPod('a', cost('2147483647'))), 2147483647);
  for (const bad of ['2147483648', '1.5', '1e3', '0x10', ' 3', '', 'abc', '-']) t.is(podDeletionCost(mkPod('a', cost(bad))), 0, bad);
  t.is(podDeletionCost(mkPod('a')), 0);
  // An invalid cost ties with a missing one: the newer/name tie-break decides.
  t.true(comparePodsForDeletion(mkPod('a', cost('junk')), mkPod('b')) < 0);
});

test('a not-ready pod is deleted before a ready pod of lower deletion cost', (t) => {
  const pods = [mkPod('ready-cheap', cost('-100')), mkPod('unready-dear', cost('100'), { ready: false })];
  t.deepEqual(names(planReplicaSet(mkRs(1), pods, NOW).deletes), ['unready-dear']);
});

test('the deletion cost outranks co-location on a crowded node', (t) => {
  // crowded-1 and crowded-2 share n1; alone is by itself on n2 but costs less.
  const pods = [mkPod('crowded-1', cost('10'), { node: 'n1' }), mkPod('crowded-2', cost('10'), { node: 'n1' }), mkPod('alone', cost('1'), { node: 'n2' })];
  t.deepEqual(names(planReplicaSet(mkRs(2), pods, NOW).deletes), ['alone']);
});

test('any order of distinct deletion costs sorts by cost when nothing else differs', (t) => {
  t.notThrows(() => fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: -2147483648, max: 2147483647 }), { minLength: 1, maxLength: 8 }), (costs) => {
      const pods = costs.map((c, i) => mkPod(`p${i}`, cost(String(c))));
      const sorted = [...pods].sort((a, b) => comparePodsForDeletion(a, b));
      const got = sorted.map(podDeletionCost);
      return got.every((c, i) => i === 0 || (got[i - 1] ?? c) < c);
    }),
  ));
});

test('related pods of sibling ReplicaSets make a node crowded for the ranking', (t) => {
  const own = [mkPod('a', {}, { node: 'n1' }), mkPod('b', {}, { node: 'n2' })];
  // Without related pods the two tie on rank and the name decides.
  t.deepEqual(names(planReplicaSet(mkRs(1), own, NOW).deletes), ['a']);
  const sibling = mkPod('s', {}, { node: 'n2', ownerUid: 'other-rs' });
  t.deepEqual(names(planReplicaSet(mkRs(1), own, NOW, { relatedPods: [sibling] }).deletes), ['b']);
  // The related pods are not this ReplicaSet's: never deleted, not counted in its status.
  const plan = planReplicaSet(mkRs(0), own, NOW, { relatedPods: [sibling] });
  t.deepEqual(names(plan.deletes).sort(), ['a', 'b']);
  t.is(plan.status.replicas, 2);
});

test('inactive or other-namespace related pods do not crowd a node, nor do pods listed twice', (t) => {
  const own = [mkPod('a', {}, { node: 'n1' }), mkPod('b', {}, { node: 'n2' })];
  const related = [
    mkPod('gone', {}, { node: 'n2', ownerUid: 'other-rs', deleting: true }),
    mkPod('elsewhere', {}, { node: 'n2', ownerUid: 'other-rs', namespace: 'other' }),
    ...own.filter((p) => p.metadata.name === 'b'),
  ];
  t.deepEqual(names(planReplicaSet(mkRs(1), own, NOW, { relatedPods: related }).deletes), ['a']);
});

async function deploymentWithReplicaSets(c: TestCluster): Promise<{ mk: (name: string, hash: string, replicas: number, owned?: boolean) => Promise<RsT>; pod: (name: string, rs: RsT, hash: string, node: string) => Promise<void> }> {
  const dep = await c.admin.create(Deployment, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  }, { namespace: 'default' });
  const depRef: OwnerReference = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: dep.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
  const mk = async (name: string, hash: string, replicas: number, owned = true): Promise<RsT> => c.admin.create(ReplicaSet, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', ...(owned ? { ownerReferences: [depRef] } : {}) },
    spec: { replicas, selector: { matchLabels: { app: 'web', hash } }, template: { metadata: { labels: { app: 'web', hash } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  }, { namespace: 'default' });
  const pod = async (name: string, rs: RsT, hash: string, node: string): Promise<void> => {
    await c.admin.create(Pod, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { app: 'web', hash }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name ?? '', uid: rs.metadata.uid ?? '', controller: true }] },
      spec: { containers: [{ name: 'c', image: 'i' }], nodeName: node },
    }, { namespace: 'default' });
  };
  return { mk, pod };
}

async function scaleTo(c: TestCluster, name: string, replicas: number): Promise<string[]> {
  const cur = await c.admin.get(ReplicaSet, name, { namespace: 'default' });
  await c.admin.update(ReplicaSet, { ...cur, spec: { ...cur.spec!, replicas } });
  await c.settle();
  return (await c.admin.list(Pod, { namespace: 'default' })).items.filter((p) => p.metadata.deletionTimestamp === undefined).map((p) => p.metadata.name ?? '').sort();
}

test('scale down of a ReplicaSet prefers pods on nodes crowded with pods of its Deployment\'s other ReplicaSets', async (t) => {
  const c = await createTestCluster({ controllers: [replicaSetController] });
  const { mk, pod } = await deploymentWithReplicaSets(c);
  const oldRs = await mk('web-old', 'old', 2);
  const newRs = await mk('web-new', 'new', 1);
  // Same age and state: only the co-location rank tells them apart. node-1 has 1 pod of the
  // Deployment (old-a); node-2 has 2 (old-b and the new ReplicaSet's pod).
  await pod('old-a', oldRs, 'old', 'node-1');
  await pod('old-b', oldRs, 'old', 'node-2');
  await pod('new-c', newRs, 'new', 'node-2');
  await c.settle();
  // Kubernetes ranks by the pods of every ReplicaSet of the same Deployment (getIndirectlyRelatedPods):
  // old-b shares node-2 with new-c, so it goes, leaving one pod per node.
  t.deepEqual(await scaleTo(c, 'web-old', 1), ['new-c', 'old-a']);
  await c.stop();
});

test('pods of a ReplicaSet with another owner do not crowd a node', async (t) => {
  const c = await createTestCluster({ controllers: [replicaSetController] });
  const { mk, pod } = await deploymentWithReplicaSets(c);
  const oldRs = await mk('web-old', 'old', 2);
  const standalone = await mk('web-other', 'other', 1, false);
  // old-b's node holds a pod of an unrelated ReplicaSet: the tie stays, and the name decides (old-a goes).
  await pod('old-a', oldRs, 'old', 'node-1');
  await pod('old-b', oldRs, 'old', 'node-2');
  await pod('other-c', standalone, 'other', 'node-2');
  await c.settle();
  t.deepEqual(await scaleTo(c, 'web-old', 1), ['old-b', 'other-c']);
  await c.stop();
});
