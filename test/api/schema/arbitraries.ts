/**
 * fast-check arbitraries of decoder input generated from the schema table: valid documents of
 * a definition, and those documents with one mutation (a wrong type, an unknown field, a null,
 * a missing required field, hostile nesting, a `__proto__` key, a wrong apiVersion/kind).
 * Shared by decode.test.ts and codegen.test.ts (not a test file itself).
 */
import fc from 'fast-check';
import { definitions } from '../../../src/api/generated/schema.js';
import type { FieldType } from '../../../src/api/schema/types.js';

/** An arbitrary of valid input for a field type, bounded in depth. */
export function arb(ft: FieldType, depth: number): fc.Arbitrary<unknown> {
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

/** An arbitrary of a valid document of definition `name` (`root`: with its envelope). */
export function structArb(name: string, depth: number, root: boolean): fc.Arbitrary<unknown> {
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

function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
}

function put(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A deep copy of the arrays and plain objects in `v` (null prototypes, own `__proto__` keys,
 * -0, undefined values and key order kept); other objects (Date, Map) are shared, never mutated.
 */
export function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (!isPlain(v)) return v;
  const out = (Object.getPrototypeOf(v) === null ? Object.create(null) : {}) as Record<string, unknown>;
  for (const k of Object.keys(v)) put(out, k, clone(v[k]));
  return out;
}

/** Every array and plain object inside `v` (v included). */
function containers(v: unknown, acc: (Record<string, unknown> | unknown[])[] = []): (Record<string, unknown> | unknown[])[] {
  if (!Array.isArray(v) && !isPlain(v)) return acc;
  acc.push(v);
  for (const x of Array.isArray(v) ? v : Object.values(v)) containers(x, acc);
  return acc;
}

function nested(depth: number, wrap: 'list' | 'object'): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = wrap === 'list' ? [v] : { a: v };
  return v;
}

/** Values of the wrong type (or right type, wrong range/format) for some field. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, true, 'true', '80', ' 42 ', -0, 1.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, NaN, Infinity, '', 'yesterday', '2026-01-02T03:04:05.123+01:00', '2026-13-45T00:00:00Z', '12x', '%%%', 'aGk=', [], {}, [null], { a: null }, { a: undefined }),
  fc.integer(),
  fc.string({ maxLength: 6 }),
  fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.constant(null)), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.constant(null)), { maxKeys: 2 }),
  fc.constantFrom(120, 127, 128, 129, 200).chain((n) => fc.constantFrom(nested(n, 'list'), nested(n, 'object'))),
  fc.constant(new Date(0)),
  fc.constant(new Map()),
  fc.constant(Object.create(null) as unknown),
);

type Mutation =
  | { readonly op: 'set'; readonly at: number; readonly pick: number; readonly value: unknown }
  | { readonly op: 'add'; readonly at: number; readonly key: string; readonly value: unknown }
  | { readonly op: 'delete'; readonly at: number; readonly pick: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), pick: fc.nat(), value: badValue }),
  fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: fc.oneof(fc.string({ minLength: 1, maxLength: 5 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'spec', 'name', 'apiVersion', 'kind', 'metadata', 'x-y', '0', 'a.b')), value: badValue }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), pick: fc.nat() }),
);

/** Apply mutations to a copy of `input`. */
export function mutate(input: unknown, mutations: readonly Mutation[]): unknown {
  let root = clone(input);
  for (const m of mutations) {
    const all = containers(root);
    if (all.length === 0) {
      if (m.op === 'set') root = clone(m.value);
      continue;
    }
    const c = all[m.at % all.length] as Record<string, unknown> | unknown[];
    const keys = Object.keys(c);
    const value = m.op === 'delete' ? undefined : clone(m.value);
    if (m.op === 'add') {
      if (Array.isArray(c)) c.push(value);
      else put(c, m.key, value);
      continue;
    }
    if (keys.length === 0) continue;
    const key = keys[m.pick % keys.length] as string;
    if (m.op === 'delete') {
      if (Array.isArray(c)) c.splice(Number(key), 1);
      else delete c[key];
    } else if (Array.isArray(c)) c[Number(key)] = value;
    else put(c, key, value);
  }
  return root;
}

/** A document of `name` that is valid, or valid but for 1–3 mutations. */
export function documentArb(name: string, root: boolean): fc.Arbitrary<unknown> {
  const valid = structArb(name, 0, root);
  return fc.oneof({ arbitrary: valid, weight: 1 }, { arbitrary: fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([v, ms]) => mutate(v, ms)), weight: 3 });
}
