import test from 'ava';
import fc from 'fast-check';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { IntOrStringCodec, IntOrStringError, intOrPercentValue, scaledValue } from '../../src/api/intstr.js';

const cases: ReadonlyArray<readonly [number | string, number, boolean, number]> = [
  ['25%', 10, true, 3],
  ['25%', 10, false, 2],
  ['25%', 4, true, 1],
  ['25%', 4, false, 1],
  ['0%', 10, true, 0],
  ['100%', 7, false, 7],
  ['150%', 10, true, 15],
  ['33%', 100, false, 33],
  ['1%', 1, true, 1],
  ['1%', 1, false, 0],
  ['-10%', 15, true, -1],
  ['-10%', 15, false, -2],
  ['+50%', 3, true, 2],
  [4, 10, true, 4],
  [4, 10, false, 4],
  [0, 0, true, 0],
  ['50%', 0, true, 0],
];

for (const [v, total, roundUp, expected] of cases) {
  test(`${JSON.stringify(v)} of ${total} ${roundUp ? 'rounded up' : 'rounded down'} is ${expected}`, (t) => {
    t.is(scaledValue(v, total, roundUp), expected);
  });
}

for (const bad of ['5', 'abc%', '2.5%', '%', ' 5%', '5 %', '', 'http']) {
  test(`${JSON.stringify(bad)} is not an integer or percentage and fails with a clear message`, (t) => {
    const err = t.throws(() => scaledValue(bad, 10, true), { instanceOf: IntOrStringError });
    t.is(err?.code, 'InvalidIntOrString');
    t.true(err?.message.includes(JSON.stringify(bad)));
    t.regex(err?.message ?? '', /invalid value for IntOrString/);
  });
}

test('intOrPercentValue tells integers from percentages', (t) => {
  t.deepEqual(intOrPercentValue(3), { value: 3, isPercent: false });
  t.deepEqual(intOrPercentValue('30%'), { value: 30, isPercent: true });
  t.throws(() => intOrPercentValue(1.5), { instanceOf: IntOrStringError });
});

test('a percentage scales exactly like the rational ceiling and floor', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1_000_000 }), (p, total) => {
      const up = scaledValue(`${p}%`, total, true);
      const down = scaledValue(`${p}%`, total, false);
      const exact = (p * total) / 100;
      return up === Math.ceil(exact) && down === Math.floor(exact) && up - down === (Number.isInteger(exact) ? 0 : 1);
    }),
  );
  t.pass();
});

test('the codec accepts int32 integers and any string', (t) => {
  for (const v of [0, 1, -5, 2147483647, -2147483648, '25%', 'http', '']) {
    const r = IntOrStringCodec.decode(v);
    t.true(isRight(r), `decode ${JSON.stringify(v)}`);
    if (isRight(r)) t.is(r.right, v);
    t.true(IntOrStringCodec.is(v));
  }
  t.is(IntOrStringCodec.encode('25%'), '25%');
});

test('the codec rejects fractions, out-of-range numbers and other types, naming the value', (t) => {
  for (const v of [1.5, 2147483648, Number.NaN, true, null, {}, []]) {
    const r = IntOrStringCodec.decode(v);
    t.true(isLeft(r), `decode ${String(v)}`);
    t.regex(PathReporter.report(r).join('\n'), /invalid IntOrString/);
    t.false(IntOrStringCodec.is(v));
  }
  t.regex(PathReporter.report(IntOrStringCodec.decode(1.5)).join('\n'), /1\.5/);
});
