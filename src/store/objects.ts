/**
 * Structural helpers for JSON objects: deep equality, structural sharing, deep freeze.
 *
 * @packageDocumentation
 */

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Deep equality of JSON values: objects compare by key set (order ignored, keys holding
 * `undefined` count as absent, as in JSON), arrays by order. Allocates nothing.
 *
 * @internal
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let defined = 0;
  for (const k in ao) {
    const v = ao[k];
    if (v === undefined || !hasOwn.call(ao, k)) continue;
    defined++;
    const w = bo[k];
    // Equal primitives need no call; anything else must be bo's own (not inherited) value.
    if (v === w && typeof v !== 'object' && typeof v !== 'function') continue;
    if (!hasOwn.call(bo, k) || !jsonEqual(v, w)) return false;
  }
  for (const k in bo) if (hasOwn.call(bo, k) && bo[k] !== undefined) defined--;
  return defined === 0;
}

/**
 * Returns `next` with every subtree that deep-equals the corresponding subtree of `prev`
 * replaced by `prev`'s (so unchanged parts of a new version share memory with the old one,
 * and `result === prev` exactly when nothing changed).
 *
 * @internal
 */
export function shareStructure<T>(next: T, prev: unknown): T {
  return share(next, prev) as T;
}

function share(next: unknown, prev: unknown): unknown {
  if (next === prev) return prev;
  if (typeof next !== 'object' || next === null || typeof prev !== 'object' || prev === null) return next;
  if (Array.isArray(next)) return Array.isArray(prev) ? shareArray(next, prev) : next;
  if (Array.isArray(prev)) return next;
  return shareObject(next as Record<string, unknown>, prev as Record<string, unknown>);
}

// The hot path of every update (and of every create, which shares with the last object of its
// kind): no key arrays, and no copy until a child turns out to differ, so a subtree equal to
// the stored one costs a walk and no allocation.

function shareArray(next: readonly unknown[], prev: readonly unknown[]): unknown {
  const n = next.length;
  const common = n < prev.length ? n : prev.length;
  let out: unknown[] | undefined;
  for (let i = 0; i < n; i++) {
    const x = next[i];
    const v = i < common ? (x === prev[i] ? x : share(x, prev[i])) : x;
    if (out === undefined) {
      if (i < common && v === prev[i]) continue;
      out = new Array<unknown>(n);
      for (let j = 0; j < i; j++) out[j] = prev[j];
    }
    out[i] = v;
  }
  if (out !== undefined) return out;
  return n === prev.length ? prev : prev.slice(0, n);
}

function shareObject(next: Record<string, unknown>, prev: Record<string, unknown>): unknown {
  let out: Record<string, unknown> | undefined;
  let count = 0;
  for (const k in next) {
    if (k === '__proto__') return shareObjectSlow(next, prev);
    const x = next[k];
    const p = prev[k];
    const has = p !== undefined || Object.prototype.hasOwnProperty.call(prev, k);
    const v = x === p ? x : has ? share(x, p) : x;
    count++;
    if (out === undefined) {
      if (has && v === p) continue;
      // The first child that differs: copy the ones before it (all equal to prev's).
      out = {};
      let j = 0;
      for (const k2 in next) {
        if (++j === count) break;
        out[k2] = prev[k2];
      }
    }
    out[k] = v;
  }
  if (out !== undefined) return out;
  let prevCount = 0;
  for (const k in prev) {
    if (k === '__proto__') return shareObjectSlow(next, prev);
    prevCount++;
  }
  if (prevCount === count) return prev;
  // Every key of next holds prev's value, but prev has more keys.
  out = {};
  for (const k in next) out[k] = prev[k];
  return out;
}

/** The general case (an own `__proto__` key), with key arrays and defineProperty. */
function shareObjectSlow(n: Record<string, unknown>, p: Record<string, unknown>): unknown {
  const keys = Object.keys(n);
  let same = keys.length === Object.keys(p).length;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const has = Object.prototype.hasOwnProperty.call(p, k);
    const v = has ? share(n[k], p[k]) : n[k];
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
    if (!(has && v === p[k])) same = false;
  }
  return same ? p : out;
}

/** Deeply freeze a JSON value in place (already-frozen subtrees are skipped). @internal */
export function deepFreeze<T>(value: T): T {
  freezeRec(value);
  return value;
}

function freezeRec(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) freezeRec(v[i]);
  } else {
    // for-in walks the enum cache: no key array per object (JSON objects inherit no keys).
    for (const k in v) freezeRec((v as Record<string, unknown>)[k]);
  }
}

/**
 * A shallow copy of a JSON object, built key by key. Stored objects are frozen, and Node 20's
 * V8 turns a frozen spread copy (`{ ...x }`) into a slow dictionary about three times the size
 * of a copy built by assignment, which stays a compact fast object.
 *
 * @internal
 */
export function copyObject(src: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) {
    const v = (src as Record<string, unknown>)[k];
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

/** A shallow copy of an object with one key replaced (appended when new). @internal */
export function withKey<T extends object, K extends string>(obj: T, key: K, value: unknown): T {
  const out = copyObject(obj);
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
  return out as T;
}
