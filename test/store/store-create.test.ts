import test from 'ava';
import { ConfigMap, Namespace, Pod } from '../../src/api/generated/kinds.js';
import { StoreError, storeErrors } from '../../src/store/errors.js';
import { Store, type AdmissionPlugin } from '../../src/store/store.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { KindRegistry } from '../../src/api/registry.js';
import type { KubeObject } from '../../src/api/resource.js';
import { Gadget, Widget, configMap, pod, rejectsWith, setup, widget } from './helpers.js';

test('create assigns uid, creationTimestamp from the clock, generation 1 and a resourceVersion', async (t) => {
  const { store, clock } = await setup();
  clock.advance(12_345);
  const before = Number(store.currentResourceVersion());
  const cm = await store.create(ConfigMap, configMap('cfg', 'default', { a: '1' }));
  t.regex(cm.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
  t.is(cm.metadata.creationTimestamp, new Date(Math.floor(clock.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
  t.is(cm.metadata.generation, 1);
  t.is(cm.metadata.resourceVersion, String(before + 1));
  t.is(store.currentResourceVersion(), String(before + 1));
  t.deepEqual(cm.data, { a: '1' });
  t.deepEqual(await store.get(ConfigMap, 'cfg', { namespace: 'default' }), cm);
});

test('two objects get different uids', async (t) => {
  const { store } = await setup();
  const a = await store.create(ConfigMap, configMap('a'));
  const b = await store.create(ConfigMap, configMap('b'));
  t.not(a.metadata.uid, b.metadata.uid);
});

test('a client-set resourceVersion on create is rejected', async (t) => {
  const { store } = await setup();
  const input = { ...configMap('cfg'), metadata: { name: 'cfg', namespace: 'default', resourceVersion: '3' } };
  const err = await rejectsWith(t, store.create(ConfigMap, input), 'BadRequest');
  t.is(err.message, 'resourceVersion should not be set on objects to be created');
  await rejectsWith(t, store.get(ConfigMap, 'cfg', { namespace: 'default' }), 'NotFound');
});

test('a client-set uid, creationTimestamp and generation are replaced by the store', async (t) => {
  const { store } = await setup();
  const input = { ...configMap('cfg'), metadata: { name: 'cfg', namespace: 'default', uid: 'mine', creationTimestamp: '2001-01-01T00:00:00Z', generation: 7 } };
  const cm = await store.create(ConfigMap, input);
  t.not(cm.metadata.uid, 'mine');
  t.not(cm.metadata.creationTimestamp, '2001-01-01T00:00:00Z');
  t.is(cm.metadata.generation, 1);
});

test('generateName appends a suffix and retries when the generated name collides', async (t) => {
  const suffixes = ['aaaaa', 'aaaaa', 'bbbbb'];
  const { store } = await setup({ store: { nameSuffix: () => suffixes.shift() ?? 'zzzzz' } });
  const first = await store.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'web-', namespace: 'default' } });
  t.is(first.metadata.name, 'web-aaaaa');
  t.is(first.metadata.generateName, 'web-');
  const second = await store.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'web-', namespace: 'default' } });
  t.is(second.metadata.name, 'web-bbbbb');
});

test('generateName gives up with AlreadyExists when every generated name collides', async (t) => {
  const { store } = await setup({ store: { nameSuffix: () => 'same1' } });
  await store.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'x-', namespace: 'default' } });
  const err = await rejectsWith(t, store.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'x-', namespace: 'default' } }), 'AlreadyExists');
  t.regex(err.message, /unique name/);
});

test('neither name nor generateName is Invalid', async (t) => {
  const { store } = await setup();
  const err = await rejectsWith(t, store.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default' } }), 'Invalid');
  t.deepEqual(err.fieldErrors.map((e) => e.path), ['metadata.name']);
});

test('creating an existing object is AlreadyExists and leaves the stored one alone', async (t) => {
  const { store } = await setup();
  const cm = await store.create(ConfigMap, configMap('cfg', 'default', { a: '1' }));
  const err = await rejectsWith(t, store.create(ConfigMap, configMap('cfg', 'default', { a: '2' })), 'AlreadyExists');
  t.is(err.message, 'configmaps "cfg" already exists');
  t.is(await store.get(ConfigMap, 'cfg', { namespace: 'default' }), cm);
});

test('an unknown field is a BadRequest naming its path', async (t) => {
  const { store } = await setup();
  const input = { ...configMap('cfg'), metadata: { name: 'cfg', namespace: 'default', colour: 'red' } };
  const err = await rejectsWith(t, store.create(ConfigMap, input), 'BadRequest');
  t.regex(err.message, /unknown field "metadata\.colour"/);
  t.deepEqual(err.fieldErrors.map((e) => e.path), ['metadata.colour']);
});

test('fieldValidation drop removes unknown fields and creates the object', async (t) => {
  const { store } = await setup();
  const input = { ...configMap('cfg', 'default', { a: '1' }), extra: true, metadata: { name: 'cfg', namespace: 'default', colour: 'red' } };
  const cm = await store.create(ConfigMap, input, { fieldValidation: 'drop' });
  t.false('extra' in cm);
  t.false('colour' in cm.metadata);
  t.deepEqual(cm.data, { a: '1' });
});

test('a namespaced object in a missing namespace is NotFound', async (t) => {
  const { store } = await setup();
  const err = await rejectsWith(t, store.create(ConfigMap, configMap('cfg', 'nope')), 'NotFound');
  t.is(err.message, 'namespaces "nope" not found');
});

test('a namespaced object without a namespace is a BadRequest', async (t) => {
  const { store } = await setup();
  await rejectsWith(t, store.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }), 'BadRequest');
});

test('the namespace can come from the request options', async (t) => {
  const { store } = await setup();
  const cm = await store.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, { namespace: 'kube-system' });
  t.is(cm.metadata.namespace, 'kube-system');
  await rejectsWith(t, store.create(ConfigMap, configMap('y', 'default'), { namespace: 'kube-system' }), 'BadRequest');
});

test('a namespace being terminated accepts no new objects (Forbidden)', async (t) => {
  const { store } = await setup();
  await store.create(Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'old', finalizers: ['example.com/hold'] } });
  const ns = await store.delete(Namespace, 'old');
  t.truthy(ns.metadata.deletionTimestamp);
  const err = await rejectsWith(t, store.create(ConfigMap, configMap('cfg', 'old')), 'Forbidden');
  t.regex(err.message, /being terminated/);
});

test('default, kube-system, kube-public and kube-node-lease exist from the start', async (t) => {
  const { store } = await setup();
  const names = (await store.list(Namespace)).items.map((n) => n.metadata.name);
  t.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  for (const ns of names) t.is((await store.get(Namespace, ns ?? '')).status?.phase, 'Active');
});

test('opening a second store over the same backend keeps the bootstrap namespaces', async (t) => {
  const { backend, clock, store } = await setup();
  const rv = store.currentResourceVersion();
  const again = await Store.open({ backend, clock });
  t.is(again.currentResourceVersion(), rv);
});

test('cluster-scoped objects drop a namespace they were given', async (t) => {
  const { store } = await setup({ store: { kinds: kindsWith(Gadget, Widget) } });
  const g = await store.create(Gadget, { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'default' }, spec: { size: 1 } });
  t.false('namespace' in g.metadata);
  t.is((await store.get(Gadget, 'g')).metadata.name, 'g');
});

test('status sent on create is dropped for kinds with a status subresource', async (t) => {
  const { store } = await setup({ store: { kinds: kindsWith(Widget) } });
  const w = await store.create(Widget, { ...widget('w'), status: { ready: 3 } });
  t.is(w.status, undefined);
});

test('pods are created Pending with their QoS class, whatever status was sent', async (t) => {
  const { store } = await setup();
  const p = await store.create(Pod, { ...pod('p'), status: { phase: 'Running', podIP: '10.0.0.1' } });
  t.is(p.status?.phase, 'Pending');
  t.is(p.status?.podIP, undefined);
  t.is(p.status?.qosClass, 'Burstable');
  const guaranteed = await store.create(Pod, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'g', namespace: 'default' }, spec: { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] } });
  t.is(guaranteed.status?.qosClass, 'Guaranteed');
  const best = await store.create(Pod, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'default' }, spec: { containers: [{ name: 'a', image: 'x' }] } });
  t.is(best.status?.qosClass, 'BestEffort');
});

test('a custom kind strategy validation failure is Invalid with every field error', async (t) => {
  const { store } = await setup({ store: { kinds: kindsWith(Widget) } });
  const err = await rejectsWith(t, store.create(Widget, { ...widget('w', ''), spec: { image: '', replicas: -1 } }), 'Invalid');
  t.deepEqual(err.fieldErrors.map((e) => e.path).sort(), ['spec.image', 'spec.replicas']);
  t.is(err.httpStatus, 422);
});

test('a custom kind rejects a spec of the wrong type with the path in the error', async (t) => {
  const { store } = await setup({ store: { kinds: kindsWith(Widget) } });
  const err = await rejectsWith(t, store.create(Widget, { ...widget('w'), spec: { image: 3 } }), 'Invalid');
  t.true(err.fieldErrors.some((e) => e.path === 'spec.image'), JSON.stringify(err.fieldErrors));
});

test('an invalid object name of a custom kind is Invalid', async (t) => {
  const { store } = await setup({ store: { kinds: kindsWith(Widget) } });
  const err = await rejectsWith(t, store.create(Widget, widget('Not_A_Name')), 'Invalid');
  t.deepEqual(err.fieldErrors.map((e) => e.path), ['metadata.name']);
});

test('admission runs mutating plugins before validation, then validating plugins which may deny', async (t) => {
  const calls: string[] = [];
  const labeler: AdmissionPlugin = {
    name: 'labeler',
    mutate: (req) => {
      calls.push(`mutate ${req.operation}`);
      const o = req.object;
      return { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, admitted: 'yes' } } } as KubeObject;
    },
  };
  const guard: AdmissionPlugin = {
    name: 'guard',
    validate: (req) => {
      calls.push(`validate ${req.operation} ${req.object.metadata.labels?.['admitted'] ?? '-'}`);
      if (req.object.metadata.name === 'forbidden') throw storeErrors.forbidden('guard denied this object');
    },
  };
  const { store } = await setup({ store: { admission: [labeler, guard] } });
  calls.length = 0; // the bootstrap namespaces went through admission too
  const cm = await store.create(ConfigMap, configMap('ok'));
  t.is(cm.metadata.labels?.['admitted'], 'yes');
  t.deepEqual(calls, ['mutate CREATE', 'validate CREATE yes']);
  const err = await rejectsWith(t, store.create(ConfigMap, configMap('forbidden')), 'Forbidden');
  t.is(err.message, 'guard denied this object');
  await rejectsWith(t, store.get(ConfigMap, 'forbidden', { namespace: 'default' }), 'NotFound');
});

test('a mutating plugin cannot smuggle an invalid object past validation', async (t) => {
  const breaker: AdmissionPlugin = { name: 'breaker', mutate: (req) => ({ ...req.object, spec: { image: '' } }) as KubeObject };
  const { store } = await setup({ store: { kinds: kindsWith(Widget), admission: [breaker] } });
  await rejectsWith(t, store.create(Widget, widget('w')), 'Invalid');
});

test('dryRun create returns the object but writes nothing', async (t) => {
  const { store } = await setup();
  const rv = store.currentResourceVersion();
  const cm = await store.create(ConfigMap, configMap('cfg'), { dryRun: true });
  t.is(cm.metadata.name, 'cfg');
  t.truthy(cm.metadata.uid);
  t.is(store.currentResourceVersion(), rv);
  await rejectsWith(t, store.get(ConfigMap, 'cfg', { namespace: 'default' }), 'NotFound');
});

test('the input object of a create is neither frozen nor changed', async (t) => {
  const { store } = await setup();
  const input = configMap('cfg', 'default', { a: '1' }, { app: 'x' });
  const copy = structuredClone(input);
  await store.create(ConfigMap, input);
  t.deepEqual(input, copy);
  t.false(Object.isFrozen(input.data));
  t.false(Object.isFrozen(input.metadata.labels));
});

test('the objects a store hands out are deeply frozen and mutating them does not affect the store', async (t) => {
  const { store } = await setup();
  const p = await store.create(Pod, pod('p'));
  const mutable = p as unknown as { metadata: { labels?: unknown }; spec: { containers: { image: string }[] } };
  t.throws(() => {
    mutable.spec.containers[0].image = 'evil';
  }, { instanceOf: TypeError });
  t.throws(() => {
    mutable.metadata.labels = { a: 'b' };
  }, { instanceOf: TypeError });
  const again = await store.get(Pod, 'p', { namespace: 'default' });
  t.is(again.spec?.containers[0]?.image, 'nginx:1.27');
  t.true(Object.isFrozen(again.spec?.containers[0]?.ports?.[0]));
  const listed = (await store.list(Pod, { namespace: 'default' })).items[0];
  t.true(Object.isFrozen(listed?.status));
});

test('a store without Namespace served does not require namespaces', async (t) => {
  const clock = new FakeClock();
  const kinds = new KindRegistry();
  kinds.register(Widget);
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock, kinds });
  const w = await store.create(Widget, widget('w', 'nginx', 'anywhere'));
  t.is(w.metadata.namespace, 'anywhere');
});

test('errors are StoreErrors with Kubernetes Status bodies', async (t) => {
  const { store } = await setup();
  const err = await rejectsWith(t, store.get(ConfigMap, 'x', { namespace: 'default' }), 'NotFound');
  t.true(err instanceof StoreError);
  t.like(err.toStatus(), { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
});

function kindsWith(...types: Parameters<KindRegistry['register']>[0][]): KindRegistry {
  const kinds = KindRegistry.withBuiltins();
  for (const ty of types) kinds.register(ty);
  return kinds;
}

test('a pod with a malformed resource quantity fails as a StoreError, not a crash', async (t) => {
  const { store } = await setup();
  const bad = pod('bad');
  const input = { ...bad, spec: { ...bad.spec, containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: 'lots' }, limits: { cpu: 'lots' } } }] } };
  const err = await t.throwsAsync(store.create(Pod, input));
  t.true(err instanceof StoreError, String(err));
});

test('generated uids are distinct RFC 4122 version 4 UUIDs', async (t) => {
  const { store } = await setup();
  const uids = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const cm = await store.create(ConfigMap, configMap(`u${i}`));
    const uid = cm.metadata.uid ?? '';
    t.regex(uid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    uids.add(uid);
  }
  t.is(uids.size, 300);
});

test('objects created from one template share their equal subtrees, and each still reads back as written', async (t) => {
  const { store } = await setup();
  const a = await store.create(Pod, pod('a', { labels: { app: 'web' } }));
  const b = await store.create(Pod, pod('b', { labels: { app: 'web' } }));
  const c = await store.create(Pod, pod('c', { labels: { app: 'db' } }));
  t.is(b.spec, a.spec, 'equal specs are one frozen object');
  t.is(b.metadata.labels, a.metadata.labels);
  t.not(c.metadata.labels, a.metadata.labels);
  t.deepEqual(c.metadata.labels, { app: 'db' });
  t.is(b.metadata.name, 'b');
  t.not(b.metadata.uid, a.metadata.uid);
  t.true(Object.isFrozen(b.spec));
  t.deepEqual(await store.get(Pod, 'b', { namespace: 'default' }), b);
});
