/**
 * The three patch formats Kubernetes accepts on PATCH: JSON patch (RFC 6902), JSON merge
 * patch (RFC 7386) and strategic merge patch. All functions are pure: they never mutate their
 * inputs and share untouched subtrees with the target.
 */
import { PatchError } from './errors.js';
import { applyJsonPatch } from './json-patch.js';
import type { JsonValue } from './json.js';
import { applyMergePatch } from './merge-patch.js';
import type { PatchSchemaNode } from './schema.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

export { PatchError, type PatchErrorCode } from './errors.js';
export type { JsonArray, JsonObject, JsonPrimitive, JsonValue } from './json.js';
export { applyMergePatch, createMergePatch } from './merge-patch.js';
export { applyJsonPatch, parseJsonPatch, parsePointer, type JsonPatchOperation } from './json-patch.js';
export {
  applyStrategicMergePatch,
  STRATEGIC_MERGE_PATCH_FOR_CUSTOM_RESOURCES,
} from './strategic-merge-patch.js';
export { schemaFromSpec, type PatchSchemaNode, type PatchSchemaSpec } from './schema.js';

/**
 * A patch format, by the name `kubectl patch --type` uses.
 *
 * @public
 */
export type PatchType = 'json' | 'merge' | 'strategic';

/**
 * The `Content-Type` of a PATCH request for each {@link PatchType}.
 *
 * @public
 */
export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/**
 * The {@link PatchType} of a PATCH request's `Content-Type` (parameters such as
 * `; charset=utf-8` ignored), or `undefined` for any other type (server-side apply's
 * `application/apply-patch+yaml` included: it is not one of these three).
 *
 * @public
 */
export function patchTypeFromContentType(contentType: string): PatchType | undefined {
  const bare = contentType.split(';')[0]!.trim().toLowerCase();
  for (const [type, media] of Object.entries(PATCH_CONTENT_TYPES) as [PatchType, string][]) {
    if (media === bare) return type;
  }
  return undefined;
}

/**
 * Applies a patch of the given type: the one entry point an API server's PATCH handler needs.
 *
 * `schema` is used by strategic merge patch only; without one, strategic merge patch merges
 * maps and replaces lists. Kubernetes refuses strategic merge patch for custom resources
 * ({@link STRATEGIC_MERGE_PATCH_FOR_CUSTOM_RESOURCES}); that decision is the caller's.
 *
 * Errors: `PatchError` as documented on {@link applyJsonPatch}, {@link applyMergePatch} and
 * {@link applyStrategicMergePatch}.
 *
 * @example
 * ```ts
 * const type = patchTypeFromContentType(req.headers['content-type'] ?? '');
 * if (type === undefined) return unsupportedMediaType();
 * const next = applyPatch(type, current, JSON.parse(body), schemaFor(kind));
 * ```
 * @public
 */
export function applyPatch(
  type: PatchType,
  target: unknown,
  patch: unknown,
  schema?: PatchSchemaNode,
): JsonValue {
  switch (type) {
    case 'json':
      return applyJsonPatch(target, patch);
    case 'merge':
      return applyMergePatch(target, patch);
    case 'strategic':
      return applyStrategicMergePatch(target, patch, schema);
    default:
      throw new PatchError('BadRequest', '', `unknown patch type ${String(type)}; use json, merge or strategic`);
  }
}
