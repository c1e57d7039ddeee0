import test from 'ava';
import { ConfigMap, Pod } from '../../src/api/generated/kinds.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeClock } from '../../src/runtime/clock.js';
import { FileBackend } from '../../src/store/backend/file.js';
import { StoreError } from '../../src/store/errors.js';
import { Store } from '../../src/store/store.js';
import { collect, configMap, flush, pod, setup, summary } from './helpers.js';

test('a watch from a resourceVersion delivers exactly the later events, in order', async (t) => {
  const { store } = await setup();
  const a = await store.create(ConfigMap, configMap('a'));
  const b = await store.create(ConfigMap, configMap('b'));
  const w = collect(store.watch(ConfigMap, { namespace: 'default', resourceVersion: a.metadata.resourceVersion }));
  const b2 = await store.update(ConfigMap, { ...b, data: { x: '1' } });
  const gone = await store.delete(ConfigMap, 'a', { namespace: 'default' });
  await store.create(ConfigMap, configMap('elsewhere', 'kube-system'));
  t.deepEqual(summary(w.events), [
    `ADDED default/b@${b.metadata.resourceVersion ?? ''}`,
    `MODIFIED default/b@${b2.metadata.resourceVersion ?? ''}`,
    `DELETED default/a@${gone.metadata.resourceVersion ?? ''}`,
  ]);
  w.subscription.unsubscribe();
});

test('a watch without a resourceVersion (or "0") first delivers the existing objects as ADDED', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, configMap('a'));
  await store.create(ConfigMap, configMap('b'));
  for (const resourceVersion of [undefined, '0', '']) {
    const w = collect(store.watch(ConfigMap, { namespace: 'default', resourceVersion }));
    await flush();
    const c = await store.create(ConfigMap, configMap(`c${resourceVersion ?? 'u'}`));
    t.deepEqual(w.events.map((e) => (e.type === 'BOOKMARK' ? e.type : `${e.type} ${e.object.metadata.name ?? ''}`)).slice(0, 2), ['ADDED a', 'ADDED b']);
    const last = w.events[w.events.length - 1];
    t.is(last?.type === 'BOOKMARK' ? undefined : last?.object, c);
    w.subscription.unsubscribe();
  }
});

test('a watch that starts before the initial list resolves misses no write made meanwhile', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, configMap('a'));
  const w = collect(store.watch(ConfigMap, { namespace: 'default' }));
  const p = store.create(ConfigMap, configMap('b'));
  await p;
  await flush();
  const names = w.events.map((e) => (e.type === 'BOOKMARK' ? '' : e.object.metadata.name));
  t.deepEqual(names, ['a', 'b']);
  w.subscription.unsubscribe();
});

test('DELETED carries the last state with the resourceVersion of the deletion', async (t) => {
  const { store } = await setup();
  const cm = await store.create(ConfigMap, configMap('a', 'default', { k: 'v' }));
  const w = collect(store.watch(ConfigMap, { namespace: 'default', resourceVersion: cm.metadata.resourceVersion }));
  await store.delete(ConfigMap, 'a', { namespace: 'default' });
  const ev = w.events[0];
  t.is(ev?.type, 'DELETED');
  if (ev !== undefined && ev.type !== 'BOOKMARK') {
    t.is(ev.object.metadata.resourceVersion, store.currentResourceVersion());
    t.deepEqual(ev.object.data, { k: 'v' });
    t.true(Object.isFrozen(ev.object));
  }
  w.subscription.unsubscribe();
});

test('objects that stop matching a selector arrive as DELETED with their last matching state; those that start matching as ADDED', async (t) => {
  const { store } = await setup();
  const cm = await store.create(ConfigMap, configMap('a', 'default', {}, { app: 'web' }));
  const w = collect(store.watch(ConfigMap, { namespace: 'default', labelSelector: 'app=web', resourceVersion: cm.metadata.resourceVersion }));
  const moved = await store.update(ConfigMap, { ...cm, metadata: { ...cm.metadata, labels: { app: 'db' } } });
  await store.update(ConfigMap, { ...moved, data: { ignored: 'yes' } });
  const back = await store.patch(ConfigMap, 'a', { type: 'merge', patch: { metadata: { labels: { app: 'web' } } } }, { namespace: 'default' });
  const changed = await store.patch(ConfigMap, 'a', { type: 'merge', patch: { data: { x: '1' } } }, { namespace: 'default' });
  t.deepEqual(summary(w.events), [
    `DELETED default/a@${moved.metadata.resourceVersion ?? ''}`,
    `ADDED default/a@${back.metadata.resourceVersion ?? ''}`,
    `MODIFIED default/a@${changed.metadata.resourceVersion ?? ''}`,
  ]);
  // As Kubernetes' watch cache does: the previous (matching) content, at the event's resourceVersion.
  const del = w.events[0];
  t.deepEqual(del?.type === 'BOOKMARK' ? undefined : del?.object.metadata.labels, { app: 'web' });
  w.subscription.unsubscribe();
});

test('field selectors apply to watches, e.g. pods of one node', async (t) => {
  const { store } = await setup();
  const rv = store.currentResourceVersion();
  const w = collect(store.watch(Pod, { fieldSelector: 'spec.nodeName=node-1', resourceVersion: rv }));
  await store.create(Pod, pod('p'));
  await store.bindPod({ name: 'p', namespace: 'default' }, 'node-1');
  await store.create(Pod, pod('q', { nodeName: 'node-2' }));
  t.deepEqual(w.events.map((e) => (e.type === 'BOOKMARK' ? e.type : `${e.type} ${e.object.metadata.name ?? ''}`)), ['ADDED p']);
  w.subscription.unsubscribe();
});

test('an invalid selector or resourceVersion errors the watch with BadRequest', async (t) => {
  const { store } = await setup();
  const w1 = collect(store.watch(ConfigMap, { labelSelector: 'a in (' }));
  t.true(w1.error instanceof StoreError && w1.error.code === 'BadRequest');
  const w2 = collect(store.watch(ConfigMap, { resourceVersion: 'x' }));
  t.true(w2.error instanceof StoreError && w2.error.code === 'BadRequest');
});

test('bookmarks arrive on the clock when allowBookmarks is set, with the current revision', async (t) => {
  const { store, clock } = await setup({ store: { bookmarkIntervalMs: 1_000 } });
  const rv = store.currentResourceVersion();
  const w = collect(store.watch(ConfigMap, { namespace: 'default', resourceVersion: rv, allowBookmarks: true }));
  const quiet = collect(store.watch(ConfigMap, { namespace: 'default', resourceVersion: rv }));
  clock.advance(999);
  t.deepEqual(w.events, []);
  await store.create(ConfigMap, configMap('elsewhere', 'kube-system'));
  clock.advance(1);
  t.deepEqual(summary(w.events), [`BOOKMARK@${store.currentResourceVersion()}`]);
  clock.advance(1_000);
  t.is(w.events.length, 2);
  t.deepEqual(quiet.events, []);
  w.subscription.unsubscribe();
  quiet.subscription.unsubscribe();
  t.is(clock.pendingTimers(), 0);
});

test('timeoutSeconds completes the watch on the clock and leaves no timers', async (t) => {
  const { store, clock } = await setup();
  const w = collect(store.watch(ConfigMap, { namespace: 'default', resourceVersion: store.currentResourceVersion(), timeoutSeconds: 30, allowBookmarks: true }));
  clock.advance(29_999);
  t.false(w.completed);
  clock.advance(1);
  t.true(w.completed);
  t.is(clock.pendingTimers(), 0);
  await store.create(ConfigMap, configMap('late'));
  t.false(w.events.some((e) => e.type !== 'BOOKMARK'));
});

test('a resourceVersion older than the backend history errors the watch with Expired', async (t) => {
  const { store } = await setup({ backend: { historyMaxEvents: 3 } });
  const first = await store.create(ConfigMap, configMap('a'));
  for (let i = 0; i < 5; i++) await store.create(ConfigMap, configMap(`b${i}`));
  const w = collect(store.watch(ConfigMap, { namespace: 'default', resourceVersion: first.metadata.resourceVersion }));
  t.true(w.error instanceof StoreError, String(w.error));
  t.is((w.error as StoreError).code, 'Expired');
  t.is((w.error as StoreError).httpStatus, 410);
  // A resourceVersion within history still works.
  const recent = collect(store.watch(ConfigMap, { namespace: 'default', resourceVersion: String(Number(store.currentResourceVersion()) - 1) }));
  t.is(recent.error, undefined);
  t.is(recent.events.length, 1);
  recent.subscription.unsubscribe();
});

test('unsubscribing leaves no timers behind', async (t) => {
  const { store, clock } = await setup();
  const w = collect(store.watch(ConfigMap, { allowBookmarks: true, timeoutSeconds: 60 }));
  await flush();
  t.is(clock.pendingTimers(), 2);
  w.subscription.unsubscribe();
  t.is(clock.pendingTimers(), 0);
  await store.create(ConfigMap, configMap('after'));
  t.deepEqual(w.events, []);
});

test('unsubscribing before the initial list resolves delivers nothing and starts no backend watch', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, configMap('a'));
  const w = collect(store.watch(ConfigMap, {}));
  w.subscription.unsubscribe();
  await flush();
  await store.create(ConfigMap, configMap('b'));
  t.deepEqual(w.events, []);
});

test('closing the store completes its watches', async (t) => {
  const { store } = await setup();
  const w = collect(store.watch(ConfigMap, { resourceVersion: store.currentResourceVersion() }));
  await store.close();
  t.true(w.completed);
});

test('a write made by a watch handler is delivered after the event being handled', async (t) => {
  const { store } = await setup();
  const seen: string[] = [];
  const rv = store.currentResourceVersion();
  const sub = store.watch(ConfigMap, { namespace: 'default', resourceVersion: rv }).subscribe((e) => {
    if (e.type === 'BOOKMARK') return;
    seen.push(`${e.type} ${e.object.metadata.name ?? ''}`);
    if (e.object.metadata.name === 'a') void store.create(ConfigMap, configMap('from-handler'));
  });
  await store.create(ConfigMap, configMap('a'));
  await store.create(ConfigMap, configMap('b'));
  await flush();
  t.deepEqual(seen.sort(), ['ADDED a', 'ADDED b', 'ADDED from-handler']);
  t.is(seen[0], 'ADDED a');
  sub.unsubscribe();
});

test('a bookmark never claims a revision whose events a backend still holds back', async (t) => {
  // The file backend delivers a write's event only once it is on disk; a bookmark taken in
  // between must not name the new revision, or a watch resumed from it would miss the event.
  const dir = mkdtempSync(path.join(tmpdir(), 'kubekit-store-bookmark-'));
  const backend = await FileBackend.open({ dir, fsync: 'always' });
  try {
    const clock = new FakeClock();
    const store = await Store.open({ backend, clock, bookmarkIntervalMs: 1_000 });
    const w = collect(store.watch(ConfigMap, { namespace: 'default', resourceVersion: store.currentResourceVersion(), allowBookmarks: true }));
    const pending = store.create(ConfigMap, configMap('a'));
    // Let the create reach the backend (microtasks only: no I/O completes meanwhile).
    const before = backend.currentRevision();
    for (let i = 0; i < 1_000 && backend.currentRevision() === before; i++) await Promise.resolve();
    t.true(backend.currentRevision() > before, 'the write was applied');
    t.deepEqual(w.events, [], 'its event is held until the log is on disk');
    clock.advance(1_000);
    const created = await pending;
    const rvs = w.events.map((e) => Number(e.type === 'BOOKMARK' ? e.resourceVersion : e.object.metadata.resourceVersion));
    t.true(w.events.some((e) => e.type === 'ADDED'));
    for (const e of w.events) {
      if (e.type === 'BOOKMARK') t.true(Number(e.resourceVersion) < Number(created.metadata.resourceVersion), `bookmark ${e.resourceVersion} came before the event of ${created.metadata.resourceVersion ?? ''}`);
    }
    t.deepEqual([...rvs].sort((a, b) => a - b), rvs);
    w.subscription.unsubscribe();
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('listAndWatch gives one consistent snapshot and then exactly the later changes', async (t) => {
  const { ConfigMap } = await import('../../src/api/generated/kinds.js');
  const { FakeClock } = await import('../../src/runtime/clock.js');
  const { MemoryBackend } = await import('../../src/store/backend/memory.js');
  const { Store } = await import('../../src/store/store.js');
  const clock = new FakeClock();
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock });
  const mk = (name: string) => ({ apiVersion: 'v1' as const, kind: 'ConfigMap' as const, metadata: { name, namespace: 'default' } });
  await store.create(ConfigMap, mk('a'));
  const seen: string[] = [];
  const sub = store.listAndWatch(ConfigMap, { namespace: 'default' }).subscribe((e) => {
    if (e.type === 'SNAPSHOT') seen.push(`snapshot ${e.items.map((i) => i.metadata.name).join(',')}`);
    else if (e.type !== 'BOOKMARK') seen.push(`${e.type} ${e.object.metadata.name}`);
  });
  // Written before the snapshot is delivered: it must appear exactly once, either in the snapshot or as an event.
  await store.create(ConfigMap, mk('b'));
  await new Promise((r) => setImmediate(r));
  await store.delete(ConfigMap, 'a', { namespace: 'default' });
  await new Promise((r) => setImmediate(r));
  sub.unsubscribe();
  const mentionsB = seen.filter((l) => l.includes('b')).length;
  t.is(mentionsB, 1);
  t.true(seen[0]?.startsWith('snapshot a'));
  t.is(seen[seen.length - 1], 'DELETED a');
  await store.close();
});
