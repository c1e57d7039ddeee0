import test from 'ava';
import { ConfigMap, Pod } from '../../src/api/generated/kinds.js';
import { configMap, pod, rejectsWith, setup } from './helpers.js';

test('get of a missing object is NotFound with the Kubernetes message', async (t) => {
  const { store } = await setup();
  const err = await rejectsWith(t, store.get(Pod, 'x', { namespace: 'default' }), 'NotFound');
  t.is(err.message, 'pods "x" not found');
  t.is(err.httpStatus, 404);
});

test('get of a namespaced kind without a namespace is a BadRequest', async (t) => {
  const { store } = await setup();
  await rejectsWith(t, store.get(Pod, 'x'), 'BadRequest');
});

test('list returns the objects of one namespace, or of all, sorted by namespace and name', async (t) => {
  const { store } = await setup();
  for (const [ns, name] of [['kube-system', 'b'], ['default', 'c'], ['default', 'a'], ['kube-public', 'a']] as const) {
    await store.create(ConfigMap, configMap(name, ns));
  }
  const inDefault = await store.list(ConfigMap, { namespace: 'default' });
  t.deepEqual(inDefault.items.map((c) => c.metadata.name), ['a', 'c']);
  t.is(inDefault.resourceVersion, store.currentResourceVersion());
  t.is(inDefault.continue, undefined);
  const all = await store.list(ConfigMap);
  t.deepEqual(all.items.map((c) => `${c.metadata.namespace}/${c.metadata.name}`), ['default/a', 'default/c', 'kube-public/a', 'kube-system/b']);
});

test('label selectors filter a list', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, configMap('a', 'default', {}, { app: 'web', tier: 'front' }));
  await store.create(ConfigMap, configMap('b', 'default', {}, { app: 'web', tier: 'back' }));
  await store.create(ConfigMap, configMap('c', 'default', {}, { app: 'db' }));
  const names = async (labelSelector: string): Promise<(string | undefined)[]> => (await store.list(ConfigMap, { namespace: 'default', labelSelector })).items.map((c) => c.metadata.name);
  t.deepEqual(await names('app=web'), ['a', 'b']);
  t.deepEqual(await names('app=web,tier!=front'), ['b']);
  t.deepEqual(await names('tier'), ['a', 'b']);
  t.deepEqual(await names('!tier'), ['c']);
  t.deepEqual(await names('app in (db, cache)'), ['c']);
});

test('field selectors filter a list', async (t) => {
  const { store } = await setup();
  await store.create(Pod, pod('on-a', { nodeName: 'node-a' }));
  await store.create(Pod, pod('on-b', { nodeName: 'node-b' }));
  await store.create(Pod, pod('nowhere'));
  const names = async (fieldSelector: string): Promise<(string | undefined)[]> => (await store.list(Pod, { fieldSelector })).items.map((p) => p.metadata.name);
  t.deepEqual(await names('spec.nodeName=node-a'), ['on-a']);
  t.deepEqual(await names('spec.nodeName='), ['nowhere']);
  t.deepEqual(await names('metadata.name!=on-a,status.phase=Pending'), ['nowhere', 'on-b']);
});

test('an invalid label or field selector is a BadRequest', async (t) => {
  const { store } = await setup();
  await rejectsWith(t, store.list(ConfigMap, { labelSelector: 'a in (' }), 'BadRequest');
  await rejectsWith(t, store.list(Pod, { fieldSelector: 'spec.bogusField=x' }), 'BadRequest');
});

test('pages with limit and continue return every object exactly once', async (t) => {
  const { store } = await setup();
  for (let i = 0; i < 23; i++) await store.create(ConfigMap, configMap(`cm-${String(i).padStart(2, '0')}`));
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  let rv: string | undefined;
  do {
    const page = await store.list(ConfigMap, { namespace: 'default', limit: 5, continue: token });
    t.true(page.items.length <= 5);
    if (rv === undefined) rv = page.resourceVersion;
    t.is(page.resourceVersion, rv);
    seen.push(...page.items.map((c) => c.metadata.name ?? ''));
    token = page.continue;
    pages++;
  } while (token !== undefined);
  t.is(pages, 5);
  t.deepEqual(seen, Array.from({ length: 23 }, (_, i) => `cm-${String(i).padStart(2, '0')}`));
});

test('pagination is consistent at the first page revision while writes continue', async (t) => {
  const { store } = await setup();
  for (let i = 0; i < 10; i++) await store.create(ConfigMap, configMap(`cm-${i}`, 'default', { v: '0' }));
  const first = await store.list(ConfigMap, { namespace: 'default', limit: 3 });
  const rv = first.resourceVersion;
  // Writes after the first page: a new object at the end, an update, a delete of a later object.
  await store.create(ConfigMap, configMap('cm-99'));
  await store.create(ConfigMap, configMap('cm-0a'));
  await store.update(ConfigMap, { ...configMap('cm-5', 'default', { v: 'changed' }) });
  await store.delete(ConfigMap, 'cm-8', { namespace: 'default' });
  const items = [...first.items];
  let token = first.continue;
  while (token !== undefined) {
    const page = await store.list(ConfigMap, { namespace: 'default', limit: 3, continue: token });
    t.is(page.resourceVersion, rv);
    items.push(...page.items);
    token = page.continue;
  }
  t.deepEqual(items.map((c) => c.metadata.name), Array.from({ length: 10 }, (_, i) => `cm-${i}`));
  t.is(items.find((c) => c.metadata.name === 'cm-5')?.data?.['v'], '0');
  for (const c of items) t.true(Number(c.metadata.resourceVersion) <= Number(rv));
});

test('pagination with a selector fills pages with matching objects only', async (t) => {
  const { store } = await setup();
  for (let i = 0; i < 30; i++) await store.create(ConfigMap, configMap(`cm-${String(i).padStart(2, '0')}`, 'default', {}, { parity: i % 3 === 0 ? 'three' : 'other' }));
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.list(ConfigMap, { namespace: 'default', labelSelector: 'parity=three', limit: 4, continue: token });
    names.push(...page.items.map((c) => c.metadata.name ?? ''));
    token = page.continue;
  } while (token !== undefined);
  t.deepEqual(names, Array.from({ length: 10 }, (_, i) => `cm-${String(i * 3).padStart(2, '0')}`));
});

test('a continue token from a compacted revision is Expired', async (t) => {
  const { store, backend } = await setup();
  for (let i = 0; i < 6; i++) await store.create(ConfigMap, configMap(`cm-${i}`));
  const first = await store.list(ConfigMap, { namespace: 'default', limit: 2 });
  t.truthy(first.continue);
  await store.create(ConfigMap, configMap('later'));
  await backend.compact(backend.currentRevision());
  const err = await rejectsWith(t, store.list(ConfigMap, { namespace: 'default', limit: 2, continue: first.continue }), 'Expired');
  t.is(err.httpStatus, 410);
});

test('a tampered or foreign continue token is a BadRequest', async (t) => {
  const { store } = await setup();
  for (let i = 0; i < 4; i++) await store.create(ConfigMap, configMap(`cm-${i}`));
  const first = await store.list(ConfigMap, { namespace: 'default', limit: 2 });
  const token = first.continue ?? '';
  await rejectsWith(t, store.list(ConfigMap, { namespace: 'default', continue: `${token.slice(0, -3)}!!` }), 'BadRequest');
  await rejectsWith(t, store.list(ConfigMap, { namespace: 'default', continue: 'not-a-token' }), 'BadRequest');
  // A token of another list (another namespace) is refused too.
  await rejectsWith(t, store.list(ConfigMap, { namespace: 'kube-system', continue: token }), 'BadRequest');
  // A token naming a future revision is refused, not passed through as a backend error.
  const forged = Buffer.from(JSON.stringify({ v: 1, rv: 1_000_000, start: '/registry/core/configmaps/default/cm-1' })).toString('base64url');
  await rejectsWith(t, store.list(ConfigMap, { namespace: 'default', continue: forged }), 'BadRequest');
});

test('resourceVersion "" and "0" list the latest state', async (t) => {
  const { store } = await setup();
  await store.create(ConfigMap, configMap('a'));
  for (const resourceVersion of ['', '0', undefined]) {
    const l = await store.list(ConfigMap, { namespace: 'default', resourceVersion });
    t.is(l.resourceVersion, store.currentResourceVersion());
    t.is(l.items.length, 1);
  }
});

test('resourceVersion N lists a state not older than N; a future N is a Timeout', async (t) => {
  const { store } = await setup();
  const a = await store.create(ConfigMap, configMap('a'));
  await store.create(ConfigMap, configMap('b'));
  const l = await store.list(ConfigMap, { namespace: 'default', resourceVersion: a.metadata.resourceVersion });
  t.is(l.items.length, 2);
  t.true(Number(l.resourceVersion) >= Number(a.metadata.resourceVersion));
  const future = String(Number(store.currentResourceVersion()) + 10);
  const err = await rejectsWith(t, store.list(ConfigMap, { namespace: 'default', resourceVersion: future }), 'Timeout');
  t.regex(err.message, /Too large resource version/);
  await rejectsWith(t, store.list(ConfigMap, { namespace: 'default', resourceVersion: 'abc' }), 'BadRequest');
});

test('resourceVersionMatch Exact lists the state at exactly that revision', async (t) => {
  const { store, backend } = await setup();
  const a = await store.create(ConfigMap, configMap('a', 'default', { v: '1' }));
  await store.create(ConfigMap, configMap('b'));
  await store.update(ConfigMap, configMap('a', 'default', { v: '2' }));
  const l = await store.list(ConfigMap, { namespace: 'default', resourceVersion: a.metadata.resourceVersion, resourceVersionMatch: 'Exact' });
  t.is(l.resourceVersion, a.metadata.resourceVersion ?? '');
  t.deepEqual(l.items.map((c) => [c.metadata.name, c.data?.['v']]), [['a', '1']]);
  await backend.compact(backend.currentRevision());
  await rejectsWith(t, store.list(ConfigMap, { namespace: 'default', resourceVersion: a.metadata.resourceVersion, resourceVersionMatch: 'Exact' }), 'Expired');
});
