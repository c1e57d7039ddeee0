import { Observable, Subject } from 'rxjs';
import type { KubeObjectLike, ListResult, ListWatcher, WatchEvent } from '../client/watch-types.js';
import { KubekitError } from '../util/errors.js';
import type { Clock, TimerHandle } from './clock-types.js';
import { type Cache, CacheWriter, type IndexFunc, objectKey } from './cache.js';

/**
 * Whether `err` says the requested revision or continue token is gone (Kubernetes' 410 Gone):
 * any `Error` whose `code` is `'Expired'`. The informer answers it with a relist.
 *
 * @public
 */
export function isExpired(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'Expired';
}

/**
 * Why an informer call failed. `Stopped`: the informer was stopped (before it synced, for
 * `synced`), or `start` was called on a stopped informer.
 *
 * @public
 */
export type InformerErrorCode = 'Stopped';

/** @public */
export class InformerError extends KubekitError {
  declare readonly code: InformerErrorCode;
  constructor(code: InformerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * One change of the informer's cache, in the order the cache went through them.
 *
 * - `add`: a key appeared. `isInInitialList` is true for the first list's objects and for the
 *   synthetic adds a late subscriber gets for the cache's current content.
 * - `update`: the object under a key changed (`old` is the previous state). On resync,
 *   `old === object`.
 * - `delete`: a key disappeared. `tombstone: true` means the deletion itself was not seen (it
 *   happened while no watch was open, found by a relist, or the key was recreated with another
 *   uid): `object` is the last known state, not the final one — client-go's
 *   `DeletedFinalStateUnknown`.
 * - `synced`: the first full list is in the cache (sent once per subscriber).
 *
 * Objects are shared and frozen: handlers must not mutate them.
 *
 * @public
 */
export type InformerEvent<T> =
  | { readonly type: 'add'; readonly object: T; readonly isInInitialList: boolean }
  | { readonly type: 'update'; readonly object: T; readonly old: T }
  | { readonly type: 'delete'; readonly object: T; readonly tombstone: boolean }
  | { readonly type: 'synced' };

/**
 * Callbacks for {@link Informer.addHandler}; all optional. A handler that throws is logged and
 * does not stop the informer or other handlers. Handlers must not mutate the objects.
 *
 * @public
 */
export interface InformerHandler<T> {
  onAdd?(object: T, isInInitialList: boolean): void;
  onUpdate?(old: T, object: T): void;
  onDelete?(object: T, tombstone: boolean): void;
  onSynced?(): void;
}

/** Where an informer reports what it does. @public */
export interface InformerLogger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * Retry delays after failures: the n-th consecutive failure waits
 * `min(maxMs, initialMs * factor^(n-1))`, spread by ±`jitter/2` using `random()`.
 *
 * @public
 */
export interface BackoffOptions {
  /** Default 800 (client-go's reflector). */
  readonly initialMs?: number;
  /** Default 30 000. */
  readonly maxMs?: number;
  /** Default 2. */
  readonly factor?: number;
  /** Fraction of the delay to spread over, 0…1; default 0.5 (±25 %). */
  readonly jitter?: number;
  /** Source of randomness in [0, 1); default `Math.random`. Pass `() => 0.5` for exact delays. */
  readonly random?: () => number;
}

/** @public */
export interface InformerOptions<T> {
  /** The list and watch calls for one kind in one scope. */
  readonly listWatcher: ListWatcher<T>;
  /** All waiting (backoff, resync, watch silence) goes through it. */
  readonly clock: Clock;
  /** Re-deliver every cached object as an update (old === new) this often; 0 or absent: never. */
  readonly resyncPeriodMs?: number;
  /** A watch that delivers nothing (not even a bookmark) for this long is re-established. Default 300 000. */
  readonly watchTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  /** List in pages of this many objects (limit/continue); absent: one request. */
  readonly pageSize?: number;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Secondary indexes of the cache, by name (`"namespace"` is built in). */
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  readonly logger?: InformerLogger;
  /** A name for logs (e.g. "v1/pods"). */
  readonly name?: string;
}

type Delta<T> =
  | { readonly kind: 'event'; readonly event: WatchEvent<T> }
  | { readonly kind: 'replace'; readonly items: readonly T[]; readonly resourceVersion: string }
  | { readonly kind: 'resync' };

interface WatchOutcome {
  readonly ended: 'completed' | 'silent' | 'error' | 'aborted';
  readonly error?: unknown;
  readonly events: number;
  readonly durationMs: number;
}

const noopLogger: InformerLogger = { debug: () => {}, warn: () => {}, error: () => {} };

/** A watch that ended after being open at least this long counts as healthy even without events. */
const HEALTHY_WATCH_MS = 1_000;

/**
 * Keeps a local, indexed cache of one kind in one scope in step with the store, and tells
 * handlers about every change: list, then watch from the list's revision, and recover from
 * every failure (client-go's Reflector + DeltaFIFO + sharedIndexInformer, kube-rs' watcher +
 * reflector).
 *
 * How it runs: list (in pages when `pageSize` is set; an expired continue token falls back to
 * one full list), then watch from the list's resourceVersion with bookmarks, remembering the
 * last revision seen. A watch that completes, errors, or stays silent past `watchTimeoutMs` is
 * re-opened from that revision (after a backoff when it failed or was unhealthy). An `Expired`
 * error (history compacted) triggers a relist, diffed against the cache: objects that vanished
 * are delivered as `delete` with `tombstone: true`, new ones as `add`, changed revisions as
 * `update`, unchanged ones not at all.
 *
 * Guarantees:
 * - Only `stop()` (or the start signal) ends the informer; list and watch errors never do.
 * - Per key, every subscriber sees a consistent sequence: `add`, then `update`s, then
 *   `delete`; no `update` before `add`, no second `add` without a `delete` in between, no lost
 *   deletes (a missed one arrives as a tombstone on relist). A key recreated with another uid
 *   while no watch was open arrives as `delete(old, tombstone)` then `add(new)`, never `update`.
 * - Events go out in order, one at a time: a handler that writes (and so causes new events
 *   synchronously) sees them after the current one has reached every subscriber.
 * - When an event is delivered, {@link Informer.cache} already reflects it.
 * - A watch event whose resourceVersion equals the cached one is not delivered again.
 * - After `stop()` resolves, the informer holds no timers, watch subscriptions or listeners.
 *
 * Caveats: objects are shared and frozen; handlers must not mutate them. Resync re-delivers
 * from the cache; it does not contact the server. A subscriber of `events$` that throws is
 * reported by rxjs as an unhandled error; use `addHandler` (which catches and logs) for
 * callbacks that may throw. A ListWatcher whose list reports resourceVersion `""` or `"0"`
 * cannot be resumed exactly (a watch reads those as "any"), so a store must report its real
 * revision even when empty (etcd starts at 1; so does the fake).
 *
 * @example
 * ```ts
 * const pods = new Informer<Pod>({ listWatcher: client.listWatcher(podKind, 'default'), clock });
 * pods.addHandler({ onAdd: (p) => queue.add(objectKey(p)), onUpdate: (_, p) => queue.add(objectKey(p)) });
 * pods.start(signal);
 * await pods.synced;
 * pods.cache.getByName('default', 'web-0');
 * ```
 * @public
 */
export class Informer<T extends KubeObjectLike> {
  /** The read-only, indexed cache this informer keeps. */
  readonly cache: Cache<T>;
  /**
   * Every change, as a hot stream. A new subscriber first gets a synthetic `add` for each
   * cached object and `synced` if the informer has synced, then live events; the stream
   * completes on `stop()`.
   */
  readonly events$: Observable<InformerEvent<T>>;
  /** Resolves once the first list is in the cache; rejects with `Stopped` if stopped first. */
  readonly synced: Promise<void>;

  readonly #options: InformerOptions<T>;
  readonly #clock: Clock;
  readonly #logger: InformerLogger;
  readonly #writer: CacheWriter<T>;
  readonly #subject = new Subject<InformerEvent<T>>();
  readonly #abort = new AbortController();
  #state: 'new' | 'running' | 'stopped' = 'new';
  #hasSynced = false;
  #resolveSynced: () => void = () => {};
  #rejectSynced: (err: unknown) => void = () => {};
  #lastRV = '';
  #queue: Delta<T>[] = [];
  #draining = false;
  #resyncTimer: TimerHandle | undefined;
  #loop: Promise<void> | undefined;
  #externalSignal: AbortSignal | undefined;
  readonly #onExternalAbort = (): void => {
    void this.stop();
  };

  constructor(options: InformerOptions<T>) {
    this.#options = options;
    this.#clock = options.clock;
    this.#logger = options.logger ?? noopLogger;
    this.#writer = new CacheWriter<T>(options.indexers ?? {});
    this.cache = this.#writer.reader;
    this.synced = new Promise<void>((resolve, reject) => {
      this.#resolveSynced = resolve;
      this.#rejectSynced = reject;
    });
    // Nobody has to await `synced`: keep an unobserved rejection from crashing the process.
    this.synced.catch(() => {});
    this.events$ = new Observable<InformerEvent<T>>((subscriber) => {
      for (const object of this.#writer.reader.list()) {
        if (subscriber.closed) return undefined;
        subscriber.next({ type: 'add', object, isInInitialList: true });
      }
      if (this.#hasSynced && !subscriber.closed) subscriber.next({ type: 'synced' });
      return this.#subject.subscribe(subscriber);
    });
  }

  /** Whether the first list has reached the cache. */
  hasSynced(): boolean {
    return this.#hasSynced;
  }

  /** The resourceVersion of the last list, watch event or bookmark applied ("" before any). */
  lastSyncResourceVersion(): string {
    return this.#lastRV;
  }

  /**
   * Adds a secondary index to the cache, built at once from the current content.
   * Re-adding the same function under the same name is a no-op.
   * Errors: `CacheError` `DuplicateIndex` when the name is taken by another function.
   */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.#writer.addIndexer(name, fn);
  }

  /**
   * Calls `handler` for every change. A handler added after objects are cached first gets an
   * `onAdd(obj, true)` for each of them (and `onSynced` if already synced), as client-go does.
   * Returns a function that removes the handler.
   *
   * @example
   * ```ts
   * const remove = informer.addHandler({ onDelete: (pod, tombstone) => release(pod) });
   * remove();
   * ```
   */
  addHandler(handler: InformerHandler<T>): () => void {
    const sub = this.events$.subscribe((ev) => {
      try {
        switch (ev.type) {
          case 'add':
            handler.onAdd?.(ev.object, ev.isInInitialList);
            break;
          case 'update':
            handler.onUpdate?.(ev.old, ev.object);
            break;
          case 'delete':
            handler.onDelete?.(ev.object, ev.tombstone);
            break;
          case 'synced':
            handler.onSynced?.();
            break;
        }
      } catch (err) {
        this.#logger.error('informer handler threw; the event was skipped for this handler', {
          informer: this.#options.name,
          event: ev.type,
          error: err,
        });
      }
    });
    return () => sub.unsubscribe();
  }

  /**
   * Starts listing and watching in the background. Calling it again while running is a no-op.
   * `signal` aborting stops the informer as `stop()` does.
   * Errors: `InformerError` `Stopped` when the informer was stopped (create a new one).
   */
  start(signal?: AbortSignal): void {
    if (this.#state === 'running') return;
    if (this.#state === 'stopped') {
      throw new InformerError('Stopped', 'This informer was stopped and cannot restart; create a new Informer.');
    }
    this.#state = 'running';
    if (signal !== undefined) {
      if (signal.aborted) {
        void this.stop();
        return;
      }
      this.#externalSignal = signal;
      signal.addEventListener('abort', this.#onExternalAbort, { once: true });
    }
    this.#scheduleResync();
    this.#loop = this.#run(this.#abort.signal).catch((err: unknown) => {
      this.#logger.error('informer loop failed unexpectedly', { informer: this.#options.name, error: err });
    });
  }

  /**
   * Stops the informer: closes the watch, cancels timers, completes `events$` (removing every
   * handler), and rejects `synced` if it had not resolved. Resolves when the background loop has
   * exited. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.#state !== 'stopped') {
      this.#state = 'stopped';
      this.#abort.abort(new InformerError('Stopped', 'The informer was stopped.'));
      this.#externalSignal?.removeEventListener('abort', this.#onExternalAbort);
      this.#externalSignal = undefined;
      if (this.#resyncTimer !== undefined) this.#clock.clearTimeout(this.#resyncTimer);
      this.#resyncTimer = undefined;
      this.#queue = [];
      if (!this.#hasSynced) {
        this.#rejectSynced(new InformerError('Stopped', 'The informer was stopped before its cache synced.'));
      }
      this.#subject.complete();
    }
    await this.#loop;
  }

  // ------------------------------------------------------------------------------------------
  // The list/watch loop (the reflector)
  // ------------------------------------------------------------------------------------------

  async #run(signal: AbortSignal): Promise<void> {
    let needList = true;
    let failures = 0;
    while (!signal.aborted) {
      let failure: unknown;
      let healthy = false;
      const listed = needList;
      if (needList) {
        try {
          await this.#listAll(signal);
          needList = false;
        } catch (err) {
          failure = err;
        }
      }
      if (signal.aborted) break;
      if (!needList) {
        const outcome = await this.#watchOnce(signal);
        if (outcome.ended === 'aborted') break;
        healthy = outcome.ended === 'silent' || outcome.events > 0 || outcome.durationMs >= HEALTHY_WATCH_MS;
        if (outcome.ended === 'error') {
          failure = outcome.error;
          if (isExpired(outcome.error)) needList = true;
        }
        if (outcome.ended === 'silent') {
          this.#logger.warn('watch was silent for too long; re-opening it', {
            informer: this.#options.name,
            resourceVersion: this.#lastRV,
          });
        }
      }
      if (failure !== undefined) {
        this.#logger.warn(isExpired(failure) ? 'resourceVersion expired; relisting' : 'list/watch failed; retrying', {
          informer: this.#options.name,
          resourceVersion: this.#lastRV,
          error: failure,
        });
      }
      if (healthy) failures = 0;
      // Routine, so go again at once: a healthy watch that ended normally or expired, or a
      // resumed watch that found its revision compacted. (Expired right after a fresh list is
      // not: relisting at once could spin.)
      const routine =
        (healthy && (failure === undefined || isExpired(failure))) || (!listed && isExpired(failure));
      if (routine) continue;
      failures++;
      try {
        await this.#clock.sleep(this.#backoffMs(failures), signal);
      } catch {
        break;
      }
    }
  }

  #backoffMs(failures: number): number {
    const b = this.#options.backoff ?? {};
    const initial = b.initialMs ?? 800;
    const max = b.maxMs ?? 30_000;
    const factor = b.factor ?? 2;
    const jitter = Math.min(1, Math.max(0, b.jitter ?? 0.5));
    const random = b.random ?? Math.random;
    const base = Math.min(max, initial * factor ** Math.min(failures - 1, 64));
    return Math.max(0, base * (1 + jitter * (random() - 0.5)));
  }

  async #listAll(signal: AbortSignal): Promise<void> {
    const lw = this.#options.listWatcher;
    const selectors = {
      ...(this.#options.labelSelector !== undefined ? { labelSelector: this.#options.labelSelector } : {}),
      ...(this.#options.fieldSelector !== undefined ? { fieldSelector: this.#options.fieldSelector } : {}),
    };
    const pageSize = this.#options.pageSize;
    let result: { items: readonly T[]; resourceVersion: string };
    if (pageSize === undefined || pageSize <= 0) {
      result = await abortable(lw.list(selectors), signal);
    } else {
      const items: T[] = [];
      let resourceVersion = '';
      let cont: string | undefined;
      try {
        do {
          const page: ListResult<T> = await abortable(
            lw.list({ ...selectors, limit: pageSize, ...(cont !== undefined ? { continue: cont } : {}) }),
            signal,
          );
          for (const item of page.items) items.push(item);
          resourceVersion = page.resourceVersion;
          cont = page.continue || undefined;
        } while (cont !== undefined);
        result = { items, resourceVersion };
      } catch (err) {
        if (!(isExpired(err) && cont !== undefined)) throw err;
        this.#logger.warn('continue token expired while paging; listing everything in one request', {
          informer: this.#options.name,
        });
        result = await abortable(lw.list(selectors), signal);
      }
    }
    if (signal.aborted) return;
    this.#enqueue({ kind: 'replace', items: result.items, resourceVersion: result.resourceVersion });
  }

  #watchOnce(signal: AbortSignal): Promise<WatchOutcome> {
    return new Promise<WatchOutcome>((resolve) => {
      const clock = this.#clock;
      const timeoutMs = this.#options.watchTimeoutMs ?? 300_000;
      const started = clock.now();
      let lastActivity = started;
      let events = 0;
      let done = false;
      let timer: TimerHandle | undefined;
      let unsubscribe: (() => void) | undefined;
      const finish = (ended: WatchOutcome['ended'], error?: unknown): void => {
        if (done) return;
        done = true;
        if (timer !== undefined) clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        unsubscribe?.();
        resolve({ ended, error, events, durationMs: clock.now() - started });
      };
      const onAbort = (): void => finish('aborted');
      // One timer per silence window: events only move `lastActivity`; the timer re-arms itself.
      const arm = (ms: number): void => {
        timer = clock.setTimeout(() => {
          timer = undefined;
          const idle = clock.now() - lastActivity;
          if (idle >= timeoutMs) finish('silent');
          else arm(timeoutMs - idle);
        }, ms);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      arm(timeoutMs);
      try {
        const sub = this.#options.listWatcher
          .watch({
            resourceVersion: this.#lastRV,
            allowBookmarks: true,
            ...(this.#options.labelSelector !== undefined ? { labelSelector: this.#options.labelSelector } : {}),
            ...(this.#options.fieldSelector !== undefined ? { fieldSelector: this.#options.fieldSelector } : {}),
          })
          .subscribe({
            next: (event) => {
              if (done) return;
              events++;
              lastActivity = clock.now();
              this.#enqueue({ kind: 'event', event });
            },
            error: (err: unknown) => finish('error', err),
            complete: () => finish('completed'),
          });
        if (done) sub.unsubscribe();
        else unsubscribe = () => sub.unsubscribe();
      } catch (err) {
        finish('error', err);
      }
    });
  }

  #scheduleResync(): void {
    const period = this.#options.resyncPeriodMs ?? 0;
    if (!(period > 0) || this.#state !== 'running') return;
    this.#resyncTimer = this.#clock.setTimeout(() => {
      this.#resyncTimer = undefined;
      if (this.#state !== 'running') return;
      if (this.#hasSynced) this.#enqueue({ kind: 'resync' });
      this.#scheduleResync();
    }, period);
  }

  // ------------------------------------------------------------------------------------------
  // Applying changes to the cache and delivering them (the DeltaFIFO + processor)
  // ------------------------------------------------------------------------------------------

  #enqueue(delta: Delta<T>): void {
    if (this.#state !== 'running') return;
    this.#queue.push(delta);
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let i = 0; i < this.#queue.length; i++) {
        const next = this.#queue[i];
        if (next === undefined) continue;
        try {
          this.#apply(next);
        } catch (err) {
          this.#logger.error('informer failed to apply a change', { informer: this.#options.name, error: err });
        }
      }
    } finally {
      this.#queue = [];
      this.#draining = false;
    }
  }

  #apply(delta: Delta<T>): void {
    switch (delta.kind) {
      case 'event': {
        const ev = delta.event;
        if (ev.type === 'BOOKMARK') {
          if (ev.resourceVersion) this.#lastRV = ev.resourceVersion;
          return;
        }
        const obj = ev.object;
        const key = objectKey(obj);
        const old = this.#writer.reader.get(key);
        if (ev.type === 'DELETED') {
          if (old !== undefined) {
            this.#writer.delete(key);
            // A different uid: the cached incarnation's deletion was missed; this object was never added.
            if (differentUid(old, obj)) this.#emit({ type: 'delete', object: old, tombstone: true });
            else this.#emit({ type: 'delete', object: obj, tombstone: false });
          }
        } else {
          this.#upsert(key, old, obj, false);
        }
        const rv = obj.metadata.resourceVersion;
        if (rv) this.#lastRV = rv;
        return;
      }
      case 'replace': {
        const incoming = new Map<string, T>();
        for (const obj of delta.items) incoming.set(objectKey(obj), obj);
        for (const key of this.#writer.reader.keys()) {
          if (incoming.has(key)) continue;
          const old = this.#writer.delete(key);
          if (old !== undefined) this.#emit({ type: 'delete', object: old, tombstone: true });
        }
        const initial = !this.#hasSynced;
        for (const [key, obj] of incoming) this.#upsert(key, this.#writer.reader.get(key), obj, initial);
        this.#lastRV = delta.resourceVersion;
        if (!this.#hasSynced) {
          this.#hasSynced = true;
          this.#resolveSynced();
          this.#emit({ type: 'synced' });
        }
        return;
      }
      case 'resync': {
        for (const obj of this.#writer.reader.list()) this.#emit({ type: 'update', object: obj, old: obj });
        return;
      }
    }
  }

  #upsert(key: string, old: T | undefined, obj: T, isInInitialList: boolean): void {
    if (old === undefined) {
      this.#writer.set(obj);
      this.#emit({ type: 'add', object: obj, isInInitialList });
    } else if (differentUid(old, obj)) {
      this.#writer.delete(key);
      this.#emit({ type: 'delete', object: old, tombstone: true });
      this.#writer.set(obj);
      this.#emit({ type: 'add', object: obj, isInInitialList });
    } else if (old.metadata.resourceVersion === undefined || old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      this.#writer.set(obj);
      this.#emit({ type: 'update', object: obj, old });
    }
  }

  #emit(event: InformerEvent<T>): void {
    this.#subject.next(event);
  }
}

function differentUid(a: KubeObjectLike, b: KubeObjectLike): boolean {
  const ua = a.metadata.uid;
  const ub = b.metadata.uid;
  return ua !== undefined && ub !== undefined && ua !== ub;
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts. */
function abortable<V>(promise: Promise<V>, signal: AbortSignal): Promise<V> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<V>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
