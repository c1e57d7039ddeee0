import { rfc3339 } from '../util/time.js';
import { randomFillSync, randomInt } from 'node:crypto';
import { Observable, type Subscription } from 'rxjs';
import { produce, type Draft } from 'immer';
import type { ObjectMeta } from '../api/generated/types.js';
import type { KubeObject, ResourceType } from '../api/resource.js';
import { KindRegistry } from '../api/registry.js';
import type { FieldError, UnknownFieldPolicy } from '../api/schema/decode.js';
import { parseSelector, type Selector } from '../api/labels.js';
import { checkFieldSelector, objectFieldGetter, parseFieldSelector, type FieldSelector } from '../api/fields.js';
import { validateObjectMetaBasics } from './meta-validation.js';
import type { Backend, BackendEvent, KeyValue } from './backend/types.js';
import { BackendError } from './backend/errors.js';
import type { Clock } from '../runtime/clock-types.js';
import type { ListResult, WatchEvent } from '../client/watch-types.js';
import { StoreError, storeErrors } from './errors.js';
import { copyObject, deepFreeze, jsonEqual, shareStructure, withKey } from './objects.js';
import { prepareForCreate, storePrepareFor } from './strategies.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch/index.js';
import { patchSchemaFor } from './patch-schema.js';
import { assemble, BodyMemo, bodyOf, decodedMatches, hasBody, verify, type BodyEntry } from './body-memo.js';
import { schemaCodec } from '../api/codecs.js';
import { setKey } from '../api/schema/primitives.js';

/** The finalizer the garbage collector uses for foreground deletion. @public */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
/** The finalizer the garbage collector uses for orphaning dependents. @public */
export const ORPHAN_FINALIZER = 'orphan';
/** The finalizer namespaces carry in `spec.finalizers` until their content is gone. @public */
export const NAMESPACE_FINALIZER = 'kubernetes';

/** A reference to one object of a kind. @public */
export interface ObjectRef {
  readonly name: string;
  /** Required for namespaced kinds. */
  readonly namespace?: string | undefined;
}

/**
 * A mutating or validating admission step run on every create, update and delete, after
 * defaulting and before validation (mutating) or after validation (validating), like
 * Kubernetes' admission chain. Throw a `StoreError` (e.g. `storeErrors.forbidden`) to deny.
 *
 * @public
 */
export interface AdmissionPlugin {
  readonly name: string;
  /** Return the (possibly changed) object. Runs for CREATE and UPDATE. */
  mutate?(request: AdmissionRequest): KubeObject | Promise<KubeObject>;
  /** Throw to deny. Runs for CREATE, UPDATE and DELETE. */
  validate?(request: AdmissionRequest): void | Promise<void>;
}

/** @public */
export interface AdmissionRequest {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly type: ResourceType;
  readonly object: KubeObject;
  readonly oldObject?: KubeObject | undefined;
  readonly subresource?: string | undefined;
  readonly store: Store;
}

/** @public */
export interface StoreOptions {
  readonly backend: Backend;
  readonly clock: Clock;
  /** Kinds served; defaults to every built-in kind. */
  readonly kinds?: KindRegistry;
  readonly admission?: readonly AdmissionPlugin[];
  /** uid generator (tests may make it deterministic). */
  readonly uid?: () => string;
  /** Random suffix generator for generateName (5 characters). */
  readonly nameSuffix?: () => string;
  /** Namespaces created at open; defaults to default, kube-system, kube-public, kube-node-lease. */
  readonly bootstrapNamespaces?: readonly string[];
  /** Period of BOOKMARK events on watches that asked for them (default 60 s). */
  readonly bookmarkIntervalMs?: number;
}

/** @public */
export interface WriteOptions {
  readonly dryRun?: boolean;
  /** What to do with unknown fields (default `reject`, Kubernetes' Strict). */
  readonly fieldValidation?: UnknownFieldPolicy;
}

/** @public */
export interface StoreListOptions {
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  readonly limit?: number | undefined;
  readonly continue?: string | undefined;
  /** "" / absent / "0": the latest; "N": not older than N (or exactly N with `resourceVersionMatch`). */
  readonly resourceVersion?: string | undefined;
  readonly resourceVersionMatch?: 'NotOlderThan' | 'Exact' | undefined;
}

/** @public */
export interface StoreWatchOptions {
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** Changes strictly after this revision; absent/"" /"0": the current objects as ADDED, then changes. */
  readonly resourceVersion?: string | undefined;
  readonly allowBookmarks?: boolean | undefined;
  readonly timeoutSeconds?: number | undefined;
}

/** @public */
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** @public */
export interface DeleteOptions {
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly propagationPolicy?: PropagationPolicy;
  /** Pods: seconds to wait for graceful termination; 0 deletes now. */
  readonly gracePeriodSeconds?: number;
  readonly dryRun?: boolean;
}

/** What {@link Store.listAndWatch} emits: one snapshot, then watch events. @public */
export type ListAndWatchEvent<T> = { readonly type: 'SNAPSHOT'; readonly items: readonly T[]; readonly resourceVersion: string } | WatchEvent<T>;

/** A patch body and its format. @public */
export type Patch =
  | { readonly type: 'merge'; readonly patch: unknown }
  | { readonly type: 'json'; readonly patch: unknown }
  | { readonly type: 'strategic'; readonly patch: unknown };

/** @public */
export interface PatchOptions extends WriteOptions {
  readonly subresource?: 'status';
}

type Json = Record<string, unknown>;

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GUARANTEED_UPDATE_RETRIES = 16;

/** Decodes metadata alone, for creates that reuse an earlier body. */
const METADATA_CODEC = schemaCodec<ObjectMeta>('ObjectMeta');

function metaOf(o: Json): Json {
  const m = o['metadata'];
  return typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as Json) : {};
}


const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const uuidRandom = Buffer.alloc(16 * 256);
let uuidOffset = uuidRandom.length;
const uuidText = Buffer.alloc(36);

/**
 * A random (version 4) UUID as one flat string. `crypto.randomUUID()` builds its result by
 * concatenation, which leaves a rope of about fourteen 32-byte string pieces in every stored
 * object (≈ 450 bytes per object); this one is written into a buffer and decoded once.
 */
function flatUuid(): string {
  if (uuidOffset === uuidRandom.length) {
    randomFillSync(uuidRandom);
    uuidOffset = 0;
  }
  const r = uuidRandom;
  const o = uuidOffset;
  uuidOffset += 16;
  r[o + 6] = (r[o + 6] & 0x0f) | 0x40;
  r[o + 8] = (r[o + 8] & 0x3f) | 0x80;
  let j = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) uuidText[j++] = 0x2d;
    const b = r[o + i];
    uuidText[j++] = HEX_DIGITS[b >> 4];
    uuidText[j++] = HEX_DIGITS[b & 15];
  }
  return uuidText.toString('latin1', 0, 36);
}


/** Continue tokens: base64 of {"rv": revision, "start": last key}. */
function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 1, rv, start }), 'utf8').toString('base64url');
}
function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const o = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (typeof o === 'object' && o !== null) {
      const rv = (o as Json)['rv'];
      const start = (o as Json)['start'];
      if (typeof rv === 'number' && Number.isInteger(rv) && rv > 0 && typeof start === 'string') return { rv, start };
    }
  } catch {
    // fall through
  }
  throw storeErrors.badRequest('invalid continue token: pass back the continue value of the previous list response unchanged');
}

function parseRv(rv: string | undefined, what: string): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^\d+$/.test(rv)) throw storeErrors.badRequest(`invalid ${what} resourceVersion ${JSON.stringify(rv)}: must be a non-negative integer`);
  return Number(rv);
}

/**
 * The typed, reactive object store: Kubernetes' registry semantics over any {@link Backend}.
 *
 * Guarantees:
 * - `resourceVersion` is the backend revision of an object's last write; updates carrying a
 *   stale one fail with `Conflict`; `generation` bumps only when something other than
 *   metadata and status changes; status changes only through `updateStatus`/status patches.
 * - Objects handed out are deeply frozen and shared; mutate copies (immer) and write back.
 * - A write that changes nothing is not written (no new resourceVersion, no watch event).
 * - Deleting an object with finalizers sets `deletionTimestamp`; it goes when the last
 *   finalizer is removed. Pods on a node get a grace period instead of vanishing.
 * - Watches deliver every change after their resourceVersion, in order, once; objects that
 *   stop (start) matching a watch's selectors arrive as DELETED (ADDED).
 *
 * Errors: every failure is a {@link StoreError} whose `code` is the Kubernetes Status reason.
 *
 * @example
 * ```ts
 * const store = await Store.open({ backend: new MemoryBackend({ clock }), clock });
 * const cm = await store.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1' } });
 * store.watch(ConfigMap, { namespace: 'default', resourceVersion: cm.metadata.resourceVersion }).subscribe(console.log);
 * ```
 * @public
 */
export class Store {
  readonly kinds: KindRegistry;
  readonly clock: Clock;
  private readonly backend: Backend;
  private readonly admission: readonly AdmissionPlugin[];
  private readonly newUid: () => string;
  private readonly nameSuffix: () => string;
  private readonly bookmarkIntervalMs: number;
  /** Revision of the last event the backend has delivered to watchers (for bookmarks). */
  private deliveredRevision = 0;
  private progress: Subscription | undefined;
  /** The last object created per kind, whose subtrees new objects of the kind share. */
  private readonly lastCreated = new WeakMap<ResourceType, Json>();
  /** Bodies of recent creates per kind, reused for equal inputs (see body-memo.ts). */
  private readonly bodies = new BodyMemo();

  private constructor(options: StoreOptions) {
    this.backend = options.backend;
    this.clock = options.clock;
    this.kinds = options.kinds ?? KindRegistry.withBuiltins();
    this.admission = options.admission ?? [];
    this.newUid = options.uid ?? flatUuid;
    this.nameSuffix = options.nameSuffix ?? (() => Array.from({ length: 5 }, () => SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]).join(''));
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
  }

  /** Open a store over a backend and create the bootstrap namespaces that do not exist yet. */
  static async open(options: StoreOptions): Promise<Store> {
    const store = new Store(options);
    const ns = store.kinds.byPlural('', 'namespaces');
    if (ns !== undefined) {
      for (const name of options.bootstrapNamespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
        try {
          await store.create(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
        } catch (err) {
          if (!(err instanceof StoreError && err.code === 'AlreadyExists')) throw err;
        }
      }
    }
    return store;
  }

  /** The current store revision. */
  currentResourceVersion(): string {
    return String(this.backend.currentRevision());
  }

  /** Close the backend: watches complete, later calls fail. */
  async close(): Promise<void> {
    await this.backend.close();
  }

  // ---------------------------------------------------------------- keys

  private prefix(type: ResourceType, namespace?: string): string {
    const base = `/registry/${type.group === '' ? 'core' : type.group}/${type.plural}/`;
    return type.namespaced && namespace !== undefined && namespace !== '' ? `${base}${namespace}/` : base;
  }

  private key(type: ResourceType, name: string, namespace: string | undefined): string {
    return type.namespaced ? `${this.prefix(type, namespace)}${name}` : `${this.prefix(type)}${name}`;
  }

  private namespaceFor(type: ResourceType, namespace: string | undefined, what: string): string | undefined {
    if (!type.namespaced) return undefined;
    if (namespace === undefined || namespace === '') {
      throw storeErrors.badRequest(`${what} ${type.plural}: a namespace is required for namespaced resources`);
    }
    return namespace;
  }

  private stamp(obj: Json, revision: number): KubeObject {
    // Copies built by assignment, not spread: they stay compact fast objects once frozen.
    const out = withKey(obj, 'metadata', withKey(metaOf(obj), 'resourceVersion', String(revision)));
    return deepFreeze(out) as unknown as KubeObject;
  }

  private decode<T extends KubeObject>(type: ResourceType<T>, input: unknown, policy: UnknownFieldPolicy | undefined): T {
    const r = type.decode(input, { unknownFields: policy ?? 'reject' });
    if (!r.ok) {
      const name = typeof input === 'object' && input !== null ? String(metaOf(input as Json)['name'] ?? '') : '';
      const unknown = r.errors.filter((e) => e.message.startsWith('unknown field'));
      if (unknown.length === r.errors.length) {
        throw storeErrors.badRequest(`${type.kind} in version ${JSON.stringify(type.version)} cannot be handled as a ${type.kind}: strict decoding error: ${unknown.map((e) => `unknown field ${JSON.stringify(e.path)}`).join(', ')}`, r.errors);
      }
      throw storeErrors.invalid(type.kind, type.group, name, r.errors);
    }
    return r.value;
  }

  /**
   * Decode an input, through the body memo for kinds that allow it: an input whose body equals
   * a verified entry's has only its metadata decoded. Returns the entry the decoded body is
   * (by reference) that of, if any; a body not seen before becomes a new entry.
   */
  private decodeInput<T extends KubeObject>(type: ResourceType<T>, raw: Json, policy: UnknownFieldPolicy | undefined): { decoded: T; entry: BodyEntry | undefined } {
    if (type.strategy.validateMetadata === undefined) return { decoded: this.decode(type, raw, policy), entry: undefined };
    const entry = this.bodies.find(type, raw);
    if (entry?.verified === true) {
      const m = METADATA_CODEC.decodeWith(raw['metadata'], { unknownFields: policy ?? 'reject' });
      // Anything to report goes the full way, which reports it with the whole object's paths.
      if (m.ok && m.warnings.length === 0) return { decoded: assemble(entry.order, entry.decoded, m.value) as unknown as T, entry };
    }
    const decoded = this.decode(type, raw, policy);
    const d = decoded as unknown as Json;
    if (entry === undefined) return { decoded, entry: this.bodies.add(type, d) };
    if (!decodedMatches(d, entry)) return { decoded, entry: undefined };
    // An input equal to the entry decoded to it: inputs equal to it may skip decoding from now on.
    verify(entry);
    return { decoded: assemble(entry.order, entry.decoded, decoded.metadata) as unknown as T, entry };
  }

  /**
   * The generic metadata checks plus some of the kind's rules rather than all of `validate`:
   * the metadata part for an object whose body was validated before (see BodyMemo), or the
   * status rules for a status write.
   */
  private validateWith(type: ResourceType, obj: KubeObject, rules: () => readonly FieldError[]): void {
    const errors: FieldError[] = [...validateObjectMetaBasics(type, obj), ...rules()];
    if (errors.length > 0) throw storeErrors.invalid(type.kind, type.group, obj.metadata.name ?? '', dedupe(errors));
  }

  private validate(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
    const errors: FieldError[] = [...validateObjectMetaBasics(type, obj)];
    if (type.strategy.validate !== undefined) errors.push(...type.strategy.validate(obj, old));
    if (errors.length > 0) throw storeErrors.invalid(type.kind, type.group, obj.metadata.name ?? '', dedupe(errors));
  }

  private async admit(operation: AdmissionRequest['operation'], type: ResourceType, object: KubeObject, oldObject: KubeObject | undefined, subresource?: string): Promise<KubeObject> {
    let obj = object;
    if (operation !== 'DELETE') {
      for (const p of this.admission) {
        if (p.mutate !== undefined) obj = await p.mutate({ operation, type, object: obj, oldObject, subresource, store: this });
      }
    }
    return obj;
  }

  private async admitValidate(operation: AdmissionRequest['operation'], type: ResourceType, object: KubeObject, oldObject: KubeObject | undefined, subresource?: string): Promise<void> {
    for (const p of this.admission) {
      if (p.validate !== undefined) await p.validate({ operation, type, object, oldObject, subresource, store: this });
    }
  }

  private async checkNamespace(type: ResourceType, namespace: string | undefined): Promise<void> {
    if (!type.namespaced || namespace === undefined) return;
    const nsType = this.kinds.byPlural('', 'namespaces');
    if (nsType === undefined) return;
    const kv = await this.backend.get(this.key(nsType, namespace, undefined));
    if (kv === undefined) {
      throw new StoreError('NotFound', `namespaces ${JSON.stringify(namespace)} not found`, { name: namespace, kind: 'namespaces' });
    }
    const ns = kv.value as KubeObject & { status?: { phase?: string } };
    if (ns.metadata.deletionTimestamp !== undefined || ns.status?.phase === 'Terminating') {
      throw storeErrors.forbidden(`${type.plural} ${JSON.stringify('')} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, { name: namespace, kind: 'namespaces' });
    }
  }

  // ---------------------------------------------------------------- reads

  /** Get one object. @throws StoreError NotFound */
  async get<T extends KubeObject>(type: ResourceType<T>, name: string, options: { namespace?: string | undefined } = {}): Promise<T> {
    const ns = this.namespaceFor(type, options.namespace, 'get');
    const kv = await this.backend.get(this.key(type, name, ns));
    if (kv === undefined) throw storeErrors.notFound(type.plural, type.group, type.kind, name);
    return kv.value as T;
  }

  /**
   * List objects, optionally in one namespace, filtered by label and field selectors, in
   * pages (`limit` + `continue`) that are all read at the first page's revision.
   */
  async list<T extends KubeObject>(type: ResourceType<T>, options: StoreListOptions = {}): Promise<ListResult<T>> {
    const match = this.matcher(type, options.labelSelector, options.fieldSelector);
    const prefix = this.prefix(type, type.namespaced ? options.namespace : undefined);
    let revision: number | undefined;
    let after: string | undefined;
    if (options.continue !== undefined && options.continue !== '') {
      const c = decodeContinue(options.continue);
      revision = c.rv;
      after = c.start;
      if (!after.startsWith(prefix)) throw storeErrors.badRequest('continue token does not belong to this list: repeat the list without it');
    } else {
      const rv = parseRv(options.resourceVersion, 'list');
      const current = this.backend.currentRevision();
      if (rv !== undefined && rv > current) {
        throw new StoreError('Timeout', `Too large resource version: ${rv}, current: ${current}`, { retryAfterSeconds: 1 });
      }
      if (rv !== undefined && rv > 0 && options.resourceVersionMatch === 'Exact') revision = rv;
    }
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : 0;
    const items: T[] = [];
    let readAt = revision;
    let more = false;
    let lastKey: string | undefined;
    try {
      for (;;) {
        const batch = limit === 0 ? 0 : Math.max(limit - items.length, 64);
        const r = await this.backend.range({ prefix, ...(after !== undefined ? { after } : {}), ...(batch > 0 ? { limit: batch } : {}), ...(readAt !== undefined ? { revision: readAt } : {}) });
        readAt = r.revision;
        for (let i = 0; i < r.kvs.length; i++) {
          const kv = r.kvs[i] as KeyValue;
          after = kv.key;
          if (!match(kv.value as KubeObject)) continue;
          if (limit > 0 && items.length === limit) {
            more = true;
            break;
          }
          items.push(kv.value as T);
          lastKey = kv.key;
        }
        if (more || !r.more) break;
        // Full with keys left: there is a next page (Kubernetes sets continue on the same rule).
        if (limit > 0 && items.length === limit) {
          more = true;
          break;
        }
        // Not full yet, and keys are left: read the next batch at the same revision.
      }
    } catch (err) {
      if (err instanceof BackendError && err.code === 'Expired') {
        throw new StoreError('Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      if (err instanceof BackendError && err.code === 'TooLarge') {
        // Only a forged continue token can name a revision the store has not reached yet.
        throw storeErrors.badRequest('invalid continue token: it names a revision this store has not reached; repeat the list without it');
      }
      throw err;
    }
    const rvOut = String(readAt ?? this.backend.currentRevision());
    if (more && lastKey !== undefined) {
      return { items, resourceVersion: rvOut, continue: encodeContinue(Number(rvOut), lastKey) };
    }
    return { items, resourceVersion: rvOut };
  }

  /** A predicate for label and field selectors; invalid selectors are BadRequest. */
  private matcher(type: ResourceType, labelSelector: string | undefined, fieldSelector: string | undefined): (o: KubeObject) => boolean {
    let labels: Selector | undefined;
    let fields: FieldSelector | undefined;
    try {
      if (labelSelector !== undefined && labelSelector.trim() !== '') labels = parseSelector(labelSelector);
      if (fieldSelector !== undefined && fieldSelector.trim() !== '') fields = checkFieldSelector(type.kind, parseFieldSelector(fieldSelector));
    } catch (err) {
      throw storeErrors.badRequest(err instanceof Error ? err.message : String(err));
    }
    if (labels === undefined && fields === undefined) return () => true;
    const kind = type.kind;
    return (o) => {
      if (labels !== undefined && !labels.matches(o.metadata.labels ?? {})) return false;
      if (fields !== undefined && !fields.matches(objectFieldGetter(kind, o))) return false;
      return true;
    };
  }

  // ---------------------------------------------------------------- writes

  /**
   * Create an object: decode (strict), default, admit, validate, assign uid, timestamps,
   * generation and resourceVersion.
   * @throws StoreError AlreadyExists, Invalid, BadRequest, NotFound (namespace), Forbidden
   */
  async create<T extends KubeObject>(type: ResourceType<T>, input: T | unknown, options: WriteOptions & { namespace?: string } = {}): Promise<T> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw storeErrors.badRequest(`the body of a ${type.kind} create must be an object`);
    const raw = withDefaultsForEnvelope(type, input as Json);
    const rawMeta = metaOf(raw);
    if (rawMeta['resourceVersion'] !== undefined && rawMeta['resourceVersion'] !== '') {
      throw storeErrors.badRequest('resourceVersion should not be set on objects to be created');
    }
    const validateMetadata = type.strategy.validateMetadata;
    const { decoded, entry } = this.decodeInput(type, raw, options.fieldValidation);
    const meta = decoded.metadata;
    const namespace = type.namespaced ? (meta.namespace ?? options.namespace) : undefined;
    if (type.namespaced && options.namespace !== undefined && meta.namespace !== undefined && meta.namespace !== options.namespace) {
      throw storeErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    this.namespaceFor(type, namespace, 'create');
    if ((meta.name === undefined || meta.name === '') && (meta.generateName === undefined || meta.generateName === '')) {
      throw storeErrors.invalid(type.kind, type.group, '', [{ path: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    }
    await this.checkNamespace(type, namespace);
    const attempts = meta.name === undefined || meta.name === '' ? 8 : 1;
    for (let attempt = 0; ; attempt++) {
      const name = meta.name !== undefined && meta.name !== '' ? meta.name : `${meta.generateName ?? ''}${this.nameSuffix()}`;
      const key = this.key(type, name, namespace);
      const template = this.lastCreated.get(type);
      let stored: Json | undefined;
      const reuse = entry?.created;
      if (reuse !== undefined && validateMetadata !== undefined && this.admission.length === 0) {
        // A body made before and no admission: the new object is that body plus fresh
        // metadata, built once (sharing equal labels, annotations, owners with the last object
        // of the kind) and stamped in place, since nothing else holds it yet.
        const fresh = systemMeta(meta, name, namespace, this.newUid(), rfc3339(this.clock.now()), template === undefined ? undefined : metaOf(template));
        const obj = assemble(reuse.keys, reuse.body, fresh);
        this.validateWith(type, obj as unknown as KubeObject, () => validateMetadata(obj as unknown as T, undefined));
        if (options.dryRun === true) return deepFreeze(obj) as unknown as T;
        const r = await this.backend.put(key, (rev: number) => {
          fresh['resourceVersion'] = String(rev);
          return deepFreeze(obj) as unknown as KubeObject;
        }, { expectModRevision: 0 });
        if (r.ok) stored = r.kv.value as Json;
      } else {
        // Subtrees equal to the last object's are shared below, with the rest of the object.
        const finalMeta = systemMeta(meta, name, namespace, this.newUid(), rfc3339(this.clock.now()), undefined);
        let obj: Json;
        if (reuse !== undefined) {
          obj = assemble(reuse.keys, reuse.body, finalMeta);
        } else {
          obj = withKey(decoded as unknown as Json, 'metadata', finalMeta);
          if (type.strategy.applyDefaults !== undefined) obj = type.strategy.applyDefaults(obj as unknown as T) as unknown as Json;
          obj = prepareForCreate(type, obj);
        }
        const beforeAdmission = obj;
        if (this.admission.length > 0) obj = (await this.admit('CREATE', type, obj as unknown as KubeObject, undefined)) as unknown as Json;
        // A body made before stays validated when admission left it as it was.
        const checked = obj as unknown as T;
        if (reuse !== undefined && validateMetadata !== undefined && hasBody(obj, reuse.body)) this.validateWith(type, checked, () => validateMetadata(checked, undefined));
        else this.validate(type, checked, undefined);
        if (this.admission.length > 0) await this.admitValidate('CREATE', type, obj as unknown as KubeObject, undefined);
        if (options.dryRun === true) return deepFreeze(obj) as unknown as T;
        // Objects of a kind are mostly made from a few templates (the pods of one ReplicaSet
        // differ only in metadata): reuse the equal subtrees of the last stored one, so they are
        // stored once and the new copies die young instead of being promoted.
        const toStore = template === undefined ? obj : shareStructure(obj, template);
        const r = await this.backend.put(key, (rev: number) => this.stamp(toStore, rev), { expectModRevision: 0 });
        if (r.ok) {
          stored = r.kv.value as Json;
          // Remember what the body became when it was validated as it was made (no plugin changed it).
          if (entry !== undefined && entry.created === undefined && this.admission.length === 0) entry.created = { keys: Object.keys(stored), body: bodyOf(stored) };
        }
      }
      if (stored !== undefined) {
        this.lastCreated.set(type, stored);
        return stored as T;
      }
      if (attempt + 1 >= attempts) {
        if (meta.name === undefined || meta.name === '') {
          throw new StoreError('AlreadyExists', `${type.plural} ${JSON.stringify(name)} already exists; the server was not able to generate a unique name for the object`, { name, group: type.group, kind: type.plural });
        }
        throw storeErrors.alreadyExists(type.plural, type.group, name);
      }
    }
  }

  /**
   * Replace an object. With `metadata.resourceVersion` set, the write happens only if it is
   * still current (else `Conflict`); without it, the latest version is replaced. Status is
   * ignored for kinds with a status subresource (use {@link Store.updateStatus}).
   */
  async update<T extends KubeObject>(type: ResourceType<T>, input: T | unknown, options: WriteOptions = {}): Promise<T> {
    return this.updateWith(type, input, options, 'main');
  }

  /** Write only the status of an object (the status subresource). */
  async updateStatus<T extends KubeObject>(type: ResourceType<T>, input: T | unknown, options: WriteOptions = {}): Promise<T> {
    if (!type.hasStatus) throw new StoreError('MethodNotAllowed', `${type.plural} has no status subresource`);
    return this.updateWith(type, input, options, 'status');
  }

  private async updateWith<T extends KubeObject>(type: ResourceType<T>, input: unknown, options: WriteOptions, sub: 'main' | 'status'): Promise<T> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw storeErrors.badRequest(`the body of a ${type.kind} update must be an object`);
    // Status writes carry a new status each time: no body to reuse, so no memo.
    const { decoded, entry } = sub === 'main' ? this.decodeInput(type, withDefaultsForEnvelope(type, input as Json), options.fieldValidation) : { decoded: this.decode(type, withDefaultsForEnvelope(type, input as Json), options.fieldValidation), entry: undefined };
    const name = decoded.metadata.name;
    if (name === undefined || name === '') throw storeErrors.badRequest('metadata.name is required for an update');
    const namespace = this.namespaceFor(type, decoded.metadata.namespace, 'update');
    const wantRv = parseRv(decoded.metadata.resourceVersion, 'update');
    return this.guaranteedUpdate(type, name, namespace, wantRv, options, sub, () => decoded, sub === 'main' ? entry : undefined);
  }

  /**
   * The read-modify-write loop under every update and patch: read the current object, build
   * the new one from it, write with compare-and-swap, retry on a lost race unless the caller
   * pinned a resourceVersion.
   */
  private async guaranteedUpdate<T extends KubeObject>(
    type: ResourceType<T>,
    name: string,
    namespace: string | undefined,
    wantRv: number | undefined,
    options: WriteOptions,
    sub: 'main' | 'status',
    build: (current: T) => T,
    /** The body memo entry of what `build` returns (main updates through the memo). */
    entry?: BodyEntry,
  ): Promise<T> {
    const key = this.key(type, name, namespace);
    const validateMetadata = type.strategy.validateMetadata;
    const memo = entry !== undefined && validateMetadata !== undefined && this.admission.length === 0 ? entry : undefined;
    for (let attempt = 0; attempt < MAX_GUARANTEED_UPDATE_RETRIES; attempt++) {
      const kv = await this.backend.get(key);
      if (kv === undefined) throw storeErrors.notFound(type.plural, type.group, type.kind, name);
      if (wantRv !== undefined && wantRv !== kv.modRevision) throw storeErrors.conflict(type.plural, type.group, name);
      const old = kv.value as T;
      const next = build(old);
      const nextMeta = next.metadata;
      if (nextMeta.uid !== undefined && nextMeta.uid !== old.metadata.uid) {
        throw storeErrors.conflict(type.plural, type.group, name, `Precondition failed: UID in precondition: ${nextMeta.uid}, UID in object meta: ${old.metadata.uid ?? ''}`);
      }
      let obj = this.mergeForUpdate(type, old, next, sub);
      // The same body over the same stored body as the last update of this entry: its result
      // (defaulted, shared with the stored one, validated against it) is this one's too.
      const made = memo?.updated !== undefined && hasBody(memo.updated.old, old as unknown as Json) ? memo.updated : undefined;
      if (made === undefined && sub === 'main' && type.strategy.applyDefaults !== undefined) obj = type.strategy.applyDefaults(obj as unknown as T) as unknown as Json;
      if (this.admission.length > 0) obj = (await this.admit('UPDATE', type, obj as unknown as KubeObject, old, sub === 'status' ? 'status' : undefined)) as unknown as Json;
      const oldFinalizers = old.metadata.finalizers ?? [];
      const newFinalizers = (metaOf(obj)['finalizers'] as readonly string[] | undefined) ?? [];
      if (old.metadata.deletionTimestamp !== undefined && newFinalizers.some((f) => !oldFinalizers.includes(f))) {
        throw storeErrors.forbidden(`${type.plural} ${JSON.stringify(name)} is being deleted: no new finalizers can be added if the object is being deleted`, { name, group: type.group, kind: type.plural });
      }
      // One structural pass: every subtree equal to the stored one becomes the stored one, so
      // the comparisons below are reference checks and the new version shares memory with it.
      // (A remembered body is shared already: only the metadata needs the walk, and the result
      // is built once, its fresh metadata stamped in place below.)
      let ownMeta: Json | undefined;
      if (made !== undefined) {
        const oldMeta = metaOf(old as unknown as Json);
        const m = shareStructure(metaOf(obj), oldMeta);
        ownMeta = m === oldMeta || Object.isFrozen(m) ? copyObject(m) : m;
        obj = assemble(made.keys, made.body, ownMeta);
      } else obj = shareStructure(obj, old);
      // Generation: bump when anything but metadata and status changed.
      const specChanged = made !== undefined ? made.specChanged : !sameOutsideMetaStatus(obj, old as unknown as Json);
      if (specChanged) {
        const generation = (old.metadata.generation ?? 1) + 1;
        if (ownMeta !== undefined) ownMeta['generation'] = generation;
        else obj = withKey(obj, 'metadata', withKey(metaOf(obj), 'generation', generation));
      }
      const validateStatusUpdate = type.strategy.validateStatusUpdate;
      const checked = obj as unknown as T;
      if (made !== undefined && validateMetadata !== undefined) this.validateWith(type, checked, () => validateMetadata(checked, old));
      else if (sub === 'status' && validateStatusUpdate !== undefined) this.validateWith(type, checked, () => validateStatusUpdate(checked, old));
      else {
        this.validate(type, obj as unknown as KubeObject, old);
        // Made and validated as it is (no admission plugin): remember it for the next such update.
        if (memo !== undefined) memo.updated = { old: old as unknown as Json, keys: Object.keys(obj), body: deepFreeze(bodyOf(obj)), specChanged };
      }
      if (this.admission.length > 0) await this.admitValidate('UPDATE', type, obj as unknown as KubeObject, old, sub === 'status' ? 'status' : undefined);
      // Unchanged objects are not rewritten.
      if (!specChanged && sameIgnoringResourceVersion(obj, old as unknown as Json)) return old;
      if (options.dryRun === true) return deepFreeze(obj) as unknown as T;
      const shared = obj;
      // The last finalizer of a deleting object is gone: the object goes.
      if (
        old.metadata.deletionTimestamp !== undefined &&
        newFinalizers.length === 0 &&
        (old.metadata.deletionGracePeriodSeconds ?? 0) === 0 &&
        !(storePrepareFor(type).holdsDeletion?.(obj as unknown as KubeObject, true) ?? false)
      ) {
        const d = await this.backend.delete(key, { expectModRevision: kv.modRevision });
        if (d.ok) return this.stamp(shared, d.revision) as T;
        if (wantRv !== undefined) throw storeErrors.conflict(type.plural, type.group, name);
        continue;
      }
      const fresh = ownMeta;
      const stampShared =
        fresh === undefined
          ? (rev: number): KubeObject => this.stamp(shared, rev)
          : (rev: number): KubeObject => {
              fresh['resourceVersion'] = String(rev);
              return deepFreeze(shared) as unknown as KubeObject;
            };
      const r = await this.backend.put(key, stampShared, { expectModRevision: kv.modRevision });
      if (r.ok) return r.kv.value as T;
      if (wantRv !== undefined) throw storeErrors.conflict(type.plural, type.group, name);
    }
    throw storeErrors.conflict(type.plural, type.group, name, 'too many concurrent writers; try again');
  }

  /** Combine a requested new object with the stored one per subresource rules. */
  private mergeForUpdate(type: ResourceType, old: KubeObject, next: KubeObject, sub: 'main' | 'status'): Json {
    const o = old as unknown as Json;
    const n = next as unknown as Json;
    const oldMeta = metaOf(o);
    if (sub === 'status') {
      // Only status changes; everything else (metadata included) is the stored version's.
      const out: Json = { ...o };
      if ('status' in n) out['status'] = n['status'];
      else delete out['status'];
      return { ...out, metadata: { ...oldMeta } };
    }
    const nm = metaOf(n);
    // System fields are the store's, not the client's. Built key by key (no `delete`, which
    // would turn the object into a slow dictionary): the client's order, the stored system
    // values in place, system fields the client left out appended.
    const meta: Json = {};
    for (const k of Object.keys(nm)) {
      if (k === 'resourceVersion') continue;
      if (UPDATE_SYSTEM_META.has(k)) {
        if (oldMeta[k] !== undefined) meta[k] = oldMeta[k];
      } else setKey(meta, k, nm[k]);
    }
    for (const f of UPDATE_SYSTEM_META) if (oldMeta[f] !== undefined && !(f in meta)) meta[f] = oldMeta[f];
    const out: Json = {};
    for (const k of Object.keys(n)) {
      if (k === 'metadata') out[k] = meta;
      else if (k === 'status' && type.hasStatus) {
        if ('status' in o) out[k] = o['status'];
      } else setKey(out, k, n[k]);
    }
    if (!('metadata' in out)) out['metadata'] = meta;
    if (type.hasStatus && !('status' in out) && 'status' in o) out['status'] = o['status'];
    return out;
  }

  /**
   * Patch an object: JSON merge patch (RFC 7386), JSON patch (RFC 6902) or strategic merge
   * patch (built-in kinds). The patched result goes through the same path as an update;
   * concurrent writes are retried unless the patch itself pins `metadata.resourceVersion`.
   */
  async patch<T extends KubeObject>(type: ResourceType<T>, name: string, patch: Patch, options: PatchOptions & { namespace?: string | undefined } = {}): Promise<T> {
    const namespace = this.namespaceFor(type, options.namespace, 'patch');
    const sub = options.subresource === 'status' ? 'status' : 'main';
    if (sub === 'status' && !type.hasStatus) throw new StoreError('MethodNotAllowed', `${type.plural} has no status subresource`);
    if (patch.type === 'strategic' && type.definition === undefined) {
      throw new StoreError('BadRequest', `strategic merge patch is not supported for ${type.plural}.${type.group}: use a JSON merge patch (application/merge-patch+json) or a JSON patch`);
    }
    return this.guaranteedUpdate(type, name, namespace, undefined, options, sub, (current) => {
      const base = current as unknown;
      let patched: unknown;
      try {
        if (patch.type === 'merge') patched = applyMergePatch(base, patch.patch);
        else if (patch.type === 'json') patched = applyJsonPatch(base, patch.patch);
        else patched = applyStrategicMergePatch(base, patch.patch, patchSchemaFor(type));
      } catch (err) {
        if (err instanceof StoreError) throw err;
        const code = err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'string' ? (err as { code: string }).code : 'BadRequest';
        throw new StoreError(code === 'Invalid' || code === 'Conflict' ? code : 'BadRequest', err instanceof Error ? err.message : String(err), { name, group: type.group, kind: type.plural }, { cause: err });
      }
      const pm = metaOf(typeof patched === 'object' && patched !== null ? (patched as Json) : {});
      const rvInPatch = pm['resourceVersion'];
      if (typeof rvInPatch === 'string' && rvInPatch !== current.metadata.resourceVersion) {
        throw storeErrors.conflict(type.plural, type.group, name);
      }
      const decoded = this.decode(type, patched, options.fieldValidation);
      if (decoded.metadata.name !== name) throw storeErrors.badRequest(`metadata.name cannot be changed by a patch (from ${JSON.stringify(name)} to ${JSON.stringify(decoded.metadata.name)})`);
      if (type.namespaced && decoded.metadata.namespace !== undefined && decoded.metadata.namespace !== namespace) {
        throw storeErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      return decoded;
    });
  }

  /**
   * Read, change with an immer recipe, and write back, retrying on Conflict. The recipe
   * may run more than once; it must be a pure function of the draft.
   *
   * @example
   * ```ts
   * await store.mutate(Deployment, { name: 'web', namespace: 'default' }, (d) => { d.spec!.replicas = 5; });
   * ```
   */
  async mutate<T extends KubeObject>(type: ResourceType<T>, ref: ObjectRef, recipe: (draft: Draft<T>) => void, options: { subresource?: 'status' } = {}): Promise<T> {
    for (let attempt = 0; attempt < MAX_GUARANTEED_UPDATE_RETRIES; attempt++) {
      const current = await this.get(type, ref.name, { namespace: ref.namespace });
      const next = produce(current, recipe);
      if (next === current) return current;
      try {
        return options.subresource === 'status' ? await this.updateStatus(type, next) : await this.update(type, next);
      } catch (err) {
        if (err instanceof StoreError && err.code === 'Conflict') continue;
        throw err;
      }
    }
    throw storeErrors.conflict(type.plural, type.group, ref.name, 'too many concurrent writers; try again');
  }

  /**
   * Delete an object. With finalizers (or a Foreground/Orphan policy, which add one), it
   * gets a `deletionTimestamp` and stays until they are removed; a pod on a node gets a
   * grace period first. Returns the deleted object, or its terminating state.
   * @throws StoreError NotFound, Conflict (preconditions)
   */
  async delete<T extends KubeObject>(type: ResourceType<T>, name: string, options: DeleteOptions & { namespace?: string | undefined } = {}): Promise<T> {
    const namespace = this.namespaceFor(type, options.namespace, 'delete');
    const key = this.key(type, name, namespace);
    for (let attempt = 0; attempt < MAX_GUARANTEED_UPDATE_RETRIES; attempt++) {
      const kv = await this.backend.get(key);
      if (kv === undefined) throw storeErrors.notFound(type.plural, type.group, type.kind, name);
      const current = kv.value as T;
      const pre = options.preconditions;
      if (pre?.uid !== undefined && pre.uid !== current.metadata.uid) {
        throw storeErrors.conflict(type.plural, type.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
      }
      if (pre?.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw storeErrors.conflict(type.plural, type.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`);
      }
      await this.admitValidate('DELETE', type, current, current);
      const meta = current.metadata;
      // Garbage-collection finalizers, as Kubernetes' registry sets them: an explicit policy
      // replaces both with the one it asks for (Background asks for none); without a policy,
      // the ones already there stay.
      const policy = options.propagationPolicy;
      const existing = meta.finalizers ?? [];
      const orphan = policy !== undefined ? policy === 'Orphan' : existing.includes(ORPHAN_FINALIZER);
      const foreground = policy !== undefined ? policy === 'Foreground' : existing.includes(FOREGROUND_FINALIZER);
      const finalizers = existing.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
      if (orphan) finalizers.push(ORPHAN_FINALIZER);
      if (foreground) finalizers.push(FOREGROUND_FINALIZER);
      const now = this.clock.now();
      const grace = this.gracePeriod(type, current, options.gracePeriodSeconds);
      const kindHooks = storePrepareFor(type);
      const held = kindHooks.holdsDeletion?.(current, meta.deletionTimestamp !== undefined) ?? false;
      if (finalizers.length === 0 && grace === 0 && !held) {
        if (options.dryRun === true) return current;
        const d = await this.backend.delete(key, { expectModRevision: kv.modRevision });
        if (d.ok) return this.stamp(current as unknown as Json, d.revision) as T;
        continue;
      }
      // Graceful: set (or shorten) deletionTimestamp; keep the object.
      let deletionTs = meta.deletionTimestamp;
      let graceSeconds = meta.deletionGracePeriodSeconds;
      if (deletionTs === undefined) {
        deletionTs = rfc3339(now + grace * 1000);
        graceSeconds = grace;
      } else if (graceSeconds !== undefined && grace < graceSeconds) {
        deletionTs = rfc3339(now + grace * 1000);
        graceSeconds = grace;
      }
      const nextMeta: Json = { ...(meta as unknown as Json), finalizers, deletionTimestamp: deletionTs, deletionGracePeriodSeconds: graceSeconds };
      if (finalizers.length === 0) delete nextMeta['finalizers'];
      delete nextMeta['resourceVersion'];
      let nextObj: Json = { ...(current as unknown as Json), metadata: nextMeta };
      if (kindHooks.markDeleting !== undefined) nextObj = kindHooks.markDeleting(nextObj);
      if (meta.deletionTimestamp === undefined) nextMeta['generation'] = (meta.generation ?? 1) + 1;
      const oldNoRv = { ...(current as unknown as Json), metadata: { ...(meta as unknown as Json) } };
      delete (oldNoRv['metadata'] as Json)['resourceVersion'];
      if (jsonEqual(nextObj, oldNoRv)) return current;
      if (options.dryRun === true) return deepFreeze(nextObj) as unknown as T;
      const r = await this.backend.put(key, (rev: number) => this.stamp(shareStructure(nextObj, current), rev), { expectModRevision: kv.modRevision });
      if (r.ok) return r.kv.value as T;
    }
    throw storeErrors.conflict(type.plural, type.group, name, 'too many concurrent writers; try again');
  }

  /** The grace period of a delete, as the kind's hooks decide (0: remove at once). */
  private gracePeriod(type: ResourceType, obj: KubeObject, requested: number | undefined): number {
    const g = storePrepareFor(type).gracePeriodSeconds?.(obj, requested) ?? 0;
    if (!Number.isInteger(g) || g < 0) throw storeErrors.badRequest(`gracePeriodSeconds must be a non-negative integer, got ${g}`);
    return g;
  }

  /** Delete every object matching the selectors (in a namespace for namespaced kinds). */
  async deleteCollection<T extends KubeObject>(type: ResourceType<T>, options: DeleteOptions & StoreListOptions = {}): Promise<readonly T[]> {
    const list = await this.list(type, { namespace: options.namespace, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector });
    const out: T[] = [];
    for (const item of list.items) {
      try {
        out.push(await this.delete(type, item.metadata.name ?? '', { ...options, namespace: item.metadata.namespace, preconditions: { uid: item.metadata.uid ?? '' } }));
      } catch (err) {
        if (err instanceof StoreError && (err.code === 'NotFound' || err.code === 'Conflict')) continue;
        throw err;
      }
    }
    return out;
  }

  /**
   * Bind a pod to a node (the `pods/binding` subresource): sets `spec.nodeName` only if the
   * pod is not bound yet; binding a bound pod is a Conflict.
   */
  async bindPod(ref: ObjectRef & { readonly uid?: string }, nodeName: string): Promise<KubeObject> {
    const podType = this.kinds.byPlural('', 'pods');
    if (podType === undefined) throw new StoreError('NotFound', 'pods are not served by this store');
    const namespace = this.namespaceFor(podType, ref.namespace, 'bind');
    const key = this.key(podType, ref.name, namespace);
    for (let attempt = 0; attempt < MAX_GUARANTEED_UPDATE_RETRIES; attempt++) {
      const kv = await this.backend.get(key);
      if (kv === undefined) throw storeErrors.notFound('pods', '', 'Pod', ref.name);
      const pod = kv.value as KubeObject & { spec?: { nodeName?: string } };
      if (ref.uid !== undefined && ref.uid !== pod.metadata.uid) throw storeErrors.conflict('pods', '', ref.name, `Precondition failed: UID in precondition: ${ref.uid}, UID in object meta: ${pod.metadata.uid ?? ''}`);
      if (pod.metadata.deletionTimestamp !== undefined) throw storeErrors.conflict('pods', '', ref.name, 'pod is being deleted, cannot be assigned to a host');
      if (pod.spec?.nodeName !== undefined && pod.spec.nodeName !== '') {
        throw storeErrors.conflict('pods', '', ref.name, `pod ${ref.name} is already assigned to node ${JSON.stringify(pod.spec.nodeName)}`);
      }
      // As Kubernetes' binding does: set the node and mark the pod scheduled.
      const status = ((pod as unknown as Json)['status'] ?? {}) as Json;
      const conditions = (Array.isArray(status['conditions']) ? status['conditions'] : []) as readonly Json[];
      const scheduled: Json = { type: 'PodScheduled', status: 'True', lastTransitionTime: rfc3339(this.clock.now()) };
      const nextConditions = conditions.some((c) => c['type'] === 'PodScheduled') ? conditions.map((c) => (c['type'] === 'PodScheduled' ? scheduled : c)) : [...conditions, scheduled];
      const next: Json = withKey(withKey(pod as unknown as Json, 'spec', withKey(pod.spec ?? {}, 'nodeName', nodeName)), 'status', withKey(status, 'conditions', nextConditions));
      const r = await this.backend.put(key, (rev: number) => this.stamp(shareStructure(next, pod), rev), { expectModRevision: kv.modRevision });
      if (r.ok) return r.kv.value as KubeObject;
    }
    throw storeErrors.conflict('pods', '', ref.name, 'too many concurrent writers; try again');
  }

  // ---------------------------------------------------------------- watch

  /**
   * Watch a kind. From a resourceVersion: every change strictly after it. Without one (or
   * "0"): the current objects as ADDED, then every change. Objects that stop matching the
   * selectors arrive as DELETED, objects that start matching as ADDED. A resourceVersion
   * older than the kept history errors the Observable with `StoreError('Expired')`.
   */
  watch<T extends KubeObject>(type: ResourceType<T>, options: StoreWatchOptions = {}): Observable<WatchEvent<T>> {
    return new Observable<WatchEvent<T>>((subscriber) => {
      let match: (o: KubeObject) => boolean;
      let from: number | undefined;
      try {
        match = this.matcher(type, options.labelSelector, options.fieldSelector);
        from = parseRv(options.resourceVersion, 'watch');
      } catch (err) {
        subscriber.error(err);
        return undefined;
      }
      const prefix = this.prefix(type, type.namespaced ? options.namespace : undefined);
      let sub: Subscription | undefined;
      let closed = false;
      let lastRevision = from ?? 0;
      const timers: { id: number }[] = [];
      const start = (after: number): void => {
        sub = this.backend.watch(prefix, after).subscribe({
          next: (ev: BackendEvent) => {
            lastRevision = ev.revision;
            const out = this.translate<T>(ev, match);
            if (out !== undefined) subscriber.next(out);
          },
          error: (err: unknown) => {
            if (err instanceof BackendError && err.code === 'Expired') {
              subscriber.error(storeErrors.expired(`too old resource version: ${after} (${this.backend.compactedRevision()})`));
            } else subscriber.error(err);
          },
          complete: () => subscriber.complete(),
        });
      };
      if (from === undefined || from === 0) {
        // Current state as ADDED, then changes after the list's revision.
        void this.list(type, { namespace: options.namespace, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector })
          .then((l) => {
            if (closed) return;
            for (const item of l.items) subscriber.next({ type: 'ADDED', object: item });
            lastRevision = Number(l.resourceVersion);
            start(lastRevision);
          })
          .catch((err: unknown) => subscriber.error(err));
      } else {
        start(from);
      }
      if (options.allowBookmarks === true && this.bookmarkIntervalMs > 0) {
        this.trackProgress();
        const tick = (): void => {
          if (closed) return;
          if (sub === undefined) {
            // The initial list has not been delivered yet: nothing to bookmark.
            timers[0] = this.clock.setTimeout(tick, this.bookmarkIntervalMs);
            return;
          }
          // Never claim a revision whose events have not been delivered yet: a backend may
          // hold events back (the file backend until they are durable), so currentRevision()
          // can be ahead of what this watch has seen.
          const rv = Math.max(lastRevision, this.deliveredRevision);
          lastRevision = rv;
          subscriber.next({ type: 'BOOKMARK', resourceVersion: String(rv) });
          timers[0] = this.clock.setTimeout(tick, this.bookmarkIntervalMs);
        };
        timers[0] = this.clock.setTimeout(tick, this.bookmarkIntervalMs);
      }
      if (options.timeoutSeconds !== undefined && options.timeoutSeconds > 0) {
        timers[1] = this.clock.setTimeout(() => subscriber.complete(), options.timeoutSeconds * 1000);
      }
      return () => {
        closed = true;
        sub?.unsubscribe();
        for (const t of timers) if (t !== undefined) this.clock.clearTimeout(t);
      };
    });
  }

  /** Follow every delivered backend event's revision, once per store, for bookmarks. */
  private trackProgress(): void {
    if (this.progress !== undefined) return;
    this.progress = this.backend.watch('').subscribe({
      next: (ev) => {
        this.deliveredRevision = ev.revision;
      },
      error: () => {
        this.progress = undefined;
      },
    });
  }

  /**
   * A consistent snapshot, then every change after it: first one `SNAPSHOT` with the list
   * at one revision, then the watch events strictly after that revision — the building
   * block of informers. Errors as {@link Store.watch}.
   *
   * @example
   * ```ts
   * store.listAndWatch(Pod, { namespace: 'default' }).subscribe((e) => {
   *   if (e.type === 'SNAPSHOT') cache = new Map(e.items.map((p) => [p.metadata.name, p]));
   *   else if (e.type !== 'BOOKMARK') apply(e);
   * });
   * ```
   */
  listAndWatch<T extends KubeObject>(type: ResourceType<T>, options: Omit<StoreWatchOptions, 'resourceVersion'> = {}): Observable<ListAndWatchEvent<T>> {
    return new Observable<ListAndWatchEvent<T>>((subscriber) => {
      let sub: Subscription | undefined;
      let closed = false;
      this.list(type, { namespace: options.namespace, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector })
        .then((l) => {
          if (closed) return;
          subscriber.next({ type: 'SNAPSHOT', items: l.items, resourceVersion: l.resourceVersion });
          sub = this.watch(type, { ...options, resourceVersion: l.resourceVersion }).subscribe(subscriber);
        })
        .catch((err: unknown) => subscriber.error(err));
      return () => {
        closed = true;
        sub?.unsubscribe();
      };
    });
  }

  private translate<T extends KubeObject>(ev: BackendEvent, match: (o: KubeObject) => boolean): WatchEvent<T> | undefined {
    if (ev.type === 'delete') {
      const prev = (ev.prevKv ?? ev.kv).value as KubeObject;
      if (!match(prev)) return undefined;
      const obj = this.stamp(prev as unknown as Json, ev.revision) as T;
      return { type: 'DELETED', object: obj };
    }
    const now = ev.kv.value as T;
    const nowMatch = match(now);
    if (ev.prevKv === undefined) return nowMatch ? { type: 'ADDED', object: now } : undefined;
    const wasMatch = match(ev.prevKv.value as KubeObject);
    if (nowMatch && wasMatch) return { type: 'MODIFIED', object: now };
    if (nowMatch) return { type: 'ADDED', object: now };
    // Stopped matching: Kubernetes sends the last matching content, stamped with this event's revision.
    if (wasMatch) return { type: 'DELETED', object: this.stamp(ev.prevKv.value as Json, ev.revision) as T };
    return undefined;
  }
}


function dedupe(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
    const k = `${e.path}\u0000${e.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(e);
    }
  }
  return out;
}

/**
 * Whether two objects agree on every top-level field but metadata and status, by reference:
 * call on the result of `shareStructure(a, b)`, where equal subtrees are the same objects.
 */
function sameOutsideMetaStatus(a: Json, b: Json): boolean {
  if (a === b) return true;
  let na = 0;
  for (const k of Object.keys(a)) {
    if (k === 'metadata' || k === 'status') continue;
    na++;
    if (!Object.prototype.hasOwnProperty.call(b, k) || a[k] !== b[k]) return false;
  }
  let nb = 0;
  for (const k of Object.keys(b)) if (k !== 'metadata' && k !== 'status') nb++;
  return na === nb;
}

/** Whether two structurally shared objects are equal but for `metadata.resourceVersion`. */
function sameIgnoringResourceVersion(a: Json, b: Json): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (k !== 'metadata' && a[k] !== b[k]) return false;
  }
  const ma = metaOf(a);
  const mb = metaOf(b);
  if (ma === mb) return true;
  let n = 0;
  for (const k of Object.keys(ma)) {
    if (k === 'resourceVersion') continue;
    n++;
    if (!Object.prototype.hasOwnProperty.call(mb, k) || !jsonEqual(ma[k], mb[k])) return false;
  }
  let m = 0;
  for (const k of Object.keys(mb)) if (k !== 'resourceVersion') m++;
  return n === m;
}

/** Metadata fields an update keeps from the stored object, whatever the client sent. */
const UPDATE_SYSTEM_META: ReadonlySet<string> = new Set(['uid', 'creationTimestamp', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace', 'name']);

/** Metadata fields the store assigns on create; a client's values are dropped. */
const SYSTEM_META = new Set(['uid', 'creationTimestamp', 'resourceVersion', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds']);

/**
 * The metadata of a new object in one fresh object: the client's fields but the system ones,
 * then name, namespace (namespaced kinds), uid, creationTimestamp and generation 1. Labels,
 * annotations and other subtrees equal to those of `like` (the last object of the kind) are
 * taken from it, so they are stored once.
 */
function systemMeta(meta: ObjectMeta, name: string, namespace: string | undefined, uid: string, created: string, like: Json | undefined): Json {
  const out: Json = {};
  const m = meta as unknown as Json;
  for (const k of Object.keys(m)) {
    if (SYSTEM_META.has(k) || (k === 'namespace' && namespace === undefined)) continue;
    const v = m[k];
    if (v === undefined) continue;
    const p = like?.[k];
    setKey(out, k, typeof v === 'object' && v !== null && p !== undefined && jsonEqual(v, p) ? p : v);
  }
  out['name'] = name;
  if (namespace !== undefined) out['namespace'] = namespace;
  out['uid'] = uid;
  out['creationTimestamp'] = created;
  out['generation'] = 1;
  return out;
}


/** Fill apiVersion/kind when a caller of the typed API left them out. */
function withDefaultsForEnvelope(type: ResourceType, o: Json): Json {
  if (o['apiVersion'] !== undefined && o['kind'] !== undefined) return o;
  return { ...o, apiVersion: o['apiVersion'] ?? type.apiVersion, kind: o['kind'] ?? type.kind };
}
