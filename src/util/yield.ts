/**
 * Yield to the event loop's macrotask queue (I/O, other loops, timers), not a delay: a loop
 * of promise-only work (a controller whose reconciles trigger themselves) would otherwise
 * starve everything else on the process.
 *
 * @internal
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
