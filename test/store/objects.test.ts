import test from 'ava';
import fc from 'fast-check';
import { deepFreeze, jsonEqual, shareStructure } from '../../src/store/objects.js';

/** Every object/array node of a JSON value, with its path. */
function nodes(v: unknown, path = '$', out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (typeof v === 'object' && v !== null) {
    out.push([path, v]);
    for (const [k, x] of Object.entries(v)) nodes(x, `${path}/${k}`, out);
  }
  return out;
}

function at(v: unknown, path: string): unknown {
  let cur = v;
  for (const k of path.split('/').slice(1)) {
    if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

// Small key and value alphabets so that generated pairs often share subtrees.
const leaf = fc.oneof(fc.constantFrom('a', 'b', 'toString', ''), fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('arr'), tie('obj')),
  arr: fc.array(tie('node'), { maxLength: 3 }),
  obj: fc.dictionary(fc.constantFrom('x', 'y', 'z', 'constructor', '__proto__'), tie('node'), { maxKeys: 3 }),
})).node;

test('shareStructure returns a value equal to next, made of prev where they agree, and prev itself when equal', (t) => {
  fc.assert(
    fc.property(json, json, fc.boolean(), (next, prevRaw, sameBase) => {
      const prev = deepFreeze(structuredClone(sameBase ? next : prevRaw));
      const before = JSON.stringify(next);
      const out = shareStructure(next, prev);
      if (!jsonEqual(out, next)) return false;
      if (JSON.stringify(next) !== before) return false; // next is not changed
      if (jsonEqual(next, prev) !== (out === prev)) return false;
      // Every subtree of the result that equals prev's subtree at the same path is prev's.
      for (const [path, node] of nodes(out)) {
        const p = at(prev, path);
        if (jsonEqual(node, p) && node !== p) return false;
      }
      return true;
    }),
  );
  t.pass();
});

test('shareStructure keeps an own __proto__ key as data and never changes prototypes', (t) => {
  const next = JSON.parse('{"a":{"__proto__":{"polluted":1}},"b":[1,{"__proto__":2}]}') as Record<string, unknown>;
  const prev = deepFreeze(JSON.parse('{"a":{"__proto__":{"polluted":2}},"b":[1,{"__proto__":2}]}') as Record<string, unknown>);
  const out = shareStructure(next, prev);
  t.true(jsonEqual(out, next));
  t.is(out['b'], prev['b']);
  t.is(Object.getPrototypeOf(out['a']), Object.prototype);
  t.deepEqual(Object.keys(out['a'] as object), ['__proto__']);
  t.is(({} as Record<string, unknown>)['polluted'], undefined);
});

test('shareStructure drops keys and elements prev has beyond next', (t) => {
  const prev = deepFreeze({ a: 1, b: { c: [1, 2, 3] } });
  const out = shareStructure({ a: 1, b: { c: [1, 2] } }, prev);
  t.deepEqual(out, { a: 1, b: { c: [1, 2] } });
  const out2 = shareStructure({ a: 1 }, prev);
  t.deepEqual(out2, { a: 1 });
  t.not(out2, prev);
});

test('deepFreeze freezes every level, arrays included', (t) => {
  const v = deepFreeze({ a: { b: [{ c: 1 }] } });
  t.true(Object.isFrozen(v.a.b[0]));
  t.true(Object.isFrozen(v.a.b));
});
