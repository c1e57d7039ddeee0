/**
 * Reuse of the decoded, defaulted and validated body of earlier creates.
 *
 * Most objects of a kind are stamped from a few templates: the Pods of one ReplicaSet differ in
 * metadata only. For kinds whose strategy declares that defaulting and validation of everything
 * outside `metadata` read nothing from `metadata` (`ResourceStrategy.validateMetadata`), the body
 * that an input decodes, defaults and validates to depends on the input's body alone. The store
 * remembers the last few bodies per kind and, when a new input's body deep-equals one of them,
 * decodes and validates only the new metadata and reuses the remembered, frozen body. Besides
 * the work, this keeps one copy of the body for all the objects that share it.
 *
 * Soundness: an entry keeps what an input decoded to (`decoded`), not the input (callers may
 * mutate their inputs after the call). Decoding normalizes some values (quantities, times), so
 * an input equal to `decoded` is only known to decode to `decoded` once that has been seen: an
 * entry is `verified` the first time an input equal to it goes the full way and decodes to it.
 * Only verified entries are reused.
 *
 * @packageDocumentation
 */
import type { ResourceType } from '../api/resource.js';
import { deepFreeze, jsonEqual } from './objects.js';

type Json = Record<string, unknown>;

const hasOwn = Object.prototype.hasOwnProperty;

/** One remembered body of a kind. @internal */
export interface BodyEntry {
  /** What an input decoded to, `metadata` left out (apiVersion and kind kept); frozen. */
  readonly decoded: Json;
  /** The number of defined keys of `decoded`. */
  readonly decodedKeys: number;
  /** An input deep-equal to `decoded` went the full way and decoded to `decoded`. */
  verified: boolean;
  /** The keys of the stored object, in order (`metadata` among them). */
  readonly keys: readonly string[];
  /** The stored object's fields but `metadata`: defaulted, prepared, validated, frozen, shared. */
  readonly body: Json;
}

/** Entries kept per kind; the most recently used first. */
const MAX_ENTRIES = 4;

/** @internal */
export class BodyMemo {
  private readonly entries = new WeakMap<ResourceType, BodyEntry[]>();

  /** The entry whose decoded body deep-equals `raw` outside `metadata`, if any. */
  find(type: ResourceType, raw: Json): BodyEntry | undefined {
    const list = this.entries.get(type);
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) {
      const e = list[i] as BodyEntry;
      if (!sameBody(raw, e.decoded, e.decodedKeys)) continue;
      if (i > 0) {
        list.splice(i, 1);
        list.unshift(e);
      }
      return e;
    }
    return undefined;
  }

  /**
   * Remember what a create made of an input: `decoded` is the decoded input (before defaulting),
   * `stored` the object written. Call only when the stored body passed validation as it is.
   */
  remember(type: ResourceType, decoded: Json, stored: Json): void {
    const d: Json = {};
    let n = 0;
    for (const k of Object.keys(decoded)) {
      if (k === 'metadata' || decoded[k] === undefined) continue;
      d[k] = decoded[k];
      n++;
    }
    const body: Json = {};
    for (const k of Object.keys(stored)) if (k !== 'metadata') body[k] = stored[k];
    const entry: BodyEntry = { decoded: deepFreeze(d), decodedKeys: n, verified: false, keys: Object.keys(stored), body: deepFreeze(body) };
    let list = this.entries.get(type);
    if (list === undefined) {
      list = [];
      this.entries.set(type, list);
    }
    // Concurrent creates of one body all miss before the first is stored: keep one entry.
    for (const e of list) if (sameBody(d, e.decoded, e.decodedKeys)) return;
    list.unshift(entry);
    if (list.length > MAX_ENTRIES) list.length = MAX_ENTRIES;
  }
}

/** Whether `raw` deep-equals `decoded` (which has `count` defined keys) outside `metadata`. */
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

/** Whether the fields of `obj` outside `metadata` are exactly (by reference) those of `body` outside `metadata`. @internal */
export function hasBody(obj: Json, body: Json): boolean {
  let n = 0;
  for (const k in obj) {
    if (!hasOwn.call(obj, k) || k === 'metadata') continue;
    if (!hasOwn.call(body, k) || obj[k] !== body[k]) return false;
    n++;
  }
  for (const k in body) if (hasOwn.call(body, k) && k !== 'metadata') n--;
  return n === 0;
}

/** An object with `keys` in order: `metadata` from `meta`, the rest from `body`. @internal */
export function assemble(keys: readonly string[], body: Json, meta: Json): Json {
  const out: Json = {};
  for (const k of keys) out[k] = k === 'metadata' ? meta : body[k];
  return out;
}
