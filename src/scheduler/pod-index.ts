import type { Labels, Requirement, Selector } from '../api/labels.js';
import { TopologyCounts, type ReadonlyTopologyCounts } from './framework/topology-counts.js';
import type { AffinityTerm, NodeInfo, PlacedPod, PlacedTerm, PodInfo, TermGroup, TermKind } from './framework/types.js';

/** How many watched aggregates are kept (least recently used ones are dropped). */
const MAX_WATCHES = 64;

interface Group extends TermGroup {
  readonly counts: TopologyCounts;
  members: number;
}

interface Watch {
  readonly match: (pod: PodInfo) => boolean;
  readonly keys: readonly string[];
  readonly counts: TopologyCounts;
  used: number;
}

/** Operators that require the key to be present with one of the listed values. */
const isValueOp = (r: Requirement): boolean => r.operator === 'in' || r.operator === '=' || r.operator === '==';
/** Operators that require the key to be present, whatever the value. */
const isExistsOp = (r: Requirement): boolean => r.operator === 'exists' || r.operator === 'gt' || r.operator === 'lt';

const EMPTY: readonly never[] = [];

/**
 * Where placed terms of one kind are filed: under one `key → value` of a positive requirement
 * of their selector, under a key that must exist, or (no positive requirement) as wildcards.
 */
class TermBuckets<T extends { readonly term: AffinityTerm }> {
  readonly byValue = new Map<string, Map<string, Set<T>>>();
  readonly byKey = new Map<string, Set<T>>();
  readonly wild = new Set<T>();
  size = 0;

  add(pt: T): void {
    this.size++;
    const r = bucketOf(pt.term.selector);
    if (r === undefined) this.wild.add(pt);
    else if (isValueOp(r)) {
      let m = this.byValue.get(r.key);
      if (m === undefined) this.byValue.set(r.key, (m = new Map()));
      for (const v of r.values) {
        let s = m.get(v);
        if (s === undefined) m.set(v, (s = new Set()));
        s.add(pt);
      }
    } else {
      let s = this.byKey.get(r.key);
      if (s === undefined) this.byKey.set(r.key, (s = new Set()));
      s.add(pt);
    }
  }

  remove(pt: T): void {
    this.size--;
    const r = bucketOf(pt.term.selector);
    if (r === undefined) this.wild.delete(pt);
    else if (isValueOp(r)) {
      const m = this.byValue.get(r.key);
      if (m === undefined) return;
      for (const v of r.values) {
        const s = m.get(v);
        if (s === undefined) continue;
        s.delete(pt);
        if (s.size === 0) m.delete(v);
      }
      if (m.size === 0) this.byValue.delete(r.key);
    } else {
      const s = this.byKey.get(r.key);
      if (s === undefined) return;
      s.delete(pt);
      if (s.size === 0) this.byKey.delete(r.key);
    }
  }

  /** Every term that may select a pod with `labels` (a superset; each at most once). */
  *candidates(labels: Labels): Iterable<T> {
    if (this.size === 0) return;
    yield* this.wild;
    if (this.byValue.size === 0 && this.byKey.size === 0) return;
    for (const k in labels) {
      const s = this.byValue.get(k)?.get(labels[k]!);
      if (s !== undefined) yield* s;
      const e = this.byKey.get(k);
      if (e !== undefined) yield* e;
    }
  }
}

/** The requirement a term is filed under: the first `in`/`=`, else the first "exists", else none. */
function bucketOf(sel: Selector): Requirement | undefined {
  let exists: Requirement | undefined;
  for (const r of sel.requirements) {
    if (isValueOp(r)) return r;
    if (exists === undefined && isExistsOp(r)) exists = r;
  }
  return exists;
}

/**
 * Incremental indexes over the pods placed on nodes (bound and assumed), kept by the
 * {@link SchedulerCache}: pods by label `key → value`, and the (anti-)affinity terms of
 * placed pods by a positive requirement of their selector. They turn "which pods does this
 * selector match" and "which existing terms select this pod" from a scan of every pod into a
 * walk over the likely matches.
 *
 * Guarantees: `podsMatching` and `termsSelecting` return supersets of the exact answers (each
 * entry once); callers still check the selector, namespaces and topology. Updates cost
 * O(labels + terms) of the pod.
 *
 * @public
 */
export class PodIndex {
  readonly #all = new Set<PlacedPod>();
  readonly #byLabel = new Map<string, Map<string, Set<PlacedPod>>>();
  readonly #terms: Record<TermKind, TermBuckets<PlacedTerm>> = {
    requiredAffinity: new TermBuckets(),
    requiredAntiAffinity: new TermBuckets(),
    preferredAffinity: new TermBuckets(),
    preferredAntiAffinity: new TermBuckets(),
  };
  readonly #groups = new Map<string, Group>();
  readonly #groupBuckets = new TermBuckets<Group>();
  readonly #watches = new Map<string, Watch>();
  #tick = 0;
  readonly #placedTerms = new Map<PlacedPod, PlacedTerm[]>();

  /** Number of indexed pods. */
  get size(): number {
    return this.#all.size;
  }

  /** Index a pod placed on `node`; returns the handle to pass to {@link PodIndex.remove}. */
  add(pod: PodInfo, node: NodeInfo): PlacedPod {
    const pp: PlacedPod = { pod, node };
    this.#all.add(pp);
    for (const k in pod.labels) {
      const v = pod.labels[k]!;
      let m = this.#byLabel.get(k);
      if (m === undefined) this.#byLabel.set(k, (m = new Map()));
      let s = m.get(v);
      if (s === undefined) m.set(v, (s = new Set()));
      s.add(pp);
    }
    if (pod.hasAffinity) {
      const placed: PlacedTerm[] = [];
      const file = (kind: TermKind, terms: readonly AffinityTerm[]): void => {
        for (const term of terms) {
          if (term.selector.matchesNothing) continue;
          const pt: PlacedTerm = { kind, term, pod, node };
          this.#terms[kind].add(pt);
          placed.push(pt);
        }
      };
      file('requiredAffinity', pod.requiredAffinity);
      file('requiredAntiAffinity', pod.requiredAntiAffinity);
      file('preferredAffinity', pod.preferredAffinity);
      file('preferredAntiAffinity', pod.preferredAntiAffinity);
      if (placed.length > 0) this.#placedTerms.set(pp, placed);
      for (const t of pod.requiredAntiAffinity) if (!t.selector.matchesNothing) this.#group(t, node, 1);
    }
    for (const w of this.#watches.values()) if (w.match(pod)) w.counts.bumpNode(w.keys, node.labels, 1);
    return pp;
  }

  #group(t: AffinityTerm, node: NodeInfo, by: number): void {
    let g = this.#groups.get(t.signature);
    if (g === undefined) {
      if (by < 0) return;
      g = { term: t, counts: new TopologyCounts(), members: 0 };
      this.#groups.set(t.signature, g);
      this.#groupBuckets.add(g);
    }
    g.members += by;
    const v = node.labels[t.topologyKey];
    if (v !== undefined) g.counts.bump(t.topologyKey, v, by);
    if (g.members === 0) {
      this.#groups.delete(t.signature);
      this.#groupBuckets.remove(g);
    }
  }

  remove(pp: PlacedPod): void {
    if (!this.#all.delete(pp)) return;
    const labels = pp.pod.labels;
    for (const k in labels) {
      const m = this.#byLabel.get(k);
      const s = m?.get(labels[k]!);
      if (m === undefined || s === undefined) continue;
      s.delete(pp);
      if (s.size === 0) m.delete(labels[k]!);
      if (m.size === 0) this.#byLabel.delete(k);
    }
    const placed = this.#placedTerms.get(pp);
    if (placed !== undefined) {
      this.#placedTerms.delete(pp);
      for (const pt of placed) this.#terms[pt.kind].remove(pt);
      for (const t of pp.pod.requiredAntiAffinity) if (!t.selector.matchesNothing) this.#group(t, pp.node, -1);
    }
    for (const w of this.#watches.values()) if (w.match(pp.pod)) w.counts.bumpNode(w.keys, pp.node.labels, -1);
  }

  /** See {@link NodeInfoLister.antiAffinityGroupsSelecting}. */
  antiAffinityGroupsSelecting(labels: Labels): Iterable<TermGroup> {
    return this.#groupBuckets.candidates(labels);
  }

  /** See {@link NodeInfoLister.watch}. */
  watch(signature: string, match: (pod: PodInfo) => boolean, keys: readonly string[], seed: Selector): ReadonlyTopologyCounts {
    const tick = ++this.#tick;
    const w = this.#watches.get(signature);
    if (w !== undefined) {
      w.used = tick;
      return w.counts;
    }
    const counts = new TopologyCounts();
    for (const pp of this.podsMatching(seed)) if (match(pp.pod)) counts.bumpNode(keys, pp.node.labels, 1);
    if (this.#watches.size >= MAX_WATCHES) {
      let oldest: string | undefined;
      let min = Infinity;
      for (const [k, x] of this.#watches) {
        if (x.used < min) {
          min = x.used;
          oldest = k;
        }
      }
      if (oldest !== undefined) this.#watches.delete(oldest);
    }
    this.#watches.set(signature, { match, keys, counts, used: tick });
    return counts;
  }

  /** Placed pods that may match `selector` (a superset of the matching ones). */
  podsMatching(selector: Selector): Iterable<PlacedPod> {
    if (selector.matchesNothing) return EMPTY;
    let best: Iterable<PlacedPod> = this.#all;
    let bestSize = this.#all.size;
    for (const r of selector.requirements) {
      const m = this.#byLabel.get(r.key);
      if (isValueOp(r)) {
        if (m === undefined) return EMPTY;
        let n = 0;
        for (const v of r.values) n += m.get(v)?.size ?? 0;
        if (n === 0) return EMPTY;
        if (n < bestSize) {
          bestSize = n;
          best = r.values.length === 1 ? m.get(r.values[0]!)! : unionOf(m, r.values);
        }
      } else if (isExistsOp(r)) {
        if (m === undefined) return EMPTY;
        let n = 0;
        for (const s of m.values()) n += s.size;
        if (n < bestSize) {
          bestSize = n;
          best = flatten(m);
        }
      }
    }
    return best;
  }

  /** Placed terms of `kind` that may select a pod with `labels` (a superset). */
  termsSelecting(kind: TermKind, labels: Labels): Iterable<PlacedTerm> {
    return this.#terms[kind].candidates(labels);
  }

  /** Number of placed terms of `kind`. */
  termCount(kind: TermKind): number {
    return this.#terms[kind].size;
  }
}

function* unionOf(m: ReadonlyMap<string, ReadonlySet<PlacedPod>>, values: readonly string[]): Iterable<PlacedPod> {
  for (const v of values) {
    const s = m.get(v);
    if (s !== undefined) yield* s;
  }
}

function* flatten(m: ReadonlyMap<string, ReadonlySet<PlacedPod>>): Iterable<PlacedPod> {
  for (const s of m.values()) yield* s;
}
