/**
 * The compact, machine-readable structure of a resource type, generated from Kubernetes'
 * OpenAPI document (structure only) and interpreted at run time into codecs, patch schemas
 * and the OpenAPI the API server publishes.
 *
 * @packageDocumentation
 */

/** How a list field merges under strategic merge patch / server-side apply. @public */
export interface ListSemantics {
  /** `x-kubernetes-list-type`. */
  readonly listType?: 'atomic' | 'set' | 'map';
  /** `x-kubernetes-list-map-keys`. */
  readonly mapKeys?: readonly string[];
  /** `x-kubernetes-patch-merge-key`. */
  readonly mergeKey?: string;
  /** `x-kubernetes-patch-strategy`. */
  readonly strategy?: string;
}

/**
 * The type of one field.
 * - primitives: `string`, `int32`, `int64`, `number`, `boolean`, `byte` (base64 string),
 *   `time` (RFC 3339, seconds), `microtime` (RFC 3339, microseconds), `quantity`, `intstr`
 *   (integer or string), `json` (any JSON value), `object` (any JSON object);
 * - `ref`: another definition by name;
 * - `array` / `map` with their element type.
 *
 * @public
 */
export type FieldType =
  | { readonly k: 'string' | 'int32' | 'int64' | 'number' | 'boolean' | 'byte' | 'time' | 'microtime' | 'quantity' | 'intstr' | 'json' | 'object' }
  | { readonly k: 'ref'; readonly ref: string }
  | ({ readonly k: 'array'; readonly items: FieldType } & ListSemantics)
  | { readonly k: 'map'; readonly values: FieldType; readonly strategy?: string; readonly mapType?: 'atomic' | 'granular' };

/** A field of a definition: its type plus patch/merge metadata. @public */
export type FieldSpec = FieldType & { readonly strategy?: string; readonly mergeKey?: string };

/** A group/version/kind. @public */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** One object definition. @public */
export interface DefinitionSpec {
  /** The OpenAPI definition name (e.g. `io.k8s.api.core.v1.Pod`). */
  readonly openapi: string;
  /** Present on top-level kinds. */
  readonly gvk?: GroupVersionKind;
  readonly required: readonly string[];
  readonly props: { readonly [field: string]: FieldSpec };
  /** `x-kubernetes-map-type` of the struct (`atomic` structs are replaced whole by apply). */
  readonly mapType?: 'atomic' | 'granular';
}

/** A REST resource as the OpenAPI paths describe it. @public */
export interface ResourceSpec {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Definition name (key in the definitions table). */
  readonly definition: string;
  readonly verbs: readonly string[];
  readonly subresources: readonly string[];
}
