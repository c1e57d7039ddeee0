import { KubekitError } from '../util/errors.js';
import type { Clock } from './clock-types.js';

/**
 * Why a work-queue or rate-limiter call failed.
 * - `InvalidArgument`: a bad constructor argument (negative delay, zero qps, …) or an item
 *   that is not a string given to a queue / limiter built without a `keyOf`.
 *
 * @public
 */
export type WorkQueueErrorCode = 'InvalidArgument';

/** An error thrown by the work queue and its rate limiters. @public */
export class WorkQueueError extends KubekitError {
  declare readonly code: WorkQueueErrorCode;
  constructor(code: WorkQueueErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Maps an item to its identity: two items with the same key are the same work. @public */
export type KeyOf<K> = (item: K) => string;

/**
 * The default identity: the item itself when it is a string.
 * @internal
 */
export function stringKeyOf(item: unknown): string {
  if (typeof item === 'string') return item;
  throw new WorkQueueError(
    'InvalidArgument',
    `Work-queue items are identified by a string key, but got a ${typeof item}. ` +
      'Use string keys such as "namespace/name", or pass a keyOf function when constructing the queue or rate limiter.',
  );
}

function requireNonNegative(name: string, value: number): void {
  if (!(value >= 0) || Number.isNaN(value)) {
    throw new WorkQueueError('InvalidArgument', `${name} must be a non-negative number of milliseconds, got ${value}.`);
  }
}

/**
 * Decides how long an item waits before it is retried (client-go's `RateLimiter`).
 *
 * Contract: `when(item)` is called once per retry and records that retry; `forget(item)` clears
 * the item's history once it succeeds; `numRequeues(item)` reports the recorded retries.
 *
 * @public
 */
export interface RateLimiter<K> {
  /** Milliseconds to wait before the item may be processed again; records a retry. */
  when(item: K): number;
  /** Stop tracking the item: its next failure starts from the first delay again. */
  forget(item: K): void;
  /** How many times the item has been requeued since it was last forgotten. */
  numRequeues(item: K): number;
}

/**
 * Per-item exponential backoff: the n-th retry (from 0) waits `baseMs · 2^n`, capped at `maxMs`.
 *
 * With the defaults: 5 ms, 10 ms, 20 ms, … 655 360 ms, then 1 000 000 ms (1000 s) from the
 * 19th retry on.
 *
 * @example
 * ```ts
 * const limiter = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
 * limiter.when('ns/a'); // 5
 * limiter.when('ns/a'); // 10
 * ```
 * @public
 */
export class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<string, number>();

  constructor(
    readonly baseMs = 5,
    readonly maxMs = 1_000_000,
    private readonly keyOf: KeyOf<K> = stringKeyOf,
  ) {
    requireNonNegative('baseMs', baseMs);
    requireNonNegative('maxMs', maxMs);
  }

  when(item: K): number {
    const key = this.keyOf(item);
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    const backoff = this.baseMs * 2 ** exp;
    return Number.isFinite(backoff) && backoff <= this.maxMs ? backoff : this.maxMs;
  }

  forget(item: K): void {
    this.failures.delete(this.keyOf(item));
  }

  numRequeues(item: K): number {
    return this.failures.get(this.keyOf(item)) ?? 0;
  }
}

/**
 * Per-item fast-then-slow retries: the first `maxFastAttempts` retries wait `fastMs`, the rest
 * wait `slowMs`.
 * @public
 */
export class ItemFastSlowRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<string, number>();

  constructor(
    readonly fastMs: number,
    readonly slowMs: number,
    readonly maxFastAttempts: number,
    private readonly keyOf: KeyOf<K> = stringKeyOf,
  ) {
    requireNonNegative('fastMs', fastMs);
    requireNonNegative('slowMs', slowMs);
    if (!Number.isInteger(maxFastAttempts) || maxFastAttempts < 0) {
      throw new WorkQueueError('InvalidArgument', `maxFastAttempts must be a non-negative integer, got ${maxFastAttempts}.`);
    }
  }

  when(item: K): number {
    const key = this.keyOf(item);
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    return n <= this.maxFastAttempts ? this.fastMs : this.slowMs;
  }

  forget(item: K): void {
    this.failures.delete(this.keyOf(item));
  }

  numRequeues(item: K): number {
    return this.failures.get(this.keyOf(item)) ?? 0;
  }
}

/**
 * An overall token bucket shared by all items: `qps` tokens per second refill a bucket of
 * `burst`, which starts full. Each `when` reserves one token and returns the wait until that
 * token exists (the semantics of golang.org/x/time/rate `Reserve().Delay()`).
 *
 * It keeps no per-item state: `forget` does nothing and `numRequeues` is always 0.
 *
 * @example
 * ```ts
 * const bucket = new BucketRateLimiter<string>(clock, 10, 100);
 * // the first 100 calls return 0, the 101st returns 100 (ms), the 102nd 200, …
 * ```
 * @public
 */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  private tokens: number;
  private last: number | undefined;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    readonly qps = 10,
    readonly burst = 100,
  ) {
    if (!(qps > 0)) {
      throw new WorkQueueError('InvalidArgument', `qps must be positive (use Infinity for no limit), got ${qps}.`);
    }
    if (!Number.isInteger(burst) || burst < 1) {
      throw new WorkQueueError('InvalidArgument', `burst must be an integer of at least 1, got ${burst}.`);
    }
    this.tokens = burst;
  }

  when(_item: K): number {
    if (this.qps === Infinity) return 0;
    const now = this.clock.now();
    if (this.last !== undefined) {
      const elapsed = Math.max(0, now - this.last);
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.qps) / 1000);
    }
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    // Round away float noise below a nanosecond, as Go's Duration would.
    return Math.round((-this.tokens * 1000 * 1e6) / this.qps) / 1e6;
  }

  forget(_item: K): void {}

  numRequeues(_item: K): number {
    return 0;
  }
}

/**
 * Combines limiters: waits the longest of their delays; every limiter records every retry.
 * @public
 */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  readonly limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    if (limiters.length === 0) {
      throw new WorkQueueError('InvalidArgument', 'MaxOfRateLimiter needs at least one limiter.');
    }
    this.limiters = limiters;
  }

  when(item: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: K): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/**
 * The controller default (client-go's `DefaultControllerRateLimiter`): the larger of per-item
 * exponential backoff (5 ms doubling to 1000 s) and an overall 10 qps / burst 100 token bucket.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue<string>({ clock, rateLimiter: defaultControllerRateLimiter(clock) });
 * ```
 * @public
 */
export function defaultControllerRateLimiter<K>(clock: Pick<Clock, 'now'>, keyOf: KeyOf<K> = stringKeyOf): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(
    new ItemExponentialFailureRateLimiter<K>(5, 1_000_000, keyOf),
    new BucketRateLimiter<K>(clock, 10, 100),
  );
}
