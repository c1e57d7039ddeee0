/**
 * Compiles each schema definition to a specialized JavaScript decoder (`new Function`) for the
 * success path. A compiled decoder knows its field names, tests primitive fields inline and
 * calls the decoders of referenced definitions directly; it builds the normalized output as it
 * goes and gives up (returns {@link BAIL}) at the first problem of any kind. The caller then
 * re-runs the interpreter (decode.ts), which is the single source of every error message, path
 * and warning, so results are identical by construction.
 *
 * Safety: generated code embeds only names from the definitions table, always as
 * `JSON.stringify`-escaped string literals (property names, `case` labels, expected
 * apiVersion/kind values); the one identifier derived from a name (the function's name, for
 * profiles) is reduced to `[A-Za-z0-9_]`. Input values are never part of generated code.
 *
 * Output objects keep the input's key order (as the interpreter does), so JSON output and
 * anything that depends on it are unchanged.
 *
 * @packageDocumentation
 */
import { BASE64_RE, MAX_DEPTH, intern, isPlainObject, normalizeTime, setKey, type FormatHooks } from './primitives.js';
import type { DefinitionSpec, FieldType } from './types.js';

/** Returned by a compiled decoder when the input needs the interpreter (any error or warning). @internal */
export const BAIL: unique symbol = Symbol('bail');

/**
 * A compiled decoder: `d` is the nesting depth (0 at the document root, +1 per struct
 * reference, as the interpreter counts), `drop` whether unknown fields are dropped silently.
 *
 * @internal
 */
export type FastDecoder = (v: unknown, d: number, drop: boolean) => unknown;

const ENVELOPE = ['apiVersion', 'kind', 'metadata'] as const;
const WHITESPACE = /\s+/g;

/** Deep copy of a JSON value, or BAIL (non-JSON value, non-finite number, too deep). */
function fastJson(v: unknown, d: number): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v + 0 : BAIL;
  if (d >= MAX_DEPTH) return BAIL;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const e = fastJson(v[i], d + 1);
      if (e === BAIL) return BAIL;
      out.push(e);
    }
    return out;
  }
  if (!isPlainObject(v)) return BAIL;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const raw = v[key];
    if (raw === undefined) continue;
    const e = fastJson(raw, d + 1);
    if (e === BAIL) return BAIL;
    if (key === '__proto__') setKey(out, key, e);
    else out[key] = e;
  }
  return out;
}

/**
 * Whether `for...in` over a plain object visits exactly its own enumerable keys, in
 * `Object.keys` order, as the compiled decoders assume (it walks the prototype chain too, so
 * an enumerable property added to Object.prototype would break that; decode then interprets).
 *
 * @internal
 */
export function forInIsOwnKeys(): boolean {
  for (const _ in Object.prototype) return false;
  return true;
}

/** What generated code can reach: helpers only, never input. */
interface Helpers {
  readonly BAIL: typeof BAIL;
  readonly OP: object;
  readonly getProto: (o: object) => unknown;
  readonly isArray: (v: unknown) => v is unknown[];
  readonly isPlainObject: (v: unknown) => boolean;
  readonly isInteger: (v: unknown) => boolean;
  readonly isFinite: (v: unknown) => boolean;
  readonly keys: (o: object) => string[];
  readonly intern: (s: string) => string;
  readonly normalizeTime: (s: string, micro: boolean) => string | undefined;
  readonly json: (v: unknown, d: number) => unknown;
  readonly setKey: (out: Record<string, unknown>, key: string, value: unknown) => void;
  readonly B64: RegExp;
  readonly WS: RegExp;
  readonly hooks: FormatHooks;
}

const alwaysBail: FastDecoder = () => BAIL;

const lit = (s: string): string => JSON.stringify(s);

/**
 * String fields whose values are (nearly) unique per object: interning them (see `intern`)
 * would only churn the table, so they are kept as decoded. Values are the same either way.
 */
const UNIQUE_STRINGS: { readonly [definition: string]: ReadonlySet<string> } = {
  ObjectMeta: new Set(['name', 'uid', 'resourceVersion', 'selfLink']),
};

/** Code generation for one definition. */
class StructGen {
  private n = 0;
  readonly children: string[] = [];

  private tmp(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  private child(ref: string): string {
    let i = this.children.indexOf(ref);
    if (i < 0) i = this.children.push(ref) - 1;
    return `c${i}`;
  }

  /**
   * Statements that check `x` (a local known to be neither null nor undefined) against `ft`
   * and pass the normalized value, as an expression `assign` must evaluate at most once, to it.
   */
  value(ft: FieldType, x: string, assign: (expr: string) => string, unique = false): string {
    switch (ft.k) {
      case 'string':
        return `if (typeof ${x} !== "string") return BAIL; ${assign(unique ? x : `intern(${x})`)}`;
      case 'int32':
        return `if (typeof ${x} !== "number" || (${x} | 0) !== ${x}) return BAIL; ${assign(`${x} + 0`)}`;
      case 'int64':
        return `if (typeof ${x} !== "number" || !isInteger(${x}) || ${x} < ${Number.MIN_SAFE_INTEGER} || ${x} > ${Number.MAX_SAFE_INTEGER}) return BAIL; ${assign(`${x} + 0`)}`;
      case 'number':
        return `if (typeof ${x} !== "number" || !isFinite(${x})) return BAIL; ${assign(`${x} + 0`)}`;
      case 'boolean':
        return `if (typeof ${x} !== "boolean") return BAIL; ${assign(x)}`;
      case 'byte': {
        const s = this.tmp('s');
        return `if (typeof ${x} !== "string") return BAIL; const ${s} = ${x}.replace(WS, ""); if (!B64.test(${s})) return BAIL; ${assign(s)}`;
      }
      case 'time':
      case 'microtime': {
        const s = this.tmp('t');
        return `if (typeof ${x} !== "string") return BAIL; const ${s} = normalizeTime(${x}, ${ft.k === 'microtime'}); if (${s} === undefined) return BAIL; ${assign(s)}`;
      }
      case 'quantity': {
        const q = this.tmp('q');
        return `if (typeof ${x} !== "string" && typeof ${x} !== "number") return BAIL; const ${q} = hooks.quantity(${x}); if (!${q}.ok) return BAIL; ${assign(`${q}.value`)}`;
      }
      case 'intstr':
        return `if (typeof ${x} === "string") { ${assign(x)} } else if (typeof ${x} === "number" && isInteger(${x})) { ${assign(`${x} + 0`)} } else return BAIL;`;
      case 'json': {
        const j = this.tmp('j');
        return `const ${j} = json(${x}, d); if (${j} === BAIL) return BAIL; ${assign(j)}`;
      }
      case 'object': {
        const j = this.tmp('j');
        return `if (!isPlainObject(${x})) return BAIL; const ${j} = json(${x}, d); if (${j} === BAIL) return BAIL; ${assign(j)}`;
      }
      case 'ref': {
        const r = this.tmp('r');
        return `if (d >= ${MAX_DEPTH}) return BAIL; const ${r} = ${this.child(ft.ref)}(${x}, d + 1, drop); if (${r} === BAIL) return BAIL; ${assign(r)}`;
      }
      case 'array': {
        const a = this.tmp('a');
        const i = this.tmp('i');
        const e = this.tmp('e');
        return (
          `if (!isArray(${x})) return BAIL; const ${a} = []; ` +
          `for (let ${i} = 0; ${i} < ${x}.length; ${i}++) { const ${e} = ${x}[${i}]; if (${e} === null || ${e} === undefined) return BAIL; ` +
          `${this.value(ft.items, e, (ex) => `${a}.push(${ex});`)} } ${assign(a)}`
        );
      }
      case 'map': {
        const m = this.tmp('m');
        const ks = this.tmp('ks');
        const i = this.tmp('i');
        const k = this.tmp('k');
        const e = this.tmp('e');
        return (
          `if (!isPlainObject(${x})) return BAIL; const ${m} = {}; const ${ks} = keys(${x}); ` +
          `for (let ${i} = 0; ${i} < ${ks}.length; ${i}++) { const ${k} = ${ks}[${i}]; const ${e} = ${x}[${k}]; if (${e} === undefined) continue; ` +
          `if (${e} === null) return BAIL; ${this.value(ft.values, e, (ex) => `if (${k} === "__proto__") setKey(${m}, ${k}, ${ex}); else ${m}[${k}] = ${ex};`)} } ${assign(m)}`
        );
      }
    }
  }

  /** The body of a factory `(H, C) => decoder` for `def`. */
  struct(name: string, def: DefinitionSpec): string {
    const cases: string[] = [];
    for (const [field, ft] of Object.entries(def.props)) {
      const f = lit(field);
      const store = field === '__proto__' ? (ex: string) => `setKey(out, ${f}, ${ex});` : (ex: string) => `out[${f}] = ${ex};`;
      cases.push(`case ${f}: { const x = v[${f}]; if (x === null || x === undefined) break; ${this.value(ft, 'x', store, UNIQUE_STRINGS[name]?.has(field) === true)} break; }`);
    }
    const checks: string[] = def.required.map((r) => `if (!(${lit(r)} in out)) return BAIL;`);
    const gvk = def.gvk;
    if (gvk !== undefined) {
      const apiVersion = gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
      checks.push(
        `if (d === 0) { ` +
          ENVELOPE.map((r) => `if (!(${lit(r)} in out)) return BAIL; `).join('') +
          `const av = out["apiVersion"]; if (typeof av === "string" && av !== ${lit(apiVersion)}) return BAIL; ` +
          `const kd = out["kind"]; if (typeof kd === "string" && kd !== ${lit(gvk.kind)}) return BAIL; }`,
      );
    }
    const fn = `decode_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    const header =
      '"use strict";\n' +
      'const { BAIL, OP, getProto, isArray, isPlainObject, isInteger, isFinite, keys, intern, normalizeTime, json, setKey, B64, WS, hooks } = H;\n' +
      this.children.map((_, i) => `const c${i} = C[${i}];\n`).join('');
    return (
      header +
      `return function ${fn}(v, d, drop) {\n` +
      `if (typeof v !== "object" || v === null) return BAIL;\n` +
      `const p = getProto(v); if ((p !== OP && p !== null) || isArray(v)) return BAIL;\n` +
      `const out = {};\n` +
      `for (const k in v) {\n` +
      `switch (k) {\n${cases.join('\n')}\n` +
      `default: if (!drop) return BAIL;\n}\n}\n` +
      `${checks.join('\n')}\n` +
      `return out;\n};`
    );
  }
}

/**
 * Compiles definitions to {@link FastDecoder}s, lazily and once each; references are compiled
 * with their referrer, and recursive ones (JSONSchemaProps) resolve through a forwarding stub.
 *
 * @internal
 */
export class DecoderCodegen {
  private readonly decoders = new Map<string, FastDecoder>();
  private readonly helpers: Helpers;

  constructor(
    private readonly definition: (name: string) => DefinitionSpec,
    hooks: FormatHooks,
  ) {
    this.helpers = {
      BAIL,
      OP: Object.prototype,
      getProto: Object.getPrototypeOf as (o: object) => unknown,
      isArray: Array.isArray,
      isPlainObject,
      isInteger: Number.isInteger,
      isFinite: Number.isFinite,
      keys: Object.keys,
      intern,
      normalizeTime,
      json: fastJson,
      setKey,
      B64: BASE64_RE,
      WS: WHITESPACE,
      hooks,
    };
  }

  /** The generated source of a definition's decoder (for review and debugging). */
  source(name: string): string {
    return new StructGen().struct(name, this.definition(name));
  }

  decoderFor(name: string): FastDecoder {
    const existing = this.decoders.get(name);
    if (existing !== undefined) return existing;
    let real: FastDecoder | undefined;
    this.decoders.set(name, (v, d, drop) => (real as FastDecoder)(v, d, drop));
    try {
      const gen = new StructGen();
      const body = gen.struct(name, this.definition(name));
      const children = gen.children.map((ref) => this.decoderFor(ref));
      // Only schema names reach the source, escaped as string literals (see the module doc).
      const factory = new Function('H', 'C', body) as (h: Helpers, c: readonly FastDecoder[]) => FastDecoder;
      real = factory(this.helpers, children);
    } catch {
      // A definition missing from the table, or code generation disallowed
      // (--disallow-code-generation-from-strings): the interpreter handles it, errors included.
      real = alwaysBail;
    }
    this.decoders.set(name, real);
    return real;
  }
}
