import test from 'ava';
import fc from 'fast-check';
import { applyJsonPatch, parseJsonPatch, parsePointer, PatchError } from '../../../src/store/patch/index.js';
import type { JsonValue } from '../../../src/store/patch/index.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

// RFC 6902, Appendix A (the examples that apply): [name, document, patch, result].
const rfcExamples: [string, JsonValue, JsonValue, JsonValue][] = [
  ['A.1 adding an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
  ['A.2 adding an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
  ['A.3 removing an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
  ['A.4 removing an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
  ['A.5 replacing a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
  [
    'A.6 moving a value',
    { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  ],
  ['A.7 moving an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }],
  [
    'A.8 testing a value: success',
    { baz: 'qux', foo: ['a', 2, 'c'] },
    [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ],
    { baz: 'qux', foo: ['a', 2, 'c'] },
  ],
  ['A.10 adding a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
  ['A.11 ignoring unrecognized elements', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], { foo: 'bar', baz: 'qux' }],
  ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
  ['A.16 adding an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
  ['copying a value', { a: { b: [1] } }, [{ op: 'copy', from: '/a/b', path: '/c' }], { a: { b: [1] }, c: [1] }],
  ['adding at the root replaces the document', { a: 1 }, [{ op: 'add', path: '', value: [1] }], [1]],
  ['replacing the root', { a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 }],
  ['a test comparing objects ignores key order', { a: { x: 1, y: [1, { z: 2 }] } }, [{ op: 'test', path: '/a', value: { y: [1, { z: 2 }], x: 1 } }], { a: { x: 1, y: [1, { z: 2 }] } }],
  ['a slash and a tilde in keys are escaped', { metadata: { annotations: { 'example.com/a~b': 'x' } } }, [{ op: 'remove', path: '/metadata/annotations/example.com~1a~0b' }], { metadata: { annotations: {} } }],
  ['adding at the array length appends', { a: [1] }, [{ op: 'add', path: '/a/1', value: 2 }], { a: [1, 2] }],
  ['adding null is allowed', { a: 1 }, [{ op: 'add', path: '/b', value: null }], { a: 1, b: null }],
  ['moving to itself changes nothing', { a: 1 }, [{ op: 'move', from: '/a', path: '/a' }], { a: 1 }],
];

for (const [name, doc, patch, result] of rfcExamples) {
  test(`RFC 6902 example: ${name}`, (t) => {
    t.deepEqual(applyJsonPatch(deepFreeze(doc), deepFreeze(patch)), result);
  });
}

// [name, document, patch, code, message pattern]
const errorCases: [string, JsonValue, JsonValue, 'BadRequest' | 'Invalid', RegExp][] = [
  ['A.9 a failed test', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], 'Invalid', /^json patch op 0 \(test\) at \/baz: value "qux" does not equal "bar"/],
  ['A.12 adding to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], 'Invalid', /op 0 \(add\) at \/baz\/bat: \/baz does not exist/],
  ['A.15 a test comparing a string and a number', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], 'Invalid', /value 10 does not equal "10"/],
  ['removing a missing member', { a: 1 }, [{ op: 'remove', path: '/b' }], 'Invalid', /\/b does not exist/],
  ['replacing a missing member', { a: 1 }, [{ op: 'replace', path: '/b', value: 1 }], 'Invalid', /use add/],
  ['an index past the end', { a: [1] }, [{ op: 'add', path: '/a/2', value: 1 }], 'Invalid', /index 2 at \/a\/2 is out of bounds \(array length 1\)/],
  ['removing "-"', { a: [1] }, [{ op: 'remove', path: '/a/-' }], 'Invalid', /"-" at \/a\/- names the element after the end/],
  ['an index with a leading zero', { a: [1, 2] }, [{ op: 'replace', path: '/a/01', value: 1 }], 'Invalid', /"01" at \/a\/01 is not an array index/],
  ['a path through a number', { a: 1 }, [{ op: 'add', path: '/a/b', value: 1 }], 'Invalid', /\/a is 1, not an object or array/],
  ['a move from a missing path', { a: 1 }, [{ op: 'move', from: '/x', path: '/y' }], 'Invalid', /from \/x: \/x does not exist/],
  ['a move into its own child', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }], 'BadRequest', /cannot move \/a into its own child/],
  ['an unknown op', {}, [{ op: 'frobnicate', path: '/a' }], 'BadRequest', /"op" must be one of add, remove, replace, move, copy, test/],
  ['a missing value', {}, [{ op: 'add', path: '/a' }], 'BadRequest', /op 0 \(add\) at \/a: "value" is required/],
  ['a missing path', {}, [{ op: 'remove' }], 'BadRequest', /"path" must be a string/],
  ['a pointer without a leading slash', {}, [{ op: 'add', path: 'a', value: 1 }], 'BadRequest', /must be empty or start with "\/"/],
  ['a bad ~ escape', { 'a~2': 1 }, [{ op: 'remove', path: '/a~2' }], 'BadRequest', /"~" must be escaped/],
  ['a patch that is not an array', {}, { op: 'add', path: '/a', value: 1 }, 'BadRequest', /must be an array of operations/],
  ['removing the whole document', { a: 1 }, [{ op: 'remove', path: '' }], 'Invalid', /cannot remove the whole document/],
];

for (const [name, doc, patch, code, pattern] of errorCases) {
  test(`an error: ${name}`, (t) => {
    const error = t.throws(() => applyJsonPatch(deepFreeze(doc), deepFreeze(patch)), { instanceOf: PatchError });
    t.is(error?.code, code);
    t.regex(error?.message ?? '', pattern);
  });
}

test('the error message names the op index, the op, the path and both values', (t) => {
  const deployment = deepFreeze({ spec: { replicas: 3 } });
  const patch = [
    { op: 'add', path: '/metadata', value: {} },
    { op: 'add', path: '/metadata/labels', value: { a: 'b' } },
    { op: 'test', path: '/spec/replicas', value: 5 },
  ];
  const error = t.throws(() => applyJsonPatch(deployment, patch), { instanceOf: PatchError });
  t.true(error?.message.startsWith('json patch op 2 (test) at /spec/replicas: value 3 does not equal 5'));
  t.is(error?.path, '/spec/replicas');
});

test('a failing op leaves the document unchanged: all ops apply or none', (t) => {
  const doc = deepFreeze({ spec: { replicas: 3 }, metadata: { labels: { a: 'b' } } });
  const snapshot = structuredClone(doc);
  t.throws(() =>
    applyJsonPatch(doc, [
      { op: 'replace', path: '/spec/replicas', value: 4 },
      { op: 'remove', path: '/metadata/labels/a' },
      { op: 'test', path: '/spec/replicas', value: 3 },
    ]),
  );
  t.deepEqual(doc, snapshot);
});

test('untouched subtrees are shared with the document', (t) => {
  const doc = deepFreeze({ metadata: { labels: { a: 'b' } }, spec: { replicas: 1, template: { x: 1 } } });
  const result = applyJsonPatch(doc, [{ op: 'replace', path: '/spec/replicas', value: 2 }]) as typeof doc;
  t.is(result.metadata, doc.metadata);
  t.is(result.spec.template, doc.spec.template);
  t.is(result.spec.replicas, 2);
});

test('parsePointer unescapes ~1 before ~0', (t) => {
  t.deepEqual(parsePointer('/a~1b/c~0d/~01/'), ['a/b', 'c~d', '~1', '']);
  t.deepEqual(parsePointer(''), []);
});

test('parseJsonPatch keeps only the members each op uses', (t) => {
  t.deepEqual(parseJsonPatch([{ op: 'move', from: '/a', path: '/b', value: 1, extra: true }]), [
    { op: 'move', from: '/a', path: '/b' },
  ]);
});

// A mutable reference implementation (on a deep copy) to compare against.
function referenceApply(doc: JsonValue, ops: readonly Record<string, JsonValue>[]): { ok: true; value: JsonValue } | { ok: false } {
  const root: { v: JsonValue } = { v: structuredClone(doc) };
  const tokens = (p: string): string[] => (p === '' ? [] : p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')));
  const isIndex = (s: string): boolean => /^(0|[1-9]\d*)$/.test(s);
  type Slot = { get(): JsonValue | undefined; exists(): boolean; add(v: JsonValue): boolean; remove(): boolean; set(v: JsonValue): boolean };
  const slot = (path: string): Slot | undefined => {
    const ts = tokens(path);
    if (ts.length === 0) {
      return { get: () => root.v, exists: () => true, add: (v) => ((root.v = v), true), remove: () => false, set: (v) => ((root.v = v), true) };
    }
    let parent: unknown = root.v;
    for (const t of ts.slice(0, -1)) {
      if (Array.isArray(parent)) {
        if (!isIndex(t) || Number(t) >= parent.length) return undefined;
        parent = parent[Number(t)];
      } else if (typeof parent === 'object' && parent !== null) {
        if (!Object.hasOwn(parent, t)) return undefined;
        parent = (parent as Record<string, unknown>)[t];
      } else return undefined;
    }
    const last = ts[ts.length - 1]!;
    if (Array.isArray(parent)) {
      const arr = parent as JsonValue[];
      const idx = (end: boolean): number => (last === '-' ? (end ? arr.length : -1) : isIndex(last) && Number(last) <= arr.length - (end ? 0 : 1) ? Number(last) : -1);
      return {
        get: () => (idx(false) >= 0 ? arr[idx(false)] : undefined),
        exists: () => idx(false) >= 0,
        add: (v) => (idx(true) >= 0 ? (arr.splice(idx(true), 0, v), true) : false),
        remove: () => (idx(false) >= 0 ? (arr.splice(idx(false), 1), true) : false),
        set: (v) => (idx(false) >= 0 ? ((arr[idx(false)] = v), true) : false),
      };
    }
    if (typeof parent === 'object' && parent !== null) {
      const obj = parent as Record<string, JsonValue>;
      const has = (): boolean => Object.hasOwn(obj, last);
      return {
        get: () => (has() ? obj[last] : undefined),
        exists: has,
        add: (v) => (Object.defineProperty(obj, last, { value: v, enumerable: true, writable: true, configurable: true }), true),
        remove: () => (has() ? (delete obj[last], true) : false),
        set: (v) => (has() ? ((obj[last] = v), true) : false),
      };
    }
    return undefined;
  };
  for (const op of ops) {
    const s = slot(op['path'] as string);
    if (!s) return { ok: false };
    switch (op['op']) {
      case 'add':
        if (!s.add(structuredClone(op['value']!))) return { ok: false };
        break;
      case 'remove':
        if (!s.remove()) return { ok: false };
        break;
      case 'replace':
        if (!s.set(structuredClone(op['value']!))) return { ok: false };
        break;
      case 'test':
        if (!s.exists() || JSON.stringify(s.get()) !== JSON.stringify(op['value'])) return { ok: false };
        break;
      case 'copy':
      case 'move': {
        const from = op['from'] as string;
        const f = slot(from);
        if (!f || !f.exists()) return { ok: false };
        const v = structuredClone(f.get()!);
        if (op['op'] === 'move') {
          if (from === op['path']) break;
          if ((op['path'] as string).startsWith(`${from}/`) || from === '') return { ok: false };
          f.remove();
        }
        const target = slot(op['path'] as string);
        if (!target || !target.add(v)) return { ok: false };
        break;
      }
    }
  }
  return { ok: true, value: root.v };
}

const docArb = fc.dictionary(
  fc.constantFrom('a', 'b', 'c'),
  fc.oneof(fc.integer({ min: 0, max: 3 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 3 }), { maxKeys: 2 })),
  { minKeys: 1, maxKeys: 3 },
);
/** Pointers to every value in `doc` (root excluded), and places `add` can create. */
function pointersOf(doc: JsonValue, prefix = ''): { existing: string[]; creatable: string[] } {
  const existing: string[] = [];
  const creatable: string[] = [];
  const visit = (value: JsonValue, at: string): void => {
    if (Array.isArray(value)) {
      creatable.push(`${at}/-`, `${at}/${value.length}`);
      value.forEach((v, i) => {
        existing.push(`${at}/${i}`);
        visit(v, `${at}/${i}`);
      });
    } else if (typeof value === 'object' && value !== null) {
      creatable.push(`${at}/new`);
      for (const [k, v] of Object.entries(value)) {
        const child = `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        existing.push(child);
        visit(v, child);
      }
    }
  };
  visit(doc, prefix);
  return { existing, creatable };
}

function valueAt(doc: JsonValue, pointer: string): JsonValue {
  let v: unknown = doc;
  for (const t of pointer.slice(1).split('/')) v = (v as Record<string, unknown>)[t];
  return v as JsonValue;
}

const valueArb = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant([0] as JsonValue), fc.constant({ a: 1 } as JsonValue));
const opsFor = (doc: JsonValue): fc.Arbitrary<Record<string, JsonValue>[]> => {
  const { existing, creatable } = pointersOf(doc);
  const junk = fc.constantFrom('', '/a/0/x', '/b/a/0', '/x~1y', '/c/01', '/a/-/0');
  const there = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...existing) }, { weight: 1, arbitrary: junk });
  const anywhere = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...existing) },
    { weight: 3, arbitrary: fc.constantFrom(...creatable) },
    { weight: 1, arbitrary: junk },
  );
  const opArb = fc.oneof(
    fc.record({ op: fc.constant('add'), path: anywhere, value: valueArb }),
    fc.record({ op: fc.constant('remove'), path: there }),
    fc.record({ op: fc.constant('replace'), path: there, value: valueArb }),
    there.chain((path) =>
      fc.record({
        op: fc.constant('test'),
        path: fc.constant(path),
        value: existing.includes(path) ? fc.oneof(fc.constant(valueAt(doc, path)), valueArb) : valueArb,
      }),
    ),
    fc.record({ op: fc.constantFrom('move', 'copy'), from: there, path: anywhere }),
  );
  return fc.array(opArb, { minLength: 1, maxLength: 4 }) as fc.Arbitrary<Record<string, JsonValue>[]>;
};

test('random op sequences either apply fully, as a reference would, or throw leaving the input unchanged', (t) => {
  fc.assert(
    fc.property(docArb.chain((doc) => fc.tuple(fc.constant(doc), opsFor(doc))), ([doc, ops]) => {
      const frozen = deepFreeze(structuredClone(doc));
      const frozenOps = deepFreeze(structuredClone(ops));
      const expected = referenceApply(doc, frozenOps);
      let result: JsonValue | undefined;
      try {
        result = applyJsonPatch(frozen, frozenOps);
      } catch (error) {
        t.true(error instanceof PatchError, String(error));
        t.false(expected.ok, `reference applied ${JSON.stringify(ops)} but applyJsonPatch threw ${String(error)}`);
        t.deepEqual(frozen, doc);
        return;
      }
      t.true(expected.ok, `applyJsonPatch applied ${JSON.stringify(ops)} but the reference refused`);
      if (expected.ok) t.deepEqual(result, expected.value);
      t.deepEqual(frozen, doc);
    }),
    { numRuns: 500 },
  );
});
