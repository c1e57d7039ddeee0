import test from 'ava';
import fc from 'fast-check';
import { storedJson } from '../../../src/store/backend/json-text.js';
import { deepFreeze } from '../../../src/store/objects.js';

test('stored JSON text is exactly JSON.stringify of any JSON value, frozen or not (property)', (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.boolean(), (v, freeze) => {
      const value = freeze ? deepFreeze(v) : v;
      return storedJson(value) === JSON.stringify(value) && storedJson(value) === JSON.stringify(value);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('a shared frozen subtree is serialized once and its text reused by every object that holds it', (t) => {
  const spec = deepFreeze({ containers: [{ name: 'web', image: 'nginx' }] });
  let reads = 0;
  // Counts property reads: serializing reads every field; reusing the text reads none.
  const frozenCounting = new Proxy(spec, { get: (target, key, receiver) => (reads++, Reflect.get(target, key, receiver)) });
  const a = storedJson({ metadata: { name: 'a' }, spec: frozenCounting });
  const before = reads;
  const b = storedJson({ metadata: { name: 'b' }, spec: frozenCounting });
  t.is(a, JSON.stringify({ metadata: { name: 'a' }, spec }));
  t.is(b, JSON.stringify({ metadata: { name: 'b' }, spec }));
  t.is(reads, before, 'the second object reuses the text');
});

test('values without JSON text and objects with toJSON behave as JSON.stringify', (t) => {
  t.is(storedJson(undefined), undefined);
  t.is(storedJson({ a: undefined, b: 1 }), '{"b":1}');
  const withToJson = { toJSON: () => ({ x: 1 }) };
  t.is(storedJson(withToJson), '{"x":1}');
  t.is(storedJson(deepFreeze({ k: '\u2028"quote"' })), JSON.stringify({ k: '\u2028"quote"' }));
});
