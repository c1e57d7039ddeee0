import type { Observable } from 'rxjs';

/**
 * The metadata every stored object has, as far as generic machinery (informers, caches,
 * work queues) needs it. Generated kinds' `ObjectMeta` is assignable to it.
 *
 * @public
 */
export interface ObjectMetaLike {
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
  readonly generation?: number | undefined;
  readonly labels?: { readonly [key: string]: string } | undefined;
  readonly annotations?: { readonly [key: string]: string } | undefined;
  readonly deletionTimestamp?: string | undefined;
}

/** Anything with Kubernetes object metadata. @public */
export interface KubeObjectLike {
  readonly apiVersion?: string | undefined;
  readonly kind?: string | undefined;
  readonly metadata: ObjectMetaLike;
}

/**
 * One change seen by a watch, as Kubernetes sends it.
 *
 * - `ADDED` / `MODIFIED` / `DELETED` carry the object (for `DELETED`, its last state, with
 *   the resourceVersion of the deletion).
 * - `BOOKMARK` carries only a resourceVersion: every change up to it has been delivered.
 *
 * A watch that cannot continue (history compacted: Kubernetes' 410 Gone) errors its
 * Observable with a `StoreError` whose code is `Expired`; informers relist on it.
 *
 * @public
 */
export type WatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string };

/** @public */
export interface ListOptions {
  /** "" or absent: most recent; "0": any (served from cache); N: exactly at N. */
  readonly resourceVersion?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** A page of a list. @public */
export interface ListResult<T> {
  readonly items: readonly T[];
  /** The revision the list was read at; a watch from it sees exactly the later changes. */
  readonly resourceVersion: string;
  /** Present when more items remain: pass it back as `continue`. */
  readonly continue?: string | undefined;
  /** Approximate count of the remaining items when `continue` is set. */
  readonly remainingItemCount?: number | undefined;
}

/** @public */
export interface WatchOptions {
  /** Deliver changes strictly after this revision; absent or "0": current state as ADDED first. */
  readonly resourceVersion?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly allowBookmarks?: boolean;
  /** End the watch (complete) after this many seconds. */
  readonly timeoutSeconds?: number;
}

/**
 * The two calls an informer needs, for one kind in one scope. A Client gives one of these
 * per kind; tests build fakes of it (see `kubekit/testing`).
 *
 * @public
 */
export interface ListWatcher<T> {
  list(options: ListOptions): Promise<ListResult<T>>;
  watch(options: WatchOptions): Observable<WatchEvent<T>>;
}
