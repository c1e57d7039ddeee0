import { deepFreeze } from '../store/objects.js';
import { Observable, type Subscriber } from 'rxjs';
import type {
  KubeObjectLike,
  ListOptions,
  ListResult,
  ListWatcher,
  WatchEvent,
  WatchOptions,
} from '../client/watch-types.js';
import { objectKey } from '../runtime/cache.js';
import { KubekitError } from '../util/errors.js';

/**
 * Errors of the fake list/watch. `Expired` is what a real store raises when a revision or a
 * continue token is older than its kept history (Kubernetes' 410 Gone); `AlreadyExists`,
 * `NotFound` and `UidMismatch` report misuse of the write methods; `Injected` is the error of
 * {@link FakeListWatcher.errorWatches} and {@link FakeListWatcher.failNextList}.
 *
 * @public
 */
export type FakeListWatchErrorCode = 'Expired' | 'AlreadyExists' | 'NotFound' | 'UidMismatch' | 'Injected';

/** @public */
export class FakeListWatchError extends KubekitError {
  declare readonly code: FakeListWatchErrorCode;
  constructor(code: FakeListWatchErrorCode, message: string) {
    super(code, message);
  }
}

interface HistoryEntry<T> {
  readonly rv: number;
  readonly event: WatchEvent<T>;
}

interface ActiveWatch<T> {
  readonly subscriber: Subscriber<WatchEvent<T>>;
  readonly bookmarks: boolean;
}

interface ListSnapshot<T> {
  readonly rv: number;
  readonly items: readonly T[];
}

/**
 * An in-memory {@link ListWatcher} for tests, with the faults real connections have.
 *
 * Behaves like one kind in one scope of a Kubernetes API server: `add`/`update`/`delete` bump a
 * single resourceVersion counter, set `metadata.resourceVersion` (and a `uid` when missing),
 * freeze the object, and deliver the change synchronously to every open watch. A history of
 * changes lets a watch resume from any revision not yet compacted; older → `Expired`.
 * Lists are consistent snapshots and paginate with `limit`/`continue`.
 *
 * Fault injection: {@link dropNext} (events lost on the wire), {@link closeWatches},
 * {@link errorWatches}, {@link expireWatches}, {@link expireNextWatch}, {@link expireNextList},
 * {@link failNextList}, {@link compact}.
 *
 * Caveats (documented limits): label/field selectors are ignored; list `resourceVersion` is
 * ignored (every list reads the latest state); `timeoutSeconds` is ignored.
 *
 * @example
 * ```ts
 * const fake = new FakeListWatcher<Pod>();
 * fake.add({ metadata: { namespace: 'default', name: 'a' } });
 * const informer = new Informer({ listWatcher: fake, clock });
 * fake.dropNext(1); fake.update(pod); fake.closeWatches(); // the informer resumes and catches up
 * ```
 * @public
 */
export class FakeListWatcher<T extends KubeObjectLike> implements ListWatcher<T> {
  /** Starts at 1 as etcd's revision does, so a list of an empty store never says "0" ("any"). */
  #rv = 1;
  #uidSeq = 0;
  #snapshotSeq = 0;
  /** Changes with revision > #compactedRv, in order. */
  #history: HistoryEntry<T>[] = [];
  #compactedRv = 1;
  readonly #items = new Map<string, T>();
  readonly #watches = new Set<ActiveWatch<T>>();
  readonly #snapshots = new Map<number, ListSnapshot<T>>();
  #drop = 0;
  #expireNextWatch = 0;
  #expireNextList = 0;
  #failNextList = 0;
  /** How many times `list` was called (every page counts). */
  listCalls = 0;
  /** How many times `watch` was subscribed. */
  watchCalls = 0;
  /** How many events were dropped by {@link dropNext}. */
  droppedEvents = 0;

  readonly #historyLimit: number | undefined;

  /** With `historyLimit`, history older than that many changes is compacted automatically. */
  constructor(options: { historyLimit?: number } = {}) {
    this.#historyLimit = options.historyLimit;
  }

  /** The current revision. */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  /** The current objects, as a fresh array sorted by key. */
  items(): T[] {
    return [...this.#items.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }

  /** The object under `key`, if any. */
  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** How many watches are open now. */
  get activeWatches(): number {
    return this.#watches.size;
  }

  /** Creates `obj` (gives it a uid when missing). Errors: `AlreadyExists`. */
  add(obj: T): T {
    const key = objectKey(obj);
    if (this.#items.has(key)) throw new FakeListWatchError('AlreadyExists', `${key} exists; update or delete it first.`);
    const uid = obj.metadata.uid ?? `uid-${++this.#uidSeq}`;
    return this.#write('ADDED', key, obj, uid);
  }

  /** Replaces the stored object with `obj` (keeps the stored uid). Errors: `NotFound`, `UidMismatch`. */
  update(obj: T): T {
    const key = objectKey(obj);
    const old = this.#items.get(key);
    if (old === undefined) throw new FakeListWatchError('NotFound', `${key} does not exist; add it first.`);
    if (obj.metadata.uid !== undefined && obj.metadata.uid !== old.metadata.uid) {
      throw new FakeListWatchError('UidMismatch', `${key} has another uid; delete and add to recreate it.`);
    }
    return this.#write('MODIFIED', key, obj, old.metadata.uid);
  }

  /** Deletes the object with `obj`'s key; returns its final state. Errors: `NotFound`. */
  delete(obj: T | string): T {
    const key = typeof obj === 'string' ? obj : objectKey(obj);
    const old = this.#items.get(key);
    if (old === undefined) throw new FakeListWatchError('NotFound', `${key} does not exist.`);
    return this.#write('DELETED', key, old, old.metadata.uid);
  }

  /**
   * Sends a BOOKMARK at the current revision to every watch that allowed bookmarks (none while
   * a {@link dropNext} budget is open: the stream is losing data, so it must not claim progress).
   */
  bookmark(): void {
    if (this.#drop > 0) return;
    for (const w of [...this.#watches]) {
      if (w.bookmarks) w.subscriber.next({ type: 'BOOKMARK', resourceVersion: String(this.#rv) });
    }
  }

  /**
   * The next `n` changes are lost on the wire: stored (and in the history), but delivered to no
   * open watch; after the n-th, the open watches fail with an `Injected` error, since a
   * connection that lost events cannot go on (TCP never skips the middle of a stream). A watch
   * resumed from the last revision its client saw gets the lost changes from the history.
   */
  dropNext(n: number): void {
    this.#drop += n;
  }

  /** Ends every open watch normally (complete), as a server-side timeout does. */
  closeWatches(): void {
    for (const w of [...this.#watches]) w.subscriber.complete();
  }

  /** Errors every open watch with a non-Expired error (a broken connection). */
  errorWatches(): void {
    for (const w of [...this.#watches]) {
      w.subscriber.error(new FakeListWatchError('Injected', 'injected watch failure: the connection broke.'));
    }
  }

  /** Errors every open watch with `Expired`. */
  expireWatches(): void {
    for (const w of [...this.#watches]) w.subscriber.error(this.#expired('the watch was expired by the test'));
  }

  /** The next `n` watch subscriptions fail at once with `Expired`. */
  expireNextWatch(n = 1): void {
    this.#expireNextWatch += n;
  }

  /** The next `n` list calls fail with `Expired` (as an expired continue token does). */
  expireNextList(n = 1): void {
    this.#expireNextList += n;
  }

  /** The next `n` list calls fail with a non-Expired error. */
  failNextList(n = 1): void {
    this.#failNextList += n;
  }

  /**
   * Forgets history up to revision `rv` (default: the current one): watches resuming from an
   * older revision, and continue tokens of older lists, fail with `Expired`. Open watches go on.
   */
  compact(rv: number = this.#rv): void {
    this.#compactedRv = Math.max(this.#compactedRv, Math.min(rv, this.#rv));
    this.#history = this.#history.filter((h) => h.rv > this.#compactedRv);
    for (const [id, snap] of this.#snapshots) if (snap.rv < this.#compactedRv) this.#snapshots.delete(id);
  }

  list(options: ListOptions): Promise<ListResult<T>> {
    this.listCalls++;
    try {
      return Promise.resolve(this.#list(options));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #list(options: ListOptions): ListResult<T> {
    if (this.#failNextList > 0) {
      this.#failNextList--;
      throw new FakeListWatchError('Injected', 'injected list failure: the server is unavailable.');
    }
    if (this.#expireNextList > 0) {
      this.#expireNextList--;
      throw this.#expired('the list was expired by the test');
    }
    let snap: ListSnapshot<T>;
    let offset = 0;
    let id: number;
    if (options.continue) {
      const m = /^(\d+):(\d+)$/.exec(options.continue);
      const found = m ? this.#snapshots.get(Number(m[1])) : undefined;
      if (m === null || found === undefined) throw this.#expired('the continue token is too old');
      snap = found;
      id = Number(m[1]);
      offset = Number(m[2]);
    } else {
      snap = { rv: this.#rv, items: this.items() };
      id = ++this.#snapshotSeq;
    }
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : Infinity;
    const items = snap.items.slice(offset, offset + limit);
    const next = offset + items.length;
    if (next < snap.items.length) {
      this.#snapshots.set(id, snap);
      return {
        items,
        resourceVersion: String(snap.rv),
        continue: `${id}:${next}`,
        remainingItemCount: snap.items.length - next,
      };
    }
    this.#snapshots.delete(id);
    return { items, resourceVersion: String(snap.rv) };
  }

  watch(options: WatchOptions): Observable<WatchEvent<T>> {
    return new Observable<WatchEvent<T>>((subscriber) => {
      this.watchCalls++;
      if (this.#expireNextWatch > 0) {
        this.#expireNextWatch--;
        subscriber.error(this.#expired('the watch was expired by the test'));
        return undefined;
      }
      const from = options.resourceVersion === undefined || options.resourceVersion === '' || options.resourceVersion === '0'
        ? undefined
        : Number(options.resourceVersion);
      if (from !== undefined && (!Number.isFinite(from) || from < this.#compactedRv)) {
        subscriber.error(this.#expired(`revision ${options.resourceVersion} is older than the kept history`));
        return undefined;
      }
      const w: ActiveWatch<T> = { subscriber, bookmarks: options.allowBookmarks === true };
      this.#watches.add(w);
      if (from === undefined) {
        for (const obj of this.items()) subscriber.next({ type: 'ADDED', object: obj });
      } else {
        for (const h of this.#history) if (h.rv > from && !subscriber.closed) subscriber.next(h.event);
      }
      return () => {
        this.#watches.delete(w);
      };
    });
  }

  #write(type: 'ADDED' | 'MODIFIED' | 'DELETED', key: string, obj: T, uid: string | undefined): T {
    const rv = ++this.#rv;
    const stored = deepFreeze({
      ...obj,
      metadata: { ...obj.metadata, uid, resourceVersion: String(rv) },
    });
    if (type === 'DELETED') this.#items.delete(key);
    else this.#items.set(key, stored);
    const event: WatchEvent<T> = { type, object: stored };
    this.#history.push({ rv, event });
    if (this.#historyLimit !== undefined && this.#history.length > this.#historyLimit) {
      this.compact(this.#history[this.#history.length - this.#historyLimit - 1]?.rv ?? 0);
    }
    if (this.#drop > 0) {
      this.#drop--;
      this.droppedEvents++;
      if (this.#drop === 0) {
        for (const w of [...this.#watches]) {
          w.subscriber.error(new FakeListWatchError('Injected', 'injected failure: the connection lost events and broke.'));
        }
      }
    } else {
      for (const w of [...this.#watches]) if (!w.subscriber.closed) w.subscriber.next(event);
    }
    return stored;
  }

  #expired(why: string): FakeListWatchError {
    return new FakeListWatchError('Expired', `${why}; relist to get the current state.`);
  }
}


