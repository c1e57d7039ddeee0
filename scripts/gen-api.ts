/**
 * Generates kubekit's resource model from Kubernetes' OpenAPI (v2) document.
 *
 * Reads ../shared/fixtures/kubernetes-openapi/swagger.json (structure only: field names,
 * types, required lists, list/map/patch metadata, group/version/kind and REST paths; no
 * description text) and writes, committed:
 *   src/api/generated/schema.ts     the definitions table (data, interpreted into codecs)
 *   src/api/generated/types.ts      a TypeScript interface per definition
 *   src/api/generated/resources.ts  the REST resources (plural, scope, verbs, subresources)
 *
 * Run with `npm run gen:api`. Builds and tests never need the OpenAPI file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const swaggerPath = process.argv[2] ?? join(root, '..', 'shared', 'fixtures', 'kubernetes-openapi', 'swagger.json');

interface RawProp {
  type?: string;
  format?: string;
  $ref?: unknown;
  items?: RawProp;
  additionalProperties?: RawProp | boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
}
interface RawDef extends RawProp {
  properties?: Record<string, RawProp>;
  required?: string[];
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}
interface RawOp {
  'x-kubernetes-action'?: string;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string };
}
interface Swagger {
  definitions: Record<string, RawDef>;
  paths: Record<string, Record<string, RawOp | unknown>>;
}

const swagger = JSON.parse(readFileSync(swaggerPath, 'utf8')) as Swagger;
const defs = swagger.definitions;

/** The group/versions kubekit serves (stable, built-in). */
const SERVED = new Set([
  'core/v1', 'apps/v1', 'batch/v1', 'autoscaling/v1', 'autoscaling/v2', 'networking.k8s.io/v1',
  'discovery.k8s.io/v1', 'coordination.k8s.io/v1', 'rbac.authorization.k8s.io/v1', 'storage.k8s.io/v1',
  'scheduling.k8s.io/v1', 'policy/v1', 'apiextensions.k8s.io/v1', 'authentication.k8s.io/v1',
  'authorization.k8s.io/v1', 'node.k8s.io/v1',
]);
/** Kinds in served group/versions that are not generated (deprecated or served elsewhere). */
const SKIP_KIND = /List$|^(DeleteOptions|WatchEvent|APIGroup|APIVersions|ComponentStatus)$/;
/** autoscaling/v1 is served only for the Scale subresource. */
const SKIP_DEF = new Set(['io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler']);

/** Definitions that are primitives on the wire. */
const PRIMITIVE: Record<string, string> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': 'time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': 'microtime',
  'io.k8s.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': 'intstr',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON': 'json',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray': 'json',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool': 'json',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray': 'json',
  'io.k8s.apimachinery.pkg.runtime.RawExtension': 'json',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': 'object',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceSubresourceStatus': 'object',
};

/** Extra meta/v1 definitions the API server and clients need. */
const EXTRA_ROOTS = [
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
];

function refName(ref: unknown): string | undefined {
  return typeof ref === 'string' ? ref.replace('#/definitions/', '') : undefined;
}
function gvString(g: { group: string; version: string }): string {
  return `${g.group === '' ? 'core' : g.group}/${g.version}`;
}

// 1. Roots and their closure.
const roots: string[] = [];
for (const [name, def] of Object.entries(defs)) {
  if (SKIP_DEF.has(name)) continue;
  for (const g of def['x-kubernetes-group-version-kind'] ?? []) {
    if (SERVED.has(gvString(g)) && !SKIP_KIND.test(g.kind)) roots.push(name);
  }
}
roots.sort();
const closure = new Set<string>();
const stack = [...roots, ...EXTRA_ROOTS];
function collectRefs(x: unknown, out: string[]): void {
  if (x === null || typeof x !== 'object') return;
  const r = refName((x as { $ref?: unknown }).$ref);
  if (r !== undefined) out.push(r);
  for (const v of Object.values(x)) collectRefs(v, out);
}
while (stack.length > 0) {
  const name = stack.pop() as string;
  if (closure.has(name) || PRIMITIVE[name] !== undefined) continue;
  const def = defs[name];
  if (def === undefined) throw new Error(`definition ${name} is referenced but missing`);
  closure.add(name);
  const refs: string[] = [];
  collectRefs(def.properties ?? {}, refs);
  stack.push(...refs);
}

// 2. Short, unique TypeScript names. A clash between core/v1 and another group keeps core's
//    name and prefixes the other with its group's first label.
const byShort = new Map<string, string[]>();
for (const name of closure) {
  const short = name.split('.').pop() as string;
  byShort.set(short, [...(byShort.get(short) ?? []), name]);
}
const tsName = new Map<string, string>();
for (const [short, names] of byShort) {
  if (names.length === 1) {
    tsName.set(names[0] as string, short);
    continue;
  }
  for (const n of names) {
    if (n.startsWith('io.k8s.api.core.v1.')) tsName.set(n, short);
    else {
      const group = n.split('.')[3] as string;
      tsName.set(n, group.charAt(0).toUpperCase() + group.slice(1) + short);
    }
  }
}
const names = [...closure].sort((a, b) => (tsName.get(a) as string).localeCompare(tsName.get(b) as string));

// 3. Field types.
type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function fieldType(p: RawProp, where: string): Record<string, Json> {
  const ref = refName(p.$ref);
  if (ref !== undefined) {
    const prim = PRIMITIVE[ref];
    if (prim !== undefined) return { k: prim };
    const n = tsName.get(ref);
    if (n === undefined) throw new Error(`${where}: unknown ref ${ref}`);
    return { k: 'ref', ref: n };
  }
  switch (p.type) {
    case 'string':
      if (p.format === 'byte') return { k: 'byte' };
      if (p.format === 'date-time') return { k: 'time' };
      if (p.format === 'int-or-string') return { k: 'intstr' };
      return { k: 'string' };
    case 'integer':
      return { k: p.format === 'int64' ? 'int64' : 'int32' };
    case 'number':
      return { k: 'number' };
    case 'boolean':
      return { k: 'boolean' };
    case 'array': {
      if (p.items === undefined) throw new Error(`${where}: array without items`);
      const out: Record<string, Json> = { k: 'array', items: fieldType(p.items, `${where}[]`) };
      if (p['x-kubernetes-list-type'] !== undefined) out['listType'] = p['x-kubernetes-list-type'];
      if (p['x-kubernetes-list-map-keys'] !== undefined) out['mapKeys'] = p['x-kubernetes-list-map-keys'];
      return out;
    }
    case 'object':
    case undefined: {
      if (typeof p.additionalProperties === 'object') {
        return { k: 'map', values: fieldType(p.additionalProperties, `${where}{}`) };
      }
      return { k: 'object' };
    }
    default:
      throw new Error(`${where}: unsupported type ${String(p.type)}`);
  }
}

const schema: Record<string, Record<string, Json>> = {};
for (const name of names) {
  const def = defs[name] as RawDef;
  const n = tsName.get(name) as string;
  const props: Record<string, Json> = {};
  for (const [field, p] of Object.entries(def.properties ?? {})) {
    const ft = fieldType(p, `${name}.${field}`);
    if (p['x-kubernetes-patch-strategy'] !== undefined) ft['strategy'] = p['x-kubernetes-patch-strategy'];
    if (p['x-kubernetes-patch-merge-key'] !== undefined) ft['mergeKey'] = p['x-kubernetes-patch-merge-key'];
    if (ft['k'] === 'map' && p['x-kubernetes-map-type'] !== undefined) ft['mapType'] = p['x-kubernetes-map-type'];
    props[field] = ft;
  }
  const entry: Record<string, Json> = { openapi: name };
  const gvks = (def['x-kubernetes-group-version-kind'] ?? []).filter((g) => SERVED.has(gvString(g)));
  const gvk = gvks[0];
  if (gvk !== undefined && roots.includes(name)) {
    entry['gvk'] = { group: gvk.group, version: gvk.version, kind: gvk.kind };
  }
  // apiVersion/kind/metadata of a kind are required at a document's root only (the decoder
  // knows); embedded uses (StatefulSet volumeClaimTemplates) may leave them out.
  entry['required'] = [...(def.required ?? [])];
  if (def['x-kubernetes-map-type'] !== undefined) entry['mapType'] = def['x-kubernetes-map-type'];
  entry['props'] = props;
  schema[n] = entry;
}

// 4. Resources from the REST paths.
interface Res {
  group: string; version: string; kind: string; plural: string; namespaced: boolean;
  definition: string; verbs: Set<string>; subresources: Set<string>;
}
const resources = new Map<string, Res>();
const defByGvk = new Map<string, string>();
for (const name of names) {
  const n = tsName.get(name) as string;
  const g = schema[n]?.['gvk'] as { group: string; version: string; kind: string } | undefined;
  if (g !== undefined) defByGvk.set(`${g.group}/${g.version}/${g.kind}`, n);
}
const pendingSubs: [string, string][] = [];
const pathRe = /^\/(?:api|apis\/([^/]+))\/([^/]+)\/(namespaces\/\{namespace\}\/)?([a-z0-9]+)(\/\{name\})?(\/([a-z]+))?$/;
for (const [path, ops] of Object.entries(swagger.paths)) {
  if (path.includes('/watch/')) continue;
  const m = pathRe.exec(path);
  if (m === null) continue;
  const group = m[1] ?? '';
  const version = m[2] as string;
  if (!SERVED.has(gvString({ group, version }))) continue;
  const plural = m[4] as string;
  if (plural === 'namespaces' && m[3] !== undefined) continue;
  const sub = m[7];
  for (const op of Object.values(ops)) {
    if (op === null || typeof op !== 'object') continue;
    const action = (op as RawOp)['x-kubernetes-action'];
    const gvk = (op as RawOp)['x-kubernetes-group-version-kind'];
    if (action === undefined || gvk === undefined) continue;
    const key = `${group}/${version}/${plural}`;
    if (sub !== undefined) {
      const r = resources.get(key);
      if (r !== undefined) r.subresources.add(sub);
      else pendingSubs.push([key, sub]);
      continue;
    }
    const definition = defByGvk.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
    if (definition === undefined) continue;
    let r = resources.get(key);
    if (r === undefined) {
      r = { group, version, kind: gvk.kind, plural, namespaced: false, definition, verbs: new Set(), subresources: new Set() };
      resources.set(key, r);
    }
    if (m[3] !== undefined) r.namespaced = true;
    const verb = action === 'post' ? 'create' : action === 'put' ? 'update' : action;
    r.verbs.add(verb);
  }
}
for (const [key, sub] of pendingSubs) resources.get(key)?.subresources.add(sub);
// Namespaced-ness: a resource whose only item path is under /namespaces/{namespace}/.
for (const [path] of Object.entries(swagger.paths)) {
  const m = pathRe.exec(path);
  if (m === null || m[3] !== undefined || m[5] === undefined) continue;
  const key = `${m[1] ?? ''}/${m[2]}/${m[4]}`;
  const r = resources.get(key);
  if (r !== undefined) r.namespaced = false;
}
// Watch verbs come from the /watch/ paths.
for (const path of Object.keys(swagger.paths)) {
  const m = /^\/(?:api|apis\/([^/]+))\/([^/]+)\/watch\/(?:namespaces\/\{namespace\}\/)?([a-z0-9]+)$/.exec(path);
  if (m === null) continue;
  const r = resources.get(`${m[1] ?? ''}/${m[2]}/${m[3]}`);
  if (r !== undefined) r.verbs.add('watch');
}

// 5. TypeScript interfaces.
function tsType(ft: Record<string, Json>): string {
  switch (ft['k']) {
    case 'string': case 'byte': case 'time': case 'microtime': case 'quantity': return 'string';
    case 'int32': case 'int64': case 'number': return 'number';
    case 'boolean': return 'boolean';
    case 'intstr': return 'number | string';
    case 'json': return 'unknown';
    case 'object': return '{ readonly [key: string]: unknown }';
    case 'ref': {
      const r = ft['ref'] as string;
      return schema[r]?.['gvk'] !== undefined ? `Embedded<${r}>` : r;
    }
    case 'array': return `readonly ${wrap(tsType(ft['items'] as Record<string, Json>))}[]`;
    case 'map': return `{ readonly [key: string]: ${tsType(ft['values'] as Record<string, Json>)} }`;
    default: throw new Error(`no TS type for ${String(ft['k'])}`);
  }
}
function wrap(t: string): string {
  return /[ |]/.test(t) && !t.startsWith('{') ? `(${t})` : t;
}
const header = `// Generated by scripts/gen-api.ts from Kubernetes' OpenAPI document (release 1.36,
// structure only). Do not edit by hand: run \`npm run gen:api\`.
`;
let types = `${header}/* eslint-disable */

/** A kind used inside another object (e.g. a StatefulSet's volumeClaimTemplates): apiVersion, kind and metadata may be left out. @public */
export type Embedded<T extends { readonly apiVersion: string; readonly kind: string; readonly metadata: unknown }> = Omit<T, 'apiVersion' | 'kind' | 'metadata'> & {
  readonly apiVersion?: T['apiVersion'] | undefined;
  readonly kind?: T['kind'] | undefined;
  readonly metadata?: T['metadata'] | undefined;
};
`;
// Kinds served as resources declare their interface in kinds.ts, next to the ResourceType
// value of the same name (so the public API has one declaration per kind, not an alias).
const servedKinds = new Set([...resources.values()].map((r) => r.definition));
const kindInterfaces = new Map<string, string>();
for (const name of names) {
  const n = tsName.get(name) as string;
  const entry = schema[n] as Record<string, Json>;
  const props = entry['props'] as Record<string, Record<string, Json>>;
  const required = new Set(entry['required'] as string[]);
  const gvk = entry['gvk'] as { group: string; version: string; kind: string } | undefined;
  let text = '';
  text += `\n/** \`${name}\`${gvk !== undefined ? ` (${gvk.group === '' ? '' : `${gvk.group}/`}${gvk.version} ${gvk.kind}); the value of the same name is its ResourceType` : ''}. @public */\nexport interface ${n} {\n`;
  for (const [field, ft] of Object.entries(props)) {
    const key = /^[A-Za-z_][A-Za-z0-9_]*$/.test(field) ? field : JSON.stringify(field);
    let t = tsType(ft);
    if (gvk !== undefined && field === 'apiVersion') t = JSON.stringify(gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`);
    if (gvk !== undefined && field === 'kind') t = JSON.stringify(gvk.kind);
    const req = required.has(field) || (gvk !== undefined && ['apiVersion', 'kind', 'metadata'].includes(field));
    text += req ? `  readonly ${key}: ${t};\n` : `  readonly ${key}?: ${t} | undefined;\n`;
  }
  text += '}\n';
  if (servedKinds.has(n)) kindInterfaces.set(n, text);
  else types += text;
}
const kindsUsedHere = [...kindInterfaces.keys()].filter((k) => new RegExp(`\\b${k}\\b`).test(types)).sort();
if (kindsUsedHere.length > 0) types = types.replace('/* eslint-disable */\n', `/* eslint-disable */\nimport type { ${kindsUsedHere.join(', ')} } from './kinds.js';\n`);
types += `\nexport type { ${[...kindInterfaces.keys()].join(', ')} } from './kinds.js';\n`;

let schemaTs = `${header}import type { DefinitionSpec } from '../schema/types.js';

/** Every generated definition, by TypeScript name. @public */
export const definitions: { readonly [name: string]: DefinitionSpec } = {\n`;
for (const name of names) {
  const n = tsName.get(name) as string;
  schemaTs += `  ${JSON.stringify(n)}: ${JSON.stringify(schema[n])},\n`;
}
schemaTs += '};\n';

const resList = [...resources.values()].sort((a, b) => `${a.group}/${a.plural}`.localeCompare(`${b.group}/${b.plural}`));
let resTs = `${header}import type { ResourceSpec } from '../schema/types.js';

/** Every served built-in REST resource. @public */
export const builtinResources: readonly ResourceSpec[] = [\n`;
for (const r of resList) {
  resTs += `  ${JSON.stringify({ group: r.group, version: r.version, kind: r.kind, plural: r.plural, namespaced: r.namespaced, definition: r.definition, verbs: [...r.verbs].sort(), subresources: [...r.subresources].sort() })},\n`;
}
resTs += '];\n';

// 6. A codec per top-level kind, and for the building blocks users decode on their own.
const CODEC_EXTRAS = ['ObjectMeta', 'ListMeta', 'OwnerReference', 'LabelSelector', 'Condition', 'Status', 'DeleteOptions',
  'PodSpec', 'PodTemplateSpec', 'Container', 'Scale'];
let codecsTs = `${header}import { schemaCodec } from '../codecs.js';
import type * as T from './types.js';
`;
const codecNames = names.map((n) => tsName.get(n) as string).filter((n) => schema[n]?.['gvk'] !== undefined || CODEC_EXTRAS.includes(n));
for (const n of codecNames) {
  codecsTs += `\n/** The strict codec for {@link T.${n}}. @public */\nexport const ${n} = schemaCodec<T.${n}>('${n}');\n`;
}

// 7. A ResourceType value per served resource (same name as its type), and the index.
const kindNames = resList.map((r) => r.definition);
const kindBodies = [...kindInterfaces.values()].join('');
const usedTypes = [...new Set(kindBodies.match(/\b[A-Z][A-Za-z0-9]*\b/g) ?? [])].filter((x) => x !== 'Embedded' && !kindInterfaces.has(x) && schema[x] !== undefined).sort();
let kindsTs = `${header}import type { Embedded, ${usedTypes.join(', ')} } from './types.js';
import type { ResourceType } from '../resource.js';
import { builtinKind } from '../builtin.js';
`;
for (const r of resList) {
  const n = r.definition;
  kindsTs += kindInterfaces.get(n) ?? '';
  kindsTs += `/** ${r.group === '' ? '' : `${r.group}/`}${r.version} ${r.kind} (\`${r.plural}\`, ${r.namespaced ? 'namespaced' : 'cluster-scoped'}): its {@link ResourceType} — pass it to a client, a controller or a store. @public */\nexport const ${n}: ResourceType<${n}> = builtinKind<${n}>('${r.group}', '${r.plural}');\n`;
}
kindsTs += `\n/** Every built-in ResourceType. @public */\nexport const builtinKinds: readonly ResourceType[] = [${kindNames.join(', ')}];\n`;
const nonKinds = names.map((n) => tsName.get(n) as string).filter((n) => !kindNames.includes(n));
let indexTs = `${header}export type {\n  Embedded,\n${nonKinds.map((n) => `  ${n},`).join('\n')}\n} from './types.js';\nexport {\n${kindNames.map((n) => `  ${n},`).join('\n')}\n  builtinKinds,\n} from './kinds.js';\n`;

const out = join(root, 'src', 'api', 'generated');
writeFileSync(join(out, 'kinds.ts'), kindsTs);
writeFileSync(join(out, 'index.ts'), indexTs);
writeFileSync(join(out, 'codecs.ts'), codecsTs);
writeFileSync(join(out, 'types.ts'), types);
writeFileSync(join(out, 'schema.ts'), schemaTs);
writeFileSync(join(out, 'resources.ts'), resTs);
console.log(`wrote ${names.length} definitions, ${resList.length} resources to ${out}`);
