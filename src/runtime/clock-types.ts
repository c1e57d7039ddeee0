import type { SchedulerLike } from 'rxjs';

/** An opaque handle for a timer created by a {@link Clock}. @public */
export interface TimerHandle {
  readonly id: number;
}

/**
 * The source of all time in kubekit. Nothing outside a Clock implementation reads the wall
 * clock or creates a timer: components take a Clock so that tests run them on a FakeClock.
 *
 * @public
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Run `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancel a timer; cancelling a fired or unknown timer is a no-op. */
  clearTimeout(handle: TimerHandle): void;
  /** Resolve after `ms`; reject with the signal's reason if it aborts first (timer cleared). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** An rxjs scheduler that follows this clock, for `timer`, `delay`, `debounceTime`, … */
  readonly scheduler: SchedulerLike;
}
