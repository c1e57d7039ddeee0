import test from 'ava';
import { ConfigMap, Namespace, Pod } from '../../src/api/generated/kinds.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../../src/store/store.js';
import { collect, configMap, pod, rejectsWith, setup, summary } from './helpers.js';

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

test('delete removes an object without finalizers at once and returns it at the deletion revision', async (t) => {
  const { store } = await setup();
  const cm = await store.create(ConfigMap, configMap('cfg'));
  const gone = await store.delete(ConfigMap, 'cfg', { namespace: 'default' });
  t.is(gone.metadata.uid, cm.metadata.uid);
  t.is(gone.metadata.resourceVersion, store.currentResourceVersion());
  t.true(Number(gone.metadata.resourceVersion) > Number(cm.metadata.resourceVersion));
  await rejectsWith(t, store.get(ConfigMap, 'cfg', { namespace: 'default' }), 'NotFound');
  await rejectsWith(t, store.delete(ConfigMap, 'cfg', { namespace: 'default' }), 'NotFound');
});

test('delete preconditions on uid and resourceVersion are Conflicts when they do not hold', async (t) => {
  const { store } = await setup();
  const cm = await store.create(ConfigMap, configMap('cfg'));
  const uidErr = await rejectsWith(t, store.delete(ConfigMap, 'cfg', { namespace: 'default', preconditions: { uid: 'other' } }), 'Conflict');
  t.regex(uidErr.message, /Precondition failed: UID in precondition: other/);
  const rvErr = await rejectsWith(t, store.delete(ConfigMap, 'cfg', { namespace: 'default', preconditions: { resourceVersion: '1' } }), 'Conflict');
  t.regex(rvErr.message, /ResourceVersion in precondition: 1/);
  t.truthy(await store.get(ConfigMap, 'cfg', { namespace: 'default' }));
  await store.delete(ConfigMap, 'cfg', { namespace: 'default', preconditions: { uid: cm.metadata.uid ?? '', resourceVersion: cm.metadata.resourceVersion ?? '' } });
  await rejectsWith(t, store.get(ConfigMap, 'cfg', { namespace: 'default' }), 'NotFound');
});

test('an object with finalizers gets a deletionTimestamp and stays until the last finalizer is removed', async (t) => {
  const { store, clock } = await setup();
  await store.create(ConfigMap, { ...configMap('cfg'), metadata: { name: 'cfg', namespace: 'default', finalizers: ['a.example.com/x', 'b.example.com/y'] } });
  clock.advance(3_000);
  const deleting = await store.delete(ConfigMap, 'cfg', { namespace: 'default' });
  t.is(deleting.metadata.deletionTimestamp, rfc3339(clock.now()));
  t.is(deleting.metadata.deletionGracePeriodSeconds, 0);
  t.deepEqual(deleting.metadata.finalizers, ['a.example.com/x', 'b.example.com/y']);
  const again = await store.get(ConfigMap, 'cfg', { namespace: 'default' });
  t.is(again, deleting);
  // Deleting again changes nothing.
  t.is(await store.delete(ConfigMap, 'cfg', { namespace: 'default' }), deleting);
  const one = await store.update(ConfigMap, { ...deleting, metadata: { ...deleting.metadata, finalizers: ['b.example.com/y'] } });
  t.deepEqual(one.metadata.finalizers, ['b.example.com/y']);
  t.is(one.metadata.deletionTimestamp, deleting.metadata.deletionTimestamp);
  const w = collect(store.watch(ConfigMap, { namespace: 'default', resourceVersion: one.metadata.resourceVersion }));
  const last = await store.update(ConfigMap, { ...one, metadata: { ...one.metadata, finalizers: [] } });
  await rejectsWith(t, store.get(ConfigMap, 'cfg', { namespace: 'default' }), 'NotFound');
  t.deepEqual(summary(w.events), [`DELETED default/cfg@${last.metadata.resourceVersion ?? ''}`]);
  w.subscription.unsubscribe();
});

test('the last finalizer removed by a patch deletes the object too', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, { ...configMap('cfg'), metadata: { name: 'cfg', namespace: 'default', finalizers: ['a.example.com/x'] } });
  await store.delete(ConfigMap, 'cfg', { namespace: 'default' });
  await store.patch(ConfigMap, 'cfg', { type: 'merge', patch: { metadata: { finalizers: null } } }, { namespace: 'default' });
  await rejectsWith(t, store.get(ConfigMap, 'cfg', { namespace: 'default' }), 'NotFound');
});

test('no new finalizers may be added to an object being deleted', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, { ...configMap('cfg'), metadata: { name: 'cfg', namespace: 'default', finalizers: ['a.example.com/x'] } });
  const deleting = await store.delete(ConfigMap, 'cfg', { namespace: 'default' });
  const err = await rejectsWith(t, store.update(ConfigMap, { ...deleting, metadata: { ...deleting.metadata, finalizers: ['a.example.com/x', 'new.example.com/z'] } }), 'Forbidden');
  t.regex(err.message, /no new finalizers/);
  // Other changes are still allowed.
  const labelled = await store.update(ConfigMap, { ...deleting, metadata: { ...deleting.metadata, labels: { a: 'b' } } });
  t.deepEqual(labelled.metadata.labels, { a: 'b' });
});

test('propagationPolicy Foreground adds the foregroundDeletion finalizer, Orphan the orphan finalizer', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, configMap('fg'));
  await store.create(ConfigMap, configMap('or'));
  await store.create(ConfigMap, configMap('bg'));
  const fg = await store.delete(ConfigMap, 'fg', { namespace: 'default', propagationPolicy: 'Foreground' });
  t.deepEqual(fg.metadata.finalizers, [FOREGROUND_FINALIZER]);
  t.truthy(fg.metadata.deletionTimestamp);
  const or = await store.delete(ConfigMap, 'or', { namespace: 'default', propagationPolicy: 'Orphan' });
  t.deepEqual(or.metadata.finalizers, [ORPHAN_FINALIZER]);
  t.truthy(or.metadata.deletionTimestamp);
  await store.delete(ConfigMap, 'bg', { namespace: 'default', propagationPolicy: 'Background' });
  await rejectsWith(t, store.get(ConfigMap, 'bg', { namespace: 'default' }), 'NotFound');
  // A later Orphan delete swaps foreground for orphan.
  const swapped = await store.delete(ConfigMap, 'fg', { namespace: 'default', propagationPolicy: 'Orphan' });
  t.deepEqual(swapped.metadata.finalizers, [ORPHAN_FINALIZER]);
});

test('a pod bound to a node gets deletionTimestamp now + terminationGracePeriodSeconds and stays until deleted with grace 0', async (t) => {
  const { store, clock } = await setup();
  await store.create(Pod, pod('p', { nodeName: 'node-1', grace: 45 }));
  const deleting = await store.delete(Pod, 'p', { namespace: 'default' });
  t.is(deleting.metadata.deletionTimestamp, rfc3339(clock.now() + 45_000));
  t.is(deleting.metadata.deletionGracePeriodSeconds, 45);
  clock.advance(60_000);
  t.truthy(await store.get(Pod, 'p', { namespace: 'default' }), 'the kubelet, not the clock, finishes the deletion');
  await store.delete(Pod, 'p', { namespace: 'default', gracePeriodSeconds: 0 });
  await rejectsWith(t, store.get(Pod, 'p', { namespace: 'default' }), 'NotFound');
});

test('gracePeriodSeconds on the delete overrides the pod spec; the default is 30 s', async (t) => {
  const { store, clock } = await setup();
  await store.create(Pod, pod('a', { nodeName: 'n' }));
  await store.create(Pod, pod('b', { nodeName: 'n', grace: 100 }));
  t.is((await store.delete(Pod, 'a', { namespace: 'default' })).metadata.deletionTimestamp, rfc3339(clock.now() + 30_000));
  const b = await store.delete(Pod, 'b', { namespace: 'default', gracePeriodSeconds: 5 });
  t.is(b.metadata.deletionTimestamp, rfc3339(clock.now() + 5_000));
  t.is(b.metadata.deletionGracePeriodSeconds, 5);
});

test('a second delete may shorten the grace period but never lengthen it', async (t) => {
  const { store, clock } = await setup();
  await store.create(Pod, pod('p', { nodeName: 'n', grace: 60 }));
  const first = await store.delete(Pod, 'p', { namespace: 'default' });
  clock.advance(10_000);
  const longer = await store.delete(Pod, 'p', { namespace: 'default', gracePeriodSeconds: 120 });
  t.is(longer.metadata.deletionTimestamp, first.metadata.deletionTimestamp);
  t.is(longer.metadata.deletionGracePeriodSeconds, 60);
  const shorter = await store.delete(Pod, 'p', { namespace: 'default', gracePeriodSeconds: 5 });
  t.is(shorter.metadata.deletionTimestamp, rfc3339(clock.now() + 5_000));
  t.is(shorter.metadata.deletionGracePeriodSeconds, 5);
});

test('unbound pods and finished pods are deleted at once', async (t) => {
  const { store } = await setup();
  await store.create(Pod, pod('unbound', { grace: 30 }));
  await store.delete(Pod, 'unbound', { namespace: 'default' });
  await rejectsWith(t, store.get(Pod, 'unbound', { namespace: 'default' }), 'NotFound');
  const done = await store.create(Pod, pod('done', { nodeName: 'n', grace: 30 }));
  await store.updateStatus(Pod, { ...done, status: { ...done.status, phase: 'Succeeded' } });
  await store.delete(Pod, 'done', { namespace: 'default' });
  await rejectsWith(t, store.get(Pod, 'done', { namespace: 'default' }), 'NotFound');
});

test('a negative gracePeriodSeconds is a BadRequest', async (t) => {
  const { store } = await setup();
  await store.create(Pod, pod('p', { nodeName: 'n' }));
  await rejectsWith(t, store.delete(Pod, 'p', { namespace: 'default', gracePeriodSeconds: -1 }), 'BadRequest');
});

test('dryRun delete changes nothing', async (t) => {
  const { store } = await setup();
  const cm = await store.create(ConfigMap, configMap('cfg'));
  await store.delete(ConfigMap, 'cfg', { namespace: 'default', dryRun: true });
  t.is(await store.get(ConfigMap, 'cfg', { namespace: 'default' }), cm);
});

test('admission can deny a delete', async (t) => {
  const { store } = await setup({
    store: {
      admission: [{ name: 'keep', validate: (req) => {
        if (req.operation === 'DELETE' && req.object.metadata.name === 'keep') throw new Error('protected');
      } }],
    },
  });
  await store.create(ConfigMap, configMap('keep'));
  await t.throwsAsync(store.delete(ConfigMap, 'keep', { namespace: 'default' }), { message: 'protected' });
  t.truthy(await store.get(ConfigMap, 'keep', { namespace: 'default' }));
});

test('deleteCollection deletes the matching objects in a namespace only', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, configMap('a', 'default', {}, { app: 'x' }));
  await store.create(ConfigMap, configMap('b', 'default', {}, { app: 'x' }));
  await store.create(ConfigMap, configMap('c', 'default', {}, { app: 'y' }));
  await store.create(ConfigMap, configMap('a', 'kube-system', {}, { app: 'x' }));
  const deleted = await store.deleteCollection(ConfigMap, { namespace: 'default', labelSelector: 'app=x' });
  t.deepEqual(deleted.map((c) => c.metadata.name), ['a', 'b']);
  t.deepEqual((await store.list(ConfigMap)).items.map((c) => `${c.metadata.namespace}/${c.metadata.name}`), ['default/c', 'kube-system/a']);
});

test('bindPod sets nodeName once; binding again is a Conflict', async (t) => {
  const { store } = await setup();
  const p = await store.create(Pod, pod('p'));
  const bound = await store.bindPod({ name: 'p', namespace: 'default', uid: p.metadata.uid ?? '' }, 'node-1');
  t.is((bound as typeof p).spec?.nodeName, 'node-1');
  t.true(Number(bound.metadata.resourceVersion) > Number(p.metadata.resourceVersion));
  const err = await rejectsWith(t, store.bindPod({ name: 'p', namespace: 'default' }, 'node-2'), 'Conflict');
  t.regex(err.message, /already assigned to node "node-1"/);
  t.is((await store.get(Pod, 'p', { namespace: 'default' })).spec?.nodeName, 'node-1');
  await rejectsWith(t, store.bindPod({ name: 'missing', namespace: 'default' }, 'node-1'), 'NotFound');
  await store.create(Pod, pod('q'));
  await rejectsWith(t, store.bindPod({ name: 'q', namespace: 'default', uid: 'wrong' }, 'node-1'), 'Conflict');
});

test('deleting a namespace marks it Terminating; a later delete removes it once spec.finalizers is empty', async (t) => {
  const { store, clock } = await setup();
  await store.create(Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] } });
  await store.create(ConfigMap, configMap('cfg', 'team'));
  const terminating = await store.delete(Namespace, 'team');
  t.is(terminating.status?.phase, 'Terminating');
  t.is(terminating.metadata.deletionTimestamp, rfc3339(clock.now()));
  t.is(await store.delete(Namespace, 'team'), terminating, 'spec.finalizers still hold it');
  await rejectsWith(t, store.create(ConfigMap, configMap('more', 'team')), 'Forbidden');
  // The namespace controller empties the namespace, then clears spec.finalizers: it goes.
  await store.delete(ConfigMap, 'cfg', { namespace: 'team' });
  await store.update(Namespace, { ...terminating, spec: { finalizers: [] } });
  await rejectsWith(t, store.get(Namespace, 'team'), 'NotFound');
});

test('a namespace without spec.finalizers goes on its second delete', async (t) => {
  const { store } = await setup();
  const ns = await store.create(Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bare' } });
  if ((ns.spec?.finalizers ?? []).length > 0) {
    await store.update(Namespace, { ...ns, spec: { finalizers: [] } });
  }
  const first = await store.delete(Namespace, 'bare');
  t.is(first.status?.phase, 'Terminating');
  t.truthy(await store.get(Namespace, 'bare'));
  await store.delete(Namespace, 'bare');
  await rejectsWith(t, store.get(Namespace, 'bare'), 'NotFound');
});
