/**
 * Reuse of the decoding, defaulting and validation of bodies seen before.
 *
 * Most objects of a kind are stamped from a few templates: the Pods of one ReplicaSet differ in
 * metadata only, and a controller that labels, annotates or finalizes many of them sends their
 * bodies back unchanged. For kinds whose strategy declares that defaulting and validation of
 * everything outside `metadata` read nothing from `metadata` (`ResourceStrategy.validateMetadata`),
 * what the store makes of a body depends on that body alone (and, for an update, on the stored
 * body). The store remembers the last few decoded bodies per kind with what they became:
 * - when a new input's body deep-equals one of them, only its metadata is decoded;
 * - a create of a remembered body reuses the stored body of the last create (defaulted,
 *   validated, frozen), and only the new metadata is checked;
 * - an update of a remembered body over the same stored body (by reference) as the last one
 *   reuses that update's resulting body, and only the metadata is checked.
 * Besides the work, this keeps one copy of the body for all the objects that share it.
 *
 * Soundness: an entry keeps what an input decoded to (`decoded`), never the input (callers may
 * mutate their inputs after the call). Decoding normalizes some values (quantities, times), so
 * an input equal to `decoded` is only known to decode to `decoded` once that has been seen: an
 * entry is `verified` the first time an input equal to it is decoded in full and gives it.
 * Inputs skip decoding only through verified entries. Admission plugins may change anything,
 * so results are reused only when no plugin is configured.
 *
 * @packageDocumentation
 */
import type { ResourceType } from '../api/resource.js';
import { deepFreeze, jsonEqual } from './objects.js';

type Json = Record<string, unknown>;

const hasOwn = Object.prototype.hasOwnProperty;

/** What a create made of an entry's body: the stored object's key order and fields but `metadata`. @internal */
export interface CreatedBody {
  readonly keys: readonly string[];
  readonly body: Json;
}

/** What an update made of an entry's body over a stored object `old`. @internal */
export interface UpdatedBody extends CreatedBody {
  readonly old: Json;
  /** Whether the body differs from `old`'s outside metadata and status (generation bumps). */
  readonly specChanged: boolean;
}

/** One remembered body of a kind. @internal */
export interface BodyEntry {
  /** What an input decoded to, `metadata` left out (apiVersion and kind kept); frozen once verified. */
  readonly decoded: Json;
  /** The number of keys of `decoded`. */
  readonly decodedKeys: number;
  /** The decoded object's keys in order, `metadata` among them. */
  readonly order: readonly string[];
  /** An input deep-equal to `decoded` was decoded in full and gave `decoded`. */
  verified: boolean;
  /** Inputs matched since verified; a matcher is compiled at {@link COMPILE_AFTER}. */
  hits: number;
  /** `sameBody(raw, decoded)` compiled for this entry, or null when it cannot be. */
  matcher: ((raw: Json) => boolean) | null | undefined;
  created?: CreatedBody;
  updated?: UpdatedBody;
}

/** Entries kept per kind; the most recently used first. */
const MAX_ENTRIES = 4;

/** Matches of a verified entry after which its comparison is compiled (bodies seen that often recur). */
const COMPILE_AFTER = 4;

/** Bodies larger than this (in characters of literals and keys, plus 16 per value) are compared by the generic walk. */
const MAX_COMPILED_SIZE = 64 * 1024;

/** @internal */
export class BodyMemo {
  private readonly entries = new WeakMap<ResourceType, BodyEntry[]>();

  /** The entry whose decoded body deep-equals `raw` outside `metadata`, if any. */
  find(type: ResourceType, raw: Json): BodyEntry | undefined {
    const list = this.entries.get(type);
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) {
      const e = list[i] as BodyEntry;
      if (!(typeof e.matcher === 'function' ? e.matcher(raw) : sameBody(raw, e.decoded, e.decodedKeys))) continue;
      if (e.verified && e.matcher === undefined && ++e.hits >= COMPILE_AFTER) e.matcher = compileMatcher(e.decoded) ?? null;
      if (i > 0) {
        list.splice(i, 1);
        list.unshift(e);
      }
      return e;
    }
    return undefined;
  }

  /**
   * Remember a decoded object's body (unverified), evicting the least recently used entry.
   * From now on its values are the entry's: nothing writes to them (defaulting and the store
   * copy on write), and they are frozen once the entry is verified (most entries of objects
   * that share nothing never are, and freezing them would be wasted).
   */
  add(type: ResourceType, decoded: Json): BodyEntry {
    const d: Json = {};
    let n = 0;
    const order: string[] = [];
    for (const k of Object.keys(decoded)) {
      const v = decoded[k];
      if (v === undefined) continue;
      order.push(k);
      if (k === 'metadata') continue;
      d[k] = v;
      n++;
    }
    const entry: BodyEntry = { decoded: d, decodedKeys: n, order, verified: false, hits: 0, matcher: undefined };
    let list = this.entries.get(type);
    if (list === undefined) {
      list = [];
      this.entries.set(type, list);
    }
    list.unshift(entry);
    if (list.length > MAX_ENTRIES) list.length = MAX_ENTRIES;
    return entry;
  }
}

/** Whether `raw` deep-equals `decoded` (which has `count` keys) outside `metadata`. */
function sameBody(raw: Json, decoded: Json, count: number): boolean {
  let n = 0;
  for (const k in raw) {
    if (!hasOwn.call(raw, k) || k === 'metadata') continue;
    const v = raw[k];
    if (v === undefined) continue;
    n++;
    if (!hasOwn.call(decoded, k) || !jsonEqual(v, decoded[k])) return false;
  }
  return n === count;
}

/** Own enumerable keys of `o` holding a defined value (JSON's view of its keys). */
function definedKeys(o: Json): number {
  let c = 0;
  for (const k in o) if (o[k] !== undefined && hasOwn.call(o, k)) c++;
  return c;
}

/**
 * `raw => sameBody(raw, decoded, count)` as straight-line code with `decoded`'s values inlined:
 * about 2.5× faster than the generic walk on a Pod. Undefined when the body cannot be compiled
 * faithfully (an own `__proto__` key, Object.prototype with enumerable keys, too large) or
 * code generation is unavailable.
 *
 * @internal
 */
export function compileMatcher(decoded: Json): ((raw: Json) => boolean) | undefined {
  for (const _ in Object.prototype) return undefined;
  const lines: string[] = [];
  let size = 0;
  let n = 0;
  const emit = (x: string, e: unknown): boolean => {
    // Every value costs a line of code, whatever its literal: bound the code, not only the literals.
    size += 16;
    if (size > MAX_COMPILED_SIZE) return false;
    if (e === null || typeof e !== 'object') {
      if (typeof e === 'number' && !Number.isFinite(e)) return false;
      if (typeof e !== 'string' && typeof e !== 'number' && typeof e !== 'boolean' && e !== null) return false;
      const literal = JSON.stringify(e);
      size += literal.length;
      lines.push(`if (${x} !== ${literal}) return false;`);
      return size <= MAX_COMPILED_SIZE;
    }
    const t = `v${n++}`;
    lines.push(`const ${t} = ${x};`);
    if (Array.isArray(e)) {
      lines.push(`if (!isArray(${t}) || ${t}.length !== ${e.length}) return false;`);
      for (let i = 0; i < e.length; i++) if (!emit(`${t}[${i}]`, e[i])) return false;
      return true;
    }
    const o = e as Json;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined);
    if (keys.includes('__proto__')) return false;
    lines.push(`if (typeof ${t} !== "object" || ${t} === null || isArray(${t}) || count(${t}) !== ${keys.length}) return false;`);
    for (const k of keys) {
      size += k.length;
      if (!emit(`${t}[${JSON.stringify(k)}]`, o[k])) return false;
    }
    return true;
  };
  const keys = Object.keys(decoded).filter((k) => k !== 'metadata' && decoded[k] !== undefined);
  if (keys.includes('__proto__')) return undefined;
  lines.push(`if (count(raw) - (raw.metadata !== undefined && hasOwn.call(raw, "metadata") ? 1 : 0) !== ${keys.length}) return false;`);
  for (const k of keys) if (!emit(`raw[${JSON.stringify(k)}]`, decoded[k])) return undefined;
  try {
    const factory = new Function('isArray', 'count', 'hasOwn', `"use strict"; return function matchBody(raw) {\n${lines.join('\n')}\nreturn true;\n};`) as (
      isArray: (v: unknown) => boolean,
      count: (o: Json) => number,
      has: typeof hasOwn,
    ) => (raw: Json) => boolean;
    return factory(Array.isArray, definedKeys, hasOwn);
  } catch {
    return undefined;
  }
}

/** Mark an entry verified (an equal input decoded to it): its body is frozen from then on. @internal */
export function verify(entry: BodyEntry): void {
  if (entry.verified) return;
  deepFreeze(entry.decoded);
  entry.verified = true;
}

/** Whether a fully decoded object's body deep-equals an entry's. @internal */
export function decodedMatches(decoded: Json, entry: BodyEntry): boolean {
  return sameBody(decoded, entry.decoded, entry.decodedKeys);
}

/** Whether the fields of `a` outside `metadata` are exactly (by reference) those of `b` outside `metadata`. @internal */
export function hasBody(a: Json, b: Json): boolean {
  let n = 0;
  for (const k in a) {
    if (!hasOwn.call(a, k) || k === 'metadata') continue;
    if (!hasOwn.call(b, k) || a[k] !== b[k]) return false;
    n++;
  }
  for (const k in b) if (hasOwn.call(b, k) && k !== 'metadata') n--;
  return n === 0;
}

/** The fields of an object but `metadata` (a new object holding the same values). @internal */
export function bodyOf(obj: Json): Json {
  const body: Json = {};
  for (const k of Object.keys(obj)) if (k !== 'metadata') body[k] = obj[k];
  return body;
}

/** An object with `keys` in order: `metadata` from `meta`, the rest from `body`. @internal */
export function assemble(keys: readonly string[], body: Json, meta: unknown): Json {
  const out: Json = {};
  for (const k of keys) out[k] = k === 'metadata' ? meta : body[k];
  return out;
}
