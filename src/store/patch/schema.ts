/**
 * The patch metadata strategic merge patch needs about a type: per field, how lists and maps
 * merge. Kubernetes keeps it in its OpenAPI as `x-kubernetes-patch-strategy` and
 * `x-kubernetes-patch-merge-key` (and, for server-side apply, `x-kubernetes-list-type` and
 * `x-kubernetes-list-map-keys`).
 */

/**
 * The schema of one value of a type, as far as patching cares.
 *
 * A node describes a value in its place: the node of `spec.containers` carries
 * `patchStrategy: 'merge'` and `patchMergeKey: 'name'`, and its `items()` is the node of a
 * Container. Nodes may be recursive (JSONSchemaProps is) and should be created lazily.
 *
 * Caveat: strategic merge patch reads only `patchStrategy` and `patchMergeKey`, as Kubernetes
 * does; `listType`/`listMapKeys` are carried for server-side apply and are not consulted.
 *
 * @public
 */
export interface PatchSchemaNode {
  /** Schema of an object property, or of a map's values (for maps any key returns the value schema). */
  field(name: string): PatchSchemaNode | undefined;
  /** Schema of array elements. */
  items(): PatchSchemaNode | undefined;
  /** `'merge'` | `'replace'` | `'retainKeys'` | `'merge,retainKeys'`. */
  readonly patchStrategy?: string;
  /** The key list elements are matched by when merging, e.g. `'name'`, `'containerPort'`, `'mountPath'`. */
  readonly patchMergeKey?: string;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
}

/**
 * A plain description of a schema, turned into {@link PatchSchemaNode}s by
 * {@link schemaFromSpec}.
 *
 * @public
 */
export interface PatchSchemaSpec {
  /** Known properties of an object. */
  readonly fields?: Readonly<Record<string, PatchSchemaSpec>>;
  /** For maps (`additionalProperties`): the schema of every value. Used for keys not in `fields`. */
  readonly values?: PatchSchemaSpec;
  /** For lists: the schema of the elements. */
  readonly items?: PatchSchemaSpec;
  /** `x-kubernetes-patch-merge-key`. */
  readonly mergeKey?: string;
  /** `x-kubernetes-patch-strategy`. */
  readonly strategy?: string;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
}

/**
 * Builds a {@link PatchSchemaNode} from a plain nested description. Child nodes are built on
 * first use and cached, so a spec may refer to itself (recursive types).
 *
 * @example
 * ```ts
 * const container: PatchSchemaSpec = {
 *   fields: { ports: { strategy: 'merge', mergeKey: 'containerPort' } },
 * };
 * const pod = schemaFromSpec({
 *   fields: { spec: { fields: { containers: { strategy: 'merge', mergeKey: 'name', items: container } } } },
 * });
 * pod.field('spec')?.field('containers')?.patchMergeKey; // → 'name'
 * ```
 * @public
 */
export function schemaFromSpec(spec: PatchSchemaSpec): PatchSchemaNode {
  return nodeFor(spec, new WeakMap());
}

function nodeFor(spec: PatchSchemaSpec, cache: WeakMap<PatchSchemaSpec, PatchSchemaNode>): PatchSchemaNode {
  const cached = cache.get(spec);
  if (cached) return cached;
  const node: PatchSchemaNode = {
    field(name: string): PatchSchemaNode | undefined {
      const child = spec.fields && Object.hasOwn(spec.fields, name) ? spec.fields[name] : spec.values;
      return child === undefined ? undefined : nodeFor(child, cache);
    },
    items(): PatchSchemaNode | undefined {
      return spec.items === undefined ? undefined : nodeFor(spec.items, cache);
    },
    ...(spec.strategy !== undefined ? { patchStrategy: spec.strategy } : {}),
    ...(spec.mergeKey !== undefined ? { patchMergeKey: spec.mergeKey } : {}),
    ...(spec.listType !== undefined ? { listType: spec.listType } : {}),
    ...(spec.listMapKeys !== undefined ? { listMapKeys: spec.listMapKeys } : {}),
  };
  cache.set(spec, node);
  return node;
}

/** How a field's value is patched, read from its `patchStrategy`. */
export interface ParsedPatchStrategy {
  /** Lists: merge by merge key / as a set instead of replacing. */
  readonly merge: boolean;
  /** Maps and lists: replace wholesale instead of merging. */
  readonly replace: boolean;
  /** `$retainKeys` is expected (only informative when applying). */
  readonly retainKeys: boolean;
}

/** Parses a comma-separated `x-kubernetes-patch-strategy` value. */
export function parsePatchStrategy(strategy: string | undefined): ParsedPatchStrategy {
  const parts = (strategy ?? '').split(',').map((s) => s.trim());
  return {
    merge: parts.includes('merge'),
    replace: parts.includes('replace'),
    retainKeys: parts.includes('retainKeys'),
  };
}
