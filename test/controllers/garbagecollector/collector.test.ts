import test from 'ava';
import { ConfigMap, Pod, ReplicaSet } from '../../../src/api/generated/kinds.js';
import { createGarbageCollector } from '../../../src/controllers/garbagecollector/collector.js';
import { replicaSetController } from '../../../src/controllers/replicaset/controller.js';
import { StoreError } from '../../../src/store/errors.js';
import { createTestCluster, type TestCluster } from '../../../src/testing/cluster.js';
import { fakeKubelet } from '../../../src/testing/fake-kubelet.js';
import { getRs, podsOf, rs } from '../replicaset/helpers.js';

const gc = createGarbageCollector({ kinds: [Pod, ReplicaSet, ConfigMap] });

async function withRs(replicas = 3): Promise<TestCluster> {
  const c = await createTestCluster({ controllers: [replicaSetController, fakeKubelet(), gc], objects: [rs('web', replicas)] });
  await c.settle();
  return c;
}
async function exists(c: TestCluster, f: () => Promise<unknown>): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (err) {
    if (err instanceof StoreError && err.code === 'NotFound') return false;
    throw err;
  }
}
const allPods = async (c: TestCluster) => (await c.admin.list(Pod, { namespace: 'default' })).items;

test('background: deleting a ReplicaSet deletes its pods afterwards', async (t) => {
  const c = await withRs();
  t.is((await podsOf(c, 'web')).length, 3);
  await c.admin.delete(ReplicaSet, 'web', { namespace: 'default', propagationPolicy: 'Background' });
  t.false(await exists(c, () => getRs(c, 'web')), 'the owner goes at once');
  await c.settle();
  t.deepEqual(await allPods(c), []);
  await c.stop();
});

test('foreground: the ReplicaSet stays, with its finalizer, until its blocking pods are gone', async (t) => {
  const c = await withRs();
  await c.admin.delete(ReplicaSet, 'web', { namespace: 'default', propagationPolicy: 'Foreground' });
  const deleting = await getRs(c, 'web');
  t.deepEqual(deleting.metadata.finalizers, ['foregroundDeletion']);
  await c.settle();
  t.deepEqual(await allPods(c), []);
  t.false(await exists(c, () => getRs(c, 'web')));
  // The pods were deleted before the finalizer was removed from the owner.
  const finalizerRemoved = c.writes.findIndex((w) => w.verb === 'update' && w.kind === 'ReplicaSet');
  const podDeletes = c.writes.map((w, i) => (w.verb === 'delete' && w.kind === 'Pod' ? i : -1)).filter((i) => i >= 0);
  t.true(finalizerRemoved > 0 && podDeletes.length >= 3 && podDeletes.every((i) => i < finalizerRemoved));
  await c.stop();
});

test('foreground: without the kubelet finishing pod deletion, the owner waits', async (t) => {
  const c = await createTestCluster({ controllers: [replicaSetController, fakeKubelet({ completeDeletions: false }), gc], objects: [rs('web', 2)] });
  await c.settle();
  await c.admin.delete(ReplicaSet, 'web', { namespace: 'default', propagationPolicy: 'Foreground' });
  await c.settle({ advance: false });
  const pods = await allPods(c);
  t.is(pods.length, 2);
  t.true(pods.every((p) => p.metadata.deletionTimestamp !== undefined));
  t.deepEqual((await getRs(c, 'web')).metadata.finalizers, ['foregroundDeletion']);
  for (const p of pods) await c.admin.delete(Pod, p.metadata.name!, { namespace: 'default', gracePeriodSeconds: 0 });
  await c.settle({ advance: false });
  t.false(await exists(c, () => getRs(c, 'web')));
  await c.stop();
});

test('orphan: the pods lose their owner reference and stay; the ReplicaSet goes', async (t) => {
  const c = await withRs();
  const before = await podsOf(c, 'web');
  await c.admin.delete(ReplicaSet, 'web', { namespace: 'default', propagationPolicy: 'Orphan' });
  await c.settle();
  t.false(await exists(c, () => getRs(c, 'web')));
  const pods = await allPods(c);
  t.deepEqual(pods.map((p) => p.metadata.uid).sort(), before.map((p) => p.metadata.uid).sort());
  t.true(pods.every((p) => p.metadata.ownerReferences === undefined));
  await c.stop();
});

test('at startup, dependents whose owner is already gone are deleted', async (t) => {
  const orphaned: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leftover', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone', uid: 'no-such-uid' }] } };
  const plain: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'default' } };
  const c = await createTestCluster({ controllers: [gc], objects: [orphaned, plain] });
  await c.settle();
  t.false(await exists(c, () => c.admin.get(ConfigMap, 'leftover', { namespace: 'default' })));
  t.true(await exists(c, () => c.admin.get(ConfigMap, 'plain', { namespace: 'default' })));
  await c.stop();
});

test('a dependent with two owners survives the first owner and goes with the second', async (t) => {
  const c = await createTestCluster({ controllers: [gc] });
  const a = await c.admin.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' } });
  const b = await c.admin.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default' } });
  const owner = (o: ConfigMap) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name!, uid: o.metadata.uid! });
  await c.admin.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dep', namespace: 'default', ownerReferences: [owner(a), owner(b)] } });
  await c.settle();
  await c.admin.delete(ConfigMap, 'a', { namespace: 'default' });
  await c.settle();
  const dep = await c.admin.get(ConfigMap, 'dep', { namespace: 'default' });
  t.deepEqual(dep.metadata.ownerReferences?.map((r) => r.name), ['b']);
  await c.admin.delete(ConfigMap, 'b', { namespace: 'default' });
  await c.settle();
  t.false(await exists(c, () => c.admin.get(ConfigMap, 'dep', { namespace: 'default' })));
  await c.stop();
});

test('an owner created after its dependent was seen is not mistaken for gone', async (t) => {
  const c = await createTestCluster({ controllers: [gc] });
  const owner = await c.admin.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace: 'default' } });
  c.client.delayWatch(ConfigMap, 10_000);
  await c.admin.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dep', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid! }] } });
  await c.settle();
  t.true(await exists(c, () => c.admin.get(ConfigMap, 'dep', { namespace: 'default' })));
  await c.stop();
});
