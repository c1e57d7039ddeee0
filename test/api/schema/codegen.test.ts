import test from 'ava';
import fc from 'fast-check';
import { deepStrictEqual } from 'node:assert/strict';
import { definitions } from '../../../src/api/generated/schema.js';
import { formatQuantity, parseQuantity } from '../../../src/api/quantity.js';
import { BAIL, DecoderCodegen } from '../../../src/api/schema/codegen.js';
import { SchemaCompiler, type DecodeResult, type FormatHooks, type UnknownFieldPolicy } from '../../../src/api/schema/decode.js';
import type { DefinitionSpec } from '../../../src/api/schema/types.js';
import { documentArb } from './arbitraries.js';

const hooks: FormatHooks = {
  quantity(value) {
    try {
      return { ok: true, value: formatQuantity(parseQuantity(typeof value === 'number' ? String(value) : value)) };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  },
};

function table(name: string): DefinitionSpec {
  const d = definitions[name];
  if (d === undefined) throw new Error(`no definition named ${name}`);
  return d;
}

const interpreter = new SchemaCompiler(definitions, hooks, { mode: 'interpret' });
const compiled = new SchemaCompiler(definitions, hooks);
const fast = new DecoderCodegen(table, hooks);

/** Both modes give the same result, key order included; the compiled path alone succeeds exactly when the interpreter succeeds without warnings. */
function agree(name: string, input: unknown, policy: UnknownFieldPolicy): DecodeResult<unknown> {
  const want = interpreter.decode(name, input, { unknownFields: policy });
  const got = compiled.decode(name, input, { unknownFields: policy });
  deepStrictEqual(got, want);
  deepStrictEqual(JSON.stringify(got), JSON.stringify(want));
  const raw = fast.decoderFor(name)(input, 0, policy === 'drop');
  deepStrictEqual(raw !== BAIL, want.ok && want.warnings.length === 0, 'the compiled fast path bails exactly when the interpreter reports something');
  return want;
}

const policy = fc.constantFrom<UnknownFieldPolicy>('reject', 'drop', 'warn');
const KINDS = ['Pod', 'Deployment', 'Service', 'StatefulSet', 'Job', 'CronJob', 'Ingress', 'ConfigMap', 'Secret', 'Node', 'HorizontalPodAutoscaler', 'CustomResourceDefinition', 'ClusterRole', 'PersistentVolume'];

for (const kind of KINDS) {
  test(`compiled and interpreted decoders give the same result for random valid and mutated ${kind} documents under every unknown-field policy`, (t) => {
    let ok = 0;
    let failed = 0;
    fc.assert(
      fc.property(documentArb(kind, true), policy, (input, p) => {
        if (agree(kind, input, p).ok) ok++;
        else failed++;
      }),
      { numRuns: kind === 'CustomResourceDefinition' ? 60 : 120 },
    );
    // The generators must exercise both outcomes, or the comparison proves little.
    t.true(ok > 0 && failed > 0, `${ok} decoded, ${failed} refused`);
  });
}

test('compiled and interpreted decoders agree on nested definitions decoded at the root, where no envelope is required', (t) => {
  fc.assert(
    fc.property(fc.constantFrom('ObjectMeta', 'PodSpec', 'Container', 'JSONSchemaProps', 'ResourceRequirements'), policy, fc.integer(), (name, p, seed) => {
      const [input] = fc.sample(documentArb(name, false), { numRuns: 1, seed });
      agree(name, input, p);
    }),
    { numRuns: 150 },
  );
  t.pass();
});

test('compiled and interpreted decoders agree on arbitrary garbage', (t) => {
  fc.assert(
    fc.property(fc.constantFrom('Pod', 'ConfigMap', 'ObjectMeta'), fc.anything({ maxDepth: 4, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true }), policy, (name, input, p) => {
      agree(name, input, p);
    }),
    { numRuns: 400 },
  );
  t.pass();
});

/** A CRD whose schema nests `properties` `levels` deep (each level is two struct references). */
function crdNested(levels: number, leaf: unknown): unknown {
  let schema: Record<string, unknown> = { type: 'object', default: leaf };
  for (let i = 0; i < levels; i++) schema = { type: 'object', properties: { a: schema } };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'a.b' },
    spec: { group: 'b', names: { plural: 'a', kind: 'A' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }] },
  };
}

test('the depth limit refuses the same recursive and JSON nesting in both modes, right at the boundary', (t) => {
  const outcomes = new Set<boolean>();
  for (let levels = 118; levels <= 128; levels++) {
    for (const leaf of [1, [[['x']]], { a: { b: [1] } }]) outcomes.add(agree('CustomResourceDefinition', crdNested(levels, leaf), 'reject').ok);
  }
  t.deepEqual([...outcomes].sort(), [false, true]);
  const deep = agree('CustomResourceDefinition', crdNested(200, 1), 'reject');
  t.false(deep.ok);
  if (!deep.ok) t.regex(deep.errors[0]?.message ?? '', /nested deeper than 128 levels/);
});

test('schema names that look like code are embedded as escaped strings and decode like the interpreter', (t) => {
  const evil = '"]; globalThis.pwned = 1; //';
  const defs: Record<string, DefinitionSpec> = {
    'Weird"Kind': {
      openapi: 'x',
      gvk: { group: 'g`${1}', version: "v1'\n", kind: 'K\u2028"' },
      required: [evil],
      props: { apiVersion: { k: 'string' }, kind: { k: 'string' }, metadata: { k: 'object' }, [evil]: { k: 'ref', ref: 'Child\\' }, 'x-y': { k: 'map', values: { k: 'array', items: { k: 'int64' } } } },
    },
    'Child\\': { openapi: 'y', required: [], props: { '\\u0041': { k: 'boolean' }, constructor: { k: 'string' as const } } },
  };
  const i = new SchemaCompiler(defs, hooks, { mode: 'interpret' });
  const c = new SchemaCompiler(defs, hooks);
  t.regex(c.compiledSource('Weird"Kind'), /decode_Weird_Kind/);
  const good = { apiVersion: "g`${1}/v1'\n", kind: 'K\u2028"', metadata: {}, [evil]: { '\\u0041': true, constructor: 'c' }, 'x-y': { a: [1, -0] } };
  const r = c.decode('Weird"Kind', good);
  t.deepEqual(r, i.decode('Weird"Kind', good));
  t.true(r.ok);
  t.is((globalThis as Record<string, unknown>)['pwned'], undefined);
  for (const bad of [{ ...good, kind: 'K' }, { ...good, [evil]: { constructor: 1 } }, { apiVersion: good.apiVersion, kind: good.kind, metadata: {} }]) {
    t.deepEqual(c.decode('Weird"Kind', bad), i.decode('Weird"Kind', bad));
  }
});

test('a reference to a definition missing from the table fails the same way in both modes', (t) => {
  const defs: Record<string, DefinitionSpec> = { A: { openapi: 'a', required: [], props: { b: { k: 'ref', ref: 'Missing' }, s: { k: 'string' } } } };
  const i = new SchemaCompiler(defs, hooks, { mode: 'interpret' });
  const c = new SchemaCompiler(defs, hooks);
  t.deepEqual(c.decode('A', { s: 'x' }), i.decode('A', { s: 'x' }));
  t.throws(() => i.decode('A', { b: {} }), { message: 'no definition named Missing' });
  t.throws(() => c.decode('A', { b: {} }), { message: 'no definition named Missing' });
  t.throws(() => c.decode('Nope', {}), { message: 'no definition named Nope' });
});

test('compile is the default mode and interpret stays available as the reference', (t) => {
  t.is(compiled.mode, 'compile');
  t.is(interpreter.mode, 'interpret');
  t.regex(compiled.compiledSource('Pod'), /case "spec":/);
});

test('an enumerable property added to Object.prototype changes nothing: decode falls back to the interpreter', (t) => {
  const input = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } };
  const drop = { unknownFields: 'drop' } as const;
  const before = compiled.decode('ConfigMap', input, drop);
  Object.defineProperty(Object.prototype, 'immutable', { value: true, enumerable: true, configurable: true, writable: true });
  try {
    const during = compiled.decode('ConfigMap', input, drop);
    t.is(JSON.stringify(during), JSON.stringify(interpreter.decode('ConfigMap', input, drop)));
    t.is(JSON.stringify(during), JSON.stringify(before));
    t.true(during.ok && !Object.prototype.hasOwnProperty.call(during.value, 'immutable'));
  } finally {
    delete (Object.prototype as Record<string, unknown>)['immutable'];
  }
});
