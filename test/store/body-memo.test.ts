/**
 * Creates that reuse the decoded, defaulted, validated body of an earlier create with an equal
 * input (see src/store/body-memo.ts) must give exactly what the full path gives: the same
 * objects, the same errors, whatever the metadata, admission plugins or later input changes.
 */
import test from 'ava';
import fc from 'fast-check';
import { Pod, Secret } from '../../src/api/generated/kinds.js';
import type { KubeObject, ResourceType } from '../../src/api/resource.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { StoreError } from '../../src/store/errors.js';
import { Store, type AdmissionPlugin } from '../../src/store/store.js';
import { jsonEqual } from '../../src/store/objects.js';
import { pod, rejectsWith, setup } from './helpers.js';

/** Pod with body reuse turned off: its strategy no longer declares metadata independence. */
const PodFullPath: ResourceType<Pod> = { ...Pod, strategy: { ...Pod.strategy, validateMetadata: undefined } };

async function storeWithCounter(admission: readonly AdmissionPlugin[] = []): Promise<Store> {
  const clock = new FakeClock();
  let n = 0;
  return Store.open({ backend: new MemoryBackend({ clock }), clock, admission, uid: () => `00000000-0000-4000-8000-${String(n++).padStart(12, '0')}`, nameSuffix: () => `x${String(n++).padStart(4, '0')}` });
}

type Outcome = { readonly ok: true; readonly value: KubeObject } | { readonly ok: false; readonly code: string; readonly message: string };

async function outcome(p: Promise<KubeObject>): Promise<Outcome> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    return { ok: false, code: err.code, message: err.message };
  }
}

test('Pod declares that its body does not depend on metadata; Secret (annotations) does not', (t) => {
  t.is(typeof Pod.strategy.validateMetadata, 'function');
  t.is(Secret.strategy.validateMetadata, undefined);
});

test('pods created from one template after the first ones share one stored spec object', async (t) => {
  const { store } = await setup();
  const made = [];
  for (let i = 0; i < 5; i++) made.push(await store.create(Pod, pod(`p${i}`)));
  t.is(made[4]?.spec, made[3]?.spec);
  t.is(made[4]?.status, made[3]?.status);
  t.true(Object.isFrozen(made[4]?.metadata));
  t.is(made[4]?.metadata.name, 'p4');
  t.not(made[4]?.metadata.uid, made[3]?.metadata.uid);
});

test('a caller changing its input object between creates gets each change stored', async (t) => {
  const { store } = await setup();
  type Mutable = { metadata: { name: string }; spec: { containers: { image: string }[] } };
  const input = JSON.parse(JSON.stringify(pod('a'))) as Mutable;
  for (let i = 0; i < 4; i++) {
    input.metadata.name = `p${i}`;
    await store.create(Pod, input);
  }
  const c0 = input.spec.containers[0];
  if (c0 === undefined) throw new Error('no container');
  c0.image = 'nginx:1.28';
  input.metadata.name = 'changed';
  const changed = await store.create(Pod, input);
  t.is(changed.spec?.containers[0]?.image, 'nginx:1.28');
  t.is((await store.get(Pod, 'p3', { namespace: 'default' })).spec?.containers[0]?.image, 'nginx:1.27');
});

test('metadata errors are reported in full after the body has been reused', async (t) => {
  const { store } = await setup();
  for (let i = 0; i < 4; i++) await store.create(Pod, pod(`p${i}`));
  const badLabel = await rejectsWith(t, store.create(Pod, pod('bad', { labels: { app: 'no spaces allowed' } })), 'Invalid');
  t.regex(badLabel.message, /metadata\.labels/);
  const unknown = await rejectsWith(t, store.create(Pod, { ...pod('u'), metadata: { name: 'u', namespace: 'default', colour: 'red' } }), 'BadRequest');
  t.regex(unknown.message, /unknown field "metadata\.colour"/);
  const badName = await rejectsWith(t, store.create(Pod, pod('Not_A_Name')), 'Invalid');
  t.regex(badName.message, /metadata\.name/);
});

test('a reused body still goes through dry run, generateName and the existing-name check', async (t) => {
  const { store } = await setup();
  for (let i = 0; i < 4; i++) await store.create(Pod, pod(`p${i}`));
  const dry = await store.create(Pod, pod('dry'), { dryRun: true });
  t.is(dry.metadata.resourceVersion, undefined);
  await rejectsWith(t, store.get(Pod, 'dry', { namespace: 'default' }), 'NotFound');
  const generated = await store.create(Pod, { ...pod(''), metadata: { generateName: 'web-', namespace: 'default' } });
  t.regex(generated.metadata.name ?? '', /^web-[a-z0-9]{5}$/);
  await rejectsWith(t, store.create(Pod, pod('p1')), 'AlreadyExists');
});

test('a mutating admission plugin that changes the body of some pods gets them validated in full', async (t) => {
  // Injects a sidecar whose name is invalid into pods labelled inject=yes.
  const injector: AdmissionPlugin = {
    name: 'injector',
    mutate: ({ object }) => {
      const p = object as Pod;
      if (p.metadata.labels?.['inject'] !== 'yes' || p.spec === undefined) return object;
      return { ...p, spec: { ...p.spec, containers: [...p.spec.containers, { name: 'Bad_Name', image: 'proxy' }] } } as KubeObject;
    },
  };
  const store = await storeWithCounter([injector]);
  for (let i = 0; i < 4; i++) await store.create(Pod, pod(`p${i}`));
  const err = await rejectsWith(t, store.create(Pod, pod('injected', { labels: { inject: 'yes' } })), 'Invalid');
  t.regex(err.message, /spec\.containers\[2\]\.name/);
  // And an injected body is never reused for pods the plugin leaves alone.
  const plain = await store.create(Pod, pod('plain'));
  t.is(plain.spec?.containers.length, 2);
});

test('inputs whose values decode to a canonical form are never confused with it', async (t) => {
  const { store } = await setup();
  const withMillis = (name: string): Pod => {
    const p = pod(name);
    const [c, ...rest] = p.spec?.containers ?? [];
    if (c === undefined) throw new Error('no container');
    return { ...p, spec: { containers: [{ ...c, resources: { requests: { cpu: '1000m', memory: '64Mi' }, limits: { cpu: '2000m', memory: '64Mi' } } }, ...rest] } };
  };
  for (let i = 0; i < 4; i++) await store.create(Pod, withMillis(`m${i}`));
  const canonical = await store.get(Pod, 'm3', { namespace: 'default' });
  t.is(canonical.spec?.containers[0]?.resources?.requests?.['cpu'], '1');
  // The canonical text itself (what the first ones decoded to) creates the same pod.
  const again = await store.create(Pod, { ...canonical, metadata: { name: 'c', namespace: 'default' } } as Pod);
  t.deepEqual(again.spec, canonical.spec);
});

/** Metadata variations, valid and not, over a few pod templates. */
const metaArb = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd', 'Bad_Name', ''),
  generateName: fc.option(fc.constantFrom('web-', 'Bad_', ''), { nil: undefined }),
  labels: fc.option(fc.dictionary(fc.constantFrom('app', 'tier', 'bad key!'), fc.constantFrom('x', 'y', 'has space')), { nil: undefined }),
  annotations: fc.option(fc.dictionary(fc.constantFrom('note', 'kubernetes.io/x'), fc.constantFrom('1', '')), { nil: undefined }),
  namespace: fc.constantFrom('default', 'kube-system', 'missing'),
  extra: fc.option(fc.constantFrom('colour', 'uid', 'generation'), { nil: undefined }),
});

const templates: readonly ((name: string) => Pod)[] = [
  (n) => pod(n),
  (n) => pod(n, { grace: 5 }),
  (n) => ({ ...pod(n), spec: { containers: [{ name: 'only', image: 'redis:7', resources: { limits: { cpu: '1000m' } } }] } }),
  (n) => ({ ...pod(n), spec: { containers: [{ name: 'Bad_Container', image: 'x' }] } }),
];

test('creates with reused bodies give exactly the objects and errors of the full path (property)', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: templates.length - 1 }), metaArb, fc.constantFrom<'reject' | 'drop' | 'warn'>('reject', 'drop', 'warn')), { minLength: 1, maxLength: 40 }), async (ops) => {
      const reuse = await storeWithCounter();
      const full = await storeWithCounter();
      for (const [ti, m, policy] of ops) {
        const base = (templates[ti] as (name: string) => Pod)(m.name);
        const metadata: Record<string, unknown> = { name: m.name, namespace: m.namespace };
        if (m.generateName !== undefined) metadata['generateName'] = m.generateName;
        if (m.labels !== undefined) metadata['labels'] = m.labels;
        if (m.annotations !== undefined) metadata['annotations'] = m.annotations;
        if (m.extra === 'colour') metadata['colour'] = 'red';
        if (m.extra === 'uid') metadata['uid'] = 'client-uid';
        if (m.extra === 'generation') metadata['generation'] = 7;
        const input = () => JSON.parse(JSON.stringify({ ...base, metadata })) as unknown;
        const a = await outcome(reuse.create(Pod, input(), { fieldValidation: policy }));
        const b = await outcome(full.create(PodFullPath, input(), { fieldValidation: policy }));
        if (!jsonEqual(a, b) || JSON.stringify(a) !== JSON.stringify(b)) {
          t.log(JSON.stringify(a), JSON.stringify(b));
          return false;
        }
      }
      return true;
    }),
    { numRuns: 60 },
  );
  t.pass();
});
