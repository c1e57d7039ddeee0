import test from 'ava';
import fc from 'fast-check';
import {
  SelectorError,
  everything,
  formatLabelSelector,
  labelSelectorAsString,
  labelSelectorFromString,
  newRequirement,
  nothing,
  parseSelector,
  requirementToString,
  selectorFromLabelSelector,
  selectorFromRequirements,
  selectorFromSet,
  validateLabelKey,
  validateLabelValue,
  type LabelSelector,
  type Labels,
  type Requirement,
  type SelectorOperator,
} from '../../src/api/labels.js';
import { KubekitError } from '../../src/util/errors.js';

// ---------------------------------------------------------------------------------------------
// Parsing and canonical form

const canonical: ReadonlyArray<readonly [string, string]> = [
  ['', ''],
  ['   ', ''],
  ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
  ['z=c,x=a', 'x=a,z=c'],
  ['x==a', 'x==a'],
  ['x!=a', 'x!=a'],
  [' x = a , y != b ', 'x=a,y!=b'],
  ['x=', 'x='],
  ['x=,z= ', 'x=,z='],
  ['x in (b,a)', 'x in (a,b)'],
  ['x in (a,a)', 'x in (a)'],
  ['x in(a)', 'x in (a)'],
  ['x notin (a)', 'x notin (a)'],
  ['x in ()', 'x in ()'],
  ['x in (,a)', 'x in (,a)'],
  ['x in (a,)', 'x in (,a)'],
  ['x in (a,,b)', 'x in (,a,b)'],
  ['x,!y', 'x,!y'],
  ['!y,x', 'x,!y'],
  ['! y', '!y'],
  ['x>1', 'x>1'],
  ['x>1,z<5', 'x>1,z<5'],
  ['in in (in)', 'in in (in)'],
  ['notin=in', 'notin=in'],
  ['example.com/app=web', 'example.com/app=web'],
  ['a\tin\t(b)\n', 'a in (b)'],
  [
    'app=web,tier!=db,env in (a,b),env notin (c),!legacy,present',
    'app=web,env in (a,b),env notin (c),!legacy,present,tier!=db',
  ],
];

for (const [input, expected] of canonical) {
  test(`"${input}" parses and prints as "${expected}"`, (t) => {
    const sel = parseSelector(input);
    t.is(sel.toString(), expected);
    t.is(parseSelector(sel.toString()).toString(), expected);
  });
}

test('parsed requirements carry Kubernetes operator names and sorted, unique values', (t) => {
  const sel = parseSelector('b in (z,y,z),a,!c,d==1,e!=2,f>3,g<4,h=5');
  t.deepEqual(
    sel.requirements.map((r) => [r.key, r.operator, [...r.values]]),
    [
      ['a', 'exists', []],
      ['b', 'in', ['y', 'z']],
      ['c', '!', []],
      ['d', '==', ['1']],
      ['e', '!=', ['2']],
      ['f', 'gt', ['3']],
      ['g', 'lt', ['4']],
      ['h', '=', ['5']],
    ],
  );
});

const errors: ReadonlyArray<readonly [string, number | undefined, RegExp]> = [
  ['x=a,', 4, /found end of string, expected a label key or '!' after ','/],
  [',x=a', 0, /found ',', expected '!', a label key, or end of string/],
  ['x in a', 5, /found 'a', expected '\('/],
  ['x in (a', 7, /found end of string, expected ',' or '\)'/],
  ['x in (a b)', 8, /found 'b', expected ',' or '\)'/],
  ['!x=a', 2, /found '=', expected ',' or end of string/],
  ['x=a b', 4, /found 'b', expected ',' or end of string/],
  ['x==a==b', 4, /found '==', expected ',' or end of string/],
  ['(', 0, /found '\(', expected '!', a label key/],
  ['x=(a)', 2, /found '\(', expected a value/],
  ['x notin', 7, /found end of string, expected '\('/],
  ['x>a', 1, /operator 'gt' needs an integer value/],
  ['x<1.5', 1, /operator 'lt' needs an integer value/],
  ['-x=a', 0, /invalid label key "-x"/],
  ['x=-a', 1, /invalid value "-a" for key "x"/],
  ['a/b/c', 0, /invalid label key "a\/b\/c"/],
  [`x=${'v'.repeat(64)}`, 1, /no more than 63 characters/],
];

for (const [input, position, message] of errors) {
  test(`"${input}" is rejected at position ${String(position)} saying what was expected`, (t) => {
    const err = t.throws(() => parseSelector(input), { instanceOf: SelectorError });
    t.true(err instanceof KubekitError);
    t.is(err?.code, 'InvalidSelector');
    t.is(err?.position, position);
    t.regex(err?.message ?? '', message);
    t.true(err?.message.includes(JSON.stringify(input)));
  });
}

// ---------------------------------------------------------------------------------------------
// Matching

const matching: ReadonlyArray<readonly [string, Labels | undefined, boolean]> = [
  ['', {}, true],
  ['', undefined, true],
  ['x=y', { x: 'y' }, true],
  ['x=y', { x: 'z' }, false],
  ['x=y', {}, false],
  ['x==y', { x: 'y' }, true],
  ['x!=y', { x: 'z' }, true],
  ['x!=y', {}, true],
  ['x!=y', { x: 'y' }, false],
  ['x=', { x: '' }, true],
  ['x=', {}, false],
  ['x in (a,b)', { x: 'b' }, true],
  ['x in (a,b)', { x: 'c' }, false],
  ['x in (a,b)', {}, false],
  ['x notin (a,b)', { x: 'c' }, true],
  ['x notin (a,b)', {}, true],
  ['x notin (a,b)', { x: 'a' }, false],
  ['x', { x: '' }, true],
  ['x', {}, false],
  ['!x', {}, true],
  ['!x', { x: 'a' }, false],
  ['x>1', { x: '2' }, true],
  ['x>1', { x: '1' }, false],
  ['x>1', { x: 'abc' }, false],
  ['x>1', {}, false],
  ['x<1', { x: '-5' }, true],
  ['x>9223372036854775806', { x: '9223372036854775807' }, true],
  ['x>1', { x: '99999999999999999999' }, false],
  ['constructor', {}, false],
  ['!toString', {}, true],
  ['x=y,z=w', { x: 'y', z: 'w', extra: 'q' }, true],
  ['x=y,z=w', { x: 'y' }, false],
];

for (const [sel, labels, expected] of matching) {
  test(`"${sel}" ${expected ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, (t) => {
    t.is(parseSelector(sel).matches(labels), expected);
  });
}

test('everything matches all label sets and is empty; nothing matches none and is not empty', (t) => {
  t.true(everything().matches({ a: 'b' }));
  t.true(everything().empty);
  t.false(everything().matchesNothing);
  t.false(nothing().matches({}));
  t.false(nothing().matches({ a: 'b' }));
  t.false(nothing().empty);
  t.true(nothing().matchesNothing);
  t.is(nothing().toString(), '');
  t.true(parseSelector('').empty);
});

test('requiresExactMatch reports the single value a key must have', (t) => {
  const sel = parseSelector('a=1,b in (2),c in (3,4),d!=5,e==6');
  t.is(sel.requiresExactMatch('a'), '1');
  t.is(sel.requiresExactMatch('b'), '2');
  t.is(sel.requiresExactMatch('c'), undefined);
  t.is(sel.requiresExactMatch('d'), undefined);
  t.is(sel.requiresExactMatch('e'), '6');
  t.is(sel.requiresExactMatch('zzz'), undefined);
});

test('selectors and their requirements are immutable', (t) => {
  const sel = parseSelector('a in (x,y)');
  t.true(Object.isFrozen(sel));
  t.true(Object.isFrozen(sel.requirements));
  t.true(Object.isFrozen(sel.requirements[0]));
  t.true(Object.isFrozen(sel.requirements[0]!.values));
});

// ---------------------------------------------------------------------------------------------
// Structured LabelSelector

test('an absent LabelSelector matches nothing and an empty one matches everything', (t) => {
  t.false(selectorFromLabelSelector(undefined).matches({ a: 'b' }));
  t.false(selectorFromLabelSelector(null).matches({}));
  t.true(selectorFromLabelSelector({}).matches({ a: 'b' }));
  t.true(selectorFromLabelSelector({ matchLabels: {}, matchExpressions: [] }).empty);
  t.true(selectorFromLabelSelector({ matchLabels: null, matchExpressions: null }).empty);
});

test('a LabelSelector compiles to the selector kubectl shows', (t) => {
  const ls: LabelSelector = {
    matchLabels: { tier: 'frontend', app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'canary'] },
      { key: 'track', operator: 'NotIn', values: ['legacy'] },
      { key: 'release', operator: 'Exists' },
      { key: 'debug', operator: 'DoesNotExist', values: [] },
    ],
  };
  const sel = selectorFromLabelSelector(ls);
  t.is(sel.toString(), 'app=web,!debug,env in (canary,prod),release,tier=frontend,track notin (legacy)');
  t.is(labelSelectorAsString(ls), sel.toString());
  t.is(formatLabelSelector(ls), sel.toString());
  t.true(sel.matches({ app: 'web', tier: 'frontend', env: 'prod', release: '1' }));
  t.false(sel.matches({ app: 'web', tier: 'frontend', env: 'prod', release: '1', debug: 'y' }));
  t.false(sel.matches({ app: 'web', tier: 'frontend', env: 'dev', release: '1' }));
  t.false(sel.matches({ app: 'web', tier: 'frontend', env: 'prod', release: '1', track: 'legacy' }));
});

test('kubectl shows <none> for an empty or absent selector and <error> for an invalid one', (t) => {
  t.is(formatLabelSelector(undefined), '<none>');
  t.is(formatLabelSelector({}), '<none>');
  t.is(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
  t.is(labelSelectorAsString(undefined), '');
});

test('invalid LabelSelectors are rejected with a SelectorError', (t) => {
  const bad: LabelSelector[] = [
    { matchExpressions: [{ key: 'a', operator: 'Bogus' }] },
    { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
    { matchExpressions: [{ key: 'a', operator: 'In' }] },
    { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
    { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] },
    { matchLabels: { 'bad key': 'x' } },
    { matchLabels: { a: 'bad value' } },
  ];
  for (const ls of bad) {
    const err = t.throws(() => selectorFromLabelSelector(ls), { instanceOf: SelectorError }, JSON.stringify(ls));
    t.is(err?.code, 'InvalidSelector');
  }
  t.regex(
    t.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }))?.message ?? '',
    /"Bogus" is not a valid label selector operator; use In, NotIn, Exists or DoesNotExist/,
  );
});

test('a selector string converts to a LabelSelector', (t) => {
  t.deepEqual(labelSelectorFromString('app=web,tier!=db,env in (a,b),!legacy,present'), {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['a', 'b'] },
      { key: 'legacy', operator: 'DoesNotExist' },
      { key: 'present', operator: 'Exists' },
      { key: 'tier', operator: 'NotIn', values: ['db'] },
    ],
  });
  t.deepEqual(labelSelectorFromString(''), {});
  t.throws(() => labelSelectorFromString('x>1'), { instanceOf: SelectorError });
});

test('selectorFromSet requires every pair', (t) => {
  const sel = selectorFromSet({ b: '2', a: '1' });
  t.is(sel.toString(), 'a=1,b=2');
  t.true(sel.matches({ a: '1', b: '2', c: '3' }));
  t.false(sel.matches({ a: '1' }));
  t.true(selectorFromSet(undefined).empty);
  t.throws(() => selectorFromSet({ 'a b': '1' }), { instanceOf: SelectorError });
});

test('newRequirement validates the value count against the operator', (t) => {
  t.throws(() => newRequirement('a', '=', []), { instanceOf: SelectorError });
  t.throws(() => newRequirement('a', '=', ['1', '2']), { instanceOf: SelectorError });
  t.throws(() => newRequirement('a', 'exists', ['1']), { instanceOf: SelectorError });
  t.throws(() => newRequirement('a', 'notin', []), { instanceOf: SelectorError });
  t.throws(() => newRequirement('a', 'gt', ['x']), { instanceOf: SelectorError });
  t.deepEqual(newRequirement('a', 'in', ['b', 'a', 'b']).values, ['a', 'b']);
  t.is(requirementToString(newRequirement('a', 'notin', ['z', 'y'])), 'a notin (y,z)');
});

// ---------------------------------------------------------------------------------------------
// Validation

const keys: ReadonlyArray<readonly [string, boolean]> = [
  ['app', true],
  ['App_Name-1.x', true],
  ['a', true],
  ['1', true],
  ['example.com/app', true],
  ['app.kubernetes.io/name', true],
  ['k'.repeat(63), true],
  [`${'p'.repeat(253)}/n`, true],
  ['', false],
  ['-a', false],
  ['a-', false],
  ['a b', false],
  ['k'.repeat(64), false],
  ['/a', false],
  ['a/', false],
  ['Example.com/a', false],
  ['exa_mple.com/a', false],
  [`${'p'.repeat(254)}/n`, false],
  ['a/b/c', false],
];

for (const [key, ok] of keys) {
  test(`label key "${key.length > 20 ? `${key.slice(0, 10)}…(${key.length})` : key}" is ${ok ? 'valid' : 'invalid'}`, (t) => {
    const errs = validateLabelKey(key);
    t.is(errs.length === 0, ok, errs.join('; '));
  });
}

test('label key errors say which part is wrong', (t) => {
  t.deepEqual(validateLabelKey('/a'), ['prefix part must be non-empty']);
  t.deepEqual(validateLabelKey('a/'), ['name part must be non-empty']);
  t.regex(validateLabelKey('k'.repeat(64)).join(), /name part must be no more than 63 characters/);
  t.regex(validateLabelKey(`${'p'.repeat(254)}/n`).join(), /prefix part must be no more than 253 characters/);
  t.regex(validateLabelKey('Upper.com/a').join(), /lowercase RFC 1123 subdomain/);
});

const values: ReadonlyArray<readonly [string, boolean]> = [
  ['', true],
  ['v', true],
  ['My_Value-1.2', true],
  ['v'.repeat(63), true],
  ['v'.repeat(64), false],
  ['-v', false],
  ['v.', false],
  ['a b', false],
  ['a/b', false],
];

for (const [value, ok] of values) {
  test(`label value "${value.length > 20 ? `${value.slice(0, 10)}…(${value.length})` : value}" is ${ok ? 'valid' : 'invalid'}`, (t) => {
    t.is(validateLabelValue(value).length === 0, ok);
  });
}

// ---------------------------------------------------------------------------------------------
// Properties

const keyArb = fc.constantFrom('a', 'b', 'app', 'in', 'notin', 'example.com/tier', 'x.y/z-1');
const valueArb = fc.constantFrom('', 'v', 'w', '1', '2', '10', '-3'.slice(1), 'in', 'A_b.c');
const intValueArb = fc.constantFrom('0', '1', '2', '10', '-5', '+3');

const requirementArb: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({
    key: keyArb,
    operator: fc.constantFrom<SelectorOperator>('=', '==', '!='),
    values: valueArb.map((v) => [v]),
  }),
  fc.record({
    key: keyArb,
    operator: fc.constantFrom<SelectorOperator>('in', 'notin'),
    values: fc.uniqueArray(valueArb, { minLength: 1, maxLength: 4 }).map((vs) => [...vs].sort()),
  }),
  fc.record({ key: keyArb, operator: fc.constantFrom<SelectorOperator>('exists', '!'), values: fc.constant([]) }),
  fc.record({
    key: keyArb,
    operator: fc.constantFrom<SelectorOperator>('gt', 'lt'),
    values: intValueArb.filter((v) => validateLabelValue(v).length === 0).map((v) => [v]),
  }),
);

const labelsArb: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  keyArb,
  fc.oneof(valueArb, fc.constantFrom('0', '5', '11', 'x')),
  { maxKeys: 5 },
);

/** A straightforward reading of the requirement semantics, independent of the compiled matcher. */
function referenceMatches(reqs: readonly Requirement[], labels: Record<string, string>): boolean {
  return reqs.every((r) => {
    const has = Object.keys(labels).includes(r.key);
    const v = labels[r.key];
    switch (r.operator) {
      case '=':
      case '==':
      case 'in':
        return has && r.values.includes(v!);
      case '!=':
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt':
      case 'lt': {
        if (!has || !/^[+-]?\d+$/.test(v!)) return false;
        const a = BigInt(v!);
        const b = BigInt(r.values[0]!);
        return r.operator === 'gt' ? a > b : a < b;
      }
    }
  });
}

test('parse(format(selector)) gives back the same requirements', (t) => {
  fc.assert(
    fc.property(fc.array(requirementArb, { maxLength: 6 }), (reqs) => {
      const sel = selectorFromRequirements(reqs);
      const reparsed = parseSelector(sel.toString());
      t.deepEqual(
        reparsed.requirements.map((r) => ({ ...r, values: [...r.values] })),
        sel.requirements.map((r) => ({ ...r, values: [...r.values] })),
      );
      return reparsed.toString() === sel.toString();
    }),
    { numRuns: 500 },
  );
});

test('compiled matching agrees with a straightforward reference implementation', (t) => {
  fc.assert(
    fc.property(fc.array(requirementArb, { maxLength: 5 }), labelsArb, (reqs, labels) => {
      const sel = selectorFromRequirements(reqs);
      return sel.matches(labels) === referenceMatches(reqs, labels) &&
        parseSelector(sel.toString()).matches(labels) === referenceMatches(reqs, labels);
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('a LabelSelector and its string form select the same label sets', (t) => {
  const exprArb = fc.record({
    key: keyArb,
    operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
    values: fc.uniqueArray(valueArb, { minLength: 1, maxLength: 3 }),
  }).map((e) => (e.operator === 'Exists' || e.operator === 'DoesNotExist' ? { key: e.key, operator: e.operator } : e));
  fc.assert(
    fc.property(
      fc.dictionary(keyArb, valueArb, { maxKeys: 3 }),
      fc.array(exprArb, { maxLength: 3 }),
      labelsArb,
      (matchLabels, matchExpressions, labels) => {
        const ls: LabelSelector = { matchLabels, matchExpressions };
        const direct = selectorFromLabelSelector(ls).matches(labels);
        const viaString = parseSelector(labelSelectorAsString(ls)).matches(labels);
        const roundTrip = selectorFromLabelSelector(labelSelectorFromString(labelSelectorAsString(ls))).matches(labels);
        return direct === viaString && direct === roundTrip;
      },
    ),
    { numRuns: 1000 },
  );
  t.pass();
});
