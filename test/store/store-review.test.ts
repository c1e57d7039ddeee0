import test from 'ava';
import { ConfigMap, Pod } from '../../src/api/generated/kinds.js';
import type { WatchEvent } from '../../src/client/watch-types.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { Store } from '../../src/store/store.js';

async function open(): Promise<{ clock: FakeClock; store: Store }> {
  const clock = new FakeClock();
  return { clock, store: await Store.open({ backend: new MemoryBackend({ clock }), clock }) };
}
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

test('binding a pod that was unschedulable sets its PodScheduled condition to True', async (t) => {
  // Kubernetes' pods/binding (setPodHostAndAnnotations) sets spec.nodeName AND the
  // PodScheduled=True condition; the kubelet keeps whatever PodScheduled it finds, so without
  // this a pod that was once Unschedulable reports PodScheduled=False while it runs.
  const { store } = await open();
  const pod = await store.create(Pod, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await store.updateStatus(Pod, { ...pod, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] } });
  await store.bindPod({ name: 'p', namespace: 'default' }, 'node-1');
  const bound = await store.get(Pod, 'p', { namespace: 'default' });
  t.is(bound.spec?.nodeName, 'node-1');
  const scheduled = (bound.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
  t.is(scheduled?.status, 'True');
  await store.close();
});

test('a Foreground delete of an object already being deleted with the orphan finalizer switches it to foregroundDeletion', async (t) => {
  // Kubernetes (deletionFinalizersForGarbageCollection): an explicit propagationPolicy on a later
  // delete overrides the earlier one — both GC finalizers are removed, the requested one added.
  const { store } = await open();
  await store.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', finalizers: ['example.com/hold'] } });
  await store.delete(ConfigMap, 'cm', { namespace: 'default', propagationPolicy: 'Orphan' });
  await store.delete(ConfigMap, 'cm', { namespace: 'default', propagationPolicy: 'Foreground' });
  const cm = await store.get(ConfigMap, 'cm', { namespace: 'default' });
  t.deepEqual([...(cm.metadata.finalizers ?? [])].sort(), ['example.com/hold', 'foregroundDeletion']);
  await store.close();
});

test('an object that stops matching a watch selector arrives as DELETED with its last matching content', async (t) => {
  // Kubernetes' watch cache: "return a delete event with the previous object content, but with
  // the event's resource version" — a label-filtered watcher must not see an object that does
  // not match its selector.
  const { store } = await open();
  const cm = await store.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', labels: { tier: 'web' } } });
  const events: WatchEvent<ConfigMap>[] = [];
  const sub = store.watch(ConfigMap, { namespace: 'default', labelSelector: 'tier=web', resourceVersion: cm.metadata.resourceVersion }).subscribe((e) => events.push(e));
  const moved = await store.update(ConfigMap, { ...cm, metadata: { ...cm.metadata, labels: { tier: 'db' } } });
  await turn();
  sub.unsubscribe();
  t.is(events.length, 1);
  const ev = events[0];
  t.is(ev?.type, 'DELETED');
  if (ev !== undefined && ev.type !== 'BOOKMARK') {
    t.deepEqual(ev.object.metadata.labels, { tier: 'web' });
    t.is(ev.object.metadata.resourceVersion, moved.metadata.resourceVersion);
  }
  await store.close();
});
