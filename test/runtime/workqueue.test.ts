import test from 'ava';
import fc from 'fast-check';
import { FakeClock } from '../../src/runtime/clock.js';
import { ItemExponentialFailureRateLimiter } from '../../src/runtime/rate-limiter.js';
import { WorkQueue, WorkQueueError } from '../../src/runtime/workqueue.js';
import type { WorkQueueMetricEvent } from '../../src/runtime/workqueue.js';

function setup(): { clock: FakeClock; q: WorkQueue<string> } {
  const clock = new FakeClock(0);
  return { clock, q: new WorkQueue<string>({ clock }) };
}

/** Let resolved promises run their callbacks. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// ---------------------------------------------------------------------------------------------
// the basic rules
// ---------------------------------------------------------------------------------------------

test('an item added twice before processing is processed once', (t) => {
  const { q } = setup();
  q.add('a');
  q.add('a');
  t.is(q.len(), 1);
  t.is(q.tryGet(), 'a');
  q.done('a');
  t.is(q.tryGet(), undefined);
});

test('an item being processed is not handed out again until done', (t) => {
  const { q } = setup();
  q.add('a');
  t.is(q.tryGet(), 'a');
  q.add('a');
  t.is(q.len(), 0);
  t.is(q.tryGet(), undefined);
  t.deepEqual(q.inspect().dirty, ['a']);
});

test('an item re-added while processing is handed out again after done', (t) => {
  const { q } = setup();
  q.add('a');
  q.add('b');
  t.is(q.tryGet(), 'a');
  q.add('a');
  q.add('a');
  q.done('a');
  t.deepEqual(q.inspect().queued, ['b', 'a']);
  t.is(q.tryGet(), 'b');
  t.is(q.tryGet(), 'a');
  q.done('a');
  t.is(q.len(), 0);
});

test('items are handed out in the order they were first added', (t) => {
  const { q } = setup();
  for (const k of ['c', 'a', 'b', 'a', 'c', 'd']) q.add(k);
  const out: (string | undefined)[] = [];
  for (let k = q.tryGet(); k !== undefined; k = q.tryGet()) out.push(k);
  t.deepEqual(out, ['c', 'a', 'b', 'd']);
});

test('len counts only items ready to be handed out', (t) => {
  const { q } = setup();
  q.add('a');
  q.add('b');
  t.is(q.len(), 2);
  q.tryGet();
  t.is(q.len(), 1);
  q.addAfter('c', 100);
  t.is(q.len(), 1);
});

test('done for an item that is not being processed changes nothing', (t) => {
  const { q } = setup();
  q.add('a');
  q.done('a');
  q.done('zzz');
  t.deepEqual(q.inspect(), { queued: ['a'], dirty: ['a'], processing: [], waiting: [] });
});

test('get waits until an item is added, and waiting gets are served in call order', async (t) => {
  const { q } = setup();
  const got: string[] = [];
  const g1 = q.get().then((k) => got.push(`1:${k}`));
  const g2 = q.get().then((k) => got.push(`2:${k}`));
  await flush();
  t.deepEqual(got, []);
  q.add('x');
  t.deepEqual(q.inspect().processing, ['x']); // handed out synchronously, so nobody else gets it
  q.add('x');
  t.is(q.len(), 0);
  q.add('y');
  await Promise.all([g1, g2]);
  t.deepEqual(got, ['1:x', '2:y']);
});

test('get resolves at once with a queued item', async (t) => {
  const { q } = setup();
  q.add('a');
  t.is(await q.get(), 'a');
});

// ---------------------------------------------------------------------------------------------
// shutdown
// ---------------------------------------------------------------------------------------------

test('after shutDown waiting gets resolve undefined and adds are ignored', async (t) => {
  const { q } = setup();
  const waiting = q.get();
  t.false(q.shuttingDown);
  await q.shutDown();
  t.true(q.shuttingDown);
  t.is(await waiting, undefined);
  q.add('a');
  q.addAfter('b', 0);
  t.is(q.len(), 0);
  t.is(await q.get(), undefined);
  t.is(q.metrics().adds, 0);
  t.is(q.metrics().retries, 0);
});

test('items queued before shutDown are still handed out, then get resolves undefined', async (t) => {
  const { q } = setup();
  q.add('a');
  q.add('b');
  await q.shutDown();
  t.is(await q.get(), 'a');
  t.is(await q.get(), 'b');
  t.is(await q.get(), undefined);
});

test('shutDown drops pending addAfter delays and their timers', async (t) => {
  const { clock, q } = setup();
  q.addAfter('a', 100);
  q.addAfter('b', 200);
  t.is(clock.pendingTimers(), 2);
  await q.shutDown();
  t.is(clock.pendingTimers(), 0);
  clock.advance(1000);
  t.is(q.len(), 0);
});

test('shutDown with drain waits until the items being processed are done', async (t) => {
  const { q } = setup();
  q.add('a');
  q.add('b');
  q.tryGet();
  q.tryGet();
  let drained = false;
  const drain = q.shutDown({ drain: true }).then(() => (drained = true));
  await flush();
  t.false(drained);
  q.done('a');
  await flush();
  t.false(drained);
  q.done('b');
  await drain;
  t.true(drained);
});

test('shutDown with drain resolves at once when nothing is being processed', async (t) => {
  const { q } = setup();
  q.add('queued-but-not-started');
  await q.shutDown({ drain: true });
  t.pass();
});

test('a plain shutDown releases a pending drain', async (t) => {
  const { q } = setup();
  q.add('a');
  q.tryGet();
  let drained = false;
  const drain = q.shutDown({ drain: true }).then(() => (drained = true));
  await flush();
  t.false(drained);
  await q.shutDown();
  await drain;
  t.true(drained);
});

// ---------------------------------------------------------------------------------------------
// delays and rate limiting
// ---------------------------------------------------------------------------------------------

test('addAfter adds the item once the delay has passed on the clock, not before', (t) => {
  const { clock, q } = setup();
  q.addAfter('a', 1000);
  t.deepEqual(q.inspect().waiting, [{ key: 'a', readyAt: 1000 }]);
  clock.advance(999);
  t.is(q.len(), 0);
  clock.advance(1);
  t.is(q.len(), 1);
  t.deepEqual(q.inspect().waiting, []);
});

test('of several pending addAfters for one item the earliest wins', (t) => {
  const { clock, q } = setup();
  q.addAfter('a', 500);
  q.addAfter('a', 800); // later: ignored
  t.is(clock.pendingTimers(), 1);
  q.addAfter('a', 200); // earlier: replaces
  t.is(clock.pendingTimers(), 1);
  t.deepEqual(q.inspect().waiting, [{ key: 'a', readyAt: 200 }]);
  clock.advance(200);
  t.is(q.tryGet(), 'a');
  q.done('a');
  clock.advance(10_000);
  t.is(q.len(), 0);
});

test('addAfter with a zero or negative delay adds at once', (t) => {
  const { clock, q } = setup();
  q.addAfter('a', 0);
  q.addAfter('b', -5);
  t.deepEqual(q.inspect().queued, ['a', 'b']);
  t.is(clock.pendingTimers(), 0);
});

test('a delayed add of an item already queued is a no-op when it fires', (t) => {
  const { clock, q } = setup();
  q.add('a');
  q.addAfter('a', 10);
  clock.advance(10);
  t.deepEqual(q.inspect().queued, ['a']);
  t.is(q.metrics().adds, 1);
});

test('addRateLimited waits 5, 10, 20 ms for repeated failures and forget starts over', (t) => {
  const { clock, q } = setup();
  const delays: number[] = [];
  for (let i = 0; i < 3; i++) {
    q.addRateLimited('a');
    const readyAt = q.inspect().waiting[0]?.readyAt ?? Number.NaN;
    delays.push(readyAt - clock.now());
    clock.advance(readyAt - clock.now());
    t.is(q.tryGet(), 'a');
    q.done('a');
  }
  t.deepEqual(delays, [5, 10, 20]);
  t.is(q.numRequeues('a'), 3);
  q.forget('a');
  t.is(q.numRequeues('a'), 0);
  q.addRateLimited('a');
  t.deepEqual(q.inspect().waiting, [{ key: 'a', readyAt: clock.now() + 5 }]);
});

test('addRateLimited uses the rate limiter given in the options', (t) => {
  const clock = new FakeClock(0);
  const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(100, 150) });
  q.addRateLimited('a');
  q.addRateLimited('b');
  t.deepEqual(q.inspect().waiting, [
    { key: 'a', readyAt: 100 },
    { key: 'b', readyAt: 100 },
  ]);
  clock.advance(100);
  t.deepEqual(q.inspect().queued, ['a', 'b']);
  q.tryGet();
  q.addRateLimited('a');
  t.deepEqual(q.inspect().waiting, [{ key: 'a', readyAt: 250 }]);
});

// ---------------------------------------------------------------------------------------------
// metrics
// ---------------------------------------------------------------------------------------------

test('metrics report depth, adds, retries, queue latency, work duration and the longest processor', (t) => {
  const { clock, q } = setup();
  q.add('a');
  clock.advance(10);
  q.add('b');
  q.add('b');
  q.addAfter('c', 50);
  t.like(q.metrics(), { depth: 2, adds: 2, retries: 1, waiting: 1, processing: 0 });
  clock.advance(30); // a waited 40, b waited 30
  q.tryGet();
  q.tryGet();
  clock.advance(5);
  q.done('b');
  clock.advance(15); // c arrives at 50 and is queued
  const m = q.metrics();
  t.like(m, { depth: 1, adds: 3, retries: 1, processing: 1, waiting: 0 });
  t.deepEqual(m.queueLatency, { count: 2, sumMs: 70, maxMs: 40 });
  t.deepEqual(m.workDuration, { count: 1, sumMs: 5, maxMs: 5 });
  t.is(m.longestRunningProcessorMs, 20);
  t.is(m.unfinishedWorkMs, 20);
  t.is(m.name, 'workqueue');
});

test('queue latency is measured from the first add, not from re-adds', (t) => {
  const { clock, q } = setup();
  q.add('a');
  clock.advance(100);
  q.add('a');
  q.tryGet();
  t.deepEqual(q.metrics().queueLatency, { count: 1, sumMs: 100, maxMs: 100 });
});

test('the onMetric hook receives each observation as it happens', (t) => {
  const clock = new FakeClock(0);
  const events: WorkQueueMetricEvent[] = [];
  const q = new WorkQueue<string>({ clock, name: 'pods', onMetric: (e) => events.push(e) });
  q.add('a');
  q.add('a');
  clock.advance(3);
  q.tryGet();
  clock.advance(4);
  q.done('a');
  q.addAfter('a', 1);
  t.deepEqual(events, [
    { type: 'add', name: 'pods', depth: 1 },
    { type: 'get', name: 'pods', depth: 0, latencyMs: 3 },
    { type: 'done', name: 'pods', workMs: 4 },
    { type: 'retry', name: 'pods' },
  ]);
});

// ---------------------------------------------------------------------------------------------
// keys
// ---------------------------------------------------------------------------------------------

test('object items are identified by keyOf and the first value added under a key is handed out', (t) => {
  type Ref = { readonly namespace: string; readonly name: string; readonly note: string };
  const clock = new FakeClock(0);
  const q = new WorkQueue<Ref>({ clock, keyOf: (r) => `${r.namespace}/${r.name}` });
  q.add({ namespace: 'ns', name: 'a', note: 'first' });
  q.add({ namespace: 'ns', name: 'a', note: 'second' });
  t.is(q.len(), 1);
  const got = q.tryGet();
  t.is(got?.note, 'first');
  q.add({ namespace: 'ns', name: 'a', note: 'third' });
  q.done({ namespace: 'ns', name: 'a', note: 'whatever' });
  t.is(q.tryGet()?.note, 'third');
  q.addRateLimited({ namespace: 'ns', name: 'b', note: '' });
  t.is(q.numRequeues({ namespace: 'ns', name: 'b', note: 'other' }), 1);
});

test('a queue of non-string items needs a keyOf', (t) => {
  const clock = new FakeClock(0);
  // @ts-expect-error keyOf is required when items are not strings
  const q = new WorkQueue<{ id: number }>({ clock });
  const err = t.throws(() => q.add({ id: 1 }), { instanceOf: WorkQueueError });
  t.is(err?.code, 'InvalidArgument');
  t.regex(err?.message ?? '', /keyOf/);
});

// ---------------------------------------------------------------------------------------------
// a worker loop on virtual time
// ---------------------------------------------------------------------------------------------

test('workers on a fake clock never share a key, rerun a key added during its processing, retry failures with backoff, and stop on shutdown', async (t) => {
  const clock = new FakeClock(0);
  const q = new WorkQueue<string>({ clock });
  const failuresLeft = new Map([['flaky', 3]]);
  const log: string[] = [];
  let concurrent = 0;
  let maxConcurrentPerKey = 0;
  const active = new Set<string>();
  const worker = async (): Promise<void> => {
    for (let key = await q.get(); key !== undefined; key = await q.get()) {
      if (active.has(key)) maxConcurrentPerKey = 2;
      active.add(key);
      concurrent++;
      await clock.sleep(10); // "work"
      active.delete(key);
      concurrent--;
      const left = failuresLeft.get(key) ?? 0;
      if (left > 0) {
        failuresLeft.set(key, left - 1);
        q.addRateLimited(key);
      } else {
        q.forget(key);
        log.push(`${key}@${clock.now()}`);
      }
      q.done(key);
    }
  };
  const workers = [worker(), worker()];
  q.add('a');
  q.add('flaky');
  q.add('b');
  q.add('a');
  await clock.advanceAsync(1000);
  t.is(maxConcurrentPerKey, 0);
  t.is(concurrent, 0);
  // the two workers take a and flaky at 0; the second add of a lands while a is processing, so
  // a runs again after b; flaky fails at 10, 30, 50 and is retried after 5, 10, 20 ms of backoff
  // (ready at 15, 40, 70), succeeding at 80
  t.deepEqual(log, ['a@10', 'b@20', 'a@20', 'flaky@80']);
  t.is(q.numRequeues('flaky'), 0);
  await q.shutDown({ drain: true });
  await Promise.all(workers);
  t.is(clock.pendingTimers(), 0);
});

// ---------------------------------------------------------------------------------------------
// model test
// ---------------------------------------------------------------------------------------------

type Cmd =
  | { readonly c: 'add'; readonly k: string }
  | { readonly c: 'tryGet' }
  | { readonly c: 'get' }
  | { readonly c: 'done'; readonly k: string }
  | { readonly c: 'addAfter'; readonly k: string; readonly ms: number }
  | { readonly c: 'advance'; readonly ms: number }
  | { readonly c: 'shutDown' };

const keyArb = fc.constantFrom('a', 'b', 'c', 'd');
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: fc.record({ c: fc.constant('add' as const), k: keyArb }), weight: 5 },
  { arbitrary: fc.record({ c: fc.constant('tryGet' as const) }), weight: 3 },
  { arbitrary: fc.record({ c: fc.constant('get' as const) }), weight: 2 },
  { arbitrary: fc.record({ c: fc.constant('done' as const), k: keyArb }), weight: 4 },
  { arbitrary: fc.record({ c: fc.constant('addAfter' as const), k: keyArb, ms: fc.integer({ min: -5, max: 50 }) }), weight: 3 },
  { arbitrary: fc.record({ c: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40 }) }), weight: 3 },
  { arbitrary: fc.record({ c: fc.constant('shutDown' as const) }), weight: 1 },
);

/** A deliberately naive reference of client-go's rules. */
class Model {
  now = 0;
  seq = 0;
  shutdown = false;
  queue: string[] = [];
  dirty = new Set<string>();
  processing = new Set<string>();
  waiting = new Map<string, { readyAt: number; seq: number }>();
  getters: number[] = [];
  delivered = new Map<number, string | undefined>();

  add(k: string): void {
    if (this.shutdown || this.dirty.has(k)) return;
    this.dirty.add(k);
    if (this.processing.has(k)) return;
    this.queue.push(k);
    this.serve();
  }
  take(): string | undefined {
    const k = this.queue.shift();
    if (k === undefined) return undefined;
    if (this.processing.has(k)) throw new Error(`model handed out ${k} twice`);
    this.dirty.delete(k);
    this.processing.add(k);
    return k;
  }
  serve(): void {
    while (this.getters.length > 0 && (this.queue.length > 0 || this.shutdown)) {
      this.delivered.set(this.getters.shift() as number, this.take());
    }
  }
  get(id: number): void {
    this.getters.push(id);
    this.serve();
  }
  done(k: string): void {
    if (!this.processing.delete(k)) return;
    if (this.dirty.has(k)) {
      this.queue.push(k);
      this.serve();
    }
  }
  addAfter(k: string, ms: number): void {
    if (this.shutdown) return;
    if (ms <= 0) return this.add(k);
    const readyAt = this.now + ms;
    const existing = this.waiting.get(k);
    if (existing && existing.readyAt <= readyAt) return;
    this.waiting.set(k, { readyAt, seq: this.seq++ });
  }
  advance(ms: number): void {
    const target = this.now + ms;
    const due = [...this.waiting].filter(([, w]) => w.readyAt <= target).sort(([, x], [, y]) => x.readyAt - y.readyAt || x.seq - y.seq);
    for (const [k] of due) {
      this.waiting.delete(k);
      this.add(k);
    }
    this.now = target;
  }
  shutDownNow(): void {
    this.shutdown = true;
    this.waiting.clear();
    this.serve();
  }
}

/** Run `cmds` against a queue and the model; throw at the first disagreement. */
async function modelRun(make: (clock: FakeClock) => WorkQueue<string>, cmds: readonly Cmd[]): Promise<void> {
  const clock = new FakeClock(0);
  const q = make(clock);
  const m = new Model();
  const delivered = new Map<number, string | undefined>();
  let nextGetter = 0;
  const sorted = (xs: Iterable<string>): string => JSON.stringify([...xs].sort());
  for (const cmd of cmds) {
    const before = new Set(q.inspect().processing);
    switch (cmd.c) {
      case 'add':
        q.add(cmd.k);
        m.add(cmd.k);
        break;
      case 'tryGet': {
        const got = q.tryGet();
        if (got !== undefined && before.has(got)) throw new Error(`${got} handed out while held`);
        const expected = m.take();
        if (got !== expected) throw new Error(`tryGet: queue gave ${got}, model ${expected}`);
        break;
      }
      case 'get': {
        const id = nextGetter++;
        void q.get().then((k) => delivered.set(id, k));
        m.get(id);
        break;
      }
      case 'done':
        q.done(cmd.k);
        m.done(cmd.k);
        break;
      case 'addAfter':
        q.addAfter(cmd.k, cmd.ms);
        m.addAfter(cmd.k, cmd.ms);
        break;
      case 'advance':
        clock.advance(cmd.ms);
        m.advance(cmd.ms);
        break;
      case 'shutDown':
        void q.shutDown();
        m.shutDownNow();
        break;
    }
    const s = q.inspect();
    const where = `after ${JSON.stringify(cmd)}`;
    if (JSON.stringify(s.queued) !== JSON.stringify(m.queue)) throw new Error(`${where}: queued ${s.queued} vs ${m.queue}`);
    if (q.len() !== m.queue.length) throw new Error(`${where}: len differs`);
    if (sorted(s.dirty) !== sorted(m.dirty)) throw new Error(`${where}: dirty differs`);
    if (sorted(s.processing) !== sorted(m.processing)) throw new Error(`${where}: processing differs`);
    const waiting = s.waiting.map((w) => `${w.key}@${w.readyAt}`);
    const mWaiting = [...m.waiting].map(([k, w]) => `${k}@${w.readyAt}`);
    if (sorted(waiting) !== sorted(mWaiting)) throw new Error(`${where}: waiting differs`);
    if (q.shuttingDown !== m.shutdown) throw new Error(`${where}: shuttingDown differs`);
    if (q.metrics().depth !== m.dirty.size) throw new Error(`${where}: depth differs`);
  }
  await flush();
  const got = JSON.stringify([...delivered].sort());
  const want = JSON.stringify([...m.delivered].sort());
  if (got !== want) throw new Error(`getters got ${got}, model ${want}`);
}

const cmdsArb = fc.array(cmdArb, { maxLength: 80 });

test('fast-check model: the queue agrees with a reference model and never hands one key to two holders', async (t) => {
  await fc.assert(
    fc.asyncProperty(cmdsArb, (cmds) => modelRun((clock) => new WorkQueue<string>({ clock }), cmds)),
    { numRuns: 300 },
  );
  t.pass();
});

/** A deliberately broken queue: `done` of an item re-added meanwhile loses the re-add. */
class LosesReAdds extends WorkQueue<string> {
  override done(item: string): void {
    if (this.inspect().dirty.includes(item)) return;
    super.done(item);
  }
}

test('the model test can fail: it catches a queue that loses re-adds made during processing', async (t) => {
  const result = await fc.check(
    fc.asyncProperty(cmdsArb, (cmds) => modelRun((clock) => new LosesReAdds({ clock }), cmds)),
    {
      numRuns: 300,
      // the shortest exposing sequence, so the check does not depend on the random search
      examples: [[[{ c: 'add', k: 'a' }, { c: 'tryGet' }, { c: 'add', k: 'a' }, { c: 'done', k: 'a' }]]],
    },
  );
  t.true(result.failed);
});

test('idle and nextReadyAt report what settle needs without copying the queue', async (t) => {
  const { FakeClock: Clock } = await import('../../src/runtime/clock.js');
  const { WorkQueue: Queue } = await import('../../src/runtime/workqueue.js');
  const clock = new Clock();
  const q = new Queue<string>({ clock });
  t.true(q.idle());
  t.is(q.nextReadyAt(), undefined);
  q.addAfter('later', 500);
  q.addAfter('sooner', 200);
  t.true(q.idle(), 'delayed items do not make the queue busy');
  t.is(q.nextReadyAt(), clock.now() + 200);
  q.add('now');
  t.false(q.idle());
  const item = q.tryGet();
  t.is(item, 'now');
  t.false(q.idle(), 'an item being processed makes it busy');
  q.done('now');
  t.true(q.idle());
  await q.shutDown();
});
