import test from 'ava';
import * as io from 'io-ts';
import { builtinKinds, ConfigMap, Namespace } from '../../../src/api/generated/kinds.js';
import { defineResource, strict } from '../../../src/api/resource.js';
import { createNamespaceController, namespaceController } from '../../../src/controllers/namespace/controller.js';
import { StoreError } from '../../../src/store/errors.js';
import { createTestCluster } from '../../../src/testing/cluster.js';

const Widget = defineResource({ group: 'example.com', version: 'v1', kind: 'Widget', spec: strict({ size: io.number }) });

test('deleting a namespace deletes the custom resources in it before the namespace goes', async (t) => {
  const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'team' }, spec: { size: 1 } };
  const c = await createTestCluster({ controllers: [namespaceController], kinds: [Widget], objects: [ns, widget] });
  await c.settle();
  await c.admin.delete(Namespace, 'team');
  await c.settle({ maxAdvanceMs: 60_000 });
  const nsGone = await c.admin.get(Namespace, 'team').then(() => false, (e: unknown) => e instanceof StoreError && e.code === 'NotFound');
  const left = (await c.admin.list(Widget, { namespace: 'team' })).items.map((w) => w.metadata.name);
  // Kubernetes discovers every namespaced resource (CRDs included) and empties them before
  // removing the 'kubernetes' finalizer: either the namespace still waits, or the widget is gone.
  t.true(nsGone, 'the namespace is removed once empty');
  t.deepEqual(left, [], 'no custom object survives its namespace');
  await c.stop();
});

test('a namespace controller given explicit kinds empties only those, whatever the cluster serves', async (t) => {
  const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'team' }, spec: { size: 1 } };
  const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team' } };
  const c = await createTestCluster({ controllers: [createNamespaceController({ kinds: builtinKinds })], kinds: [Widget], objects: [ns, widget, cm] });
  await c.settle();
  await c.admin.delete(Namespace, 'team');
  await c.settle({ maxAdvanceMs: 10_000 });
  t.deepEqual((await c.admin.list(ConfigMap, { namespace: 'team' })).items, [], 'a built-in object is deleted');
  const deletedKinds = new Set(c.writes.filter((w) => w.verb === 'delete').map((w) => w.kind));
  t.false(deletedKinds.has('Widget'), 'the widget, of a kind it was not given, is left alone');
  await c.stop();
});

test('a custom kind registered while the controller runs is emptied from namespaces too', async (t) => {
  const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
  const c = await createTestCluster({ controllers: [namespaceController], objects: [ns] });
  await c.settle();
  const Gizmo = defineResource({ group: 'example.com', version: 'v1', kind: 'Gizmo', spec: strict({ size: io.number }) });
  c.store.kinds.register(Gizmo);
  await c.admin.create(Gizmo, { apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'g', namespace: 'team' }, spec: { size: 1 } }, { namespace: 'team' });
  await c.admin.delete(Namespace, 'team');
  await c.settle({ maxAdvanceMs: 60_000 });
  t.deepEqual((await c.admin.list(Gizmo, { namespace: 'team' })).items, [], 'the late kind is emptied');
  await t.throwsAsync(c.admin.get(Namespace, 'team'), { instanceOf: StoreError });
  await c.stop();
});
