import { definitions } from './generated/schema.js';
import { formatQuantity, parseQuantity } from './quantity.js';
import { SchemaCodec, SchemaCompiler, type FormatHooks } from './schema/decode.js';

/** Canonical forms of recently seen quantities: the same few strings ("100m", "64Mi") recur. */
const canonical = new Map<string, string>();
const CANONICAL_CACHE_MAX = 4096;

const hooks: FormatHooks = {
  quantity(value) {
    const s = typeof value === 'number' ? String(value) : value;
    const hit = canonical.get(s);
    if (hit !== undefined) return { ok: true, value: hit };
    try {
      const c = formatQuantity(parseQuantity(s));
      if (canonical.size >= CANONICAL_CACHE_MAX) canonical.clear();
      canonical.set(s, c);
      return { ok: true, value: c };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  },
};

/** The compiler for all built-in definitions (decoders are compiled lazily, once). @internal */
export const builtinSchemas = new SchemaCompiler(definitions, hooks);

/** The strict codec of a generated definition, by its TypeScript name. @internal */
export function schemaCodec<A>(name: string): SchemaCodec<A> {
  return new SchemaCodec<A>(name, builtinSchemas, name);
}
