import test from 'ava';
import { ConfigMap, Namespace, Pod, ReplicaSet } from '../../../src/api/generated/kinds.js';
import { garbageCollector } from '../../../src/controllers/garbagecollector/collector.js';
import { namespaceController, planNamespaceDeletion } from '../../../src/controllers/namespace/controller.js';
import { replicaSetController } from '../../../src/controllers/replicaset/controller.js';
import type { KubeObject } from '../../../src/api/resource.js';
import { StoreError } from '../../../src/store/errors.js';
import { createTestCluster } from '../../../src/testing/cluster.js';
import { fakeKubelet } from '../../../src/testing/fake-kubelet.js';
import { podsOf, rs } from '../replicaset/helpers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const o = (name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team', ...extra } });

test('plan: live objects are deleted and waited for; nothing left means finalize', (t) => {
  const p = planNamespaceDeletion([{ type: ConfigMap, items: [o('a'), o('b', { deletionTimestamp: '2026-01-01T00:00:20Z' })] }], NOW);
  t.deepEqual(p.deletes.map((d) => d.object.metadata.name), ['a']);
  t.is(p.remaining, 2);
  t.false(p.finalize);
  t.is(p.requeueAfterMs, 1_000);
  const waiting = planNamespaceDeletion([{ type: Pod, items: [o('p', { deletionTimestamp: '2026-01-01T00:00:20Z' })] }], NOW);
  t.is(waiting.requeueAfterMs, 20_000, 'a pod in its grace period is looked at again when it ends');
  const held = planNamespaceDeletion([{ type: ConfigMap, items: [o('f', { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['example.com/hold'] })] }], NOW);
  t.deepEqual(held.finalizersRemaining, ['example.com/hold']);
  t.is(held.requeueAfterMs, 5_000);
  const empty = planNamespaceDeletion([], NOW);
  t.true(empty.finalize);
  t.is(empty.requeueAfterMs, undefined);
});

test('deleting a namespace removes its content, then the namespace; new content is refused meanwhile', async (t) => {
  const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
  const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'team' } };
  const held: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'team', finalizers: ['example.com/hold'] } };
  const c = await createTestCluster({ controllers: [namespaceController, replicaSetController, fakeKubelet(), garbageCollector], objects: [ns, cm, held, rs('web', 2, { namespace: 'team' })] });
  await c.settle();
  t.is((await podsOf(c, 'web', 'team')).length, 2);
  await c.admin.delete(Namespace, 'team');
  const err = await t.throwsAsync(c.admin.create(ConfigMap, { ...cm, metadata: { name: 'late', namespace: 'team' } }));
  t.true(err instanceof StoreError && err.code === 'Forbidden' && /being terminated/.test(err.message));
  await c.settle({ maxAdvanceMs: 60_000 });
  // Everything but the object held by a finalizer is gone; the namespace waits for it.
  t.deepEqual((await c.admin.list(Pod, { namespace: 'team' })).items, []);
  t.deepEqual((await c.admin.list(ReplicaSet, { namespace: 'team' })).items, []);
  const waiting = await c.admin.get(Namespace, 'team');
  t.is(waiting.status?.phase, 'Terminating');
  t.like(waiting.status?.conditions?.find((x) => x.type === 'NamespaceFinalizersRemaining'), { status: 'True' });
  const h = await c.admin.get(ConfigMap, 'held', { namespace: 'team' });
  await c.admin.update(ConfigMap, { ...h, metadata: { ...h.metadata, finalizers: [] } });
  await c.settle({ maxAdvanceMs: 60_000 });
  const gone = await t.throwsAsync(c.admin.get(Namespace, 'team'));
  t.true(gone instanceof StoreError && gone.code === 'NotFound');
  await c.stop();
});
