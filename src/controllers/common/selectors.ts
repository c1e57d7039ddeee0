/**
 * Compiled label selectors, memoized per selector object: controllers match the same
 * ReplicaSet's or Deployment's selector against many objects on every sync, and cached objects
 * are frozen, so a selector object never changes and its compiled form can be reused.
 *
 * @packageDocumentation
 */
import type { LabelSelector } from '../../api/generated/types.js';
import { selectorFromLabelSelector, type Selector } from '../../api/labels.js';

const compiled = new WeakMap<LabelSelector, Selector>();

/**
 * `selectorFromLabelSelector(ls)`, compiled once per frozen selector object (an informer
 * cache's objects are frozen; the store shares unchanged parts between revisions, so the memo
 * usually survives status updates of the owner). Selectors that are not frozen are compiled
 * every time, as they could change.
 *
 * Guarantees: the same result as `selectorFromLabelSelector(ls)`; an invalid selector throws
 * the same `SelectorError` every call (failures are not memoized).
 *
 * @example
 * ```ts
 * const sel = compiledSelector(rs.spec?.selector);
 * const mine = pods.filter((p) => sel.matches(p.metadata.labels ?? {}));
 * ```
 * @public
 */
export function compiledSelector(ls: LabelSelector | null | undefined): Selector {
  if (ls === null || ls === undefined) return selectorFromLabelSelector(ls);
  const hit = compiled.get(ls);
  if (hit !== undefined) return hit;
  const sel = selectorFromLabelSelector(ls);
  if (Object.isFrozen(ls)) compiled.set(ls, sel);
  return sel;
}
