import type { Labels } from '../../api/labels.js';

/** Read access to {@link TopologyCounts}. @public */
export interface ReadonlyTopologyCounts {
  readonly empty: boolean;
  get(key: string, value: string): number;
  /** The topology keys with at least one non-zero count. */
  keys(): Iterable<string>;
}

/**
 * Pod counts per topology domain: topology key → value → count. Zero entries are dropped, so
 * `empty` means "no domain counted". Counts may go negative when used as a delta.
 *
 * @public
 */
export class TopologyCounts implements ReadonlyTopologyCounts {
  readonly #m = new Map<string, Map<string, number>>();

  get empty(): boolean {
    return this.#m.size === 0;
  }
  get(key: string, value: string): number {
    return this.#m.get(key)?.get(value) ?? 0;
  }
  keys(): Iterable<string> {
    return this.#m.keys();
  }
  bump(key: string, value: string, by: number): void {
    let m = this.#m.get(key);
    if (m === undefined) this.#m.set(key, (m = new Map()));
    const n = (m.get(value) ?? 0) + by;
    if (n === 0) m.delete(value);
    else m.set(value, n);
    if (m.size === 0) this.#m.delete(key);
  }
  /** Add 1 for each of `keys` the node labels carry. */
  bumpNode(keys: readonly string[], labels: Labels, by: number): void {
    for (const k of keys) {
      const v = labels[k];
      if (v !== undefined) this.bump(k, v, by);
    }
  }
  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, m] of this.#m) c.#m.set(k, new Map(m));
    return c;
  }
}

/**
 * The sum of several counts (live aggregates shared with the cache, read-only) and a private
 * delta (what-if additions and removals in one cycle).
 *
 * @public
 */
export class CountsView {
  readonly delta: TopologyCounts;
  constructor(
    readonly sources: readonly ReadonlyTopologyCounts[],
    delta = new TopologyCounts(),
  ) {
    this.delta = delta;
  }
  get empty(): boolean {
    return this.delta.empty && this.sources.every((s) => s.empty);
  }
  get(key: string, value: string): number {
    let n = this.delta.empty ? 0 : this.delta.get(key, value);
    for (let i = 0; i < this.sources.length; i++) n += this.sources[i]!.get(key, value);
    return n;
  }
  /** Whether a node with these labels lies in some domain with a positive total. */
  anyIn(labels: Labels): boolean {
    if (this.delta.empty && this.sources.length === 1) {
      const s = this.sources[0]!;
      for (const k of s.keys()) {
        const v = labels[k];
        if (v !== undefined && s.get(k, v) > 0) return true;
      }
      return false;
    }
    const keys = new Set<string>(this.delta.keys());
    for (const s of this.sources) for (const k of s.keys()) keys.add(k);
    for (const k of keys) {
      const v = labels[k];
      if (v !== undefined && this.get(k, v) > 0) return true;
    }
    return false;
  }
  clone(): CountsView {
    return new CountsView(this.sources, this.delta.clone());
  }
}
