/**
 * JSON text of stored values for the file backend's log and snapshots, reusing the text of
 * shared subtrees.
 *
 * The typed store shares equal subtrees between the objects it stores (the Pods of one
 * template hold one frozen `spec` object), and the log writes every stored value in full: the
 * same spec would be serialized for every Pod. The text of frozen top-level values is kept in
 * a small cache keyed by the object, so a shared subtree is serialized once while it stays in
 * use. Bounded (most recent first out), so values seen once cost little memory.
 *
 * @packageDocumentation
 */

/** Frozen subtrees whose text is kept. */
const MAX_CACHED = 256;
const cache = new Map<object, string>();

function textOf(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null && Object.isFrozen(value)) {
    const hit = cache.get(value);
    if (hit !== undefined) return hit;
    const text = JSON.stringify(value);
    if (cache.size >= MAX_CACHED) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(value, text);
    return text;
  }
  return JSON.stringify(value) as string | undefined;
}

/**
 * `JSON.stringify(value)` for a JSON value (undefined when it has no JSON text, as
 * JSON.stringify), with the text of frozen top-level fields of a plain object reused from
 * earlier calls (they are immutable, so their text cannot change).
 *
 * @internal
 */
export function storedJson(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.stringify(value) as string | undefined;
  }
  let out = '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const text = textOf((value as Record<string, unknown>)[key]);
    // As JSON.stringify: fields holding undefined (or no JSON at all) are left out.
    if (text === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}
