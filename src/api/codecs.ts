import { definitions } from './generated/schema.js';
import { formatQuantity, parseQuantity } from './quantity.js';
import { SchemaCodec, SchemaCompiler, type FormatHooks } from './schema/decode.js';

const hooks: FormatHooks = {
  quantity(value) {
    const s = typeof value === 'number' ? String(value) : value;
    try {
      return { ok: true, value: formatQuantity(parseQuantity(s)) };
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
