import test from 'ava';
import fc from 'fast-check';
import { applyMergePatch, createMergePatch, PatchError } from '../../../src/store/patch/index.js';
import type { JsonValue } from '../../../src/store/patch/index.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

// RFC 7386, Appendix A: [target, patch, result].
const rfcExamples: [string, JsonValue, JsonValue, JsonValue][] = [
  ['a changed member', { a: 'b' }, { a: 'c' }, { a: 'c' }],
  ['an added member', { a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  ['a deleted member', { a: 'b' }, { a: null }, {}],
  ['a deleted member beside another', { a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  ['an array replaced by a string', { a: ['b'] }, { a: 'c' }, { a: 'c' }],
  ['a string replaced by an array', { a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  ['a nested merge with a nested delete', { a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  ['an array of objects replaced, not merged', { a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  ['an array target replaced by an array patch', ['a', 'b'], ['c', 'd'], ['c', 'd']],
  ['an object replaced by an array patch', { a: 'b' }, ['c'], ['c']],
  ['an object replaced by a null patch', { a: 'foo' }, null, null],
  ['an object replaced by a string patch', { a: 'foo' }, 'bar', 'bar'],
  ['a null in the target kept', { e: null }, { a: 1 }, { e: null, a: 1 }],
  ['a non-object target treated as empty', [1, 2], { a: 'b', c: null }, { a: 'b' }],
  ['nulls in new nested objects dropped', {}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

for (const [name, target, patch, result] of rfcExamples) {
  test(`RFC 7386 example: ${name}`, (t) => {
    t.deepEqual(applyMergePatch(deepFreeze(target), deepFreeze(patch)), result);
  });
}

test('a patch that changes nothing returns the target itself', (t) => {
  const target = deepFreeze({ a: { b: 1 }, c: [1] });
  t.is(applyMergePatch(target, { a: { b: 1 }, d: null }), target);
});

test('subtrees the patch does not touch are shared with the target', (t) => {
  const target = deepFreeze({ metadata: { name: 'x', labels: { a: '1' } }, spec: { replicas: 1 } });
  const result = applyMergePatch(target, { spec: { replicas: 2 } }) as typeof target;
  t.is(result.metadata, target.metadata);
  t.not(result.spec, target.spec);
  t.deepEqual(result.spec, { replicas: 2 });
});

test('a key named __proto__ is set as data, not as a prototype', (t) => {
  const patch = JSON.parse('{"__proto__":{"polluted":true}}') as JsonValue;
  const result = applyMergePatch({}, patch) as Record<string, unknown>;
  t.true(Object.hasOwn(result, '__proto__'));
  t.is(Object.getPrototypeOf(result), Object.prototype);
  t.is(({} as Record<string, unknown>)['polluted'], undefined);
});

test('a patch that is not JSON is a BadRequest naming the path', (t) => {
  const error = t.throws(() => applyMergePatch({}, { spec: { replicas: undefined } }), { instanceOf: PatchError });
  t.is(error?.code, 'BadRequest');
  t.is(error?.path, '/spec/replicas');
  t.regex(error?.message ?? '', /\/spec\/replicas/);
  t.throws(() => applyMergePatch({}, { a: Number.NaN }), { instanceOf: PatchError });
  t.throws(() => applyMergePatch({}, { a: new Date(0) }), { instanceOf: PatchError });
});

test('createMergePatch sends only what changed and nulls what vanished', (t) => {
  t.deepEqual(createMergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { a: 1, b: { c: 5 }, e: [1, 2] }), {
    b: { c: 5, d: null },
    e: [1, 2],
  });
  t.deepEqual(createMergePatch({ a: 1 }, { a: 1 }), {});
  t.deepEqual(createMergePatch({ a: 1 }, [1]), [1]);
});

// JSON without nulls (RFC 7386 cannot express a null value inside an object).
const { json: jsonWithoutNulls } = fc.letrec<{ json: JsonValue }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom('a', 'b', '__proto__')), tie('json'), {
      maxKeys: 5,
    }),
  ),
}));

// Objects with overlapping keys make the interesting cases (nested merges and deletes).
const objectWithoutNulls = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), jsonWithoutNulls, { maxKeys: 4 });

test('applying createMergePatch(a, b) to a yields b, for random JSON without nulls', (t) => {
  fc.assert(
    fc.property(fc.oneof(objectWithoutNulls, jsonWithoutNulls), fc.oneof(objectWithoutNulls, jsonWithoutNulls), (a, b) => {
      const frozenA = deepFreeze(structuredClone(a));
      const frozenB = deepFreeze(structuredClone(b));
      const patch = deepFreeze(createMergePatch(frozenA, frozenB));
      const result = applyMergePatch(frozenA, patch);
      t.deepEqual(result, b);
      // inputs unchanged (they are frozen, so a write would have thrown; check content too)
      t.deepEqual(frozenA, a);
    }),
  );
});

test('applying a merge patch never mutates its inputs', (t) => {
  fc.assert(
    fc.property(objectWithoutNulls, fc.jsonValue(), (target, patch) => {
      const before = structuredClone({ target, patch });
      const frozen = deepFreeze(structuredClone({ target, patch }));
      applyMergePatch(frozen.target, frozen.patch as JsonValue);
      t.deepEqual(frozen, before);
    }),
  );
});
