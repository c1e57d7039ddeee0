/**
 * A typed key into a {@link CycleState}. Create one per kind of data a plugin keeps between
 * its extension points (usually a module constant); `clone` copies the value when the state
 * is cloned (preemption's what-if runs), identity when absent (for immutable values).
 *
 * @example
 * ```ts
 * const fitKey = new StateKey<Resource>('NodeResourcesFit/preFilter', (r) => r.clone());
 * state.write(fitKey, requests);
 * const r = state.read(fitKey); // Resource | undefined
 * ```
 * @public
 */
export class StateKey<T> {
  constructor(
    readonly name: string,
    readonly clone: (value: T) => T = (v) => v,
  ) {}
}

/**
 * Data plugins share within one pod's scheduling cycle (and its binding cycle), by typed key.
 * A new CycleState is made per attempt; nothing survives between pods.
 *
 * @public
 */
export class CycleState {
  readonly #data = new Map<StateKey<unknown>, unknown>();
  /** Plugins whose Filter is skipped this cycle (they returned Skip from PreFilter). */
  readonly skipFilter = new Set<string>();
  /** Plugins whose Score is skipped this cycle (they returned Skip from PreScore). */
  readonly skipScore = new Set<string>();

  read<T>(key: StateKey<T>): T | undefined {
    return this.#data.get(key as StateKey<unknown>) as T | undefined;
  }
  write<T>(key: StateKey<T>, value: T): void {
    this.#data.set(key as StateKey<unknown>, value);
  }
  delete<T>(key: StateKey<T>): void {
    this.#data.delete(key as StateKey<unknown>);
  }
  /** A copy whose values are cloned with each key's `clone`. */
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.#data) c.#data.set(k, k.clone(v));
    for (const s of this.skipFilter) c.skipFilter.add(s);
    for (const s of this.skipScore) c.skipScore.add(s);
    return c;
  }
}
