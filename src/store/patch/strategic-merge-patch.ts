/**
 * Strategic merge patch, the `application/strategic-merge-patch+json` format `kubectl apply`,
 * `kubectl edit` and `kubectl patch` send: a merge patch whose lists merge by a key named in
 * the type's schema, plus `$`-directives. Semantics follow Kubernetes' apimachinery
 * `strategicpatch` package (apply side).
 */
import { PatchError } from './errors.js';
import {
  assertJson,
  childPath,
  copyObject,
  describe,
  hasKey,
  isJsonArray,
  isJsonObject,
  jsonEqual,
  setKey,
  type JsonArray,
  type JsonObject,
  type JsonValue,
  type MutableJsonObject,
} from './json.js';
import { parsePatchStrategy, type PatchSchemaNode } from './schema.js';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/**
 * Whether Kubernetes accepts strategic merge patch for custom resources: it does not (custom
 * resources carry no patch metadata; the API server answers 415 Unsupported Media Type).
 * An API server built on kubekit should refuse the content type for custom resources too,
 * and offer JSON merge patch and JSON patch instead.
 *
 * @public
 */
export const STRATEGIC_MERGE_PATCH_FOR_CUSTOM_RESOURCES = false;

/**
 * Applies a strategic merge patch to `target` (a Kubernetes object as JSON) and returns the
 * result.
 *
 * Semantics (as Kubernetes applies it):
 * - Objects merge key by key; `null` deletes a key (a `null` for an absent key is dropped).
 * - A list whose schema has `patchStrategy: merge` merges: lists of objects by
 *   `patchMergeKey` (containers by `name`, ports by `containerPort`, …) — matching
 *   elements merge recursively, new ones are added; lists of primitives become the union.
 *   Without `$setElementOrder`, elements named in the patch take the patch's order and the
 *   elements only on the server keep theirs, interleaved by their server positions — so a
 *   new element comes before the server-only elements that follow it (Kubernetes puts a
 *   container added by `kubectl patch` first).
 * - Other lists, and everything when `schema` is undefined, are replaced (as in a merge patch).
 * - A map field with `patchStrategy: replace` is replaced.
 * - Directives: `$patch: replace` (in a map: the map becomes the patch; as a list element:
 *   the list becomes the patch's other elements), `$patch: delete` (in a map: the map
 *   becomes `{}`; as a list element: delete the elements with its merge key),
 *   `$patch: merge` in a map (the default, accepted and ignored); `$retainKeys: [...]` (drop
 *   keys of the target map not listed); `$deleteFromPrimitiveList/<field>: [...]` (remove
 *   values from a primitive list); `$setElementOrder/<field>: [...]` (order the merged list
 *   as given, as `kubectl apply` sends it).
 *
 * Guarantees: inputs are never mutated; subtrees the patch does not reach are shared with
 * `target`; directives and `null`s never end up in the result (a value new to the target is
 * merged into an empty one — Kubernetes would sometimes store them verbatim).
 *
 * Errors: `PatchError` `BadRequest` for a malformed patch — not an object, an unknown
 * `$`-key (unless the schema declares such a field), an unknown `$patch` value or
 * `$patch: merge` in a list, a merged list element without its merge key, a
 * `$setElementOrder` list whose order contradicts the patch list, a merge-strategy list of
 * objects whose schema has no merge key; `Invalid` when `$retainKeys` does not list a key
 * the patch sets, or for lists of lists.
 *
 * @example
 * ```ts
 * const pod = { spec: { containers: [{ name: 'app', image: 'app:1' }, { name: 'sidecar', image: 'envoy' }] } };
 * applyStrategicMergePatch(pod, { spec: { containers: [{ name: 'app', image: 'app:2' }] } }, podSchema);
 * // → both containers kept, app's image now app:2
 * ```
 * @public
 */
export function applyStrategicMergePatch(
  target: unknown,
  patch: unknown,
  schema: PatchSchemaNode | undefined,
): JsonValue {
  const checked = assertJson(patch, 'strategic merge patch');
  if (!isJsonObject(checked)) {
    throw new PatchError(
      'BadRequest',
      '',
      `strategic merge patch must be a JSON object, got ${describe(checked)}; send e.g. {"spec":{"replicas":3}}`,
    );
  }
  return mergeMap(isJsonObject(target) ? target : undefined, checked, schema, '');
}

function bad(path: string, message: string): never {
  throw new PatchError('BadRequest', path, `strategic merge patch at ${path || '/'}: ${message}`);
}

function invalid(path: string, message: string): never {
  throw new PatchError('Invalid', path, `strategic merge patch at ${path || '/'}: ${message}`);
}

/** Merges `patch` into `original` (absent: into `{}`). */
function mergeMap(
  original: JsonObject | undefined,
  patch: JsonObject,
  schema: PatchSchemaNode | undefined,
  path: string,
): JsonObject {
  let body = patch;
  if (hasKey(patch, PATCH)) {
    const directive = patch[PATCH];
    if (directive === 'delete') return {};
    if (directive !== 'replace' && directive !== 'merge') {
      bad(childPath(path, PATCH), `unknown directive ${describe(directive)}; use "replace", "delete" or "merge"`);
    }
    body = copyObject(patch);
    delete (body as MutableJsonObject)[PATCH];
    if (directive === 'replace') return mergeMap(undefined, body, schema, path);
  }

  const regular: string[] = [];
  const orderKeys: string[] = [];
  const deleteKeys: string[] = [];
  for (const key of Object.keys(body)) {
    if (!hasKey(body, key)) continue;
    if (key === RETAIN_KEYS) continue;
    if (key.startsWith(SET_ELEMENT_ORDER)) orderKeys.push(key);
    else if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) deleteKeys.push(key);
    else if (key.startsWith('$') && schema?.field(key) === undefined) {
      bad(
        childPath(path, key),
        `unknown directive ${describe(key)}; known are $patch, $retainKeys, $setElementOrder/<field>, $deleteFromPrimitiveList/<field>`,
      );
    } else regular.push(key);
  }

  const out = copyObject(original ?? {});

  if (hasKey(body, RETAIN_KEYS)) {
    const retain = body[RETAIN_KEYS];
    const retainPath = childPath(path, RETAIN_KEYS);
    if (!isJsonArray(retain)) bad(retainPath, `must be a list of field names, got ${describe(retain)}`);
    const keep = new Set(retain.filter((k): k is string => typeof k === 'string'));
    for (const key of regular) {
      if (body[key] !== null && !keep.has(key)) {
        invalid(retainPath, `the patch sets ${describe(key)} but $retainKeys does not list it; add it to $retainKeys`);
      }
    }
    for (const key of Object.keys(out)) if (!keep.has(key)) delete out[key];
  }

  const ordered = new Set<string>();
  for (const key of orderKeys) {
    const field = key.slice(SET_ELEMENT_ORDER.length);
    if (field === '') bad(childPath(path, key), `${SET_ELEMENT_ORDER}<field> needs a field name`);
    if (hasKey(body, field) && body[field] === null) continue; // the list is deleted; nothing to order
    applySetElementOrder(out, body, field, body[key]!, schema?.field(field), path);
    ordered.add(field);
  }

  for (const key of regular) {
    if (ordered.has(key)) continue;
    const patchValue = body[key]!;
    const fieldSchema = schema?.field(key);
    const fieldPath = childPath(path, key);
    if (patchValue === null) {
      delete out[key];
      continue;
    }
    const current = hasKey(out, key) ? out[key] : undefined;
    setKey(out, key, mergeValue(current, patchValue, fieldSchema, fieldPath));
  }

  for (const key of deleteKeys) {
    const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
    const directivePath = childPath(path, key);
    if (field === '') bad(directivePath, `${DELETE_FROM_PRIMITIVE_LIST}<field> needs a field name`);
    const toDelete = body[key];
    if (!isJsonArray(toDelete)) bad(directivePath, `must be a list of values to delete, got ${describe(toDelete)}`);
    if (!hasKey(out, field)) continue;
    const current = out[field];
    if (!isJsonArray(current)) {
      bad(directivePath, `${childPath(path, field)} is ${describe(current)}, not a list`);
    }
    setKey(
      out,
      field,
      current.filter((value) => !toDelete.some((gone) => jsonEqual(gone, value))),
    );
  }
  return out;
}

/** The value of a field after patching: `current` is undefined when the field is new. */
function mergeValue(
  current: JsonValue | undefined,
  patch: JsonValue,
  schema: PatchSchemaNode | undefined,
  path: string,
): JsonValue {
  const strategy = parsePatchStrategy(schema?.patchStrategy);
  if (isJsonObject(patch)) {
    const base = isJsonObject(current) && !strategy.replace ? current : undefined;
    return mergeMap(base, patch, schema, path);
  }
  if (isJsonArray(patch)) {
    return mergeList(isJsonArray(current) ? current : [], patch, schema, path);
  }
  return patch;
}

type ElementKind = 'map' | 'scalar' | 'none';

function elementKind(values: readonly JsonValue[], path: string): ElementKind {
  let kind: ElementKind = 'none';
  for (const value of values) {
    if (isJsonArray(value)) invalid(path, 'lists of lists cannot be merged');
    const k: ElementKind = isJsonObject(value) ? 'map' : 'scalar';
    if (kind !== 'none' && k !== kind) {
      bad(path, `a merged list must hold only objects or only primitives, found both (${describe(value)})`);
    }
    kind = k;
  }
  return kind;
}

/** Merges `patch` into `original` per the list's schema. */
function mergeList(
  original: JsonArray,
  patch: JsonArray,
  schema: PatchSchemaNode | undefined,
  path: string,
): JsonArray {
  const strategy = parsePatchStrategy(schema?.patchStrategy);
  const itemSchema = schema?.items();
  if (!strategy.merge) {
    return patch.map((element, i) => mergeValue(undefined, element, itemSchema, childPath(path, i)));
  }
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind([...original, ...patch], path);

  if (kind === 'scalar') {
    const merged: JsonValue[] = [];
    for (const value of [...original, ...patch]) if (!merged.includes(value)) merged.push(value);
    return orderMerged(merged, patch, original, (v) => v);
  }

  const mergeKey = schema?.patchMergeKey;
  if (mergeKey === undefined || mergeKey === '') {
    return bad(path, 'the schema merges this list (patchStrategy merge) but names no patchMergeKey; fix the schema');
  }
  const keyOf = (value: JsonValue): JsonValue | undefined =>
    isJsonObject(value) && hasKey(value, mergeKey) ? value[mergeKey] : undefined;

  let working: JsonValue[] = original.slice();
  const plain: { element: JsonObject; index: number }[] = [];
  let replace = false;
  patch.forEach((element, index) => {
    const elementPath = childPath(path, index);
    const object = element as JsonObject;
    if (!hasKey(object, PATCH)) {
      plain.push({ element: object, index });
      return;
    }
    const directive = object[PATCH];
    switch (directive) {
      case 'delete': {
        if (!hasKey(object, mergeKey)) {
          bad(elementPath, `a "$patch": "delete" element needs the merge key ${describe(mergeKey)} to say what to delete`);
        }
        const gone = object[mergeKey];
        working = working.filter((value) => !keyEquals(keyOf(value), gone));
        return;
      }
      case 'replace':
        replace = true;
        return;
      case 'merge':
        return bad(
          childPath(elementPath, PATCH),
          '"$patch": "merge" is not supported in a list element (Kubernetes rejects it too); leave it out: merge-strategy lists merge by default',
        );
      default:
        return bad(childPath(elementPath, PATCH), `unknown directive ${describe(directive)}; use "replace" or "delete"`);
    }
  });

  if (replace) {
    return plain.map(({ element, index }) => mergeMap(undefined, element, itemSchema, childPath(path, index)));
  }

  const serverOrder = working.slice();
  for (const { element, index } of plain) {
    const elementPath = childPath(path, index);
    if (!hasKey(element, mergeKey)) {
      bad(elementPath, `element has no merge key ${describe(mergeKey)}; every element of this list needs one`);
    }
    const key = element[mergeKey];
    const at = working.findIndex((value) => keyEquals(keyOf(value), key));
    if (at >= 0) {
      const existing = working[at]!;
      working[at] = mergeMap(isJsonObject(existing) ? existing : undefined, element, itemSchema, elementPath);
    } else {
      working.push(mergeMap(undefined, element, itemSchema, elementPath));
    }
  }
  return orderMerged(
    working,
    plain.map(({ element }) => element),
    serverOrder,
    keyOf,
  );
}

function keyEquals(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return a === b || ((typeof a === 'object' || typeof b === 'object') && jsonEqual(a, b));
}

function indexIn(list: readonly JsonValue[], value: JsonValue, keyOf: KeyOf): number {
  const key = keyOf(value);
  return list.findIndex((item) => keyEquals(keyOf(item), key));
}

type KeyOf = (value: JsonValue) => JsonValue | undefined;

/**
 * Orders a merged list as Kubernetes does: elements named in `patchOrder` are sorted by it,
 * the others keep `serverOrder`, and the two runs are interleaved — a server-only element
 * goes first only when both it and the next patch element are on the server and it comes
 * before that element there.
 */
function orderMerged(
  merged: readonly JsonValue[],
  patchOrder: readonly JsonValue[],
  serverOrder: readonly JsonValue[],
  keyOf: KeyOf,
): JsonValue[] {
  const patched: { value: JsonValue; rank: number }[] = [];
  const serverOnly: { value: JsonValue; rank: number }[] = [];
  for (const value of merged) {
    const rank = indexIn(patchOrder, value, keyOf);
    if (rank >= 0) patched.push({ value, rank });
    else {
      const serverRank = indexIn(serverOrder, value, keyOf);
      serverOnly.push({ value, rank: serverRank >= 0 ? serverRank : Number.MAX_SAFE_INTEGER });
    }
  }
  patched.sort((a, b) => a.rank - b.rank);
  serverOnly.sort((a, b) => a.rank - b.rank);
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patched.length) {
    if (j >= patched.length) {
      out.push(serverOnly[i++]!.value);
    } else if (i >= serverOnly.length) {
      out.push(patched[j++]!.value);
    } else {
      const left = serverOnly[i]!.value;
      const right = patched[j]!.value;
      const li = indexIn(serverOrder, left, keyOf);
      const ri = indexIn(serverOrder, right, keyOf);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]!.value);
      else out.push(patched[j++]!.value);
    }
  }
  return out;
}

/** Handles `$setElementOrder/<field>` together with the patch's `<field>` list. */
function applySetElementOrder(
  out: MutableJsonObject,
  body: JsonObject,
  field: string,
  order: JsonValue,
  schema: PatchSchemaNode | undefined,
  path: string,
): void {
  const directivePath = childPath(path, `${SET_ELEMENT_ORDER}${field}`);
  const fieldPath = childPath(path, field);
  if (!isJsonArray(order)) bad(directivePath, `must be a list, got ${describe(order)}`);
  const hasOriginal = hasKey(out, field);
  const original = hasOriginal ? out[field]! : [];
  if (!isJsonArray(original)) {
    return bad(directivePath, `${fieldPath || '/'} is ${describe(original)}, not a list; $setElementOrder applies to lists`);
  }
  const hasPatch = hasKey(body, field);
  const patchList = hasPatch ? body[field]! : [];
  if (!isJsonArray(patchList)) {
    return bad(fieldPath, `is ${describe(patchList)} but ${SET_ELEMENT_ORDER}${field} says it is a list`);
  }
  if (!hasOriginal && !hasPatch) return;

  const kind = elementKind([...original, ...patchList, ...order], fieldPath);
  let keyOf: KeyOf = (v) => v;
  if (kind === 'map') {
    const mergeKey = schema?.patchMergeKey;
    if (mergeKey === undefined || mergeKey === '') {
      return bad(directivePath, 'ordering a list of objects needs a patchMergeKey in the schema; fix the schema');
    }
    order.forEach((item, i) => {
      if (!isJsonObject(item) || !hasKey(item, mergeKey)) {
        bad(childPath(directivePath, i), `each entry must be an object with the merge key ${describe(mergeKey)}`);
      }
    });
    keyOf = (value) => (isJsonObject(value) && hasKey(value, mergeKey) ? value[mergeKey] : undefined);
  }
  checkOrderAgreesWithPatch(patchList, order, keyOf, kind, directivePath);

  const merged = hasPatch ? mergeList(original, patchList, schema, fieldPath) : original;
  setKey(out, field, orderMerged(merged, order, original, keyOf));
}

/**
 * The patch list's elements must appear in `$setElementOrder` in the same relative order
 * (deletions and directive elements aside); otherwise the patch contradicts itself.
 */
function checkOrderAgreesWithPatch(
  patchList: JsonArray,
  order: JsonArray,
  keyOf: KeyOf,
  kind: ElementKind,
  directivePath: string,
): void {
  // As apimachinery's validatePatchWithSetOrderList: nothing to check when either list is empty.
  if (order.length === 0 || patchList.length === 0) return;
  const items = kind === 'map' ? patchList.filter((item) => !(isJsonObject(item) && hasKey(item, PATCH))) : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (keyEquals(keyOf(items[p]!), keyOf(order[o]!))) p++;
    o++;
  }
  if (p < items.length) {
    bad(
      directivePath,
      `the patch list's order ${describe(items.map(keyOf))} does not match ${describe(order.map(keyOf))}; list every patched element in $setElementOrder, in the same order`,
    );
  }
}
