import * as t from 'io-ts';
import { BAIL, DecoderCodegen, forInIsOwnKeys } from './codegen.js';
import { BASE64_RE, MAX_DEPTH, describeValue, intern, isPlainObject, normalizeTime, setKey, type FormatHooks } from './primitives.js';
import type { DefinitionSpec, FieldType } from './types.js';

export { describeValue, normalizeTime, type FormatHooks };

/**
 * One problem found in input, with the field path it is at, in the dotted form Kubernetes
 * prints (`spec.template.spec.containers[0].image`).
 *
 * @public
 */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/**
 * What to do with fields the schema does not know.
 * - `reject` (default): an error naming the field — Kubernetes' strict field validation,
 *   which kubectl asks for by default, so typos surface instead of vanishing;
 * - `drop`: remove them silently (`fieldValidation=Ignore`);
 * - `warn`: remove them and report each as a warning (`fieldValidation=Warn`).
 *
 * @public
 */
export type UnknownFieldPolicy = 'reject' | 'drop' | 'warn';

/** @public */
export interface DecodeOptions {
  readonly unknownFields?: UnknownFieldPolicy;
}

/** The result of a schema decode: the normalized value, or errors; warnings either way. @public */
export type DecodeResult<A> =
  | { readonly ok: true; readonly value: A; readonly warnings: readonly FieldError[] }
  | { readonly ok: false; readonly errors: readonly FieldError[]; readonly warnings: readonly FieldError[] };

const FAIL: unique symbol = Symbol('fail');
type Out = unknown;

/** Mutable decode state: the current path as a stack (no allocation on the success path). */
class Ctx {
  readonly path: (string | number)[] = [];
  readonly errors: FieldError[] = [];
  readonly warnings: FieldError[] = [];
  depth = 0;
  constructor(readonly unknown: UnknownFieldPolicy) {}

  pathString(extra?: string | number): string {
    let s = '';
    const all = extra === undefined ? this.path : [...this.path, extra];
    for (const p of all) {
      if (typeof p === 'number') s += `[${p}]`;
      else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(p)) s += s === '' ? p : `.${p}`;
      else s += `[${JSON.stringify(p)}]`;
    }
    return s === '' ? '<root>' : s;
  }

  fail(message: string, extra?: string | number): typeof FAIL {
    this.errors.push({ path: this.pathString(extra), message });
    return FAIL;
  }
}

const ENVELOPE = ['apiVersion', 'kind', 'metadata'];

/** Check an arbitrary JSON value (deeply) and copy it; rejects non-JSON values. */
function decodeJson(v: unknown, ctx: Ctx): Out {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  // -0 is not a JSON value (it serializes as 0): decode it as 0 so output is JSON-stable.
  if (typeof v === 'number') return Number.isFinite(v) ? v + 0 : ctx.fail(`expected a JSON number, got ${String(v)}`);
  if (++ctx.depth > MAX_DEPTH) {
    ctx.depth--;
    return ctx.fail(`nested deeper than ${MAX_DEPTH} levels`);
  }
  try {
    if (Array.isArray(v)) {
      const out: unknown[] = new Array<unknown>(v.length);
      let bad = false;
      for (let i = 0; i < v.length; i++) {
        ctx.path.push(i);
        const d = decodeJson(v[i], ctx);
        ctx.path.pop();
        if (d === FAIL) bad = true;
        out[i] = d;
      }
      return bad ? FAIL : out;
    }
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      let bad = false;
      for (const key of Object.keys(v)) {
        const raw = v[key];
        if (raw === undefined) continue;
        ctx.path.push(key);
        const d = decodeJson(raw, ctx);
        ctx.path.pop();
        if (d === FAIL) bad = true;
        else setKey(out, key, d);
      }
      return bad ? FAIL : out;
    }
    return ctx.fail(`expected a JSON value, got ${describeValue(v)}`);
  } finally {
    ctx.depth--;
  }
}

type Decoder = (v: unknown, ctx: Ctx) => Out;

/**
 * How a {@link SchemaCompiler} decodes:
 * - `compile` (default): each definition becomes a generated JavaScript function for the
 *   success path (see codegen.ts); on any problem the interpreter re-runs the document to
 *   report it, so results are the same as `interpret`, only faster;
 * - `interpret`: walk the definitions table with one closure per field (the reference the
 *   compiled decoders are tested against).
 *
 * @internal
 */
export type DecodeMode = 'compile' | 'interpret';

/** @internal */
export interface SchemaCompilerOptions {
  readonly mode?: DecodeMode;
}

/**
 * Compiles definitions into decoders, lazily and once each (recursive definitions such as
 * JSONSchemaProps resolve through the cache).
 *
 * Guarantees: `decode` gives the same {@link DecodeResult} (value, key order, errors, paths,
 * warnings) in both modes.
 *
 * @internal
 */
export class SchemaCompiler {
  private readonly decoders = new Map<string, Decoder>();
  private readonly codegen: DecoderCodegen | undefined;
  readonly mode: DecodeMode;

  constructor(
    private readonly definitions: { readonly [name: string]: DefinitionSpec },
    private readonly hooks: FormatHooks,
    options?: SchemaCompilerOptions,
  ) {
    this.mode = options?.mode ?? 'compile';
    this.codegen = this.mode === 'compile' ? new DecoderCodegen((name) => this.definition(name), hooks) : undefined;
  }

  definition(name: string): DefinitionSpec {
    const d = this.definitions[name];
    if (d === undefined) throw new Error(`no definition named ${name}`);
    return d;
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.definitions, name);
  }

  /** The generated source of definition `name`'s compiled decoder (for review and debugging). */
  compiledSource(name: string): string {
    return (this.codegen ?? new DecoderCodegen((n) => this.definition(n), this.hooks)).source(name);
  }

  /** Decode `value` as definition `name`. */
  decode<A>(name: string, value: unknown, options?: DecodeOptions): DecodeResult<A> {
    const policy = options?.unknownFields ?? 'reject';
    if (this.codegen !== undefined && forInIsOwnKeys()) {
      const fast = this.codegen.decoderFor(name)(value, 0, policy === 'drop');
      if (fast !== BAIL) return { ok: true, value: fast as A, warnings: [] };
    }
    const ctx = new Ctx(policy);
    const out = this.decoderFor(name)(value, ctx);
    if (out === FAIL || ctx.errors.length > 0) return { ok: false, errors: ctx.errors, warnings: ctx.warnings };
    return { ok: true, value: out as A, warnings: ctx.warnings };
  }

  /** The interpreting decoder of definition `name`. */
  decoderFor(name: string): Decoder {
    let d = this.decoders.get(name);
    if (d === undefined) {
      // Install a forwarding decoder first so recursive references resolve.
      let real: Decoder | undefined;
      const forward: Decoder = (v, ctx) => (real as Decoder)(v, ctx);
      this.decoders.set(name, forward);
      real = this.compileStruct(this.definition(name));
      this.decoders.set(name, real);
      d = real;
    }
    return d;
  }

  private compileField(ft: FieldType): Decoder {
    switch (ft.k) {
      case 'string':
        return (v, ctx) => (typeof v === 'string' ? intern(v) : ctx.fail(typeof v === 'number' || typeof v === 'boolean' ? `expected a string, got ${describeValue(v)}; quote it: "${String(v)}"` : `expected a string, got ${describeValue(v)}`));
      case 'int32':
      case 'int64': {
        const lo = ft.k === 'int32' ? -2147483648 : Number.MIN_SAFE_INTEGER;
        const hi = ft.k === 'int32' ? 2147483647 : Number.MAX_SAFE_INTEGER;
        return (v, ctx) => {
          if (typeof v === 'number' && Number.isInteger(v)) {
            return v >= lo && v <= hi ? v + 0 : ctx.fail(`${v} is out of range for a ${ft.k === 'int32' ? '32' : '64'}-bit integer`);
          }
          if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return ctx.fail(`expected an integer, got ${describeValue(v)}; remove the quotes`);
          return ctx.fail(`expected an integer, got ${describeValue(v)}`);
        };
      }
      case 'number':
        return (v, ctx) => (typeof v === 'number' && Number.isFinite(v) ? v + 0 : ctx.fail(`expected a number, got ${describeValue(v)}`));
      case 'boolean':
        return (v, ctx) => {
          if (typeof v === 'boolean') return v;
          if (v === 'true' || v === 'false') return ctx.fail(`expected a boolean, got ${describeValue(v)}; remove the quotes`);
          return ctx.fail(`expected a boolean (true or false), got ${describeValue(v)}`);
        };
      case 'byte':
        return (v, ctx) => {
          if (typeof v !== 'string') return ctx.fail(`expected a base64-encoded string, got ${describeValue(v)}`);
          const s = v.replace(/\s+/g, '');
          return BASE64_RE.test(s) ? s : ctx.fail('illegal base64 data; encode the value with base64 (or use stringData for plain text)');
        };
      case 'time':
      case 'microtime': {
        const micro = ft.k === 'microtime';
        return (v, ctx) => {
          if (typeof v !== 'string') return ctx.fail(`expected an RFC 3339 time string, got ${describeValue(v)}`);
          const n = normalizeTime(v, micro);
          return n ?? ctx.fail(`${JSON.stringify(v)} is not an RFC 3339 time (e.g. 2026-01-02T15:04:05Z)`);
        };
      }
      case 'quantity':
        return (v, ctx) => {
          if (typeof v !== 'string' && typeof v !== 'number') return ctx.fail(`expected a quantity such as "250m" or "64Mi", got ${describeValue(v)}`);
          const r = this.hooks.quantity(v);
          return r.ok ? r.value : ctx.fail(r.message);
        };
      case 'intstr':
        return (v, ctx) => {
          if (typeof v === 'string') return v;
          if (typeof v === 'number' && Number.isInteger(v)) return v + 0;
          return ctx.fail(`expected an integer or a string, got ${describeValue(v)}`);
        };
      case 'json':
        return (v, ctx) => decodeJson(v, ctx);
      case 'object':
        return (v, ctx) => (isPlainObject(v) ? decodeJson(v, ctx) : ctx.fail(`expected an object, got ${describeValue(v)}`));
      case 'ref': {
        const ref = ft.ref;
        let target: Decoder | undefined;
        return (v, ctx) => {
          if (target === undefined) target = this.decoderFor(ref);
          if (++ctx.depth > MAX_DEPTH) {
            ctx.depth--;
            return ctx.fail(`nested deeper than ${MAX_DEPTH} levels`);
          }
          const out = target(v, ctx);
          ctx.depth--;
          return out;
        };
      }
      case 'array': {
        const item = this.compileField(ft.items);
        return (v, ctx) => {
          if (!Array.isArray(v)) return ctx.fail(`expected a list, got ${describeValue(v)}`);
          const out: unknown[] = new Array<unknown>(v.length);
          let bad = false;
          for (let i = 0; i < v.length; i++) {
            const raw: unknown = v[i];
            ctx.path.push(i);
            const d = raw === null || raw === undefined ? ctx.fail('null is not allowed in this list') : item(raw, ctx);
            ctx.path.pop();
            if (d === FAIL) bad = true;
            else out[i] = d;
          }
          return bad ? FAIL : out;
        };
      }
      case 'map': {
        const val = this.compileField(ft.values);
        return (v, ctx) => {
          if (!isPlainObject(v)) return ctx.fail(`expected a map of keys to values, got ${describeValue(v)}`);
          const out: Record<string, unknown> = {};
          let bad = false;
          for (const key of Object.keys(v)) {
            const raw = v[key];
            if (raw === undefined) continue;
            ctx.path.push(key);
            const d = raw === null ? ctx.fail('null is not allowed here; remove the key instead') : val(raw, ctx);
            ctx.path.pop();
            if (d === FAIL) bad = true;
            else setKey(out, key, d);
          }
          return bad ? FAIL : out;
        };
      }
    }
  }

  private compileStruct(def: DefinitionSpec): Decoder {
    const fields = new Map<string, Decoder>();
    for (const [name, ft] of Object.entries(def.props)) fields.set(name, this.compileField(ft));
    const required = def.required;
    const gvk = def.gvk;
    const apiVersion = gvk === undefined ? undefined : gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
    return (v, ctx) => {
      if (!isPlainObject(v)) return ctx.fail(`expected an object, got ${describeValue(v)}`);
      const out: Record<string, unknown> = {};
      let bad = false;
      for (const key of Object.keys(v)) {
        const raw = v[key];
        const dec = fields.get(key);
        if (dec === undefined) {
          if (ctx.unknown === 'reject') {
            ctx.fail(`unknown field ${JSON.stringify(key)}`, key);
            bad = true;
          } else if (ctx.unknown === 'warn') {
            ctx.warnings.push({ path: ctx.pathString(key), message: `unknown field ${JSON.stringify(key)}` });
          }
          continue;
        }
        if (raw === null || raw === undefined) continue;
        ctx.path.push(key);
        const d = dec(raw, ctx);
        ctx.path.pop();
        if (d === FAIL) bad = true;
        else setKey(out, key, d);
      }
      const atRoot = ctx.path.length === 0;
      for (const r of atRoot && gvk !== undefined ? [...required, ...ENVELOPE] : required) {
        if (!(r in out) && !hasErrorAt(ctx, r)) {
          bad = true;
          if (r === 'apiVersion' && apiVersion !== undefined) ctx.fail(`required field is missing; add apiVersion: ${apiVersion}`, r);
          else if (r === 'kind' && gvk !== undefined) ctx.fail(`required field is missing; add kind: ${gvk.kind}`, r);
          else ctx.fail('required field is missing', r);
        }
      }
      if (gvk !== undefined && atRoot) {
        if (typeof out['apiVersion'] === 'string' && out['apiVersion'] !== apiVersion) {
          bad = true;
          ctx.fail(`expected ${JSON.stringify(apiVersion)}, got ${JSON.stringify(out['apiVersion'])}`, 'apiVersion');
        }
        if (typeof out['kind'] === 'string' && out['kind'] !== gvk.kind) {
          bad = true;
          ctx.fail(`expected ${JSON.stringify(gvk.kind)}, got ${JSON.stringify(out['kind'])}`, 'kind');
        }
      }
      return bad ? FAIL : out;
    };
  }
}

function hasErrorAt(ctx: Ctx, field: string): boolean {
  const p = ctx.pathString(field);
  return ctx.errors.some((e) => e.path === p || e.path.startsWith(`${p}.`) || e.path.startsWith(`${p}[`));
}

/**
 * An io-ts codec backed by a schema definition: strict (unknown fields are errors with their
 * path), normalizing (nulls dropped, times and quantities canonical), and fast on the
 * success path. Decode failures carry `{ path, message }` in each io-ts error's message as
 * `path: message`.
 *
 * @public
 */
export class SchemaCodec<A> extends t.Type<A, A, unknown> {
  /** @internal */
  constructor(
    name: string,
    private readonly compiler: SchemaCompiler,
    readonly definitionName: string,
  ) {
    super(
      name,
      (u): u is A => compiler.decode(definitionName, u).ok,
      (u, c) => {
        const r = compiler.decode<A>(definitionName, u);
        if (r.ok) return t.success(r.value);
        return t.failures(r.errors.map((e) => ({ value: u, context: c, message: `${e.path}: ${e.message}` })));
      },
      (a) => a,
    );
  }

  /** Decode with an unknown-field policy, returning field errors rather than io-ts errors. */
  decodeWith(u: unknown, options?: DecodeOptions): DecodeResult<A> {
    return this.compiler.decode<A>(this.definitionName, u, options);
  }
}
