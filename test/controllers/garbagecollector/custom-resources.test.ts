import test from 'ava';
import * as io from 'io-ts';
import { ConfigMap } from '../../../src/api/generated/kinds.js';
import { defineResource, strict } from '../../../src/api/resource.js';
import { garbageCollector } from '../../../src/controllers/garbagecollector/collector.js';
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
