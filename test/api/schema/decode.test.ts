import test from 'ava';
import fc from 'fast-check';
import { definitions } from '../../../src/api/generated/schema.js';
import { builtinSchemas } from '../../../src/api/codecs.js';
import { Pod } from '../../../src/api/generated/kinds.js';
import { normalizeTime } from '../../../src/api/schema/decode.js';
import type { FieldType } from '../../../src/api/schema/types.js';

/** An arbitrary of valid input for a field type, bounded in depth. */
function arb(ft: FieldType, depth: number): fc.Arbitrary<unknown> {
  switch (ft.k) {
    case 'string':
      return fc.string({ maxLength: 8 });
    case 'int32':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'int64':
      return fc.maxSafeInteger();
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'byte':
      return fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('base64'));
    case 'time':
      return fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z'));
    case 'microtime':
      return fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => new Date(s * 1000).toISOString().replace('Z', '000Z'));
    case 'quantity':
      return fc.oneof(fc.constantFrom('1', '250m', '64Mi', '1.5Gi', '0.1', '1e3', '100Ki', '2'), fc.nat({ max: 100000 }));
    case 'intstr':
      return fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constantFrom('25%', 'http', '8080'));
    case 'json':
      return depth > 2 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
    case 'object':
      return fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 });
    case 'ref':
      return structArb(ft.ref, depth + 1, false);
    case 'array':
      return depth > 4 ? fc.constant([]) : fc.array(arb(ft.items, depth + 1), { maxLength: 2 });
    case 'map':
      return depth > 4 ? fc.constant({}) : fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), arb(ft.values, depth + 1), { maxKeys: 2 });
  }
}

function structArb(name: string, depth: number, root: boolean): fc.Arbitrary<unknown> {
  const def = definitions[name];
  if (def === undefined) throw new Error(name);
  const required = new Set(def.required);
  const props: Record<string, fc.Arbitrary<unknown>> = {};
  const requiredKeys: string[] = [];
  for (const [field, ft] of Object.entries(def.props)) {
    if (root && def.gvk !== undefined && field === 'apiVersion') props[field] = fc.constant(def.gvk.group === '' ? def.gvk.version : `${def.gvk.group}/${def.gvk.version}`);
    else if (root && def.gvk !== undefined && field === 'kind') props[field] = fc.constant(def.gvk.kind);
    else if (!required.has(field) && depth > 3) continue;
    else props[field] = fc.constant(null).chain(() => arb(ft, depth));
    if (required.has(field) || (root && def.gvk !== undefined && ['apiVersion', 'kind', 'metadata'].includes(field))) requiredKeys.push(field);
  }
  return fc.record(props, { requiredKeys });
}

const KINDS = ['Pod', 'Deployment', 'Service', 'StatefulSet', 'Job', 'CronJob', 'Ingress', 'ConfigMap', 'Secret', 'Node', 'HorizontalPodAutoscaler', 'CustomResourceDefinition'];

for (const kind of KINDS) {
  test(`random valid ${kind} objects decode, and decoding what was decoded gives it back unchanged`, (t) => {
    fc.assert(
      fc.property(structArb(kind, 0, true), (input) => {
        const first = builtinSchemas.decode(kind, input);
        if (!first.ok) throw new Error(JSON.stringify(first.errors.slice(0, 3)));
        const again = builtinSchemas.decode(kind, JSON.parse(JSON.stringify(first.value)));
        t.true(again.ok);
        if (again.ok) t.deepEqual(again.value, first.value);
      }),
      { numRuns: kind === 'CustomResourceDefinition' ? 25 : 60 },
    );
  });
}

test('random garbage never makes the decoder throw: it is a decode result', (t) => {
  fc.assert(
    fc.property(fc.anything({ maxDepth: 4, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }), (input) => {
      const r = Pod.decode(input);
      if (!r.ok) t.true(r.errors.every((e) => typeof e.path === 'string' && e.message.length > 0));
    }),
    { numRuns: 500 },
  );
});

test('garbage inside an otherwise valid pod is reported at its path', (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string()), fc.constant({ a: 1 })), (bad) => {
      const r = Pod.decode({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: bad }] } });
      t.false(r.ok);
      if (!r.ok) t.is(r.errors[0]?.path, 'spec.containers[0].image');
    }),
  );
});

test('deeply nested hostile JSON is refused at the depth limit instead of overflowing the stack', (t) => {
  let deep: unknown = 'x';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const r = builtinSchemas.decode('CustomResourceDefinition', {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'a.b' },
    spec: { group: 'b', names: { plural: 'a', kind: 'A' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { default: deep } } }] },
  });
  t.false(r.ok);
  if (!r.ok) t.regex(r.errors[0]?.message ?? '', /nested deeper than/);
});

test('a __proto__ key in a map is kept as data and never changes an object prototype', (t) => {
  const input = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":{"__proto__":"polluted"}},"data":{"__proto__":"y"}}') as unknown;
  const r = builtinSchemas.decode<{ metadata: { labels: Record<string, string> }; data: Record<string, string> }>('ConfigMap', input);
  t.true(r.ok);
  if (r.ok) {
    t.is(Object.getPrototypeOf(r.value.data), Object.prototype);
    t.is(Object.getOwnPropertyDescriptor(r.value.data, '__proto__')?.value, 'y');
  }
  t.is(({} as Record<string, unknown>)['polluted'], undefined);
});

test('null is treated as absent in optional fields and lists refuse null items with a path', (t) => {
  const r = Pod.decode({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'i', resources: null }] } });
  t.true(r.ok);
  if (r.ok) t.false('creationTimestamp' in r.value.metadata);
  const bad = Pod.decode({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [null] } });
  t.false(bad.ok);
  if (!bad.ok) t.is(bad.errors[0]?.path, 'spec.containers[0]');
});

test('wrong scalar types say what to do: quote numbers meant as strings, unquote numbers meant as integers', (t) => {
  const r = Pod.decode({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'PORT', value: 8080 }], ports: [{ containerPort: '80' }] }] } });
  t.false(r.ok);
  if (!r.ok) {
    t.deepEqual(r.errors.map((e) => e.path).sort(), ['spec.containers[0].env[0].value', 'spec.containers[0].ports[0].containerPort']);
    t.regex(r.errors.find((e) => e.path.endsWith('value'))?.message ?? '', /quote it: "8080"/);
    t.regex(r.errors.find((e) => e.path.endsWith('containerPort'))?.message ?? '', /remove the quotes/);
  }
});

test('times are normalized to UTC seconds and microseconds', (t) => {
  t.is(normalizeTime('2026-03-01T10:00:00.123+02:00', false), '2026-03-01T08:00:00Z');
  t.is(normalizeTime('2026-03-01T10:00:00.5Z', true), '2026-03-01T10:00:00.500000Z');
  t.is(normalizeTime('yesterday', false), undefined);
});

test('the unknown-field policy can drop or warn instead of rejecting', (t) => {
  const input = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, dat: {} };
  t.false(builtinSchemas.decode('ConfigMap', input).ok);
  const dropped = builtinSchemas.decode('ConfigMap', input, { unknownFields: 'drop' });
  t.true(dropped.ok && dropped.warnings.length === 0);
  const warned = builtinSchemas.decode('ConfigMap', input, { unknownFields: 'warn' });
  t.true(warned.ok);
  t.deepEqual(warned.warnings, [{ path: 'dat', message: 'unknown field "dat"' }]);
});

test('-0 decodes as 0, so decoded objects survive a JSON round trip unchanged', (t) => {
  const r = builtinSchemas.decode<{ metadata: { managedFields: { fieldsV1: Record<string, unknown> }[] } }>('ConfigMap', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', managedFields: [{ fieldsV1: { a: -0, b: [-0] } }] },
  });
  t.true(r.ok);
  if (r.ok) {
    t.true(Object.is(r.value.metadata.managedFields[0]?.fieldsV1['a'], 0));
    t.deepEqual(JSON.parse(JSON.stringify(r.value)), r.value);
  }
});
