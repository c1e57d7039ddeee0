/**
 * JSON patch (RFC 6902), the `application/json-patch+json` format, with JSON pointers
 * (RFC 6901).
 */
import { PatchError } from './errors.js';
import {
  assertJson,
  copyObject,
  describe,
  escapePointerToken,
  hasKey,
  isJsonArray,
  isJsonObject,
  jsonEqual,
  setKey,
  type JsonValue,
} from './json.js';

/** @public */
export type JsonPatchOperation =
  | { readonly op: 'add'; readonly path: string; readonly value: JsonValue }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'replace'; readonly path: string; readonly value: JsonValue }
  | { readonly op: 'move'; readonly from: string; readonly path: string }
  | { readonly op: 'copy'; readonly from: string; readonly path: string }
  | { readonly op: 'test'; readonly path: string; readonly value: JsonValue };

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Validates a decoded JSON patch document and returns its operations.
 *
 * Each operation must be an object with a known `op` and a string `path` that is a valid
 * JSON pointer; `add`, `replace` and `test` need a `value` (which may be `null`), `move`
 * and `copy` a valid `from`, and `move` may not move a location into its own child.
 * Members other than these are ignored, as RFC 6902 asks.
 *
 * Errors: `PatchError` `BadRequest` naming the operation and what is missing or wrong.
 *
 * @public
 */
export function parseJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) {
    throw new PatchError(
      'BadRequest',
      '',
      `json patch must be an array of operations, got ${describe(patch)}; send e.g. [{"op":"replace","path":"/spec/replicas","value":3}]`,
    );
  }
  return patch.map((raw: unknown, index) => parseOperation(raw, index));
}

function parseOperation(raw: unknown, index: number): JsonPatchOperation {
  if (!isJsonObject(raw)) {
    throw new PatchError('BadRequest', '', `json patch op ${index}: must be an object with "op" and "path", got ${describe(raw)}`);
  }
  const op = raw['op'];
  if (typeof op !== 'string' || !OPS.has(op)) {
    throw new PatchError(
      'BadRequest',
      '',
      `json patch op ${index}: "op" must be one of add, remove, replace, move, copy, test, got ${describe(op)}`,
    );
  }
  const path = raw['path'];
  const where = `json patch op ${index} (${op})`;
  if (typeof path !== 'string') {
    throw new PatchError('BadRequest', '', `${where}: "path" must be a string JSON pointer, got ${describe(path)}`);
  }
  const pathTokens = parsePointer(path, `${where} at ${path}`);
  const needValue = (): JsonValue => {
    if (!Object.hasOwn(raw, 'value') || raw['value'] === undefined) {
      throw new PatchError('BadRequest', path, `${where} at ${path}: "value" is required (use null for a JSON null)`);
    }
    return assertJson(raw['value'], `${where} at ${path}: value`);
  };
  const needFrom = (): string => {
    const from = raw['from'];
    if (typeof from !== 'string') {
      throw new PatchError('BadRequest', path, `${where} at ${path}: "from" must be a string JSON pointer, got ${describe(from)}`);
    }
    const fromTokens = parsePointer(from, `${where} from ${from}`);
    if (
      op === 'move' &&
      fromTokens.length < pathTokens.length &&
      fromTokens.every((token, i) => token === pathTokens[i])
    ) {
      throw new PatchError('BadRequest', path, `${where} at ${path}: cannot move ${from || '/'} into its own child`);
    }
    return from;
  };
  switch (op) {
    case 'add':
    case 'replace':
    case 'test':
      return { op, path, value: needValue() };
    case 'remove':
      return { op, path };
    case 'move':
    case 'copy':
      return { op, from: needFrom(), path };
    default:
      throw new PatchError('BadRequest', path, `${where}: unknown op`);
  }
}

/**
 * Splits a JSON pointer (RFC 6901) into unescaped reference tokens.
 *
 * Errors: `PatchError` `BadRequest` when the pointer is neither `''` nor starts with `/`, or
 * contains a `~` not followed by `0` or `1`.
 *
 * @example
 * ```ts
 * parsePointer('/metadata/annotations/example.com~1a~0b'); // → ['metadata', 'annotations', 'example.com/a~b']
 * ```
 * @public
 */
export function parsePointer(pointer: string, context = 'json pointer'): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw new PatchError('BadRequest', pointer, `${context}: a JSON pointer must be empty or start with "/"`);
  }
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token)) {
        throw new PatchError('BadRequest', pointer, `${context}: "~" must be escaped as "~0" ("/" as "~1")`);
      }
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/** Joins reference tokens back into a JSON pointer. */
function formatPointer(tokens: readonly string[]): string {
  return tokens.map((t) => `/${escapePointerToken(t)}`).join('');
}

/**
 * Applies a JSON patch (RFC 6902) to `target` and returns the result.
 *
 * Supports add, remove, replace, move, copy and test; `-` as the last token of an `add`
 * appends to an array; array indices must be in bounds (`0`…`length` for add,
 * `0`…`length-1` otherwise) and written without leading zeros; `test` compares by deep
 * equality (object key order ignored).
 *
 * Guarantees: atomic — all operations apply or none do: on error the function throws and,
 * as inputs are never mutated, `target` is unchanged. Untouched subtrees are shared with
 * `target`.
 *
 * Errors: `PatchError` `BadRequest` for a malformed patch (see {@link parseJsonPatch});
 * `Invalid` (as Kubernetes answers 422) when an operation does not fit the document: a path
 * that does not exist, an index out of bounds, a failed `test`. Messages read e.g.
 * `json patch op 2 (test) at /spec/replicas: value 3 does not equal 5`.
 *
 * @example
 * ```ts
 * applyJsonPatch({ spec: { replicas: 3 } }, [
 *   { op: 'test', path: '/spec/replicas', value: 3 },
 *   { op: 'replace', path: '/spec/replicas', value: 5 },
 * ]); // → { spec: { replicas: 5 } }
 * ```
 * @public
 */
export function applyJsonPatch(target: unknown, patch: unknown): JsonValue {
  const ops = parseJsonPatch(patch);
  let doc = target as JsonValue;
  ops.forEach((op, index) => {
    doc = applyOperation(doc, op, index);
  });
  return doc;
}

function applyOperation(doc: JsonValue, op: JsonPatchOperation, index: number): JsonValue {
  const where = `json patch op ${index} (${op.op}) at ${op.path}`;
  const path = parsePointer(op.path, where);
  const fail = (message: string, at = op.path): never => {
    throw new PatchError('Invalid', at, `${where}: ${message}`);
  };
  switch (op.op) {
    case 'add':
      return addAt(doc, path, op.value, fail);
    case 'remove':
      if (path.length === 0) fail('cannot remove the whole document; use replace');
      return removeAt(doc, path, fail);
    case 'replace':
      return replaceAt(doc, path, op.value, fail);
    case 'move': {
      const from = parsePointer(op.from, where);
      const value = getAt(doc, from, (m) => fail(`from ${op.from}: ${m}`, op.from));
      if (from.length === path.length && from.every((t, i) => t === path[i])) return doc;
      if (from.length === 0) fail('cannot move the whole document');
      return addAt(removeAt(doc, from, (m) => fail(`from ${op.from}: ${m}`, op.from)), path, value, fail);
    }
    case 'copy': {
      const from = parsePointer(op.from, where);
      const value = getAt(doc, from, (m) => fail(`from ${op.from}: ${m}`, op.from));
      return addAt(doc, path, value, fail);
    }
    case 'test': {
      const actual = getAt(doc, path, fail);
      if (!jsonEqual(actual, op.value)) {
        fail(`value ${describe(actual)} does not equal ${describe(op.value)}; re-read the object and retry`);
      }
      return doc;
    }
  }
}

type Fail = (message: string) => never;

function parseIndex(token: string, length: number, allowEnd: boolean, fail: Fail, at: string): number {
  if (token === '-') {
    if (allowEnd) return length;
    return fail(`"-" at ${at} names the element after the end of the array, which does not exist`);
  }
  if (!/^(0|[1-9][0-9]*)$/.test(token)) {
    return fail(`${describe(token)} at ${at} is not an array index`);
  }
  const index = Number(token);
  const max = allowEnd ? length : length - 1;
  if (index > max) {
    return fail(`index ${index} at ${at} is out of bounds (array length ${length})`);
  }
  return index;
}

function getAt(doc: JsonValue, tokens: readonly string[], fail: Fail): JsonValue {
  let current: JsonValue = doc;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const at = formatPointer(tokens.slice(0, i + 1));
    if (isJsonArray(current)) {
      current = current[parseIndex(token, current.length, false, fail, at)]!;
    } else if (isJsonObject(current)) {
      if (!hasKey(current, token)) return fail(`${at} does not exist`);
      current = current[token]!;
    } else {
      return fail(`${formatPointer(tokens.slice(0, i)) || '/'} is ${describe(current)}, not an object or array`);
    }
  }
  return current;
}

/**
 * Rebuilds `doc` with the container at `tokens[0..-1]` replaced by `edit(container, last)`,
 * copying only the containers along the path.
 */
function editParent(
  doc: JsonValue,
  tokens: readonly string[],
  fail: Fail,
  edit: (parent: JsonValue, last: string, at: string) => JsonValue,
  depth = 0,
): JsonValue {
  const token = tokens[depth]!;
  const at = formatPointer(tokens.slice(0, depth + 1));
  if (depth === tokens.length - 1) return edit(doc, token, at);
  if (isJsonArray(doc)) {
    const i = parseIndex(token, doc.length, false, fail, at);
    const copy = doc.slice();
    copy[i] = editParent(doc[i]!, tokens, fail, edit, depth + 1);
    return copy;
  }
  if (isJsonObject(doc)) {
    if (!hasKey(doc, token)) return fail(`${at} does not exist`);
    const copy = copyObject(doc);
    setKey(copy, token, editParent(doc[token]!, tokens, fail, edit, depth + 1));
    return copy;
  }
  return fail(`${formatPointer(tokens.slice(0, depth)) || '/'} is ${describe(doc)}, not an object or array`);
}

function notContainer(tokens: readonly string[], parent: JsonValue, fail: Fail): never {
  return fail(`${formatPointer(tokens.slice(0, -1)) || '/'} is ${describe(parent)}, not an object or array`);
}

function addAt(doc: JsonValue, tokens: readonly string[], value: JsonValue, fail: Fail): JsonValue {
  if (tokens.length === 0) return value;
  return editParent(doc, tokens, fail, (parent, last, at) => {
    if (isJsonArray(parent)) {
      const i = parseIndex(last, parent.length, true, fail, at);
      return [...parent.slice(0, i), value, ...parent.slice(i)];
    }
    if (isJsonObject(parent)) {
      const copy = copyObject(parent);
      setKey(copy, last, value);
      return copy;
    }
    return notContainer(tokens, parent, fail);
  });
}

function removeAt(doc: JsonValue, tokens: readonly string[], fail: Fail): JsonValue {
  return editParent(doc, tokens, fail, (parent, last, at) => {
    if (isJsonArray(parent)) {
      const i = parseIndex(last, parent.length, false, fail, at);
      return [...parent.slice(0, i), ...parent.slice(i + 1)];
    }
    if (isJsonObject(parent)) {
      if (!hasKey(parent, last)) return fail(`${at} does not exist`);
      const copy = copyObject(parent);
      delete copy[last];
      return copy;
    }
    return notContainer(tokens, parent, fail);
  });
}

function replaceAt(doc: JsonValue, tokens: readonly string[], value: JsonValue, fail: Fail): JsonValue {
  if (tokens.length === 0) return value;
  return editParent(doc, tokens, fail, (parent, last, at) => {
    if (isJsonArray(parent)) {
      const i = parseIndex(last, parent.length, false, fail, at);
      const copy = parent.slice();
      copy[i] = value;
      return copy;
    }
    if (isJsonObject(parent)) {
      if (!hasKey(parent, last)) return fail(`${at} does not exist; use add to create it`);
      const copy = copyObject(parent);
      setKey(copy, last, value);
      return copy;
    }
    return notContainer(tokens, parent, fail);
  });
}
