import test from 'ava';
import { ClusterRole, ConfigMap, Secret } from '../../../src/api/generated/kinds.js';
import { createGarbageCollector } from '../../../src/controllers/garbagecollector/collector.js';
import { StoreError } from '../../../src/store/errors.js';
import { createTestCluster } from '../../../src/testing/cluster.js';

const gc = createGarbageCollector({ kinds: [ConfigMap, Secret, ClusterRole] });

async function exists(f: () => Promise<unknown>): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (err) {
    if (err instanceof StoreError && err.code === 'NotFound') return false;
    throw err;
  }
}

test('a cluster-scoped dependent whose owner reference names a namespaced kind is never garbage collected', async (t) => {
  // Kubernetes (1.20+): such a reference is unresolvable; the collector reports
  // OwnerRefInvalidNamespace and leaves the object alone (it does not treat the owner as absent).
  const c = await createTestCluster({ controllers: [gc] });
  const owner = await c.admin.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace: 'default' } });
  await c.admin.create(ClusterRole, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'precious', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid ?? '' }] },
  });
  await c.settle();
  await c.admin.delete(ConfigMap, 'owner', { namespace: 'default' });
  await c.settle();
  t.true(await exists(() => c.admin.get(ClusterRole, 'precious')), 'the ClusterRole was deleted by the garbage collector');
  await c.stop();
});

test('a namespaced dependent whose owner lives in another namespace has a dangling reference and is collected', async (t) => {
  // Kubernetes: "A namespaced owner must exist in the same namespace as the dependent. If it
  // does not, the owner reference is treated as absent, and the dependent is subject to
  // deletion once all owners are verified absent." The owner is looked up in the dependent's
  // namespace, never found by uid in another one.
  const c = await createTestCluster({ controllers: [gc] });
  const owner = await c.admin.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace: 'kube-system' } });
  await c.admin.create(Secret, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'dependent', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid ?? '' }] },
  });
  await c.settle();
  t.false(await exists(() => c.admin.get(Secret, 'dependent', { namespace: 'default' })), 'the cross-namespace owner was treated as present');
  await c.stop();
});
