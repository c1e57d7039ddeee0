import { definitions } from '../api/generated/schema.js';
import type { ResourceType } from '../api/resource.js';
import type { FieldSpec, FieldType } from '../api/schema/types.js';
import type { PatchSchemaNode } from './patch/schema.js';

class DefinitionNode implements PatchSchemaNode {
  private readonly children = new Map<string, PatchSchemaNode | undefined>();
  constructor(private readonly name: string) {}
  field(name: string): PatchSchemaNode | undefined {
    if (this.children.has(name)) return this.children.get(name);
    const ft = definitions[this.name]?.props[name];
    const node = ft === undefined ? undefined : nodeFor(ft);
    this.children.set(name, node);
    return node;
  }
  items(): PatchSchemaNode | undefined {
    return undefined;
  }
}

class FieldNode implements PatchSchemaNode {
  readonly patchStrategy?: string;
  readonly patchMergeKey?: string;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
  private cachedItems: PatchSchemaNode | undefined | null = null;
  private cachedValues: PatchSchemaNode | undefined | null = null;

  constructor(private readonly ft: FieldSpec) {
    if (ft.strategy !== undefined) this.patchStrategy = ft.strategy;
    if (ft.mergeKey !== undefined) this.patchMergeKey = ft.mergeKey;
    if (ft.k === 'array') {
      if (ft.listType !== undefined) this.listType = ft.listType;
      if (ft.mapKeys !== undefined) this.listMapKeys = ft.mapKeys;
    }
  }
  field(_name: string): PatchSchemaNode | undefined {
    if (this.ft.k !== 'map') return undefined;
    if (this.cachedValues === null) this.cachedValues = nodeFor(this.ft.values);
    return this.cachedValues;
  }
  items(): PatchSchemaNode | undefined {
    if (this.ft.k !== 'array') return undefined;
    if (this.cachedItems === null) this.cachedItems = nodeFor(this.ft.items);
    return this.cachedItems;
  }
}

/** A ref field that carries its own patch metadata but delegates structure to the definition. */
class RefFieldNode implements PatchSchemaNode {
  readonly patchStrategy?: string;
  readonly patchMergeKey?: string;
  constructor(private readonly def: DefinitionNode, ft: FieldSpec) {
    if (ft.strategy !== undefined) this.patchStrategy = ft.strategy;
    if (ft.mergeKey !== undefined) this.patchMergeKey = ft.mergeKey;
  }
  field(name: string): PatchSchemaNode | undefined {
    return this.def.field(name);
  }
  items(): PatchSchemaNode | undefined {
    return undefined;
  }
}

const defNodes = new Map<string, DefinitionNode>();
function defNode(name: string): DefinitionNode {
  let n = defNodes.get(name);
  if (n === undefined) {
    n = new DefinitionNode(name);
    defNodes.set(name, n);
  }
  return n;
}

function nodeFor(ft: FieldSpec | FieldType): PatchSchemaNode | undefined {
  if (ft.k === 'ref') {
    const spec = ft as FieldSpec;
    return spec.strategy === undefined && spec.mergeKey === undefined ? defNode(ft.ref) : new RefFieldNode(defNode(ft.ref), spec);
  }
  if (ft.k === 'array' || ft.k === 'map') return new FieldNode(ft);
  const spec = ft as FieldSpec;
  return spec.strategy !== undefined || spec.mergeKey !== undefined ? new FieldNode(spec) : undefined;
}

/**
 * The strategic-merge-patch schema of a built-in kind, from Kubernetes' OpenAPI metadata;
 * `undefined` for custom kinds (Kubernetes refuses strategic merge patch for them).
 *
 * @internal
 */
export function patchSchemaFor(type: ResourceType): PatchSchemaNode | undefined {
  return type.definition === undefined ? undefined : defNode(type.definition);
}
