/**
 * JSON value types and the small helpers the three patch formats share. Nothing here
 * mutates its arguments.
 */
import { PatchError } from './errors.js';

/** A JSON scalar. @public */
export type JsonPrimitive = string | number | boolean | null;
/** A JSON array, read-only. @public */
export type JsonArray = readonly JsonValue[];
/** A JSON object, read-only. @public */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}
/**
 * A JSON value, read-only: patch functions never mutate the values they are given.
 *
 * @public
 */
export type JsonValue = JsonPrimitive | JsonArray | JsonObject;

/** A JSON object under construction (only ever a fresh copy made by a patch function). */
export type MutableJsonObject = { [key: string]: JsonValue };

/** True for a JSON object (a non-null, non-array object). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a JSON array. */
export function isJsonArray(value: unknown): value is JsonArray {
  return Array.isArray(value);
}

/** `Object.hasOwn` with `undefined` treated as absent (as JSON.stringify does). */
export function hasKey(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key) && (object as Record<string, unknown>)[key] !== undefined;
}

/**
 * Sets an own property, including one named `__proto__` (which plain assignment would turn
 * into a prototype change).
 */
export function setKey(object: MutableJsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

/** A shallow copy of a JSON object, as a fresh mutable object. */
export function copyObject(object: JsonObject): MutableJsonObject {
  const out: MutableJsonObject = {};
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (value !== undefined) setKey(out, key, value);
  }
  return out;
}

export { jsonEqual } from '../objects.js';

/** Escapes one reference token for a JSON pointer (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Appends a token to a JSON pointer. */
export function childPath(path: string, token: string | number): string {
  return `${path}/${escapePointerToken(String(token))}`;
}

/** Renders a value for an error message, truncated to stay readable. */
export function describe(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Checks that `value` is a JSON value (plain objects, arrays, finite numbers, strings,
 * booleans, null) and returns it typed as one.
 *
 * @throws PatchError `BadRequest` naming the first offending path, prefixed with `what`.
 */
export function assertJson(value: unknown, what: string, path = ''): JsonValue {
  const problem = findNonJson(value, path);
  if (problem !== undefined) {
    throw new PatchError(
      'BadRequest',
      problem.path,
      `${what} at ${problem.path || '/'}: ${problem.reason}; send plain JSON (use null, not undefined, to delete a field)`,
    );
  }
  return value as JsonValue;
}

function findNonJson(value: unknown, path: string): { path: string; reason: string } | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : { path, reason: `${String(value)} is not a JSON number` };
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const found = findNonJson(value[i], childPath(path, i));
          if (found) return found;
        }
        return undefined;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        return { path, reason: 'is not a plain object' };
      }
      for (const key of Object.keys(value)) {
        const found = findNonJson((value as Record<string, unknown>)[key], childPath(path, key));
        if (found) return found;
      }
      return undefined;
    }
    default:
      return { path, reason: `a ${typeof value} is not a JSON value` };
  }
}
