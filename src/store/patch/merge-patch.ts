/**
 * JSON merge patch (RFC 7386), the `application/merge-patch+json` format.
 */
import {
  assertJson,
  copyObject,
  hasKey,
  isJsonObject,
  jsonEqual,
  setKey,
  type JsonObject,
  type JsonValue,
  type MutableJsonObject,
} from './json.js';

/**
 * Applies a JSON merge patch (RFC 7386) to `target` and returns the result.
 *
 * Semantics: an object patch is merged key by key into the target (a non-object target is
 * treated as `{}`); a `null` value deletes the key; any other value — including an array —
 * replaces what was there (arrays are never merged); a non-object patch replaces the whole
 * target.
 *
 * Guarantees: neither argument is mutated (frozen inputs are fine); subtrees the patch does
 * not touch are shared with `target`, and a patch that changes nothing returns `target` itself.
 *
 * Errors: `PatchError` `BadRequest` when `patch` is not a JSON value (e.g. contains
 * `undefined`, a function, `NaN`, a class instance).
 *
 * @example
 * ```ts
 * applyMergePatch({ spec: { replicas: 1, paused: true } }, { spec: { replicas: 3, paused: null } });
 * // → { spec: { replicas: 3 } }
 * ```
 * @public
 */
export function applyMergePatch(target: unknown, patch: unknown): JsonValue {
  const checked = assertJson(patch, 'merge patch');
  return mergeValue(target, checked);
}

function mergeValue(target: unknown, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return patch;
  const base: JsonObject = isJsonObject(target) ? target : {};
  let out: MutableJsonObject | undefined = isJsonObject(target) ? undefined : {};
  for (const key of Object.keys(patch)) {
    const patchValue = patch[key];
    if (patchValue === undefined) continue;
    if (patchValue === null) {
      if (hasKey(base, key)) {
        out ??= copyObject(base);
        delete out[key];
      }
      continue;
    }
    const current = hasKey(base, key) ? base[key] : undefined;
    const next = mergeValue(current, patchValue);
    if (next !== current) {
      out ??= copyObject(base);
      setKey(out, key, next);
    }
  }
  return out ?? base;
}

/**
 * Computes the smallest JSON merge patch that turns `original` into `modified`: keys whose
 * values differ are set (recursing into objects present on both sides), keys that vanished
 * are set to `null`, equal keys are left out.
 *
 * Caveats: RFC 7386 cannot express a `null` value inside an object of `modified` (null means
 * delete), nor a change inside an array (the whole array is sent). When `modified` is not an
 * object the patch is `modified` itself.
 *
 * Guarantees: for `modified` with no `null` inside objects,
 * `applyMergePatch(original, createMergePatch(original, modified))` deep-equals `modified`.
 *
 * @example
 * ```ts
 * createMergePatch({ a: 1, b: { c: 2, d: 3 } }, { a: 1, b: { c: 5 } });
 * // → { b: { c: 5, d: null } }
 * ```
 * @public
 */
export function createMergePatch(original: unknown, modified: unknown): JsonValue {
  const checkedOriginal = assertJson(original, 'merge patch original');
  const checkedModified = assertJson(modified, 'merge patch modified');
  return diff(checkedOriginal, checkedModified);
}

function diff(original: JsonValue, modified: JsonValue): JsonValue {
  if (!isJsonObject(modified)) return modified;
  if (!isJsonObject(original)) return modified;
  const out: MutableJsonObject = {};
  for (const key of Object.keys(original)) {
    if (hasKey(original, key) && !hasKey(modified, key)) setKey(out, key, null);
  }
  for (const key of Object.keys(modified)) {
    const next = modified[key];
    if (next === undefined) continue;
    if (!hasKey(original, key)) {
      setKey(out, key, next);
      continue;
    }
    const previous = original[key];
    if (jsonEqual(previous, next)) continue;
    setKey(out, key, isJsonObject(previous) && isJsonObject(next) ? diff(previous, next) : next);
  }
  return out;
}
