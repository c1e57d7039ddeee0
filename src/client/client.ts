import type { Observable } from 'rxjs';
import { produce, type Draft } from 'immer';
import type { KubeObject, ResourceType } from '../api/resource.js';
import type { DeleteOptions, ObjectRef, Patch, Store, StoreListOptions, StoreWatchOptions, WriteOptions } from '../store/store.js';
import { StoreError } from '../store/errors.js';
import type { ListResult, ListWatcher, WatchEvent } from './watch-types.js';

/** Options of {@link Client.list}: the store's list options. @public */
export type ClientListOptions = StoreListOptions;

/** Options of {@link Client.watch}: the store's watch options. @public */
export type ClientWatchOptions = StoreWatchOptions;

/** @public */
export interface ClientWriteOptions extends WriteOptions {
  /** Who is writing (server-side apply's field manager; recorded by API servers). */
  readonly fieldManager?: string;
}

/**
 * The one interface controllers, schedulers and kubelets use to read and write objects.
 * `LocalClient` implements it over an in-process {@link Store}; an HTTP client implements it
 * over the Kubernetes REST API (ours or a real cluster's). Nothing below the client layer
 * depends on how objects are stored.
 *
 * Errors: every method rejects with a `StoreError` whose `code` is the Kubernetes Status
 * reason (`NotFound`, `Conflict`, `AlreadyExists`, `Invalid`, `Expired`, …) whichever
 * implementation is used.
 *
 * @public
 */
export interface Client {
  get<T extends KubeObject>(type: ResourceType<T>, name: string, options?: { namespace?: string | undefined }): Promise<T>;
  list<T extends KubeObject>(type: ResourceType<T>, options?: ClientListOptions): Promise<ListResult<T>>;
  create<T extends KubeObject>(type: ResourceType<T>, object: T, options?: ClientWriteOptions & { namespace?: string }): Promise<T>;
  update<T extends KubeObject>(type: ResourceType<T>, object: T, options?: ClientWriteOptions): Promise<T>;
  updateStatus<T extends KubeObject>(type: ResourceType<T>, object: T, options?: ClientWriteOptions): Promise<T>;
  patch<T extends KubeObject>(type: ResourceType<T>, name: string, patch: Patch, options?: ClientWriteOptions & { namespace?: string | undefined; subresource?: 'status' }): Promise<T>;
  delete<T extends KubeObject>(type: ResourceType<T>, name: string, options?: DeleteOptions & { namespace?: string | undefined }): Promise<T>;
  watch<T extends KubeObject>(type: ResourceType<T>, options?: ClientWatchOptions): Observable<WatchEvent<T>>;
  /** Bind a pod to a node (the `pods/binding` subresource); Conflict if already bound. */
  bindPod(ref: ObjectRef & { readonly uid?: string }, nodeName: string): Promise<void>;
}

/**
 * A {@link ListWatcher} for one kind and scope through any client: what informers consume.
 *
 * @public
 */
export function listWatcherFor<T extends KubeObject>(
  client: Client,
  type: ResourceType<T>,
  scope: { readonly namespace?: string | undefined; readonly labelSelector?: string | undefined; readonly fieldSelector?: string | undefined } = {},
): ListWatcher<T> {
  return {
    list: (options) => client.list(type, { ...scope, ...options }),
    watch: (options) => client.watch(type, { ...scope, ...options }),
  };
}

/**
 * Read, change with an immer recipe, and write back, retrying on Conflict — over any client.
 * The recipe may run more than once. Returns the written (or unchanged) object.
 *
 * @example
 * ```ts
 * await mutate(client, Deployment, { name: 'web', namespace: 'default' }, (d) => { d.spec!.replicas = 5; });
 * ```
 * @public
 */
export async function mutate<T extends KubeObject>(
  client: Client,
  type: ResourceType<T>,
  ref: ObjectRef,
  recipe: (draft: Draft<T>) => void,
  options: { readonly subresource?: 'status'; readonly maxRetries?: number } = {},
): Promise<T> {
  const max = options.maxRetries ?? 16;
  for (let attempt = 0; ; attempt++) {
    const current = await client.get(type, ref.name, { namespace: ref.namespace });
    const next = produce(current, recipe);
    if (next === current) return current;
    try {
      return options.subresource === 'status' ? await client.updateStatus(type, next) : await client.update(type, next);
    } catch (err) {
      if (err instanceof StoreError && err.code === 'Conflict' && attempt + 1 < max) continue;
      throw err;
    }
  }
}

/**
 * A {@link Client} over an in-process {@link Store}: no serialization, objects are the
 * store's frozen objects.
 *
 * @example
 * ```ts
 * const client = new LocalClient(store);
 * const pods = await client.list(Pod, { namespace: 'default', labelSelector: 'app=web' });
 * ```
 * @public
 */
export class LocalClient implements Client {
  constructor(readonly store: Store) {}

  get<T extends KubeObject>(type: ResourceType<T>, name: string, options: { namespace?: string | undefined } = {}): Promise<T> {
    return this.store.get(type, name, options);
  }
  list<T extends KubeObject>(type: ResourceType<T>, options: ClientListOptions = {}): Promise<ListResult<T>> {
    return this.store.list(type, options);
  }
  create<T extends KubeObject>(type: ResourceType<T>, object: T, options: ClientWriteOptions & { namespace?: string } = {}): Promise<T> {
    return this.store.create(type, object, options);
  }
  update<T extends KubeObject>(type: ResourceType<T>, object: T, options: ClientWriteOptions = {}): Promise<T> {
    return this.store.update(type, object, options);
  }
  updateStatus<T extends KubeObject>(type: ResourceType<T>, object: T, options: ClientWriteOptions = {}): Promise<T> {
    return this.store.updateStatus(type, object, options);
  }
  patch<T extends KubeObject>(type: ResourceType<T>, name: string, patch: Patch, options: ClientWriteOptions & { namespace?: string | undefined; subresource?: 'status' } = {}): Promise<T> {
    return this.store.patch(type, name, patch, options);
  }
  delete<T extends KubeObject>(type: ResourceType<T>, name: string, options: DeleteOptions & { namespace?: string | undefined } = {}): Promise<T> {
    return this.store.delete(type, name, options);
  }
  watch<T extends KubeObject>(type: ResourceType<T>, options: ClientWatchOptions = {}): Observable<WatchEvent<T>> {
    return this.store.watch(type, options);
  }
  async bindPod(ref: ObjectRef & { readonly uid?: string }, nodeName: string): Promise<void> {
    await this.store.bindPod(ref, nodeName);
  }
}
