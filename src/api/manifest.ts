import { LineCounter, parseAllDocuments, parseDocument, type Document } from 'yaml';
import { definitions } from './generated/schema.js';
import { KindRegistry } from './registry.js';
import type { KubeObject, ResourceType } from './resource.js';
import type { FieldError, UnknownFieldPolicy } from './schema/decode.js';
import type { FieldType } from './schema/types.js';
import { KubekitError } from '../util/errors.js';

/** One problem in a manifest: which document, which object, which field, what to do. @public */
export interface ManifestProblem {
  /** 0-based index of the YAML document (and of the item, for `kind: List`). */
  readonly document: number;
  readonly item?: number;
  readonly kind?: string;
  readonly name?: string;
  /** Field path, e.g. `spec.template.spec.containers[0].image`; `<root>` for the whole document. */
  readonly path: string;
  readonly message: string;
  /** 1-based line of the document start (or of a syntax error), when known. */
  readonly line?: number;
}

/**
 * A manifest could not be loaded. `problems` lists every problem found (all documents are
 * checked, so one run shows everything to fix); the message shows them one per line.
 *
 * @public
 */
export class ManifestError extends KubekitError {
  readonly problems: readonly ManifestProblem[];
  constructor(problems: readonly ManifestProblem[], source?: string) {
    const where = source === undefined ? '' : `${source}: `;
    super('InvalidManifest', `${where}${problems.length} problem${problems.length === 1 ? '' : 's'} in manifest:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.problems = problems;
  }
}

function formatProblem(p: ManifestProblem): string {
  const doc = `document ${p.document}${p.item !== undefined ? ` item ${p.item}` : ''}${p.line !== undefined ? ` (line ${p.line})` : ''}`;
  const obj = p.kind !== undefined ? ` ${p.kind}${p.name !== undefined ? ` ${JSON.stringify(p.name)}` : ''}` : '';
  return `${doc}${obj}: ${p.path === '<root>' ? '' : `${p.path}: `}${p.message}`;
}

/** A decoded object with its kind. @public */
export interface LoadedObject<T extends KubeObject = KubeObject> {
  readonly type: ResourceType<T>;
  readonly object: T;
  readonly document: number;
  readonly item?: number;
}

/** @public */
export interface LoadManifestOptions {
  /** The kinds to accept; defaults to every built-in kind. */
  readonly kinds?: KindRegistry;
  /** Unknown fields: `reject` (default, kubectl's Strict), `warn`, `drop`. */
  readonly unknownFields?: UnknownFieldPolicy;
  /** Also apply defaults and run the kind's validation (as the API server will). Default true. */
  readonly validate?: boolean;
  /** Named in error messages (a file name). */
  readonly source?: string;
}

/** Versions Kubernetes no longer serves, with the version to use instead. */
const REMOVED_VERSIONS: { readonly [gvk: string]: string } = {
  'batch/v1beta1/CronJob': 'batch/v1',
  'extensions/v1beta1/Deployment': 'apps/v1',
  'apps/v1beta1/Deployment': 'apps/v1',
  'apps/v1beta2/Deployment': 'apps/v1',
  'extensions/v1beta1/DaemonSet': 'apps/v1',
  'extensions/v1beta1/ReplicaSet': 'apps/v1',
  'apps/v1beta1/StatefulSet': 'apps/v1',
  'extensions/v1beta1/Ingress': 'networking.k8s.io/v1',
  'networking.k8s.io/v1beta1/Ingress': 'networking.k8s.io/v1',
  'policy/v1beta1/PodDisruptionBudget': 'policy/v1',
  'autoscaling/v2beta1/HorizontalPodAutoscaler': 'autoscaling/v2',
  'autoscaling/v2beta2/HorizontalPodAutoscaler': 'autoscaling/v2',
  'rbac.authorization.k8s.io/v1beta1/Role': 'rbac.authorization.k8s.io/v1',
  'rbac.authorization.k8s.io/v1beta1/ClusterRole': 'rbac.authorization.k8s.io/v1',
  'rbac.authorization.k8s.io/v1beta1/RoleBinding': 'rbac.authorization.k8s.io/v1',
  'rbac.authorization.k8s.io/v1beta1/ClusterRoleBinding': 'rbac.authorization.k8s.io/v1',
  'apiextensions.k8s.io/v1beta1/CustomResourceDefinition': 'apiextensions.k8s.io/v1',
  'storage.k8s.io/v1beta1/StorageClass': 'storage.k8s.io/v1',
  'scheduling.k8s.io/v1beta1/PriorityClass': 'scheduling.k8s.io/v1',
  'discovery.k8s.io/v1beta1/EndpointSlice': 'discovery.k8s.io/v1',
};

/**
 * Load Kubernetes manifests: multi-document YAML or JSON, `kind: List` expanded, each object
 * decoded strictly with its kind's codec (and by default defaulted and validated).
 *
 * Errors: a {@link ManifestError} listing every problem with its document index, kind/name
 * when known, the field path and what to do — e.g. a missing apiVersion suggests the right
 * one, a removed version names its replacement, an unknown field that belongs elsewhere
 * says where.
 *
 * @example
 * ```ts
 * const objects = loadManifests(readFileSync('app.yaml', 'utf8'), { source: 'app.yaml' });
 * for (const { type, object } of objects) await client.create(type, object);
 * ```
 * @public
 */
export function loadManifests(text: string, options: LoadManifestOptions = {}): LoadedObject[] {
  const kinds = options.kinds ?? defaultRegistry();
  const problems: ManifestProblem[] = [];
  const out: LoadedObject[] = [];
  const lineCounter = new LineCounter();
  /** Documents with the offset of their text in `text` (non-zero for a piece of a JSON stream). */
  const docs: { readonly doc: Document.Parsed; readonly base: number }[] = [];
  try {
    const pieces = splitJsonStream(text);
    if (pieces !== undefined) {
      lineCounter.addNewLine(0);
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineCounter.addNewLine(i + 1);
      for (const p of pieces) docs.push({ doc: parseDocument(text.slice(p.start, p.end), { prettyErrors: false, uniqueKeys: true }), base: p.start });
    } else {
      const parsed = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true, lineCounter }) as Document.Parsed[] | Document.Parsed;
      for (const doc of Array.isArray(parsed) ? parsed : [parsed]) docs.push({ doc, base: 0 });
    }
  } catch (err) {
    throw new ManifestError([{ document: 0, path: '<root>', message: `not YAML or JSON: ${err instanceof Error ? err.message : String(err)}` }], options.source);
  }
  let index = 0;
  for (const { doc, base } of docs) {
    const docIndex = index++;
    const line = doc.range !== undefined ? lineCounter.linePos(base + doc.range[0]).line : undefined;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const errLine = base === 0 ? e.linePos?.[0]?.line : lineCounter.linePos(base + (e.pos[0] ?? 0)).line;
        problems.push({ document: docIndex, path: '<root>', message: `${base === 0 ? 'YAML' : 'JSON'} syntax error: ${e.message.split('\n')[0] ?? e.message}`, ...(errLine !== undefined ? { line: errLine } : line !== undefined ? { line } : {}) });
      }
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      problems.push({ document: docIndex, path: '<root>', message: `cannot read document: ${err instanceof Error ? err.message : String(err)}`, ...(line !== undefined ? { line } : {}) });
      continue;
    }
    if (value === null || value === undefined) continue; // empty document
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ document: docIndex, path: '<root>', message: `expected a Kubernetes object (a map with apiVersion, kind and metadata), got ${Array.isArray(value) ? 'a list' : typeof value}`, ...(line !== undefined ? { line } : {}) });
      continue;
    }
    const o = value as Record<string, unknown>;
    if (o['kind'] === 'List' || (typeof o['kind'] === 'string' && o['kind'].endsWith('List') && Array.isArray(o['items']))) {
      const items = Array.isArray(o['items']) ? o['items'] : [];
      // As kubectl does for a typed list (e.g. ConfigMapList): an item carrying neither
      // apiVersion nor kind takes the list's apiVersion and its kind without "List".
      const listApiVersion = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : undefined;
      const itemKind = o['kind'] !== 'List' ? (o['kind'] as string).slice(0, -'List'.length) : undefined;
      items.forEach((item, i) => {
        if (listApiVersion !== undefined && itemKind !== undefined && itemKind !== '' && isRecord(item) && item['apiVersion'] === undefined && item['kind'] === undefined) {
          loadOne({ apiVersion: listApiVersion, kind: itemKind, ...item }, docIndex, i, line);
        } else loadOne(item, docIndex, i, line);
      });
      continue;
    }
    loadOne(o, docIndex, undefined, line);
  }
  if (problems.length > 0) throw new ManifestError(problems, options.source);
  return out;

  function loadOne(value: unknown, document: number, item: number | undefined, line: number | undefined): void {
    const at = { document, ...(item !== undefined ? { item } : {}), ...(line !== undefined ? { line } : {}) };
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ ...at, path: '<root>', message: 'expected a Kubernetes object (a map with apiVersion, kind and metadata)' });
      return;
    }
    const o = value as Record<string, unknown>;
    const kind = typeof o['kind'] === 'string' ? o['kind'] : undefined;
    const apiVersion = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : undefined;
    const meta = o['metadata'];
    const name = typeof meta === 'object' && meta !== null && typeof (meta as Record<string, unknown>)['name'] === 'string' ? ((meta as Record<string, unknown>)['name'] as string) : undefined;
    const ident = { ...at, ...(kind !== undefined ? { kind } : {}), ...(name !== undefined ? { name } : {}) };
    if (kind === undefined) {
      problems.push({ ...ident, path: 'kind', message: 'required field is missing: every object needs a kind, e.g. kind: Pod' });
      return;
    }
    if (apiVersion === undefined) {
      const candidates = kinds.byKindName(kind);
      const hint = candidates.length > 0 ? `; add apiVersion: ${candidates.map((c) => c.apiVersion).join(' or ')}` : '';
      problems.push({ ...ident, path: 'apiVersion', message: `required field is missing${hint}` });
      return;
    }
    const type = kinds.byApiVersionKind(apiVersion, kind);
    if (type === undefined) {
      const replacement = REMOVED_VERSIONS[`${apiVersion}/${kind}`];
      const served = kinds.byKindName(kind);
      let message = `no kind ${JSON.stringify(kind)} is served in version ${JSON.stringify(apiVersion)}`;
      if (replacement !== undefined) message = `${apiVersion} ${kind} is no longer served; use apiVersion: ${replacement}`;
      else if (served.length > 0) message += `; ${kind} is served as apiVersion: ${served.map((s) => s.apiVersion).join(' or ')}`;
      else message += '; check the spelling of kind, or register the custom resource first';
      problems.push({ ...ident, path: 'apiVersion', message });
      return;
    }
    const decoded = type.decode(o, { unknownFields: options.unknownFields ?? 'reject' });
    if (!decoded.ok) {
      for (const e of decoded.errors) problems.push({ ...ident, path: e.path, message: explain(type, e) });
      return;
    }
    const obj = decoded.value;
    if (options.validate !== false) {
      const m = obj.metadata;
      if ((m.name === undefined || m.name === '') && (m.generateName === undefined || m.generateName === '')) {
        problems.push({ ...ident, path: 'metadata.name', message: 'required field is missing: set metadata.name (or metadata.generateName)' });
        return;
      }
      const withDefaults = type.strategy.applyDefaults !== undefined ? type.strategy.applyDefaults(obj) : obj;
      const errors = type.strategy.validate !== undefined ? type.strategy.validate(withDefaults, undefined) : [];
      if (errors.length > 0) {
        for (const e of errors) problems.push({ ...ident, path: e.path, message: e.message });
        return;
      }
    }
    out.push({ type, object: obj, document, ...(item !== undefined ? { item } : {}) });
  }
}

let registry: KindRegistry | undefined;
function defaultRegistry(): KindRegistry {
  registry ??= KindRegistry.withBuiltins();
  return registry;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The top-level objects of a stream of concatenated JSON objects (`{…}\n{…}`), as kubectl's
 * YAMLOrJSONDecoder reads them; undefined when the text is not such a stream of two or more
 * objects (it is then read as YAML, which also covers a single JSON document).
 */
function splitJsonStream(text: string): { start: number; end: number }[] | undefined {
  const pieces: { start: number; end: number }[] = [];
  let i = 0;
  const n = text.length;
  const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff;
  while (true) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    if (text.charCodeAt(i) !== 123 /* { */) return undefined;
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === 92 /* backslash: skip the escaped character */) i++;
        else if (c === 34 /* " */) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    if (depth !== 0) return undefined;
    pieces.push({ start, end: i });
  }
  return pieces.length >= 2 ? pieces : undefined;
}

/** Add a hint to an unknown-field error: a near-miss spelling, or where the field belongs. */
function explain(type: ResourceType, e: FieldError): string {
  const m = /^unknown field "(.*)"$/.exec(e.message);
  if (m === null || type.definition === undefined) return e.message;
  const field = m[1] as string;
  const parentPath = e.path.slice(0, Math.max(0, e.path.length - field.length - 1));
  const parentDef = definitionAt(type.definition, parentPath);
  if (parentDef !== undefined) {
    const siblings = Object.keys(definitions[parentDef]?.props ?? {});
    const near = siblings.filter((s) => editDistance(s.toLowerCase(), field.toLowerCase()) <= 2);
    if (near.length > 0) return `${e.message}; did you mean ${near.map((n) => JSON.stringify(n)).join(' or ')}?`;
  }
  const elsewhere = fieldLocations(type.definition, field).filter((p) => p !== e.path);
  // Prefer locations on the way from the root to the error (the field is one level too deep).
  const onPath = elsewhere.filter((p) => e.path.startsWith(p.slice(0, p.lastIndexOf('.') + 1)));
  const best = (onPath.length > 0 ? onPath : elsewhere).sort((a, b) => a.length - b.length).slice(0, 2);
  if (best.length > 0) return `${e.message}; ${field} belongs at ${best.join(' or ')}`;
  return e.message;
}

/** The definition name at a dotted/indexed path below a definition. */
function definitionAt(root: string, path: string): string | undefined {
  let def: string | undefined = root;
  if (path === '' || path === '<root>') return def;
  for (const seg of path.replace(/\[\d+\]/g, '').replace(/\["[^"]*"\]/g, '.*').split('.')) {
    if (def === undefined || seg === '') return undefined;
    const ft: FieldType | undefined = definitions[def]?.props[seg];
    def = ft === undefined ? undefined : refOf(ft);
  }
  return def;
}

function refOf(ft: FieldType): string | undefined {
  if (ft.k === 'ref') return ft.ref;
  if (ft.k === 'array') return refOf(ft.items);
  if (ft.k === 'map') return refOf(ft.values);
  return undefined;
}

/** Paths (without list indexes) where a field named `field` exists, breadth-first, bounded. */
function fieldLocations(root: string, field: string): string[] {
  const out: string[] = [];
  const queue: { def: string; path: string; depth: number }[] = [{ def: root, path: '', depth: 0 }];
  const seen = new Set<string>();
  while (queue.length > 0 && out.length < 8) {
    const { def, path, depth } = queue.shift() as { def: string; path: string; depth: number };
    const props = definitions[def]?.props ?? {};
    for (const [name, ft] of Object.entries(props)) {
      const p = path === '' ? name : `${path}.${name}`;
      if (name === field) out.push(p);
      const ref = refOf(ft);
      if (ref !== undefined && depth < 6 && !seen.has(`${ref}@${depth}`)) {
        seen.add(`${ref}@${depth}`);
        queue.push({ def: ref, path: p, depth: depth + 1 });
      }
    }
  }
  return out;
}

function editDistance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0] as number;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j] as number;
      d[j] = Math.min((d[j] as number) + 1, (d[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length] as number;
}
