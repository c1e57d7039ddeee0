/**
 * Kubernetes' `slowStartBatch`: run a call `count` times in batches of 1, 2, 4, … at once,
 * stopping after the first batch with a failure, so that a call that fails (quota, an invalid
 * template) fails once rather than `count` times.
 *
 * @packageDocumentation
 */

/** The outcome of {@link slowStartBatch}. @public */
export interface SlowStartResult {
  /** Calls that succeeded. */
  readonly succeeded: number;
  /** Calls never made because an earlier batch failed. */
  readonly skipped: number;
  /** Every error of the batch that failed (empty when all succeeded). */
  readonly errors: readonly unknown[];
}

/**
 * Run `fn` `count` times in doubling batches starting at `initialBatchSize`.
 *
 * Guarantees: calls within a batch run concurrently; a batch starts only after every call of
 * the previous one succeeded; `succeeded + skipped + errors.length === count`.
 *
 * @example
 * ```ts
 * const { succeeded, errors } = await slowStartBatch(5, 1, () => client.create(Pod, podFromTemplate()));
 * ```
 * @public
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: (index: number) => Promise<unknown>): Promise<SlowStartResult> {
  let remaining = count;
  let succeeded = 0;
  let index = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    const errors: unknown[] = [];
    for (const r of results) {
      if (r.status === 'fulfilled') succeeded++;
      else errors.push(r.reason);
    }
    remaining -= batch;
    if (errors.length > 0) return { succeeded, skipped: remaining, errors };
  }
  return { succeeded, skipped: 0, errors: [] };
}
