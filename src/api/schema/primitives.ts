/**
 * Primitive checks and normalizations shared by the schema interpreter (decode.ts) and the
 * compiled decoders (codegen.ts), so both produce the very same values.
 *
 * @packageDocumentation
 */

/** How deep values may nest (struct references plus JSON arrays/objects) before decode refuses. @internal */
export const MAX_DEPTH = 128;

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A base64 string without whitespace. @internal */
export const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A short description of a wrong value for error messages (`string "x"`, `number 3`, `a list`).
 *
 * @public
 */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string': {
      const s = v.length > 40 ? `${v.slice(0, 40)}…` : v;
      return `string ${JSON.stringify(s)}`;
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof v} ${String(v)}`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof v}`;
  }
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/**
 * Parse RFC 3339 into canonical UTC, seconds (`time`) or microseconds (`microtime`).
 * Returns `undefined` when `s` is not an RFC 3339 time.
 *
 * @public
 */
export function normalizeTime(s: string, micro: boolean): string | undefined {
  // Objects sent back carry the store's own timestamps, and many share a second: remember them.
  const cache = micro ? microTimes : times;
  const hit = cache.get(s);
  if (hit !== undefined) return hit;
  const out = parseTime(s, micro);
  if (out !== undefined) {
    if (cache.size >= TIME_CACHE_MAX) cache.clear();
    cache.set(s, out);
  }
  return out;
}

const TIME_CACHE_MAX = 1024;
const times = new Map<string, string>();
const microTimes = new Map<string, string>();

function parseTime(s: string, micro: boolean): string | undefined {
  const m = TIME_RE.exec(s);
  if (m === null) return undefined;
  const ms = Date.parse(s.replace(/[Tt]/, 'T').replace(/z$/, 'Z'));
  if (Number.isNaN(ms)) return undefined;
  const d = new Date(ms);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (!micro) return `${base}Z`;
  const frac = (m[7] ?? '.').slice(1).padEnd(6, '0').slice(0, 6);
  return `${base}.${frac}Z`;
}

/**
 * A cheap slot for a string in a direct-mapped table of `mask + 1` entries (a power of two):
 * from its length and three characters, so it costs the same for any length. Strings that
 * differ elsewhere share a slot and take turns; tables using it are best-effort caches.
 *
 * @internal
 */
export function stringSlot(s: string, mask: number): number {
  const n = s.length;
  if (n === 0) return 0;
  return (n * 7919 + s.charCodeAt(0) * 31 + s.charCodeAt(n >> 1) * 131 + s.charCodeAt(n - 1) * 1031) & mask;
}

const INTERN_MAX_LENGTH = 64;
const INTERN_SLOTS = 8192;
const interned: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS);

/**
 * One shared copy of a short string value. Decoded objects repeat the same values (images,
 * 'IfNotPresent', '/dev/termination-log', label values, volume names) and JSON.parse makes a new
 * string for each occurrence; the store keeps every object, so sharing them saves memory.
 *
 * A direct-mapped table indexed by a hash of the length and three characters: a lookup is one
 * slot and one comparison, and a string never seen again costs a slot write, not a hash-map
 * insertion (objects that share nothing bring dozens of those per write). Best effort: two
 * recurring strings that land in one slot take turns.
 *
 * @internal
 */
export function intern(s: string): string {
  const n = s.length;
  if (n > INTERN_MAX_LENGTH || n === 0) return s;
  const slot = stringSlot(s, INTERN_SLOTS - 1);
  const hit = interned[slot];
  if (hit === s) return hit;
  interned[slot] = s;
  return s;
}

/** An object made by JSON.parse or an object literal (prototype Object.prototype or null). @internal */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Set an own data property, `__proto__` included (kept as data, never a prototype change). @internal */
export function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** Normalizes primitive formats whose parsing lives elsewhere (quantities). @internal */
export interface FormatHooks {
  /** Returns the canonical string, or an error message. */
  quantity(value: string | number): { ok: true; value: string } | { ok: false; message: string };
}
