import { Subscription } from 'rxjs';
import type { SchedulerAction, SchedulerLike } from 'rxjs';
import { KubekitError } from '../util/errors.js';
import type { Clock, TimerHandle } from './clock-types.js';

/**
 * Why a clock call failed.
 * - `InvalidArgument`: a negative or non-finite duration / step bound was passed.
 * - `HotLoop`: `FakeClock.runAll` (or `advance`) fired more timers than its bound allows,
 *   which almost always means a timer keeps rescheduling itself.
 *
 * @public
 */
export type ClockErrorCode = 'InvalidArgument' | 'HotLoop';

/** An error thrown by a {@link Clock} implementation. @public */
export class ClockError extends KubekitError {
  declare readonly code: ClockErrorCode;
  constructor(code: ClockErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The timer part of a {@link Clock}: what {@link clockScheduler} needs. @public */
export type TimerSource = Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;

/** The reason used when `sleep` is aborted by a signal that has no reason of its own. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** Shared `sleep` on top of any timer source. */
function sleepOn(clock: TimerSource, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(abortReason(signal as AbortSignal));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------
// rxjs scheduler over a Clock
// ---------------------------------------------------------------------------------------------

/** One scheduled rxjs action; rescheduling it (as `interval` does) replaces its pending timer. */
class ClockAction<T> extends Subscription implements SchedulerAction<T> {
  private handle: TimerHandle | undefined;
  private state: T | undefined;

  constructor(
    private readonly clock: TimerSource,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.state = state;
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    const ms = Number.isFinite(delay) && delay > 0 ? delay : 0;
    this.handle = this.clock.setTimeout(() => this.run(), ms);
    return this;
  }

  private run(): void {
    this.handle = undefined;
    if (this.closed) return;
    try {
      this.work.call(this, this.state);
    } catch (err) {
      // Same contract as rxjs' own async actions: a throwing action is torn down, and the error
      // surfaces from the timer callback.
      this.unsubscribe();
      throw err;
    }
  }

  override unsubscribe(): void {
    if (this.closed) return;
    if (this.handle !== undefined) {
      this.clock.clearTimeout(this.handle);
      this.handle = undefined;
    }
    this.state = undefined;
    super.unsubscribe();
  }
}

class ClockScheduler implements SchedulerLike {
  constructor(private readonly clock: TimerSource) {}

  now(): number {
    return this.clock.now();
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new ClockAction<T>(this.clock, work).schedule(state, delay);
  }
}

/**
 * An rxjs `SchedulerLike` whose time and timers come from `clock`.
 *
 * Pass it to `timer`, `interval`, `delay`, `debounceTime`, `throttleTime`, … so those operators
 * follow the clock: on a {@link FakeClock} they fire only when the test advances time.
 *
 * Guarantees: every scheduled action holds at most one clock timer; unsubscribing clears it.
 * Caveats: a zero delay is still a timer, so on a FakeClock it fires on `advance(0)`, not
 * synchronously.
 *
 * @example
 * ```ts
 * const clock = new FakeClock();
 * timer(1000, clockScheduler(clock)).subscribe(() => console.log('tick'));
 * clock.advance(1000); // logs "tick"
 * ```
 * @public
 */
export function clockScheduler(clock: TimerSource): SchedulerLike {
  return new ClockScheduler(clock);
}

// ---------------------------------------------------------------------------------------------
// RealClock
// ---------------------------------------------------------------------------------------------

/**
 * The wall clock: `Date.now()` and Node timers. The only place in kubekit that touches them.
 *
 * Guarantees: timers are ordinary (ref'd) Node timers, so a pending timer keeps the process
 * alive; every timer is cancellable with `clearTimeout`, and components clear theirs on stop.
 *
 * @example
 * ```ts
 * const clock = new RealClock();
 * await clock.sleep(100);
 * ```
 * @public
 */
export class RealClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** An rxjs scheduler on the wall clock. */
  readonly scheduler: SchedulerLike = clockScheduler(this);

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const timer = setTimeout(
      () => {
        this.timers.delete(id);
        fn();
      },
      Math.max(0, ms),
    );
    this.timers.set(id, timer);
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = this.timers.get(handle.id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(handle.id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** How many timers created by this clock have neither fired nor been cleared. */
  pendingTimers(): number {
    return this.timers.size;
  }
}

/** A process-wide RealClock, for defaults. @public */
export const realClock: RealClock = new RealClock();

// ---------------------------------------------------------------------------------------------
// FakeClock
// ---------------------------------------------------------------------------------------------

interface FakeTimer {
  readonly id: number;
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

function before(a: FakeTimer, b: FakeTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** A binary min-heap of timers ordered by (due time, creation order). */
class TimerHeap {
  private readonly items: FakeTimer[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): FakeTimer | undefined {
    return this.items[0];
  }

  push(t: FakeTimer): void {
    const a = this.items;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): FakeTimer | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

/** 2026-01-01T00:00:00Z, the default start of a FakeClock. */
const DEFAULT_FAKE_START = Date.UTC(2026, 0, 1, 0, 0, 0);

/** Let promise callbacks run: one macrotask turn drains the whole microtask queue. */
function flushMicrotasks(): Promise<void> {
  // setImmediate does not measure time; it only yields to pending promise callbacks.
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A virtual clock for tests: time moves only when the test calls `advance` / `runAll`.
 *
 * Guarantees:
 * - timers fire in due-time order; timers due at the same instant fire in creation order;
 * - timers created by a firing timer also fire within the same `advance` if they fall due
 *   within the window, and `now()` reads each timer's due time while it runs;
 * - after `advance(ms)` returns, `now()` is exactly the start time plus `ms`.
 *
 * Caveats: the synchronous `advance` / `runAll` do not let promise callbacks run between
 * timers; use `advanceAsync` / `runAllAsync` for promise-based code (they yield with
 * `setImmediate` between timers, which does not read time). A timer callback that throws
 * propagates out of `advance`, leaving `now()` at that timer's due time.
 *
 * Errors: `ClockError` `InvalidArgument` for negative or non-finite durations; `HotLoop` when
 * more timers fire than the step bound allows.
 *
 * @example
 * ```ts
 * const clock = new FakeClock();
 * const slept = clock.sleep(5_000);
 * clock.advance(5_000);
 * await slept;
 * ```
 * @public
 */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private nextSeq = 0;
  private readonly heap = new TimerHeap();
  /** Live timers by id; cleared timers are removed here and skipped lazily in the heap. */
  private readonly live = new Map<number, FakeTimer>();
  /** An rxjs scheduler on this fake clock. */
  readonly scheduler: SchedulerLike = clockScheduler(this);

  /** @param startMs - the initial `now()`, default 2026-01-01T00:00:00Z. */
  constructor(startMs: number = DEFAULT_FAKE_START) {
    if (!Number.isFinite(startMs)) {
      throw new ClockError('InvalidArgument', `FakeClock start time must be a finite number of ms, got ${startMs}.`);
    }
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: FakeTimer = { id: this.nextId++, at: this.current + delay, seq: this.nextSeq++, fn };
    this.heap.push(timer);
    this.live.set(timer.id, timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.live.delete(handle.id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** How many timers are scheduled and not yet fired or cleared. */
  pendingTimers(): number {
    return this.live.size;
  }

  /** The due time of the earliest pending timer, or `undefined` when none is pending. */
  nextTimerAt(): number | undefined {
    return this.peekLive()?.at;
  }

  /**
   * Move time forward by `ms`, firing every timer that falls due on the way, in order.
   * @param maxSteps - the most timers this call may fire before it throws `HotLoop`.
   * @returns the number of timers fired.
   */
  advance(ms: number, maxSteps = 1_000_000): number {
    const target = this.targetOf(ms);
    let fired = 0;
    for (let t = this.dueBy(target); t !== undefined; t = this.dueBy(target)) {
      this.checkSteps(++fired, maxSteps, 'advance');
      this.fire(t);
    }
    this.current = target;
    return fired;
  }

  /**
   * Fire timers, moving time to each one's due time, until none remain.
   * @param maxSteps - the most timers to fire before throwing `HotLoop` (default 10 000).
   * @returns the number of timers fired.
   */
  runAll(maxSteps = 10_000): number {
    let fired = 0;
    for (let t = this.dueBy(Infinity); t !== undefined; t = this.dueBy(Infinity)) {
      this.checkSteps(++fired, maxSteps, 'runAll');
      this.fire(t);
    }
    return fired;
  }

  /**
   * Like {@link FakeClock.advance}, but lets promise callbacks run before the first timer,
   * after each timer, and at the end, so async code driven by timers makes progress.
   */
  async advanceAsync(ms: number, maxSteps = 1_000_000): Promise<number> {
    const target = this.targetOf(ms);
    let fired = 0;
    await flushMicrotasks();
    for (let t = this.dueBy(target); t !== undefined; t = this.dueBy(target)) {
      this.checkSteps(++fired, maxSteps, 'advanceAsync');
      this.fire(t);
      await flushMicrotasks();
    }
    this.current = Math.max(this.current, target);
    await flushMicrotasks();
    return fired;
  }

  /** Like {@link FakeClock.runAll}, letting promise callbacks run between timers. */
  async runAllAsync(maxSteps = 10_000): Promise<number> {
    let fired = 0;
    await flushMicrotasks();
    for (let t = this.dueBy(Infinity); t !== undefined; t = this.dueBy(Infinity)) {
      this.checkSteps(++fired, maxSteps, 'runAllAsync');
      this.fire(t);
      await flushMicrotasks();
    }
    return fired;
  }

  private targetOf(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new ClockError('InvalidArgument', `FakeClock can only move forward by a finite, non-negative number of ms, got ${ms}.`);
    }
    return this.current + ms;
  }

  private checkSteps(fired: number, maxSteps: number, op: string): void {
    if (fired > maxSteps) {
      throw new ClockError(
        'HotLoop',
        `FakeClock.${op} fired more than ${maxSteps} timers (now ${new Date(this.current).toISOString()}); ` +
          'a timer probably reschedules itself forever. Fix the loop, or pass a larger maxSteps if the work is really that long.',
      );
    }
  }

  private peekLive(): FakeTimer | undefined {
    for (let t = this.heap.peek(); t !== undefined; t = this.heap.peek()) {
      if (this.live.get(t.id) === t) return t;
      this.heap.pop();
    }
    return undefined;
  }

  /** Remove and return the earliest live timer due at or before `target`. */
  private dueBy(target: number): FakeTimer | undefined {
    const t = this.peekLive();
    if (t === undefined || t.at > target) return undefined;
    this.heap.pop();
    this.live.delete(t.id);
    return t;
  }

  private fire(t: FakeTimer): void {
    if (t.at > this.current) this.current = t.at;
    t.fn();
  }
}
