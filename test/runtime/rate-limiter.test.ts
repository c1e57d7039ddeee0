import test from 'ava';
import fc from 'fast-check';
import { FakeClock } from '../../src/runtime/clock.js';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  ItemFastSlowRateLimiter,
  MaxOfRateLimiter,
  WorkQueueError,
  defaultControllerRateLimiter,
} from '../../src/runtime/rate-limiter.js';
import type { RateLimiter } from '../../src/runtime/rate-limiter.js';

function whens<K>(limiter: RateLimiter<K>, item: K, n: number): number[] {
  return Array.from({ length: n }, () => limiter.when(item));
}

test('the exponential limiter doubles from 5 ms per failure and caps at 1000 s', (t) => {
  const limiter = new ItemExponentialFailureRateLimiter<string>();
  const delays = whens(limiter, 'ns/a', 21);
  t.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
  t.is(delays[17], 655_360);
  t.is(delays[18], 1_000_000); // 5 · 2^18 = 1 310 720 > cap
  t.is(delays[20], 1_000_000);
  t.is(limiter.numRequeues('ns/a'), 21);
});

test('the exponential limiter tracks items separately and forget starts an item over', (t) => {
  const limiter = new ItemExponentialFailureRateLimiter<string>(1, 1000);
  t.deepEqual(whens(limiter, 'a', 3), [1, 2, 4]);
  t.is(limiter.when('b'), 1);
  limiter.forget('a');
  t.is(limiter.numRequeues('a'), 0);
  t.is(limiter.when('a'), 1);
  t.is(limiter.numRequeues('b'), 1);
});

test('the exponential limiter returns the cap instead of overflowing after very many failures', (t) => {
  const limiter = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
  const delays = whens(limiter, 'x', 1200);
  t.is(delays[1199], 1_000_000);
  t.true(delays.every((d) => Number.isFinite(d) && d <= 1_000_000));
});

test('limiters key non-string items with keyOf and refuse them without it', (t) => {
  type Ref = { ns: string; name: string };
  const limiter = new ItemExponentialFailureRateLimiter<Ref>(5, 1000, (r) => `${r.ns}/${r.name}`);
  limiter.when({ ns: 'a', name: 'b' });
  t.is(limiter.when({ ns: 'a', name: 'b' }), 10);
  const bad = new ItemExponentialFailureRateLimiter<Ref>();
  t.is(t.throws(() => bad.when({ ns: 'a', name: 'b' }), { instanceOf: WorkQueueError })?.code, 'InvalidArgument');
});

test('the fast-slow limiter waits fast for the first attempts, then slow, until forgotten', (t) => {
  const limiter = new ItemFastSlowRateLimiter<string>(10, 5000, 3);
  t.deepEqual(whens(limiter, 'a', 5), [10, 10, 10, 5000, 5000]);
  t.is(limiter.numRequeues('a'), 5);
  limiter.forget('a');
  t.is(limiter.when('a'), 10);
});

test('the bucket limiter lets a full burst through, then spaces tokens at 1/qps', (t) => {
  const clock = new FakeClock();
  const limiter = new BucketRateLimiter<string>(clock, 10, 100);
  const delays = whens(limiter, 'any', 103);
  t.true(delays.slice(0, 100).every((d) => d === 0));
  t.deepEqual(delays.slice(100), [100, 200, 300]);
  t.is(limiter.numRequeues('any'), 0);
});

test('the bucket limiter refills with time and never above its burst', (t) => {
  const clock = new FakeClock();
  const limiter = new BucketRateLimiter<string>(clock, 10, 2);
  t.deepEqual(whens(limiter, 'k', 3), [0, 0, 100]); // bucket now at -1 token
  clock.advance(150); // +1.5 tokens → 0.5
  t.is(limiter.when('k'), 50); // 0.5 - 1 = -0.5 tokens → 50 ms
  clock.advance(60_000); // refills to the burst of 2, not 600
  t.deepEqual(whens(limiter, 'k', 3), [0, 0, 100]);
});

test('the bucket limiter is shared by all items', (t) => {
  const clock = new FakeClock();
  const limiter = new BucketRateLimiter<string>(clock, 1, 1);
  t.is(limiter.when('a'), 0);
  t.is(limiter.when('b'), 1000);
  limiter.forget('a');
  t.is(limiter.when('c'), 2000);
});

test('the bucket limiter rejects a non-positive qps or a burst below one', (t) => {
  const clock = new FakeClock();
  t.throws(() => new BucketRateLimiter(clock, 0, 1), { instanceOf: WorkQueueError });
  t.throws(() => new BucketRateLimiter(clock, 1, 0), { instanceOf: WorkQueueError });
  t.is(new BucketRateLimiter<string>(clock, Infinity, 1).when('a'), 0);
});

test('fast-check: the bucket delay equals the deficit of a reference token count', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 1, max: 20 }),
      fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 60 }),
      (qps, burst, gaps) => {
        const clock = new FakeClock(0);
        const limiter = new BucketRateLimiter<string>(clock, qps, burst);
        let tokens = burst;
        for (const gap of gaps) {
          clock.advance(gap);
          tokens = Math.min(burst, tokens + (gap * qps) / 1000) - 1;
          const expected = tokens >= 0 ? 0 : (-tokens * 1000) / qps;
          t.true(Math.abs(limiter.when('k') - expected) < 1e-6);
        }
      },
    ),
  );
});

test('max-of returns the largest delay and every limiter records the retry', (t) => {
  const a = new ItemFastSlowRateLimiter<string>(7, 100, 1);
  const b = new ItemExponentialFailureRateLimiter<string>(1, 1000);
  const max = new MaxOfRateLimiter<string>(a, b);
  t.deepEqual(whens(max, 'x', 9), [7, 100, 100, 100, 100, 100, 100, 128, 256]);
  t.is(a.numRequeues('x'), 9);
  t.is(b.numRequeues('x'), 9);
  t.is(max.numRequeues('x'), 9);
  max.forget('x');
  t.is(a.numRequeues('x'), 0);
  t.is(b.numRequeues('x'), 0);
});

test('the default controller limiter is max(5 ms exponential, 10 qps burst 100 bucket)', (t) => {
  const clock = new FakeClock();
  const limiter = defaultControllerRateLimiter<string>(clock);
  // one item failing repeatedly: exponential dominates while the bucket still has tokens
  t.deepEqual(whens(limiter, 'hot', 4), [5, 10, 20, 40]);
  // 96 more distinct first failures empty the bucket (100 tokens in total so far)
  for (let i = 0; i < 96; i++) t.is(limiter.when(`cold-${i}`), 5);
  // now the bucket dominates for fresh items
  t.is(limiter.when('fresh-1'), 100);
  t.is(limiter.when('fresh-2'), 200);
  t.is(limiter.numRequeues('hot'), 4);
  limiter.forget('hot');
  t.is(limiter.numRequeues('hot'), 0);
});
