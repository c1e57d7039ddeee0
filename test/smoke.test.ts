import test from 'ava';
test('the toolchain runs TypeScript tests', (t) => {
  const n: number = 1 + 1;
  t.is(n, 2);
});
