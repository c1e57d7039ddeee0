import test from 'ava';
import fc from 'fast-check';
import { builtinSchemas } from '../../../src/api/codecs.js';
import { Pod } from '../../../src/api/generated/kinds.js';
import { normalizeTime } from '../../../src/api/schema/decode.js';
import { structArb } from './arbitraries.js';

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
