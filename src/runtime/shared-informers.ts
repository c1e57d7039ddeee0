import type { KubeObjectLike, ListWatcher } from '../client/watch-types.js';
import type { Clock } from './clock-types.js';
import { type BackoffOptions, Informer, type InformerLogger, type InformerOptions } from './informer.js';

/** @public */
export interface SharedInformerFactoryOptions {
  /** The clock every informer of the factory runs on. */
  readonly clock: Clock;
  /** Resync period for informers whose first requester gave none; 0 or absent: no resync. */
  readonly defaultResyncPeriodMs?: number;
  readonly watchTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  readonly pageSize?: number;
  readonly logger?: InformerLogger;
}

/**
 * Per-informer options for {@link SharedInformerFactory.informerFor}. Only the first requester
 * of a key configures the informer; later requesters' `indexers` are added to it, and any
 * other differing option is logged and ignored.
 *
 * @public
 */
export type SharedInformerOptions<T> = Omit<InformerOptions<T>, 'listWatcher' | 'clock'>;

/**
 * Hands out one {@link Informer} — one list and one watch — per key, shared by every consumer
 * that asks for the same key (client-go's `SharedInformerFactory`).
 *
 * The key names what is watched, e.g. `"apps/v1/deployments|ns=default|labels=app=web"`: two
 * requests with the same key must describe the same list/watch. The factory does not know about
 * clients: `make` builds the {@link ListWatcher} the first time a key is asked for.
 *
 * Guarantees:
 * - one informer per key, however many consumers; `make` runs once per key;
 * - informers asked for after `start()` start at once, with the factory's signal;
 * - `stop()` stops every informer and resolves when all have exited.
 *
 * Caveats: the factory cannot check that two requesters agree on the object type `T` of a key.
 *
 * @example
 * ```ts
 * const factory = new SharedInformerFactory({ clock, defaultResyncPeriodMs: 0 });
 * const pods = factory.informerFor<Pod>('v1/pods', () => client.listWatcher(podKind));
 * pods.addHandler({ onAdd: (p) => queue.add(objectKey(p)) });
 * factory.start(signal);
 * await factory.waitForCacheSync(signal);
 * ```
 * @public
 */
export class SharedInformerFactory {
  readonly #options: SharedInformerFactoryOptions;
  readonly #informers = new Map<string, Informer<KubeObjectLike>>();
  #state: 'new' | 'running' | 'stopped' = 'new';
  #signal: AbortSignal | undefined;

  constructor(options: SharedInformerFactoryOptions) {
    this.#options = options;
  }

  /**
   * The shared informer for `key`, created (with `make()`'s ListWatcher) on first request.
   * Errors: `CacheError` `DuplicateIndex` when `options.indexers` names an index the informer
   * already has with a different function.
   */
  informerFor<T extends KubeObjectLike>(
    key: string,
    make: () => ListWatcher<T>,
    options: SharedInformerOptions<T> = {},
  ): Informer<T> {
    const existing = this.#informers.get(key) as Informer<T> | undefined;
    if (existing !== undefined) {
      for (const [name, fn] of Object.entries(options.indexers ?? {})) existing.addIndexer(name, fn);
      if (options.resyncPeriodMs !== undefined || options.pageSize !== undefined || options.labelSelector !== undefined) {
        this.#options.logger?.debug('shared informer already exists; only indexers of later requesters are applied', {
          key,
        });
      }
      return existing;
    }
    const o = this.#options;
    const informer = new Informer<T>({
      ...(o.defaultResyncPeriodMs !== undefined ? { resyncPeriodMs: o.defaultResyncPeriodMs } : {}),
      ...(o.watchTimeoutMs !== undefined ? { watchTimeoutMs: o.watchTimeoutMs } : {}),
      ...(o.backoff !== undefined ? { backoff: o.backoff } : {}),
      ...(o.pageSize !== undefined ? { pageSize: o.pageSize } : {}),
      ...(o.logger !== undefined ? { logger: o.logger } : {}),
      name: key,
      ...options,
      listWatcher: make(),
      clock: o.clock,
    });
    this.#informers.set(key, informer as unknown as Informer<KubeObjectLike>);
    if (this.#state === 'running') informer.start();
    else if (this.#state === 'stopped') void informer.stop();
    return informer;
  }

  /** The keys of the informers created so far. */
  keys(): string[] {
    return [...this.#informers.keys()];
  }

  /**
   * Starts every informer not yet started; later ones start on creation. `signal` aborting
   * stops them all. Calling it again while running is a no-op.
   */
  start(signal?: AbortSignal): void {
    if (this.#state !== 'new') return;
    this.#state = 'running';
    this.#signal = signal;
    // One listener for the whole factory (not one per informer: a manager may run dozens).
    if (signal !== undefined) {
      if (signal.aborted) {
        void this.stop();
        return;
      }
      signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
    for (const informer of this.#informers.values()) informer.start();
  }

  /**
   * Resolves `true` once every informer created so far has synced, `false` if the factory is
   * stopped, an informer stops, or `signal` aborts first.
   */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const all = Promise.all([...this.#informers.values()].map((i) => i.synced)).then(
      () => true,
      () => false,
    );
    if (signal === undefined) return all;
    if (signal.aborted) return false;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<boolean>((resolve) => {
      onAbort = () => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([all, aborted]);
    } finally {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    }
  }

  /** Stops every informer; resolves when all have exited. Idempotent. */
  async stop(): Promise<void> {
    this.#state = 'stopped';
    this.#signal = undefined;
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
  }
}
