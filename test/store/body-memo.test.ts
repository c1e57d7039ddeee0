/**
 * Creates that reuse the decoded, defaulted, validated body of an earlier create with an equal
 * input (see src/store/body-memo.ts) must give exactly what the full path gives: the same
 * objects, the same errors, whatever the metadata, admission plugins or later input changes.
 */
import test from 'ava';
import fc from 'fast-check';
import * as io from 'io-ts';
import { KindRegistry } from '../../src/api/registry.js';
import { defineResource, strict } from '../../src/api/resource.js';
import { Pod, Secret } from '../../src/api/generated/kinds.js';
import type { KubeObject, ResourceType } from '../../src/api/resource.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { StoreError } from '../../src/store/errors.js';
import { Store, type AdmissionPlugin } from '../../src/store/store.js';
import { jsonEqual } from '../../src/store/objects.js';
import { BodyMemo, compileMatcher, decodedMatches } from '../../src/store/body-memo.js';
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

test('an update reusing a remembered result still checks the new body against each stored body', async (t) => {
  const { store } = await setup();
  const imageOf = (p: Pod) => p.spec?.containers[0]?.image;
  const withImage = (p: Pod, image: string): Pod => {
    const [c, ...rest] = p.spec?.containers ?? [];
    if (c === undefined || p.spec === undefined) throw new Error('no container');
    return { ...p, spec: { ...p.spec, containers: [{ ...c, image }, ...rest] } };
  };
  for (let i = 0; i < 4; i++) await store.create(Pod, pod(`p${i}`));
  for (let i = 0; i < 4; i++) {
    const cur = await store.get(Pod, `p${i}`, { namespace: 'default' });
    const next = await store.update(Pod, withImage(cur, 'nginx:1.28'));
    t.is(imageOf(next), 'nginx:1.28');
    t.is(next.metadata.generation, 2);
  }
  // A pod of another shape gets the same new body: for it that changes more than images.
  const other = await store.create(Pod, { ...pod('other'), spec: { containers: [{ name: 'solo', image: 'redis:7' }] } });
  const p0 = await store.get(Pod, 'p0', { namespace: 'default' });
  const err = await rejectsWith(t, store.update(Pod, { ...p0, metadata: other.metadata }), 'Invalid');
  t.regex(err.message, /pod updates may not change fields other than/);
});

test('metadata-only updates of many pods keep their shared body and bump nothing', async (t) => {
  const { store } = await setup();
  for (let i = 0; i < 5; i++) await store.create(Pod, pod(`p${i}`));
  const updated = [];
  for (let i = 0; i < 5; i++) {
    const cur = await store.get(Pod, `p${i}`, { namespace: 'default' });
    updated.push(await store.update(Pod, JSON.parse(JSON.stringify({ ...cur, metadata: { ...cur.metadata, labels: { touched: 'yes' } } })) as unknown));
  }
  t.is(updated[4]?.spec, updated[3]?.spec);
  t.is(updated[4]?.metadata.generation, 1);
  t.deepEqual(updated[4]?.metadata.labels, { touched: 'yes' });
  const bad = await store.get(Pod, 'p0', { namespace: 'default' });
  await rejectsWith(t, store.update(Pod, { ...bad, metadata: { ...bad.metadata, labels: { 'bad key!': 'x' } } }), 'Invalid');
});

interface CreateOp {
  readonly op: 'create';
  readonly template: number;
  readonly meta: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> | undefined };
}
interface UpdateOp {
  readonly op: 'update';
  readonly name: string;
  readonly template: number;
  readonly label: string | undefined;
  readonly pinRv: boolean;
  readonly policy: 'reject' | 'drop' | 'warn';
}

/** Bodies an update may carry: the templates' specs, and one with an unknown field. */
function bodyFor(template: number, current: Pod): Record<string, unknown> {
  if (template === templates.length) return { spec: { ...current.spec, colour: 'red' }, status: current.status };
  const spec = (templates[template] as (n: string) => Pod)('x').spec;
  return { spec, status: current.status };
}

test('creates and updates through remembered bodies give exactly the results of the full path (property)', async (t) => {
  const opArb: fc.Arbitrary<CreateOp | UpdateOp> = fc.oneof(
    fc.record({
      op: fc.constant('create' as const),
      template: fc.constantFrom(0, 1, 0, 1, 2, 3),
      meta: fc.record({
        name: fc.constantFrom('a', 'b', 'a', 'b', 'Bad_Name'),
        namespace: fc.constantFrom('default', 'default', 'default', 'kube-system'),
        labels: fc.option(fc.dictionary(fc.constantFrom('app', 'bad key!'), fc.constantFrom('x', 'y')), { nil: undefined }),
      }),
    }),
    fc.record({
      op: fc.constant('update' as const),
      name: fc.constantFrom('a', 'b'),
      template: fc.constantFrom(0, 1, 0, 1, 2, templates.length),
      label: fc.option(fc.constantFrom('x', 'y', 'bad value!'), { nil: undefined }),
      pinRv: fc.boolean(),
      policy: fc.constantFrom<'reject' | 'drop' | 'warn'>('reject', 'drop', 'warn'),
    }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 50 }), async (ops) => {
      const stores = [await storeWithCounter(), await storeWithCounter()] as const;
      const kinds = [Pod, PodFullPath] as const;
      for (const o of ops) {
        const results: Outcome[] = [];
        for (const i of [0, 1] as const) {
          const store = stores[i];
          const kind = kinds[i];
          if (o.op === 'create') {
            const base = (templates[o.template] as (n: string) => Pod)(o.meta.name);
            const metadata = { name: o.meta.name, namespace: o.meta.namespace, ...(o.meta.labels !== undefined ? { labels: o.meta.labels } : {}) };
            results.push(await outcome(store.create(kind, JSON.parse(JSON.stringify({ ...base, metadata })) as unknown)));
          } else {
            const cur = await outcome(store.get(kind, o.name, { namespace: 'default' }));
            if (!cur.ok) {
              results.push(cur);
              continue;
            }
            const p = cur.value as Pod;
            const metadata = { ...p.metadata, ...(o.label !== undefined ? { labels: { app: o.label } } : {}), ...(o.pinRv ? {} : { resourceVersion: undefined }) };
            const input = JSON.parse(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata, ...bodyFor(o.template, p) })) as unknown;
            results.push(await outcome(store.update(kind, input, { fieldValidation: o.policy })));
          }
        }
        const [a, b] = results;
        if (JSON.stringify(a) !== JSON.stringify(b)) {
          t.log(JSON.stringify(o), JSON.stringify(a), JSON.stringify(b));
          return false;
        }
      }
      return true;
    }),
    { numRuns: 100 },
  );
  t.pass();
});

test('one body applied to pods of different templates, in any order, gives what the full path gives (property)', async (t) => {
  const bodies = [...templates.map((_, i) => i), templates.length];
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.nat({ max: templates.length - 1 }), { minLength: 2, maxLength: 4 }),
      fc.array(fc.tuple(fc.nat({ max: 3 }), fc.constantFrom(...bodies), fc.option(fc.constantFrom('x', 'bad value!'), { nil: undefined })), { minLength: 1, maxLength: 8 }),
      async (made, updates) => {
        const stores = [await storeWithCounter(), await storeWithCounter()] as const;
        const kinds = [Pod, PodFullPath] as const;
        const seen: string[][] = [[], []];
        for (const i of [0, 1] as const) {
          for (const [j, template] of made.entries()) {
            seen[i]?.push(JSON.stringify(await outcome(stores[i].create(kinds[i], JSON.parse(JSON.stringify((templates[template] as (n: string) => Pod)(`p${j}`))) as unknown))));
          }
          for (const [target, body, label] of updates) {
            const cur = await outcome(stores[i].get(kinds[i], `p${target % made.length}`, { namespace: 'default' }));
            if (!cur.ok) {
              seen[i]?.push(JSON.stringify(cur));
              continue;
            }
            const p = cur.value as Pod;
            const metadata = { ...p.metadata, ...(label !== undefined ? { labels: { app: label } } : {}) };
            const input = JSON.parse(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata, ...bodyFor(body, p) })) as unknown;
            seen[i]?.push(JSON.stringify(await outcome(stores[i].update(kinds[i], input))));
          }
        }
        return JSON.stringify(seen[0]) === JSON.stringify(seen[1]);
      },
    ),
    { numRuns: 150 },
  );
  t.pass();
});

/** Variations of a JSON value: the same, one leaf changed, a key added or removed, an undefined-valued key. */
function variations(v: unknown): fc.Arbitrary<unknown> {
  const copy = (): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
  const mutate = (x: unknown, how: number, depth: number): unknown => {
    if (x === null || typeof x !== 'object') return how % 3 === 0 ? 'changed' : how % 3 === 1 ? [x] : { x };
    if (Array.isArray(x)) {
      if (x.length === 0 || how % 4 === 0) return [...x, 'extra'];
      const i = how % x.length;
      return x.map((e, j) => (j === i ? mutate(e, Math.floor(how / 7), depth + 1) : e));
    }
    const o = x as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 0 || how % 5 === 0) return { ...o, added: 1 };
    if (how % 5 === 1) return { ...o, [keys[0] as string]: undefined };
    if (how % 5 === 2) return { ...o, maybe: undefined };
    const k = keys[how % keys.length] as string;
    return { ...o, [k]: mutate(o[k], Math.floor(how / 11), depth + 1) };
  };
  return fc.oneof(fc.constant(null).map(copy), fc.nat().map((how) => mutate(copy(), how, 0)));
}

test('a compiled body comparison agrees with the generic one on random bodies and their variations (property)', (t) => {
  let compiled = 0;
  fc.assert(
    fc.property(
      fc.jsonValue().chain((spec) => fc.tuple(fc.constant(spec), variations(spec), fc.boolean())),
      ([spec, variant, withMeta]) => {
        const decoded = { apiVersion: 'v1', kind: 'Pod', spec };
        const matcher = compileMatcher(decoded);
        if (matcher === undefined) return true;
        compiled++;
        const entry = new BodyMemo().add(Pod, decoded);
        for (const raw of [
          { apiVersion: 'v1', kind: 'Pod', spec: variant, ...(withMeta ? { metadata: { name: 'x' } } : {}) },
          { apiVersion: 'v1', kind: 'Pod', spec: variant, extra: withMeta ? undefined : 1 },
          { apiVersion: 'v1', spec: variant },
          JSON.parse(`{"apiVersion":"v1","kind":"Pod","spec":${JSON.stringify(variant) ?? 'null'},"__proto__":{}}`) as Record<string, unknown>,
        ]) {
          if (matcher(raw) !== decodedMatches(raw, entry)) return false;
        }
        return true;
      },
    ),
    { numRuns: 400 },
  );
  t.true(compiled > 300);
});

test('a custom kind reuses validated bodies only when its strategy declares validateMetadata', async (t) => {
  const spec = strict({ image: io.string }, { replicas: io.number });
  const calls = { Declared: 0, Silent: 0 };
  const validating = (kind: 'Declared' | 'Silent') => (o: { readonly spec: { readonly image: string; readonly replicas?: number | undefined } }) => {
    calls[kind]++;
    return (o.spec.replicas ?? 0) < 0 ? [{ path: 'spec.replicas', message: 'Invalid value: -1: must be non-negative' }] : [];
  };
  const Declared = defineResource({ group: 'example.com', version: 'v1', kind: 'Declared', spec, strategy: { validate: validating('Declared'), validateMetadata: () => [] } });
  const Silent = defineResource({ group: 'example.com', version: 'v1', kind: 'Silent', spec, strategy: { validate: validating('Silent') } });
  const kinds = KindRegistry.withBuiltins().register(Declared).register(Silent);
  const { store } = await setup({ store: { kinds } });
  const make = async (type: typeof Declared | typeof Silent, kind: string) => {
    for (let i = 0; i < 6; i++) await store.create(type, { apiVersion: 'example.com/v1', kind, metadata: { name: `x${i}`, namespace: 'default' }, spec: { image: 'nginx', replicas: 2 } });
    // A body never validated as it is goes the full way, and is refused.
    await rejectsWith(t, store.create(type, { apiVersion: 'example.com/v1', kind, metadata: { name: 'bad', namespace: 'default' }, spec: { image: 'nginx', replicas: -1 } }), 'Invalid');
  };
  await make(Declared, 'Declared');
  await make(Silent, 'Silent');
  t.is(calls.Silent, 7, 'every create of a kind that does not declare independence is validated');
  t.true(calls.Declared <= 3, `equal bodies are validated once, then reused (${calls.Declared} validations)`);
});

test('bodies that cannot be compiled faithfully keep the generic comparison', (t) => {
  t.is(compileMatcher({ apiVersion: 'v1', kind: 'ConfigMap', data: { big: 'x'.repeat(70_000) } }), undefined, 'too large to inline');
  const withProto = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","data":{"__proto__":"x"}}') as Record<string, unknown>;
  t.is(compileMatcher(withProto), undefined, 'an own __proto__ key');
  t.is(typeof compileMatcher({ apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1' } }), 'function');
});

test('a body of very many small values is not compiled either', (t) => {
  t.is(compileMatcher({ apiVersion: 'v1', kind: 'ConfigMap', data: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, ''])) }), undefined);
  t.is(compileMatcher({ apiVersion: 'v1', kind: 'X', spec: { items: Array.from({ length: 10_000 }, () => ({})) } }), undefined);
});
