import type { Clock, TimerHandle } from './clock-types.js';
import { realClock } from './clock.js';
import { defaultControllerRateLimiter, stringKeyOf } from './rate-limiter.js';
import type { KeyOf, RateLimiter } from './rate-limiter.js';

export { WorkQueueError } from './rate-limiter.js';
export type { WorkQueueErrorCode } from './rate-limiter.js';

/** Count, total and maximum of a series of durations, in milliseconds. @public */
export interface DurationSummary {
  readonly count: number;
  readonly sumMs: number;
  readonly maxMs: number;
}

/**
 * A point-in-time view of a queue's metrics (client-go's workqueue metrics).
 * @public
 */
export interface WorkQueueMetrics {
  readonly name: string;
  /** Items waiting to be handed out, including ones re-added while being processed. */
  readonly depth: number;
  /** Total accepted `add`s (adds of an item already waiting are not counted). */
  readonly adds: number;
  /** Total `addAfter` / `addRateLimited` calls accepted (client-go counts retries there). */
  readonly retries: number;
  /** Items handed out and not yet `done`. */
  readonly processing: number;
  /** Items scheduled by `addAfter` whose delay has not elapsed. */
  readonly waiting: number;
  /** Time from add to hand-out, over all hand-outs. */
  readonly queueLatency: DurationSummary;
  /** Time from hand-out to `done`, over all completed items. */
  readonly workDuration: DurationSummary;
  /** Sum of the running times of the items being processed now. */
  readonly unfinishedWorkMs: number;
  /** Running time of the item that has been processing the longest (0 when idle). */
  readonly longestRunningProcessorMs: number;
}

/**
 * One metric observation, pushed to {@link WorkQueueOptions.onMetric} as it happens, so a
 * manager can feed prom-client (or anything else) without polling.
 * @public
 */
export type WorkQueueMetricEvent =
  | { readonly type: 'add'; readonly name: string; readonly depth: number }
  | { readonly type: 'get'; readonly name: string; readonly depth: number; readonly latencyMs: number }
  | { readonly type: 'done'; readonly name: string; readonly workMs: number }
  | { readonly type: 'retry'; readonly name: string };

/** Construction options of a {@link WorkQueue}. @public */
export interface WorkQueueOptions<K> {
  /** Source of time for `addAfter` and metrics. Default: the real clock. */
  readonly clock?: Clock;
  /** Name for metrics. Default `"workqueue"`. */
  readonly name?: string;
  /** Identity of an item. Default: the item itself, which must then be a string. */
  readonly keyOf?: KeyOf<K>;
  /** Used by `addRateLimited`. Default: {@link defaultControllerRateLimiter} on `clock`. */
  readonly rateLimiter?: RateLimiter<K>;
  /** Called synchronously on each metric observation; must not throw or call back into the queue. */
  readonly onMetric?: (event: WorkQueueMetricEvent) => void;
}

/** Constructor arguments of a {@link WorkQueue}: options are optional for string items; other items need `keyOf`. @public */
export type WorkQueueArgs<K> = [K] extends [string]
  ? [options?: WorkQueueOptions<K>]
  : [options: WorkQueueOptions<K> & { readonly keyOf: KeyOf<K> }];

/** Keys, in the queue's own terms, for debugging and tests. @public */
export interface WorkQueueState {
  /** Keys in hand-out order. */
  readonly queued: readonly string[];
  /** Keys added and not yet handed out (queued ones plus ones re-added while processing). */
  readonly dirty: readonly string[];
  /** Keys handed out and not yet done. */
  readonly processing: readonly string[];
  /** Keys waiting for an `addAfter` delay, with the time they become ready. */
  readonly waiting: readonly { readonly key: string; readonly readyAt: number }[];
}

/** A FIFO with O(1) amortised shift. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(value: T): void {
    this.items.push(value);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const value = this.items[this.head];
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return value;
  }

  toArray(): T[] {
    return this.items.slice(this.head);
  }
}

interface Waiting<K> {
  readonly item: K;
  readonly readyAt: number;
  readonly handle: TimerHandle;
}

interface MutableSummary {
  count: number;
  sumMs: number;
  maxMs: number;
}

function observe(s: MutableSummary, ms: number): void {
  s.count++;
  s.sumMs += ms;
  if (ms > s.maxMs) s.maxMs = ms;
}

/**
 * A rate-limited, delaying work queue with client-go's rules.
 *
 * Guarantees:
 * - **Stingy**: adding an item that is already waiting to be handed out does nothing, so an item
 *   added twice before processing is processed once.
 * - **Never concurrent**: an item handed out by `get` is not handed out again until `done`; if it
 *   is added while being processed, it is handed out again after `done`.
 * - **Fair**: items are handed out in the order they were first added; waiting `get` calls are
 *   served in the order they were made.
 * - `addAfter(item, ms)` adds the item once `ms` has passed on the clock; of several pending
 *   delays for one item the earliest wins.
 * - After `shutDown`, adds are ignored, pending delays are dropped, waiting `get`s resolve to
 *   `undefined`; items still queued are handed out to later `get`s, as in client-go, and `get`
 *   resolves `undefined` once the queue is empty.
 *
 * Caveats: `done` for an item that is not being processed is a no-op. The item value handed out
 * is the first one added under its key since the key was last handed out.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue<string>({ clock });
 * queue.add('default/web');
 * for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
 *   try {
 *     await reconcile(key);
 *     queue.forget(key);
 *   } catch {
 *     queue.addRateLimited(key);
 *   } finally {
 *     queue.done(key);
 *   }
 * }
 * ```
 * @public
 */
export class WorkQueue<K> {
  /** The name used in metrics. */
  readonly name: string;
  private readonly clock: Clock;
  private readonly keyOf: KeyOf<K>;
  private readonly rateLimiter: RateLimiter<K>;
  private readonly onMetric: ((event: WorkQueueMetricEvent) => void) | undefined;

  private readonly queue = new Fifo<string>();
  /** Added and not yet handed out: the item to hand out and when it was added (for latency). */
  private readonly dirty = new Map<string, { readonly item: K; readonly addedAt: number }>();
  /** Handed out and not yet done; the value is the hand-out time. */
  private readonly processing = new Map<string, number>();
  private readonly waiting = new Map<string, Waiting<K>>();
  private readonly getters = new Fifo<(item: K | undefined) => void>();
  private readonly drainers: (() => void)[] = [];
  private shutdownFlag = false;

  private adds = 0;
  private retries = 0;
  private readonly latency: MutableSummary = { count: 0, sumMs: 0, maxMs: 0 };
  private readonly work: MutableSummary = { count: 0, sumMs: 0, maxMs: 0 };

  constructor(...args: WorkQueueArgs<K>) {
    const options: WorkQueueOptions<K> = args[0] ?? {};
    this.name = options.name ?? 'workqueue';
    this.clock = options.clock ?? realClock;
    this.keyOf = options.keyOf ?? stringKeyOf;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<K>(this.clock, this.keyOf);
    this.onMetric = options.onMetric;
  }

  /** True once `shutDown` has been called. */
  get shuttingDown(): boolean {
    return this.shutdownFlag;
  }

  /** The number of items ready to be handed out now. */
  len(): number {
    return this.queue.length;
  }

  /**
   * Mark the item as needing processing. A no-op if it is already waiting to be handed out, or
   * if the queue is shutting down; if it is being processed it is handed out again after `done`.
   */
  add(item: K): void {
    if (this.shutdownFlag) return;
    const key = this.keyOf(item);
    if (this.dirty.has(key)) return;
    this.adds++;
    this.dirty.set(key, { item, addedAt: this.clock.now() });
    this.emit({ type: 'add', name: this.name, depth: this.dirty.size });
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.serveGetters();
  }

  /**
   * Resolve with the next item, waiting until one is available; the caller must call `done`
   * with it. Resolves `undefined` when the queue is shut down and empty.
   */
  get(): Promise<K | undefined> {
    if (this.queue.length > 0 || this.shutdownFlag) return Promise.resolve(this.tryGet());
    return new Promise<K | undefined>((resolve) => this.getters.push(resolve));
  }

  /** Hand out the next item now, or return `undefined` if none is ready. Same contract as `get`. */
  tryGet(): K | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    const entry = this.dirty.get(key) as { readonly item: K; readonly addedAt: number };
    this.dirty.delete(key);
    const now = this.clock.now();
    this.processing.set(key, now);
    const latencyMs = now - entry.addedAt;
    observe(this.latency, latencyMs);
    this.emit({ type: 'get', name: this.name, depth: this.dirty.size, latencyMs });
    return entry.item;
  }

  /** Mark the item's processing finished; if it was added meanwhile, queue it again. */
  done(item: K): void {
    const key = this.keyOf(item);
    const startedAt = this.processing.get(key);
    if (startedAt === undefined) return;
    this.processing.delete(key);
    const workMs = this.clock.now() - startedAt;
    observe(this.work, workMs);
    this.emit({ type: 'done', name: this.name, workMs });
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.serveGetters();
    }
    if (this.processing.size === 0 && this.drainers.length > 0) this.releaseDrainers();
  }

  /**
   * Add the item after `ms` on the clock (at once when `ms <= 0`). Of several pending delays
   * for one item, the earliest wins. Ignored while shutting down.
   */
  addAfter(item: K, ms: number): void {
    if (this.shutdownFlag) return;
    this.retries++;
    this.emit({ type: 'retry', name: this.name });
    if (!(ms > 0)) {
      this.add(item);
      return;
    }
    const key = this.keyOf(item);
    const readyAt = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing !== undefined) {
      if (existing.readyAt <= readyAt) return;
      this.clock.clearTimeout(existing.handle);
    }
    const handle = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(item);
    }, ms);
    this.waiting.set(key, { item, readyAt, handle });
  }

  /** Add the item after the delay its rate limiter gives (which records a retry). */
  addRateLimited(item: K): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Tell the rate limiter the item succeeded: its backoff starts over. */
  forget(item: K): void {
    this.rateLimiter.forget(item);
  }

  /** How many times the rate limiter has requeued the item since it was forgotten. */
  numRequeues(item: K): number {
    return this.rateLimiter.numRequeues(item);
  }

  /**
   * Stop accepting items: pending `addAfter` timers are cleared and waiting `get`s resolve
   * `undefined`. With `drain: true` the returned promise resolves once no item is being
   * processed (client-go's `ShutDownWithDrain`); otherwise at once. A later plain `shutDown`
   * releases a pending drain.
   */
  shutDown(options: { readonly drain?: boolean } = {}): Promise<void> {
    this.shutdownFlag = true;
    for (const w of this.waiting.values()) this.clock.clearTimeout(w.handle);
    this.waiting.clear();
    this.serveGetters();
    if (options.drain !== true) {
      this.releaseDrainers();
      return Promise.resolve();
    }
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.drainers.push(resolve));
  }

  /** A snapshot of the queue's metrics. */
  metrics(): WorkQueueMetrics {
    const now = this.clock.now();
    let unfinished = 0;
    let longest = 0;
    for (const start of this.processing.values()) {
      const running = now - start;
      unfinished += running;
      if (running > longest) longest = running;
    }
    return {
      name: this.name,
      depth: this.dirty.size,
      adds: this.adds,
      retries: this.retries,
      processing: this.processing.size,
      waiting: this.waiting.size,
      queueLatency: { ...this.latency },
      workDuration: { ...this.work },
      unfinishedWorkMs: unfinished,
      longestRunningProcessorMs: longest,
    };
  }

  /** True when nothing is queued and nothing is being processed (delayed items may wait). */
  idle(): boolean {
    return this.queue.length === 0 && this.processing.size === 0;
  }

  /** When the earliest delayed item (`addAfter`, `addRateLimited`) becomes ready; undefined when none waits. */
  nextReadyAt(): number | undefined {
    let min: number | undefined;
    for (const w of this.waiting.values()) if (min === undefined || w.readyAt < min) min = w.readyAt;
    return min;
  }

  /** The queue's internal sets, by key (a copy), for debugging and tests. */
  inspect(): WorkQueueState {
    return {
      queued: this.queue.toArray(),
      dirty: [...this.dirty.keys()],
      processing: [...this.processing.keys()],
      waiting: [...this.waiting].map(([key, w]) => ({ key, readyAt: w.readyAt })),
    };
  }

  /** Give ready items to waiting `get`s in order; after shutdown, release the rest empty. */
  private serveGetters(): void {
    while (this.getters.length > 0 && (this.queue.length > 0 || this.shutdownFlag)) {
      const resolve = this.getters.shift() as (item: K | undefined) => void;
      resolve(this.tryGet());
    }
  }

  private releaseDrainers(): void {
    for (const resolve of this.drainers.splice(0)) resolve();
  }

  private emit(event: WorkQueueMetricEvent): void {
    if (this.onMetric !== undefined) this.onMetric(event);
  }
}
