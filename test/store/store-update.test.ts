import test from 'ava';
import { ConfigMap, Deployment, Pod } from '../../src/api/generated/kinds.js';
import type { KubeObject } from '../../src/api/resource.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { Store, type AdmissionPlugin } from '../../src/store/store.js';
import { RacingBackend, Widget, collect, configMap, pod, rejectsWith, setup, widget } from './helpers.js';

test('an update carrying a stale resourceVersion is a Conflict and changes nothing', async (t) => {
  const { store } = await setup();
  const v1 = await store.create(ConfigMap, configMap('cfg', 'default', { a: '1' }));
  const v2 = await store.update(ConfigMap, { ...v1, data: { a: '2' } });
  t.true(Number(v2.metadata.resourceVersion) > Number(v1.metadata.resourceVersion));
  const err = await rejectsWith(t, store.update(ConfigMap, { ...v1, data: { a: 'stale' } }), 'Conflict');
  t.is(err.message, 'Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again');
  t.is(err.httpStatus, 409);
  t.is((await store.get(ConfigMap, 'cfg', { namespace: 'default' })).data?.['a'], '2');
});

test('an update without a resourceVersion replaces the latest version unconditionally', async (t) => {
  const { store } = await setup();
  const v1 = await store.create(ConfigMap, configMap('cfg', 'default', { a: '1' }));
  await store.update(ConfigMap, { ...v1, data: { a: '2' } });
  const v3 = await store.update(ConfigMap, configMap('cfg', 'default', { a: '3' }));
  t.is(v3.data?.['a'], '3');
  t.is(v3.metadata.uid, v1.metadata.uid);
});

test('an update of a missing object is NotFound', async (t) => {
  const { store } = await setup();
  await rejectsWith(t, store.update(ConfigMap, configMap('nope')), 'NotFound');
});

test('generation bumps on spec changes only, not on metadata or status changes', async (t) => {
  const { store } = await setup({});
  const w1 = await store.create(Widget, widget('w'));
  t.is(w1.metadata.generation, 1);
  const w2 = await store.update(Widget, { ...w1, metadata: { ...w1.metadata, labels: { a: 'b' } } });
  t.is(w2.metadata.generation, 1);
  const w3 = await store.updateStatus(Widget, { ...w2, status: { ready: 1 } });
  t.is(w3.metadata.generation, 1);
  const w4 = await store.update(Widget, { ...w3, spec: { image: 'nginx:2' } });
  t.is(w4.metadata.generation, 2);
  const w5 = await store.update(Widget, { ...w4, spec: { image: 'nginx:3', replicas: 2 } });
  t.is(w5.metadata.generation, 3);
});

test('a client cannot set generation through an update', async (t) => {
  const { store } = await setup();
  const w = await store.create(Widget, widget('w'));
  const w2 = await store.update(Widget, { ...w, metadata: { ...w.metadata, generation: 40 }, spec: { image: 'x' } });
  t.is(w2.metadata.generation, 2);
});

test('update ignores status; updateStatus writes only status', async (t) => {
  const { store } = await setup();
  const w = await store.create(Widget, widget('w'));
  const afterUpdate = await store.update(Widget, { ...w, status: { ready: 5 } });
  t.is(afterUpdate.status, undefined);
  t.is(afterUpdate, w, 'a status-only change through the main resource is a no-op');
  const s = await store.updateStatus(Widget, { ...w, metadata: { ...w.metadata, labels: { sneaky: 'yes' } }, spec: { image: 'changed' }, status: { ready: 2 } });
  t.deepEqual(s.status, { ready: 2 });
  t.is(s.spec.image, 'nginx');
  t.is(s.metadata.labels, undefined);
  const stale = await rejectsWith(t, store.updateStatus(Widget, { ...w, status: { ready: 3 } }), 'Conflict');
  t.regex(stale.message, /modified/);
});

test('updateStatus of a kind without a status subresource is MethodNotAllowed', async (t) => {
  const { store } = await setup();
  const cm = await store.create(ConfigMap, configMap('cfg'));
  await rejectsWith(t, store.updateStatus(ConfigMap, cm), 'MethodNotAllowed');
});

test('an update that changes nothing returns the same object, with no new resourceVersion and no watch event', async (t) => {
  const { store } = await setup();
  const cm = await store.create(ConfigMap, configMap('cfg', 'default', { a: '1' }, { x: 'y' }));
  const w = collect(store.watch(ConfigMap, { namespace: 'default', resourceVersion: cm.metadata.resourceVersion }));
  const rv = store.currentResourceVersion();
  const same = await store.update(ConfigMap, structuredClone(cm));
  t.is(same, cm);
  const same2 = await store.update(ConfigMap, configMap('cfg', 'default', { a: '1' }, { x: 'y' }));
  t.is(same2, cm);
  t.is(store.currentResourceVersion(), rv);
  t.deepEqual(w.events, []);
  w.subscription.unsubscribe();
});

test('an update with another uid is a Conflict', async (t) => {
  const { store } = await setup();
  const cm = await store.create(ConfigMap, configMap('cfg'));
  const err = await rejectsWith(t, store.update(ConfigMap, { ...cm, metadata: { ...cm.metadata, uid: 'other' }, data: { b: '1' } }), 'Conflict');
  t.regex(err.message, /UID in precondition: other/);
});

test('system metadata fields survive an update that omits or changes them', async (t) => {
  const { store, clock } = await setup();
  const cm = await store.create(ConfigMap, configMap('cfg'));
  clock.advance(5_000);
  const next = await store.update(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', creationTimestamp: '1999-01-01T00:00:00Z', labels: { new: 'label' } }, data: {} });
  t.deepEqual(next.metadata.labels, { new: 'label' });
  t.is(next.metadata.uid, cm.metadata.uid);
  t.is(next.metadata.creationTimestamp, cm.metadata.creationTimestamp);
  t.is(next.metadata.generation, cm.metadata.generation);
});

test('updates of custom kinds are validated by the strategy with the old object', async (t) => {
  const { store } = await setup();
  const w = await store.create(Widget, widget('w'));
  const err = await rejectsWith(t, store.update(Widget, { ...w, spec: { image: 'x', replicas: -1 } }), 'Invalid');
  t.deepEqual(err.fieldErrors.map((e) => e.path), ['spec.replicas']);
});

test('admission sees UPDATE with the old object and can deny it', async (t) => {
  const seen: string[] = [];
  const plugin: AdmissionPlugin = {
    name: 'freeze-data',
    validate: (req) => {
      if (req.operation !== 'UPDATE') return;
      seen.push(`${(req.oldObject as KubeObject & { data?: Record<string, string> }).data?.['a'] ?? ''}->${(req.object as KubeObject & { data?: Record<string, string> }).data?.['a'] ?? ''}`);
      if ((req.object as KubeObject & { data?: Record<string, string> }).data?.['a'] === 'no') throw new Error('denied');
    },
  };
  const { store } = await setup({ store: { admission: [plugin] } });
  await store.create(ConfigMap, configMap('cfg', 'default', { a: '1' }));
  await store.update(ConfigMap, configMap('cfg', 'default', { a: '2' }));
  await t.throwsAsync(store.update(ConfigMap, configMap('cfg', 'default', { a: 'no' })), { message: 'denied' });
  t.deepEqual(seen, ['1->2', '2->no']);
  t.is((await store.get(ConfigMap, 'cfg', { namespace: 'default' })).data?.['a'], '2');
});

test('dryRun update returns the result without writing it', async (t) => {
  const { store } = await setup();
  const cm = await store.create(ConfigMap, configMap('cfg', 'default', { a: '1' }));
  const dry = await store.update(ConfigMap, { ...cm, data: { a: '2' } }, { dryRun: true });
  t.is(dry.data?.['a'], '2');
  t.is(await store.get(ConfigMap, 'cfg', { namespace: 'default' }), cm);
});

// ---------------------------------------------------------------- patch

test('a merge patch changes the named fields and removes nulls', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, configMap('cfg', 'default', { a: '1', b: '2' }));
  const p = await store.patch(ConfigMap, 'cfg', { type: 'merge', patch: { data: { a: 'one', b: null, c: '3' } } }, { namespace: 'default' });
  t.deepEqual(p.data, { a: 'one', c: '3' });
});

test('a JSON patch applies its operations in order', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, configMap('cfg', 'default', { a: '1' }));
  const p = await store.patch(ConfigMap, 'cfg', { type: 'json', patch: [{ op: 'add', path: '/data/b', value: '2' }, { op: 'remove', path: '/data/a' }] }, { namespace: 'default' });
  t.deepEqual(p.data, { b: '2' });
  const err = await rejectsWith(t, store.patch(ConfigMap, 'cfg', { type: 'json', patch: [{ op: 'test', path: '/data/b', value: 'x' }] }, { namespace: 'default' }), 'Invalid');
  t.truthy(err.message);
});

test('a strategic merge patch merges containers by name and keeps their ports', async (t) => {
  const { store } = await setup();
  const template = pod('template');
  const d = await store.create(Deployment, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: template.spec } },
  });
  const p = await store.patch(Deployment, 'web', { type: 'strategic', patch: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }, { name: 'extra', image: 'redis' }] } } } } }, { namespace: 'default' });
  const byName = new Map((p.spec?.template.spec?.containers ?? []).map((c) => [c.name, c]));
  t.deepEqual([...byName.keys()].sort(), ['extra', 'sidecar', 'web']);
  t.is(byName.get('web')?.image, 'nginx:1.28');
  t.like(byName.get('web')?.ports?.[0], { name: 'http', containerPort: 80 });
  t.is(byName.get('web')?.ports?.length, 1);
  t.is(byName.get('sidecar')?.image, 'busybox:1.36');
  t.like(byName.get('sidecar')?.ports?.[0], { name: 'metrics', containerPort: 9090 });
  t.is(p.metadata.generation, (d.metadata.generation ?? 0) + 1);
  // The pod spec itself allows image changes only; a strategic patch of an image applies.
  await store.create(Pod, pod('p'));
  const patched = await store.patch(Pod, 'p', { type: 'strategic', patch: { spec: { containers: [{ name: 'sidecar', image: 'busybox:1.37' }] } } }, { namespace: 'default' });
  t.deepEqual(patched.spec?.containers.map((c) => `${c.name}=${c.image ?? ''}`), ['web=nginx:1.27', 'sidecar=busybox:1.37']);
});

test('a strategic merge patch on a custom kind is a BadRequest', async (t) => {
  const { store } = await setup();
  await store.create(Widget, widget('w'));
  const err = await rejectsWith(t, store.patch(Widget, 'w', { type: 'strategic', patch: { spec: { image: 'y' } } }, { namespace: 'default' }), 'BadRequest');
  t.regex(err.message, /merge patch/);
});

test('a status patch changes only status; a main patch ignores status', async (t) => {
  const { store } = await setup();
  await store.create(Widget, widget('w'));
  const s = await store.patch(Widget, 'w', { type: 'merge', patch: { spec: { image: 'ignored' }, status: { ready: 4 } } }, { namespace: 'default', subresource: 'status' });
  t.deepEqual(s.status, { ready: 4 });
  t.is(s.spec.image, 'nginx');
  const m = await store.patch(Widget, 'w', { type: 'merge', patch: { spec: { image: 'new' }, status: { ready: 9 } } }, { namespace: 'default' });
  t.deepEqual(m.status, { ready: 4 });
  t.is(m.spec.image, 'new');
  await rejectsWith(t, store.patch(ConfigMap, 'x', { type: 'merge', patch: {} }, { namespace: 'default', subresource: 'status' }), 'MethodNotAllowed');
});

test('a patch carrying a stale resourceVersion is a Conflict; a current one applies', async (t) => {
  const { store } = await setup();
  const v1 = await store.create(ConfigMap, configMap('cfg', 'default', { a: '1' }));
  const v2 = await store.update(ConfigMap, { ...v1, data: { a: '2' } });
  await rejectsWith(t, store.patch(ConfigMap, 'cfg', { type: 'merge', patch: { metadata: { resourceVersion: v1.metadata.resourceVersion }, data: { a: 'x' } } }, { namespace: 'default' }), 'Conflict');
  const v3 = await store.patch(ConfigMap, 'cfg', { type: 'merge', patch: { metadata: { resourceVersion: v2.metadata.resourceVersion }, data: { a: '3' } } }, { namespace: 'default' });
  t.is(v3.data?.['a'], '3');
});

test('a patch that breaks the schema fails with the path of the bad field', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, configMap('cfg', 'default', { a: '1' }));
  const err = await rejectsWith(t, store.patch(ConfigMap, 'cfg', { type: 'merge', patch: { data: { a: 5 } } }, { namespace: 'default' }), 'Invalid');
  t.true(err.fieldErrors.some((e) => e.path === 'data.a'), JSON.stringify(err.fieldErrors));
  const unknown = await rejectsWith(t, store.patch(ConfigMap, 'cfg', { type: 'merge', patch: { spec: { x: 1 } } }, { namespace: 'default' }), 'BadRequest');
  t.regex(unknown.message, /unknown field "spec"/);
  await rejectsWith(t, store.patch(Widget, 'nope', { type: 'merge', patch: {} }, { namespace: 'default' }), 'NotFound');
});

test('a patch cannot rename the object', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, configMap('cfg'));
  await rejectsWith(t, store.patch(ConfigMap, 'cfg', { type: 'merge', patch: { metadata: { name: 'other' } } }, { namespace: 'default' }), 'BadRequest');
});

test('a patch of a deployment bumps generation on spec changes only', async (t) => {
  const { store } = await setup();
  const d = await store.create(Deployment, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  });
  const labelled = await store.patch(Deployment, 'web', { type: 'merge', patch: { metadata: { labels: { team: 'a' } } } }, { namespace: 'default' });
  t.is(labelled.metadata.generation, d.metadata.generation);
  const scaled = await store.patch(Deployment, 'web', { type: 'merge', patch: { spec: { replicas: 3 } } }, { namespace: 'default' });
  t.is(scaled.metadata.generation, (d.metadata.generation ?? 0) + 1);
});

// ---------------------------------------------------------------- mutate

test('mutate applies an immer recipe and writes the result', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, configMap('cfg', 'default', { a: '1' }));
  const next = await store.mutate(ConfigMap, { name: 'cfg', namespace: 'default' }, (d) => {
    d.data = { ...d.data, b: '2' };
  });
  t.deepEqual(next.data, { a: '1', b: '2' });
  const same = await store.mutate(ConfigMap, { name: 'cfg', namespace: 'default' }, () => undefined);
  t.is(same, next);
});

test('mutate retries its recipe when a concurrent writer wins the race', async (t) => {
  const clock = new FakeClock();
  const racing = new RacingBackend(new MemoryBackend({ clock }));
  const store = await Store.open({ backend: racing, clock });
  const other = await Store.open({ backend: racing.inner, clock });
  await store.create(ConfigMap, configMap('cfg', 'default', { n: '0' }));
  racing.beforePut = async () => {
    await other.mutate(ConfigMap, { name: 'cfg', namespace: 'default' }, (d) => {
      d.data = { ...d.data, other: 'yes' };
    });
  };
  let runs = 0;
  const result = await store.mutate(ConfigMap, { name: 'cfg', namespace: 'default' }, (d) => {
    runs++;
    d.data = { ...d.data, n: String(Number(d.data?.['n'] ?? '0') + 1) };
  });
  t.is(runs, 2);
  t.deepEqual(result.data, { n: '1', other: 'yes' });
});

test('mutate of the status subresource writes status only', async (t) => {
  const { store } = await setup();
  await store.create(Widget, widget('w'));
  const s = await store.mutate(Widget, { name: 'w', namespace: 'default' }, (d) => {
    d.status = { ready: 1 };
  }, { subresource: 'status' });
  t.deepEqual(s.status, { ready: 1 });
});

test('an update that loses a race without a pinned resourceVersion is retried', async (t) => {
  const clock = new FakeClock();
  const racing = new RacingBackend(new MemoryBackend({ clock }));
  const store = await Store.open({ backend: racing, clock });
  await store.create(ConfigMap, configMap('cfg', 'default', { a: '1' }));
  racing.beforePut = async () => {
    await racing.inner.put('/registry/core/configmaps/default/cfg', (rev: number) => Object.freeze({ ...configMap('cfg', 'default', { a: 'raced' }), metadata: Object.freeze({ name: 'cfg', namespace: 'default', uid: 'u', resourceVersion: String(rev) }) }));
  };
  const out = await store.update(ConfigMap, configMap('cfg', 'default', { a: 'mine' }));
  t.is(out.data?.['a'], 'mine');
});
