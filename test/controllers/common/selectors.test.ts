import test from 'ava';
import fc from 'fast-check';
import type { LabelSelector } from '../../../src/api/generated/types.js';
import { SelectorError, selectorFromLabelSelector } from '../../../src/api/labels.js';
import { compiledSelector } from '../../../src/controllers/common/selectors.js';

test('a frozen selector is compiled once and the same compiled selector is returned after', (t) => {
  const ls: LabelSelector = Object.freeze({ matchLabels: Object.freeze({ app: 'web' }) });
  const first = compiledSelector(ls);
  t.is(compiledSelector(ls), first);
  t.true(first.matches({ app: 'web', tier: 'x' }));
  t.false(first.matches({ app: 'db' }));
});

test('a selector that is not frozen is compiled again each time, so a change to it is seen', (t) => {
  const ls: { matchLabels: Record<string, string> } = { matchLabels: { app: 'web' } };
  t.true(compiledSelector(ls).matches({ app: 'web' }));
  ls.matchLabels = { app: 'db' };
  t.false(compiledSelector(ls).matches({ app: 'web' }));
  t.true(compiledSelector(ls).matches({ app: 'db' }));
});

test('an invalid selector throws every time, as an uncached compile does', (t) => {
  const ls = Object.freeze({ matchExpressions: Object.freeze([Object.freeze({ key: 'app', operator: 'Near', values: Object.freeze(['x']) })]) }) as unknown as LabelSelector;
  t.throws(() => compiledSelector(ls), { instanceOf: SelectorError });
  t.throws(() => compiledSelector(ls), { instanceOf: SelectorError });
});

test('an absent selector selects what selectorFromLabelSelector says it selects', (t) => {
  t.is(compiledSelector(undefined).matches({ a: 'b' }), selectorFromLabelSelector(undefined).matches({ a: 'b' }));
});

test('property: a compiled selector matches exactly what a fresh compile matches', (t) => {
  const key = fc.constantFrom('app', 'tier', 'zone');
  const value = fc.constantFrom('a', 'b', 'c');
  const selector = fc.record({
    matchLabels: fc.dictionary(key, value, { maxKeys: 2 }),
    matchExpressions: fc.array(
      fc.record({ key, operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'), values: fc.array(value, { minLength: 1, maxLength: 2 }) }).map((e) =>
        e.operator === 'Exists' || e.operator === 'DoesNotExist' ? { key: e.key, operator: e.operator } : e,
      ),
      { maxLength: 2 },
    ),
  });
  fc.assert(
    fc.property(selector, fc.array(fc.dictionary(key, value, { maxKeys: 3 }), { maxLength: 5 }), (ls, labelSets) => {
      const frozen = Object.freeze(ls) as LabelSelector;
      const fresh = selectorFromLabelSelector(frozen);
      return labelSets.every((labels) => compiledSelector(frozen).matches(labels) === fresh.matches(labels));
    }),
  );
  t.pass();
});
