import test from 'ava';
import fc from 'fast-check';
import { debounceTime, delay, interval, of, Subject, take, timer } from 'rxjs';
import { ClockError, FakeClock, RealClock, clockScheduler } from '../../src/runtime/clock.js';

const START = Date.UTC(2026, 0, 1);

test('a FakeClock starts at 2026-01-01T00:00:00Z unless given a start time', (t) => {
  t.is(new FakeClock().now(), START);
  t.is(new FakeClock(42).now(), 42);
});

test('a timer fires when time reaches its due time and not before', (t) => {
  const clock = new FakeClock();
  let fired = 0;
  clock.setTimeout(() => fired++, 1000);
  clock.advance(999);
  t.is(fired, 0);
  t.is(clock.nextTimerAt(), START + 1000);
  clock.advance(1);
  t.is(fired, 1);
  t.is(clock.pendingTimers(), 0);
  t.is(clock.nextTimerAt(), undefined);
});

test('advance fires due timers in time order, equal times in creation order, and reads each due time', (t) => {
  const clock = new FakeClock(0);
  const log: string[] = [];
  clock.setTimeout(() => log.push(`c@${clock.now()}`), 30);
  clock.setTimeout(() => log.push(`a1@${clock.now()}`), 10);
  clock.setTimeout(() => log.push(`a2@${clock.now()}`), 10);
  clock.setTimeout(() => log.push(`b@${clock.now()}`), 20);
  clock.advance(100);
  t.deepEqual(log, ['a1@10', 'a2@10', 'b@20', 'c@30']);
  t.is(clock.now(), 100);
});

test('timers scheduled by a firing timer also fire within the same advance when due inside the window', (t) => {
  const clock = new FakeClock(0);
  const log: number[] = [];
  clock.setTimeout(() => {
    log.push(clock.now());
    clock.setTimeout(() => log.push(clock.now()), 5); // due at 15, inside the window
    clock.setTimeout(() => log.push(clock.now()), 50); // due at 60, outside
  }, 10);
  clock.setTimeout(() => log.push(clock.now()), 20);
  clock.advance(30);
  t.deepEqual(log, [10, 15, 20]);
  t.is(clock.pendingTimers(), 1);
  clock.advance(30);
  t.deepEqual(log, [10, 15, 20, 60]);
});

test('a zero-delay timer does not fire synchronously but fires on advance(0)', (t) => {
  const clock = new FakeClock();
  let fired = false;
  clock.setTimeout(() => (fired = true), 0);
  t.false(fired);
  clock.advance(0);
  t.true(fired);
});

test('a cleared timer never fires and clearing an unknown timer is a no-op', (t) => {
  const clock = new FakeClock();
  let fired = false;
  const h = clock.setTimeout(() => (fired = true), 10);
  clock.clearTimeout(h);
  clock.clearTimeout(h);
  clock.clearTimeout({ id: 9999 });
  t.is(clock.pendingTimers(), 0);
  clock.advance(100);
  t.false(fired);
});

test('advance rejects negative or non-finite durations with a ClockError', (t) => {
  const clock = new FakeClock();
  t.is(t.throws(() => clock.advance(-1), { instanceOf: ClockError })?.code, 'InvalidArgument');
  t.is(t.throws(() => clock.advance(Number.NaN), { instanceOf: ClockError })?.code, 'InvalidArgument');
});

test('runAll runs timers until none remain and returns how many fired', (t) => {
  const clock = new FakeClock(0);
  let n = 0;
  const tick = (): void => {
    n++;
    if (n < 5) clock.setTimeout(tick, 100);
  };
  clock.setTimeout(tick, 100);
  t.is(clock.runAll(), 5);
  t.is(clock.now(), 500);
  t.is(clock.pendingTimers(), 0);
});

test('runAll throws a HotLoop error when a timer keeps rescheduling itself', (t) => {
  const clock = new FakeClock();
  const again = (): void => {
    clock.setTimeout(again, 1);
  };
  clock.setTimeout(again, 1);
  const err = t.throws(() => clock.runAll(50), { instanceOf: ClockError });
  t.is(err?.code, 'HotLoop');
  t.regex(err?.message ?? '', /reschedules itself/);
});

test('advance also guards against a zero-delay hot loop', (t) => {
  const clock = new FakeClock();
  const again = (): void => {
    clock.setTimeout(again, 0);
  };
  clock.setTimeout(again, 0);
  t.is(t.throws(() => clock.advance(10, 100), { instanceOf: ClockError })?.code, 'HotLoop');
});

test('sleep resolves after the duration on the fake clock', async (t) => {
  const clock = new FakeClock();
  let done = false;
  const p = clock.sleep(500).then(() => (done = true));
  clock.advance(499);
  await Promise.resolve();
  t.false(done);
  clock.advance(1);
  await p;
  t.true(done);
});

test('sleep rejects with the signal reason and clears its timer when aborted', async (t) => {
  const clock = new FakeClock();
  const ac = new AbortController();
  const p = clock.sleep(500, ac.signal);
  t.is(clock.pendingTimers(), 1);
  ac.abort(new Error('stop'));
  await t.throwsAsync(p, { message: 'stop' });
  t.is(clock.pendingTimers(), 0);
});

test('sleep with an already aborted signal rejects without creating a timer', async (t) => {
  const clock = new FakeClock();
  const p = clock.sleep(500, AbortSignal.abort(new Error('already')));
  await t.throwsAsync(p, { message: 'already' });
  t.is(clock.pendingTimers(), 0);
});

/** Three sleeps of 100 ms in a row, with an extra promise hop each, logging the time. */
function sleepLoop(clock: FakeClock, log: number[]): Promise<void> {
  return (async () => {
    for (let i = 0; i < 3; i++) {
      await clock.sleep(100);
      await Promise.resolve();
      log.push(clock.now());
    }
  })();
}

test('the synchronous advance does not reach sleeps made after a promise hop', async (t) => {
  const clock = new FakeClock(0);
  const log: number[] = [];
  void sleepLoop(clock, log);
  clock.advance(300);
  await new Promise<void>((resolve) => setImmediate(resolve));
  // only the first sleep fired (its continuation ran after advance returned, so it logs 300);
  // the second sleep was created after advance returned, so it is due at 400
  t.deepEqual(log, [300]);
  t.is(clock.nextTimerAt(), 400);
});

test('advanceAsync lets promise-based code driven by timers progress', async (t) => {
  const clock = new FakeClock(0);
  const log: number[] = [];
  const running = sleepLoop(clock, log);
  await clock.advanceAsync(300);
  t.deepEqual(log, [100, 200, 300]);
  await running;
  t.is(clock.now(), 300);
});

test('runAllAsync drives an async retry loop to completion', async (t) => {
  const clock = new FakeClock(0);
  let attempts = 0;
  const result = (async () => {
    while (attempts < 4) {
      attempts++;
      await clock.sleep(1000 * attempts);
    }
    return clock.now();
  })();
  await clock.runAllAsync();
  t.is(await result, 1000 + 2000 + 3000 + 4000);
});

test('fast-check: any set of timers fires sorted by due time with ties in creation order', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 40 }), fc.integer({ min: 0, max: 60 }), (delays, window) => {
      const clock = new FakeClock(0);
      const fired: number[] = [];
      delays.forEach((d, i) => clock.setTimeout(() => fired.push(i), d));
      clock.advance(window);
      const expected = delays
        .map((d, i) => ({ d, i }))
        .filter(({ d }) => d <= window)
        .sort((a, b) => a.d - b.d || a.i - b.i)
        .map(({ i }) => i);
      t.deepEqual(fired, expected);
      t.is(clock.pendingTimers(), delays.length - expected.length);
    }),
  );
});

// ---------------------------------------------------------------------------------------------
// rxjs scheduler
// ---------------------------------------------------------------------------------------------

test('rxjs timer on the fake scheduler fires on advance(1000) and not before', (t) => {
  const clock = new FakeClock();
  const seen: number[] = [];
  timer(1000, clock.scheduler).subscribe((v) => seen.push(v));
  clock.advance(999);
  t.deepEqual(seen, []);
  clock.advance(1);
  t.deepEqual(seen, [0]);
  t.is(clock.pendingTimers(), 0);
});

test('rxjs interval on the fake scheduler repeats once per period', (t) => {
  const clock = new FakeClock(0);
  const seen: [number, number][] = [];
  const sub = interval(100, clock.scheduler).subscribe((v) => seen.push([v, clock.now()]));
  clock.advance(350);
  t.deepEqual(seen, [
    [0, 100],
    [1, 200],
    [2, 300],
  ]);
  t.is(clock.pendingTimers(), 1);
  sub.unsubscribe();
  t.is(clock.pendingTimers(), 0);
});

test('rxjs debounceTime on the fake scheduler emits only after a quiet period', (t) => {
  const clock = new FakeClock(0);
  const input = new Subject<string>();
  const seen: [string, number][] = [];
  input.pipe(debounceTime(100, clock.scheduler)).subscribe((v) => seen.push([v, clock.now()]));
  input.next('a');
  clock.advance(50);
  input.next('b');
  clock.advance(99);
  t.deepEqual(seen, []);
  clock.advance(1);
  t.deepEqual(seen, [['b', 150]]);
  input.next('c');
  clock.advance(100);
  t.deepEqual(seen, [
    ['b', 150],
    ['c', 250],
  ]);
});

test('rxjs delay on the fake scheduler shifts values by the delay', (t) => {
  const clock = new FakeClock(0);
  const seen: number[] = [];
  of(1, 2)
    .pipe(delay(250, clock.scheduler))
    .subscribe(() => seen.push(clock.now()));
  clock.advance(249);
  t.deepEqual(seen, []);
  clock.advance(1);
  t.deepEqual(seen, [250, 250]);
});

test('unsubscribing from an rxjs timer cancels its clock timer', (t) => {
  const clock = new FakeClock();
  let fired = false;
  const sub = timer(1000, clock.scheduler).subscribe(() => (fired = true));
  t.is(clock.pendingTimers(), 1);
  sub.unsubscribe();
  t.is(clock.pendingTimers(), 0);
  clock.advance(2000);
  t.false(fired);
});

test('an rxjs action rescheduled from inside its work keeps a single timer', (t) => {
  const clock = new FakeClock(0);
  const at: number[] = [];
  const sub = clock.scheduler.schedule<number>(
    function (n) {
      at.push(clock.now());
      if (n !== undefined && n < 3) this.schedule(n + 1, 10);
    },
    5,
    1,
  );
  t.is(clock.pendingTimers(), 1);
  clock.advance(100);
  t.deepEqual(at, [5, 15, 25]);
  t.is(clock.pendingTimers(), 0);
  sub.unsubscribe();
});

test('the scheduler now() follows the clock', (t) => {
  const clock = new FakeClock(1234);
  const scheduler = clockScheduler(clock);
  t.is(scheduler.now(), 1234);
  clock.advance(10);
  t.is(scheduler.now(), 1244);
});

test('a throwing rxjs action is torn down and the error surfaces from advance', (t) => {
  const clock = new FakeClock(0);
  const sub = clock.scheduler.schedule(() => {
    throw new Error('boom');
  }, 10);
  t.throws(() => clock.advance(10), { message: 'boom' });
  t.true(sub.closed);
});

// ---------------------------------------------------------------------------------------------
// RealClock (tiny real delays only)
// ---------------------------------------------------------------------------------------------

test('RealClock reads the wall clock and its timers are cancellable', async (t) => {
  const clock = new RealClock();
  const before = Date.now();
  t.true(Math.abs(clock.now() - before) < 1000);
  let fired = false;
  const h = clock.setTimeout(() => (fired = true), 1);
  t.is(clock.pendingTimers(), 1);
  clock.clearTimeout(h);
  t.is(clock.pendingTimers(), 0);
  await clock.sleep(5);
  t.false(fired);
  t.is(clock.pendingTimers(), 0);
});

test('RealClock sleep rejects when aborted and leaves no timer behind', async (t) => {
  const clock = new RealClock();
  const ac = new AbortController();
  const p = clock.sleep(60_000, ac.signal);
  ac.abort(new Error('cancelled'));
  await t.throwsAsync(p, { message: 'cancelled' });
  t.is(clock.pendingTimers(), 0);
});

test('rxjs timer on the RealClock scheduler fires', async (t) => {
  const clock = new RealClock();
  const value = await new Promise<number>((resolve) => timer(2, clock.scheduler).pipe(take(1)).subscribe(resolve));
  t.is(value, 0);
  t.is(clock.pendingTimers(), 0);
});
