import test from 'ava';
import fc from 'fast-check';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import {
  Quantities,
  Quantity,
  QuantityCodec,
  QuantityError,
  QuantityFromWire,
  addQuantities,
  compareQuantities,
  formatQuantity,
  isZeroQuantity,
  mulQuantity,
  parseQuantity,
  quantityMilliValue,
  quantityToNumber,
  quantityValue,
  subQuantities,
  tryParseQuantity,
} from '../../src/api/quantity.js';
import { KubekitError } from '../../src/util/errors.js';

// Canonical forms as Kubernetes' Quantity.String() prints them (values from apimachinery's
// quantity tests and golden serialization corpus).
const canonical: ReadonlyArray<readonly [string, string]> = [
  ['250m', '250m'],
  ['64Mi', '64Mi'],
  ['1.5Gi', '1536Mi'],
  ['1e3', '1e3'],
  ['0.1', '100m'],
  ['1E-3', '1e-3'],
  ['+5', '5'],
  ['12345678901234567890k', '12345678901234567890k'],
  ['1000m', '1'],
  ['1024Mi', '1Gi'],
  ['1000M', '1G'],
  ['1Ki', '1Ki'],
  ['0', '0'],
  ['0Mi', '0'],
  ['-0.0', '0'],
  ['1.441', '1441m'],
  ['1.5', '1500m'],
  ['1.000000001', '1000000001n'],
  ['0.000000000000001', '1n'],
  ['3.001n', '4n'],
  ['0.00000012345', '124n'],
  ['.001Ki', '1024m'],
  ['.000001Ki', '1024u'],
  ['.000000001Ki', '1024n'],
  ['.000000000001Ki', '2n'],
  ['0.5Ki', '512'],
  ['1.1Ki', '1126400m'],
  ['1025Ki', '1025Ki'],
  ['843.75Ki', '864000'],
  ['864000', '864k'],
  ['100.035Ki', '102435840m'],
  ['8Ei', '9223372036854775807'],
  ['-20Ei', '-9223372036854775807'],
  ['-9.5Gi', '-9728Mi'],
  ['-9.5000000001Gi', '-10200547328107374183n'],
  ['1E', '1E'],
  ['100E', '100E'],
  ['1000E', '1e21'],
  ['1e100', '10e99'],
  ['1e4', '10e3'],
  ['1.3E+6', '1300e3'],
  ['0.5e-2', '5e-3'],
  ['80e-3', '80e-3'],
  ['9223372036854775807', '9223372036854775807'],
  ['9223372036854775808', '9223372036854775808'],
  ['1.', '1'],
  ['1.G', '1G'],
  ['.5', '500m'],
  ['50k', '50k'],
  ['40.1T', '40100G'],
  ['-1', '-1'],
  ['-100m', '-100m'],
];

for (const [input, expected] of canonical) {
  test(`"${input}" prints canonically as "${expected}"`, (t) => {
    t.is(formatQuantity(parseQuantity(input)), expected);
    t.is(parseQuantity(input).toString(), expected);
  });
}

test('the canonical form of a canonical string is the string itself', (t) => {
  // Except a BinarySI value printed without a suffix, which reads back as DecimalSI.
  for (const [input, expected] of canonical) {
    if (input === '843.75Ki') continue;
    t.is(formatQuantity(parseQuantity(expected)), expected);
  }
});

const invalid = [
  '',
  ' 1',
  '1 ',
  'aoeu',
  '.5i',
  '1i',
  '-3.01i',
  '-3.01e-',
  '1.1.M',
  '1+1.0M',
  '0.1mi',
  '0.1am',
  '1e4294967297',
  '1e',
  '1k3',
  '1Mi3',
  '1ki',
  '1K',
  'Ki',
  '.',
  '-',
  '1e2000',
  '1,000',
  '1_000',
  '0x10',
];

for (const input of invalid) {
  test(`"${input}" is rejected with a QuantityError that quotes it`, (t) => {
    const err = t.throws(() => parseQuantity(input), { instanceOf: QuantityError });
    t.true(err instanceof KubekitError);
    t.is(err?.code, 'InvalidQuantity');
    t.true(err?.message.includes(JSON.stringify(input)));
    t.regex(err?.message ?? '', /for example '250m', '64Mi'/);
    t.is(tryParseQuantity(input), undefined);
  });
}

test('the format of the suffix is remembered', (t) => {
  t.is(parseQuantity('1Ki').format, 'BinarySI');
  t.is(parseQuantity('1k').format, 'DecimalSI');
  t.is(parseQuantity('1e3').format, 'DecimalExponent');
  t.is(parseQuantity('5').format, 'DecimalSI');
  // A fractional binary value below one switches to DecimalSI, as Kubernetes does.
  t.is(parseQuantity('0.0000001Ki').format, 'DecimalSI');
});

test('values are exact in nano-units and round up away from zero below a nano', (t) => {
  t.is(parseQuantity('250m').nanos, 250_000_000n);
  t.is(parseQuantity('1.5Gi').nanos, 1_610_612_736n * 1_000_000_000n);
  t.is(parseQuantity('0.1n').nanos, 1n);
  t.is(parseQuantity('-0.1n').nanos, -1n);
  t.is(parseQuantity('1e-2147483647').nanos, 1n);
  t.is(parseQuantity('0e-2147483647').nanos, 0n);
});

test('value and milliValue round up away from zero', (t) => {
  t.is(quantityValue(parseQuantity('1500m')), 2n);
  t.is(quantityValue(parseQuantity('-1500m')), -2n);
  t.is(quantityValue(parseQuantity('2')), 2n);
  t.is(quantityValue(parseQuantity('1n')), 1n);
  t.is(quantityMilliValue(parseQuantity('1n')), 1n);
  t.is(quantityMilliValue(parseQuantity('0.5')), 500n);
  t.is(quantityMilliValue(parseQuantity('-1u')), -1n);
  t.is(quantityMilliValue(parseQuantity('1Gi')), 1_073_741_824_000n);
  t.is(parseQuantity('250m').milliValue(), 250n);
  t.is(parseQuantity('64Mi').value(), 67_108_864n);
  // No int64 overflow: the result is a bigint.
  t.is(quantityValue(parseQuantity('100E')), 100n * 10n ** 18n);
});

test('toNumber approximates the value', (t) => {
  t.is(quantityToNumber(parseQuantity('250m')), 0.25);
  t.is(quantityToNumber(parseQuantity('1.5Gi')), 1610612736);
  t.is(quantityToNumber(parseQuantity('-1n')), -1e-9);
  t.is(parseQuantity('2').toNumber(), 2);
});

test('arithmetic keeps the left operand’s format unless it is zero', (t) => {
  const sum = addQuantities(parseQuantity('1Gi'), parseQuantity('512Mi'));
  t.is(sum.toString(), '1536Mi');
  t.is(addQuantities(parseQuantity('0'), parseQuantity('100m')).toString(), '100m');
  t.is(addQuantities(parseQuantity('0'), parseQuantity('1Gi')).toString(), '1Gi');
  t.is(addQuantities(parseQuantity('1Gi'), parseQuantity('0')).toString(), '1Gi');
  t.is(subQuantities(parseQuantity('0'), parseQuantity('1Gi')).toString(), '-1Gi');
  t.is(subQuantities(parseQuantity('1'), parseQuantity('250m')).toString(), '750m');
  t.is(mulQuantity(parseQuantity('250m'), 4).toString(), '1');
  t.is(mulQuantity(parseQuantity('1Ei'), 1024n).toString(), '1180591620717411303424');
  t.is(parseQuantity('100m').neg().toString(), '-100m');
  t.throws(() => mulQuantity(parseQuantity('1'), 1.5), { instanceOf: RangeError });
});

test('isZero, sign and equals look at the value only', (t) => {
  t.true(isZeroQuantity(parseQuantity('0Ki')));
  t.false(isZeroQuantity(parseQuantity('1n')));
  t.true(parseQuantity('1Ki').equals(parseQuantity('1024')));
  t.is(parseQuantity('-1m').sign(), -1);
  t.is(compareQuantities(parseQuantity('10000T'), parseQuantity('100Gi')), 1);
  t.is(compareQuantities(parseQuantity('50m'), parseQuantity('100m')), -1);
  t.is(parseQuantity('1k').cmp(parseQuantity('1e3')), 0);
});

test('quantities are immutable', (t) => {
  const q = parseQuantity('1Gi');
  t.true(Object.isFrozen(q));
  t.throws(() => {
    (q as { nanos: bigint }).nanos = 1n;
  });
});

test('the Quantities namespace exposes the same operations', (t) => {
  const a = Quantities.parse('1');
  const b = Quantities.parse('500m');
  t.is(Quantities.format(Quantities.add(a, b)), '1500m');
  t.is(Quantities.compare(a, b), 1);
  t.is(Quantities.toMilli(b), 500n);
});

test('static constructors build exact quantities', (t) => {
  t.is(Quantity.fromInt(3).toString(), '3');
  t.is(Quantity.fromMilli(1441).toString(), '1441m');
  t.is(Quantity.fromInt(2048, 'BinarySI').toString(), '2Ki');
  t.is(Quantity.fromNanos(1n).toString(), '1n');
  t.is(JSON.stringify({ cpu: Quantity.fromMilli(250) }), '{"cpu":"250m"}');
});

test('QuantityCodec accepts strings and numbers and yields the canonical string', (t) => {
  const cases: ReadonlyArray<readonly [unknown, string]> = [
    ['1.5Gi', '1536Mi'],
    [2, '2'],
    [0.5, '500m'],
    [1e21, '1e21'],
    [' 100m ', '100m'],
    [0, '0'],
  ];
  for (const [input, expected] of cases) {
    const r = QuantityCodec.decode(input);
    t.true(isRight(r), `decode ${String(input)}`);
    if (isRight(r)) t.is(r.right, expected);
  }
  t.is(QuantityCodec.encode('1Gi'), '1Gi');
  t.true(QuantityCodec.is('1Gi'));
  t.false(QuantityCodec.is('nope'));
  t.false(QuantityCodec.is(2));
});

test('QuantityCodec decode errors name the rejected value', (t) => {
  for (const bad of ['abc', Number.NaN, Number.POSITIVE_INFINITY, true, null, {}, ['1']]) {
    const r = QuantityCodec.decode(bad);
    t.true(isLeft(r));
    const report = PathReporter.report(r).join('\n');
    t.regex(report, /invalid quantity/);
    if (typeof bad === 'string') t.true(report.includes('"abc"'));
  }
});

test('QuantityFromWire decodes to a Quantity and encodes canonically', (t) => {
  const r = QuantityFromWire.decode('1024Mi');
  t.true(isRight(r));
  if (isRight(r)) {
    t.true(r.right instanceof Quantity);
    t.is(QuantityFromWire.encode(r.right), '1Gi');
  }
  t.true(isLeft(QuantityFromWire.decode('1 Gi')));
});

// ---------------------------------------------------------------------------------------------
// Properties

function check<Ts extends [unknown, ...unknown[]]>(
  t: { pass: () => void },
  property: fc.IProperty<Ts>,
  params?: fc.Parameters<Ts>,
): void {
  fc.assert(property, params);
  t.pass();
}

const suffixArb = fc.constantFrom(
  '', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei',
  'e0', 'e3', 'e-3', 'E6', 'e-9', 'e-12', 'e21', 'E+2', 'e7',
);

const quantityStringArb = fc
  .record({
    sign: fc.constantFrom('', '-', '+'),
    int: fc.stringMatching(/^[0-9]{0,22}$/),
    frac: fc.option(fc.stringMatching(/^[0-9]{0,14}$/), { nil: undefined }),
    suffix: suffixArb,
  })
  .filter((r) => r.int.length > 0 || (r.frac !== undefined && r.frac.length > 0))
  .map((r) => `${r.sign}${r.int}${r.frac === undefined ? '' : `.${r.frac}`}${r.suffix}`);

test('parse ∘ format ∘ parse gives an equal quantity, and printing settles after one round trip', (t) => {
  check(
    t,
    fc.property(quantityStringArb, (s) => {
      const q = parseQuantity(s);
      const printed = formatQuantity(q);
      const again = parseQuantity(printed);
      // A BinarySI value with no binary suffix ("864000") reparses as DecimalSI ("864k"), as in
      // Kubernetes, so the text may change once; the value never does.
      const settled = formatQuantity(again);
      return again.nanos === q.nanos && formatQuantity(parseQuantity(settled)) === settled;
    }),
    { numRuns: 2000 },
  );
});

// An independent exact reference: a quantity with at most nine fractional decimal digits, read
// as the rational numerator / denominator.
const DEC_EXP: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN_EXP: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50 };

const exactArb = fc.record({
  negative: fc.boolean(),
  mantissa: fc.bigInt({ min: 0n, max: 10n ** 15n }),
  suffix: fc.constantFrom(...Object.keys(DEC_EXP), ...Object.keys(BIN_EXP)),
});

function referenceRational(x: { negative: boolean; mantissa: bigint; suffix: string }): [bigint, bigint] {
  const sign = x.negative ? -1n : 1n;
  const dec = DEC_EXP[x.suffix];
  if (dec !== undefined) {
    return dec >= 0 ? [sign * x.mantissa * 10n ** BigInt(dec), 1n] : [sign * x.mantissa, 10n ** BigInt(-dec)];
  }
  // Binary quantities are capped at 2^63-1 in magnitude, as Kubernetes caps them on parse.
  const magnitude = x.mantissa * 2n ** BigInt(BIN_EXP[x.suffix]!);
  const capped = magnitude > 2n ** 63n - 1n ? 2n ** 63n - 1n : magnitude;
  return [sign * capped, 1n];
}

function cmpRational(a: [bigint, bigint], b: [bigint, bigint]): number {
  const l = a[0] * b[1];
  const r = b[0] * a[1];
  return l < r ? -1 : l > r ? 1 : 0;
}

const render = (x: { negative: boolean; mantissa: bigint; suffix: string }): string =>
  `${x.negative ? '-' : ''}${x.mantissa}${x.suffix}`;

test('compare agrees with exact rational arithmetic', (t) => {
  check(
    t,
    fc.property(exactArb, exactArb, (a, b) => {
      return compareQuantities(parseQuantity(render(a)), parseQuantity(render(b))) === cmpRational(referenceRational(a), referenceRational(b));
    }),
    { numRuns: 1000 },
  );
});

test('compare is a total order preserved by adding the same quantity', (t) => {
  check(
    t,
    fc.property(quantityStringArb, quantityStringArb, quantityStringArb, (sa, sb, sc) => {
      const [a, b, c] = [parseQuantity(sa), parseQuantity(sb), parseQuantity(sc)];
      const ab = compareQuantities(a, b);
      if (ab !== -compareQuantities(b, a)) return false;
      if (compareQuantities(addQuantities(a, c), addQuantities(b, c)) !== ab) return false;
      // a - b has the sign of compare(a, b).
      return subQuantities(a, b).sign() === ab;
    }),
    { numRuns: 1000 },
  );
});

test('add is commutative and associative, and sub undoes add', (t) => {
  check(
    t,
    fc.property(quantityStringArb, quantityStringArb, quantityStringArb, (sa, sb, sc) => {
      const [a, b, c] = [parseQuantity(sa), parseQuantity(sb), parseQuantity(sc)];
      return (
        addQuantities(a, b).equals(addQuantities(b, a)) &&
        addQuantities(addQuantities(a, b), c).equals(addQuantities(a, addQuantities(b, c))) &&
        subQuantities(addQuantities(a, b), b).equals(a)
      );
    }),
    { numRuns: 1000 },
  );
});

test('value and milliValue bound the exact value from above in magnitude', (t) => {
  check(
    t,
    fc.property(quantityStringArb, (s) => {
      const q = parseQuantity(s);
      const v = quantityValue(q) * 1_000_000_000n;
      const m = quantityMilliValue(q) * 1_000_000n;
      const abs = (x: bigint): bigint => (x < 0n ? -x : x);
      return (
        abs(v) >= abs(q.nanos) && abs(v) - abs(q.nanos) < 1_000_000_000n &&
        abs(m) >= abs(q.nanos) && abs(m) - abs(q.nanos) < 1_000_000n
      );
    }),
  );
});
