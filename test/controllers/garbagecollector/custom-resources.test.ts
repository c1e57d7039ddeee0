import test from 'ava';
import * as io from 'io-ts';
import { ConfigMap } from '../../../src/api/generated/kinds.js';
import { defineResource, strict } from '../../../src/api/resource.js';
import { garbageCollector, type GarbageCollector } from '../../../src/controllers/garbagecollector/collector.js';
import { createTestCluster } from '../../../src/testing/cluster.js';

const Widget = defineResource({ group: 'example.com', version: 'v1', kind: 'Widget', spec: strict({ size: io.number }) });

test('the default garbage collector collects a custom object whose owner is deleted', async (t) => {
  const owner: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace: 'default' } };
  const c = await createTestCluster({ controllers: [garbageCollector], kinds: [Widget], objects: [owner] });
  const created = await c.admin.get(ConfigMap, 'owner', { namespace: 'default' });
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: created.metadata.uid ?? '' };
  await c.admin.create(Widget, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default', ownerReferences: [ref] }, spec: { size: 1 } }, { namespace: 'default' });
  await c.settle();
  t.is((await c.admin.list(Widget, { namespace: 'default' })).items.length, 1, 'a widget with a live owner stays');
  await c.admin.delete(ConfigMap, 'owner', { namespace: 'default', propagationPolicy: 'Background' });
  await c.settle();
  t.deepEqual((await c.admin.list(Widget, { namespace: 'default' })).items, [], 'the orphaned widget is collected');
  await c.stop();
});

test('a custom kind registered while the collector runs is watched from then on, and dropped when unregistered', async (t) => {
  const owner: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace: 'default' } };
  const c = await createTestCluster({ controllers: [garbageCollector], objects: [owner] });
  await c.settle();
  // As a CRD created after kube-controller-manager started: discovery brings it to the collector.
  const Gizmo = defineResource({ group: 'example.com', version: 'v1', kind: 'Gizmo', spec: strict({ size: io.number }) });
  c.store.kinds.register(Gizmo);
  const created = await c.admin.get(ConfigMap, 'owner', { namespace: 'default' });
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: created.metadata.uid ?? '' };
  const gizmo = await c.admin.create(Gizmo, { apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'g', namespace: 'default', ownerReferences: [ref] }, spec: { size: 1 } }, { namespace: 'default' });
  await c.settle();
  const collector = c.controller('garbagecollector') as GarbageCollector;
  t.deepEqual(collector.dependentsOf(created.metadata.uid ?? ''), [gizmo.metadata.uid]);
  c.store.kinds.unregister(Gizmo);
  t.deepEqual(collector.dependentsOf(created.metadata.uid ?? ''), [], 'an unregistered kind leaves the graph');
  c.store.kinds.register(Gizmo);
  await c.settle();
  t.deepEqual(collector.dependentsOf(created.metadata.uid ?? ''), [gizmo.metadata.uid], 'registered again, its objects come back');
  await c.admin.delete(ConfigMap, 'owner', { namespace: 'default', propagationPolicy: 'Background' });
  await c.settle();
  t.deepEqual((await c.admin.list(Gizmo, { namespace: 'default' })).items, [], 'the orphaned gizmo is collected');
  await c.stop();
});
