import type { KubeObjectLike } from '../client/watch-types.js';
import { KubekitError } from '../util/errors.js';

/**
 * The cache key of an object: `"namespace/name"`, or `"name"` for a cluster-scoped object
 * (no or empty namespace) — the same keys client-go's `MetaNamespaceKeyFunc` makes.
 *
 * @example
 * ```ts
 * objectKey({ metadata: { namespace: 'default', name: 'web-0' } }); // "default/web-0"
 * objectKey({ metadata: { name: 'node-1' } });                      // "node-1"
 * ```
 * @public
 */
export function objectKey(obj: KubeObjectLike): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

/**
 * Computes the values an object is indexed under (e.g. its node name, its owner's uid).
 * Must be a pure function of the object; return `[]` to leave the object out of the index.
 *
 * @public
 */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** The name of the index every cache has: objects by namespace (`""` for cluster-scoped). @public */
export const NAMESPACE_INDEX = 'namespace';

/**
 * Why a cache call failed. `UnknownIndex`: the index name was never registered;
 * `DuplicateIndex`: an index with that name already exists.
 *
 * @public
 */
export type CacheErrorCode = 'UnknownIndex' | 'DuplicateIndex';

/** @public */
export class CacheError extends KubekitError {
  declare readonly code: CacheErrorCode;
  constructor(code: CacheErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * The read-only view of an informer's cache: the latest known state of every object of one
 * kind in one scope, with secondary indexes.
 *
 * Guarantees:
 * - Reads are consistent with the events delivered so far: when a handler runs for an event,
 *   the cache already reflects it.
 * - Objects are handed out exactly as the source gave them (the store freezes them). They are
 *   shared with every other reader: **never mutate them** — copy (e.g. with an immer producer)
 *   and write through a client instead.
 *
 * Only the owning {@link CacheWriter} (the informer) changes the content.
 *
 * @public
 */
export interface Cache<T> {
  /** The object stored under `key` ("namespace/name" or "name"), if any. */
  get(key: string): T | undefined;
  /** The object named `name` in `namespace` (pass `undefined` or `""` for cluster-scoped). */
  getByName(namespace: string | undefined, name: string): T | undefined;
  /** Every cached object (a fresh array; order unspecified). */
  list(): T[];
  /** Every cache key (a fresh array; order unspecified). */
  keys(): string[];
  /** The objects whose index `indexName` contains `value`. Errors: `UnknownIndex`. */
  byIndex(indexName: string, value: string): T[];
  /** The cache keys of the objects whose index `indexName` contains `value`. Errors: `UnknownIndex`. */
  indexKeys(indexName: string, value: string): string[];
  /** The values present in index `indexName`. Errors: `UnknownIndex`. */
  indexValues(indexName: string): string[];
  /** The names of the registered indexes (always includes `"namespace"`). */
  indexNames(): string[];
  /** How many objects are cached. */
  readonly size: number;
}

interface Index<T> {
  readonly fn: IndexFunc<T>;
  /** value → keys of the objects indexed under it */
  readonly byValue: Map<string, Set<string>>;
}

const namespaceIndexFunc: IndexFunc<KubeObjectLike> = (obj) => [obj.metadata.namespace ?? ''];

/**
 * The writing side of a cache (kube-rs `reflector::store::Writer`): exactly one writer, the
 * informer, owns it; everyone else gets {@link CacheWriter.reader}.
 *
 * Guarantees: every write keeps all indexes in step with the content; an index added later is
 * built from the current content at once.
 *
 * @example
 * ```ts
 * const writer = new CacheWriter<Pod>({ byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) });
 * writer.set(pod);
 * writer.reader.byIndex('byNode', 'node-1');
 * ```
 * @public
 */
export class CacheWriter<T extends KubeObjectLike> {
  readonly #items = new Map<string, T>();
  readonly #indexes = new Map<string, Index<T>>();
  /** The read-only view handed to consumers. */
  readonly reader: Cache<T>;

  constructor(indexers: Readonly<Record<string, IndexFunc<T>>> = {}) {
    this.#indexes.set(NAMESPACE_INDEX, { fn: namespaceIndexFunc, byValue: new Map() });
    for (const [name, fn] of Object.entries(indexers)) this.addIndexer(name, fn);
    this.reader = new CacheReader(this.#items, this.#indexes);
  }

  /**
   * Registers index `name` and indexes the current content with it. Registering the same
   * function under the same name again is a no-op (so shared informers can take every
   * consumer's indexers).
   * Errors: `DuplicateIndex` when the name is taken by another function (including the
   * built-in `"namespace"`).
   */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    const existing = this.#indexes.get(name);
    if (existing !== undefined && existing.fn === fn) return;
    if (existing !== undefined) {
      throw new CacheError('DuplicateIndex', `An index named "${name}" already exists; give the indexer another name.`);
    }
    const index: Index<T> = { fn, byValue: new Map() };
    this.#indexes.set(name, index);
    for (const [key, obj] of this.#items) addToIndex(index, key, obj);
  }

  /** Stores `obj` under its {@link objectKey}, replacing any previous object; returns the previous one. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.#items.get(key);
    if (old !== undefined) for (const index of this.#indexes.values()) removeFromIndex(index, key, old);
    this.#items.set(key, obj);
    for (const index of this.#indexes.values()) addToIndex(index, key, obj);
    return old;
  }

  /** Removes the object under `key`; returns it (undefined when absent). */
  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (old === undefined) return undefined;
    for (const index of this.#indexes.values()) removeFromIndex(index, key, old);
    this.#items.delete(key);
    return old;
  }

  /** Empties the cache (indexes stay registered). */
  clear(): void {
    this.#items.clear();
    for (const index of this.#indexes.values()) index.byValue.clear();
  }
}

function addToIndex<T>(index: Index<T>, key: string, obj: T): void {
  for (const value of index.fn(obj)) {
    let keys = index.byValue.get(value);
    if (keys === undefined) {
      keys = new Set();
      index.byValue.set(value, keys);
    }
    keys.add(key);
  }
}

function removeFromIndex<T>(index: Index<T>, key: string, obj: T): void {
  for (const value of index.fn(obj)) {
    const keys = index.byValue.get(value);
    if (keys === undefined) continue;
    keys.delete(key);
    if (keys.size === 0) index.byValue.delete(value);
  }
}

class CacheReader<T extends KubeObjectLike> implements Cache<T> {
  readonly #items: ReadonlyMap<string, T>;
  readonly #indexes: ReadonlyMap<string, Index<T>>;

  constructor(items: ReadonlyMap<string, T>, indexes: ReadonlyMap<string, Index<T>>) {
    this.#items = items;
    this.#indexes = indexes;
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.#items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  byIndex(indexName: string, value: string): T[] {
    const out: T[] = [];
    for (const key of this.#index(indexName).byValue.get(value) ?? []) {
      const obj = this.#items.get(key);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  indexKeys(indexName: string, value: string): string[] {
    return [...(this.#index(indexName).byValue.get(value) ?? [])];
  }

  indexValues(indexName: string): string[] {
    return [...this.#index(indexName).byValue.keys()];
  }

  indexNames(): string[] {
    return [...this.#indexes.keys()];
  }

  #index(indexName: string): Index<T> {
    const index = this.#indexes.get(indexName);
    if (index === undefined) {
      throw new CacheError(
        'UnknownIndex',
        `No index named "${indexName}"; register it with an indexer (informer option "indexers" or addIndexer) before querying it.`,
      );
    }
    return index;
  }
}
