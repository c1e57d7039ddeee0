import * as t from 'io-ts';
import type { ObjectMeta } from './generated/types.js';
import { ObjectMeta as ObjectMetaCodec } from './generated/codecs.js';
import { SchemaCodec, type DecodeOptions, type DecodeResult, type FieldError } from './schema/decode.js';

/**
 * Any Kubernetes object: apiVersion, kind and metadata, whatever else it carries.
 *
 * @public
 */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
}

/**
 * A column of `kubectl get` output (a Table column). `value` computes the cell from the
 * object; cells are shown as kubectl shows them (strings preformatted, e.g. "1/1").
 *
 * @public
 */
export interface PrinterColumn<T> {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly format?: string;
  readonly description?: string;
  /** 0: always shown; 1: only with `-o wide`. */
  readonly priority: 0 | 1;
  value(obj: T, now: number): string | number | boolean | undefined;
}

/** Where the scale subresource reads and writes replicas. @public */
export interface ScaleSubresource {
  /** JSON path of the desired replicas, e.g. `.spec.replicas`. */
  readonly specReplicasPath: string;
  /** JSON path of the observed replicas, e.g. `.status.replicas`. */
  readonly statusReplicasPath: string;
  /** JSON path of the label selector string or LabelSelector, e.g. `.spec.selector`. */
  readonly labelSelectorPath?: string;
}

/** Strategy hooks of a kind: defaulting and validation, as the API server applies them. @public */
export interface ResourceStrategy<T> {
  /** Fill in defaults; pure (returns a new object, never mutates its input). */
  applyDefaults?(obj: T): T;
  /** Validate a create (`old` undefined) or an update; returns every problem found. */
  validate?(obj: T, old: T | undefined): readonly FieldError[];
  /**
   * The `metadata` part of {@link ResourceStrategy.validate} alone. Providing it declares that
   * defaulting and validation of everything outside `metadata` read nothing from `metadata`;
   * the store then reuses the decoded, defaulted and validated rest of an earlier create whose
   * input was equal to it (the Pods of one ReplicaSet differ in metadata only) and checks only
   * the metadata of the new object. Leave it out for kinds whose rules read names, labels or
   * annotations.
   */
  validateMetadata?(obj: T, old: T | undefined): readonly FieldError[];
  /**
   * Validate a write through the status subresource (`updateStatus`, status patches), where
   * everything but `status` is the stored object's — Kubernetes' status strategies. When left
   * out, `validate` runs on the whole object.
   */
  validateStatusUpdate?(obj: T, old: T): readonly FieldError[];
}

/**
 * Everything kubekit knows about one kind: names, scope, codec, subresources, strategy.
 * Built-in kinds come from Kubernetes' OpenAPI; user kinds from {@link defineResource}.
 * The store, clients and API server treat both alike.
 *
 * @public
 */
export interface ResourceType<T extends KubeObject = KubeObject> {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** `v1` for the core group, `group/version` otherwise. */
  readonly apiVersion: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  /** The io-ts decoder of the whole object (`ObjectOf<typeof X>` is `T`). */
  readonly codec: t.Decoder<unknown, T>;
  /** Whether status is a subresource (main updates ignore status; `updateStatus` writes it). */
  readonly hasStatus: boolean;
  readonly scale?: ScaleSubresource | undefined;
  readonly verbs: readonly string[];
  readonly subresources: readonly string[];
  readonly printerColumns: readonly PrinterColumn<T>[];
  readonly strategy: ResourceStrategy<T>;
  /** The schema definition name for built-ins (used for patch schemas and OpenAPI). */
  readonly definition?: string | undefined;
  /** Decode untrusted input into `T`, with field paths in errors. */
  decode(input: unknown, options?: DecodeOptions): DecodeResult<T>;
}

/** The object type of a ResourceType: `ObjectOf<typeof Pod>` is `Pod`. @public */
export type ObjectOf<R> = R extends ResourceType<infer T> ? T : never;

/** The group of an apiVersion (`apps/v1` → `apps`, `v1` → the core group ``). @public */
export function groupOfApiVersion(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** `group/version` or `version` for the core group. @public */
export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Convert io-ts errors to field errors with Kubernetes-style paths. @internal */
export function fieldErrorsFromIoTs(errors: t.Errors): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.message !== undefined && e.message.includes(': ')) {
      const i = e.message.indexOf(': ');
      out.push({ path: e.message.slice(0, i), message: e.message.slice(i + 2) });
      continue;
    }
    let path = '';
    for (let i = 1; i < e.context.length; i++) {
      const entry = e.context[i];
      if (entry === undefined || entry.key === '') continue;
      const parent = e.context[i - 1];
      const isIndex = /^\d+$/.test(entry.key) && parent !== undefined && (parent.type instanceof t.ArrayType || parent.type instanceof t.ReadonlyArrayType);
      path += isIndex ? `[${entry.key}]` : path === '' ? entry.key : `.${entry.key}`;
    }
    const last = e.context[e.context.length - 1];
    const message = e.message ?? (last !== undefined && last.actual === undefined ? 'required field is missing' : `expected ${last?.type.name ?? 'a valid value'}, got ${JSON.stringify(last?.actual)}`);
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: path === '' ? '<root>' : path, message });
  }
  return out;
}

/** Decode with any io-ts codec, returning field errors. @internal */
export function decodeWithCodec<T>(codec: t.Decoder<unknown, T>, input: unknown, options?: DecodeOptions): DecodeResult<T> {
  if (codec instanceof SchemaCodec) return (codec as SchemaCodec<T>).decodeWith(input, options);
  const r = codec.decode(input);
  if (r._tag === 'Right') return { ok: true, value: r.right, warnings: [] };
  return { ok: false, errors: fieldErrorsFromIoTs(r.left), warnings: [] };
}

/** What {@link defineResource} needs to know about a custom kind. @public */
export interface CustomResourceOptions<Spec, Status> {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Defaults to the lower-cased kind plus "s" (or "es" after s/x/ch/sh, "ies" after a consonant + y). */
  readonly plural?: string;
  readonly singular?: string;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  /** Defaults to true. */
  readonly namespaced?: boolean;
  /** The codec of `spec`. Use {@link strict} to reject unknown fields as built-ins do. */
  readonly spec: t.Type<Spec, unknown, unknown>;
  /** The codec of `status`; when given, status is a subresource. */
  readonly status?: t.Type<Status, unknown, unknown>;
  readonly scale?: ScaleSubresource;
  readonly printerColumns?: readonly PrinterColumn<CustomObject<Spec, Status>>[];
  readonly strategy?: ResourceStrategy<CustomObject<Spec, Status>>;
}

/** The object type of a custom resource defined with {@link defineResource}. @public */
export interface CustomObject<Spec, Status> extends KubeObject {
  readonly spec: Spec;
  readonly status?: Status | undefined;
}

/** The English plural of a lower-cased kind, as Kubernetes guesses it. @internal */
export function guessPlural(singular: string): string {
  if (/(s|x|z|ch|sh)$/.test(singular)) return `${singular}es`;
  if (/[^aeiou]y$/.test(singular)) return `${singular.slice(0, -1)}ies`;
  return `${singular}s`;
}

/**
 * Define a custom resource type with your own io-ts codec for `spec` (and `status`), and get
 * the same typing, storage, watch, controller and API support as built-in kinds — typed
 * CRDs without code generation.
 *
 * The envelope (`apiVersion`, `kind`, `metadata`) is checked strictly; `spec` and `status`
 * are checked by your codecs (use {@link strict} to reject unknown fields there too).
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { defineResource, strict } from 'kubekit';
 *
 * export const Website = defineResource({
 *   group: 'example.com', version: 'v1', kind: 'Website',
 *   spec: strict({ image: t.string, replicas: t.number }, { message: t.string }),
 *   status: strict({}, { readyReplicas: t.number }),
 * });
 * export type Website = ObjectOf<typeof Website>;
 * ```
 * @public
 */
export function defineResource<Spec, Status = never>(
  options: CustomResourceOptions<Spec, Status>,
): ResourceType<CustomObject<Spec, Status>> {
  const apiVersion = apiVersionOf(options.group, options.version);
  const singular = options.singular ?? options.kind.toLowerCase();
  const plural = options.plural ?? guessPlural(singular);
  const statusCodec = options.status;
  const codec = new t.Type<CustomObject<Spec, Status>, unknown, unknown>(
    options.kind,
    (u): u is CustomObject<Spec, Status> => decodeEnvelope(u).ok,
    (u, c) => {
      const r = decodeEnvelope(u);
      return r.ok ? t.success(r.value) : t.failures(r.errors.map((e) => ({ value: u, context: c, message: `${e.path}: ${e.message}` })));
    },
    (a) => a,
  );
  function decodeEnvelope(u: unknown, options2?: DecodeOptions): DecodeResult<CustomObject<Spec, Status>> {
    const errors: FieldError[] = [];
    const warnings: FieldError[] = [];
    if (typeof u !== 'object' || u === null || Array.isArray(u)) {
      return { ok: false, errors: [{ path: '<root>', message: 'expected an object' }], warnings };
    }
    const o = u as Record<string, unknown>;
    const allowed = new Set(['apiVersion', 'kind', 'metadata', 'spec', ...(statusCodec !== undefined ? ['status'] : [])]);
    for (const k of Object.keys(o)) {
      if (allowed.has(k)) continue;
      const policy = options2?.unknownFields ?? 'reject';
      if (policy === 'reject') errors.push({ path: k, message: `unknown field ${JSON.stringify(k)}` });
      else if (policy === 'warn') warnings.push({ path: k, message: `unknown field ${JSON.stringify(k)}` });
    }
    if (o['apiVersion'] === undefined) errors.push({ path: 'apiVersion', message: `required field is missing; add apiVersion: ${apiVersion}` });
    else if (o['apiVersion'] !== apiVersion) errors.push({ path: 'apiVersion', message: `expected ${JSON.stringify(apiVersion)}, got ${JSON.stringify(o['apiVersion'])}` });
    if (o['kind'] === undefined) errors.push({ path: 'kind', message: `required field is missing; add kind: ${options.kind}` });
    else if (o['kind'] !== options.kind) errors.push({ path: 'kind', message: `expected ${JSON.stringify(options.kind)}, got ${JSON.stringify(o['kind'])}` });
    let metadata: ObjectMeta | undefined;
    if (o['metadata'] === undefined || o['metadata'] === null) errors.push({ path: 'metadata', message: 'required field is missing' });
    else {
      const m = ObjectMetaCodec.decodeWith(o['metadata'], options2);
      if (m.ok) metadata = m.value;
      else errors.push(...m.errors.map((e) => ({ path: e.path === '<root>' ? 'metadata' : `metadata.${e.path}`, message: e.message })));
    }
    let spec: Spec | undefined;
    const rs = decodeWithCodec(options.spec, o['spec'] ?? undefined, options2);
    if (rs.ok) spec = rs.value;
    else errors.push(...prefixErrors('spec', rs.errors));
    let status: Status | undefined;
    if (statusCodec !== undefined && o['status'] !== undefined && o['status'] !== null) {
      const st = decodeWithCodec(statusCodec, o['status'], options2);
      if (st.ok) status = st.value;
      else errors.push(...prefixErrors('status', st.errors));
    }
    if (errors.length > 0 || metadata === undefined) return { ok: false, errors, warnings };
    const value: CustomObject<Spec, Status> = status === undefined
      ? { apiVersion, kind: options.kind, metadata, spec: spec as Spec }
      : { apiVersion, kind: options.kind, metadata, spec: spec as Spec, status };
    return { ok: true, value, warnings };
  }
  return {
    group: options.group,
    version: options.version,
    kind: options.kind,
    apiVersion,
    plural,
    singular,
    shortNames: options.shortNames ?? [],
    categories: options.categories ?? [],
    namespaced: options.namespaced ?? true,
    codec,
    hasStatus: statusCodec !== undefined,
    scale: options.scale,
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [...(statusCodec !== undefined ? ['status'] : []), ...(options.scale !== undefined ? ['scale'] : [])],
    printerColumns: options.printerColumns ?? [],
    strategy: options.strategy ?? {},
    decode: decodeEnvelope,
  };
}

function prefixErrors(prefix: string, errors: readonly FieldError[]): FieldError[] {
  return errors.map((e) => ({ path: e.path === '<root>' ? prefix : e.path.startsWith('[') ? `${prefix}${e.path}` : `${prefix}.${e.path}`, message: e.message }));
}

/** The fields given to {@link strict}: io-ts codecs by name. @public */
export type StrictProps = { readonly [key: string]: t.Mixed };
/** The value type {@link strict} decodes to: required fields, then optional ones. @public */
export type StrictOf<R extends StrictProps, O extends StrictProps> = { readonly [K in keyof R]: t.TypeOf<R[K]> } & { readonly [K in keyof O]?: t.TypeOf<O[K]> | undefined };

/**
 * An io-ts object codec that rejects unknown fields (naming them), treats `null` in optional
 * fields as absent, and whose static type is inferred (`t.TypeOf`).
 *
 * @example
 * ```ts
 * const Spec = strict({ image: t.string }, { replicas: t.number });
 * type Spec = t.TypeOf<typeof Spec>; // { readonly image: string; readonly replicas?: number }
 * ```
 * @public
 */
export function strict<R extends StrictProps, O extends StrictProps = Record<never, t.Mixed>>(
  required: R,
  optional?: O,
  name?: string,
): t.Type<StrictOf<R, O>, unknown, unknown> {
  const opt: StrictProps = optional ?? {};
  const n = name ?? `{ ${[...Object.keys(required), ...Object.keys(opt).map((k) => `${k}?`)].join(', ')} }`;
  return new t.Type<StrictOf<R, O>, unknown, unknown>(
    n,
    (u): u is StrictOf<R, O> => typeof u === 'object' && u !== null,
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, 'expected an object');
      const o = u as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const errors: t.Errors = [];
      for (const k of Object.keys(o)) {
        const codec = required[k] ?? opt[k];
        if (codec === undefined) {
          const ctx = [...c, { key: k, type: t.never, actual: o[k] }];
          errors.push({ value: o[k], context: ctx, message: `${contextPath(ctx)}: unknown field ${JSON.stringify(k)}` });
          continue;
        }
        const v = o[k];
        if ((v === null || v === undefined) && required[k] === undefined) continue;
        const r = codec.validate(v, [...c, { key: k, type: codec, actual: v }]);
        if (r._tag === 'Left') errors.push(...r.left);
        else out[k] = r.right;
      }
      for (const k of Object.keys(required)) {
        if (!(k in o) || o[k] === null || o[k] === undefined) {
          const ctx = [...c, { key: k, type: required[k] as t.Mixed, actual: undefined }];
          errors.push({ value: undefined, context: ctx, message: `${contextPath(ctx)}: required field is missing` });
        }
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out as StrictOf<R, O>);
    },
    (a) => a,
  );
}

function contextPath(c: t.Context): string {
  let path = '';
  for (let i = 1; i < c.length; i++) {
    const entry = c[i];
    if (entry === undefined || entry.key === '') continue;
    const parent = c[i - 1];
    const isIndex = /^\d+$/.test(entry.key) && parent !== undefined && (parent.type instanceof t.ArrayType || parent.type instanceof t.ReadonlyArrayType);
    path += isIndex ? `[${entry.key}]` : path === '' ? entry.key : `.${entry.key}`;
  }
  return path === '' ? '<root>' : path;
}
