import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import { Observable } from 'rxjs';
import type { KubeObjectLike, ListOptions, ListResult, ListWatcher, WatchEvent, WatchOptions } from '../../src/client/watch-types.js';
import { objectKey } from '../../src/runtime/cache.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { Informer, type InformerEvent, type InformerLogger, type InformerOptions, isExpired } from '../../src/runtime/informer.js';
import { FakeListWatcher } from '../../src/testing/fake-list-watch.js';

interface Obj extends KubeObjectLike {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
  };
  readonly spec: { readonly v: number; readonly node?: string };
}

const mk = (name: string, v = 0, node?: string): Obj => ({
  metadata: { namespace: 'default', name },
  spec: node === undefined ? { v } : { v, node },
});

type Rec = string[];

/** Records events as compact strings: "add a v0", "update a v0->v1", "delete a v1 tomb". */
function describe(ev: InformerEvent<Obj>): string {
  switch (ev.type) {
    case 'add':
      return `add ${ev.object.metadata.name} v${ev.object.spec.v}${ev.isInInitialList ? ' initial' : ''}`;
    case 'update':
      return `update ${ev.object.metadata.name} v${ev.old.spec.v}->v${ev.object.spec.v}`;
    case 'delete':
      return `delete ${ev.object.metadata.name} v${ev.object.spec.v}${ev.tombstone ? ' tomb' : ''}`;
    case 'synced':
      return 'synced';
  }
}

function setup(
  opts: Partial<InformerOptions<Obj>> = {},
  fake = new FakeListWatcher<Obj>(),
): { clock: FakeClock; fake: FakeListWatcher<Obj>; informer: Informer<Obj>; rec: Rec } {
  const clock = new FakeClock();
  const informer = new Informer<Obj>({
    listWatcher: fake,
    clock,
    backoff: { random: () => 0.5 },
    ...opts,
  });
  const rec: Rec = [];
  informer.events$.subscribe((ev) => rec.push(describe(ev)));
  return { clock, fake, informer, rec };
}

/** Lets promise callbacks run without moving time. */
const settle = (clock: FakeClock): Promise<number> => clock.advanceAsync(0);

test('the first list fills the cache and delivers initial adds, then synced', async (t) => {
  const { clock, fake, informer, rec } = setup();
  fake.add(mk('a', 1));
  fake.add(mk('b', 2));
  t.false(informer.hasSynced());
  informer.start();
  await informer.synced;
  t.true(informer.hasSynced());
  t.deepEqual(rec, ['add a v1 initial', 'add b v2 initial', 'synced']);
  t.is(informer.cache.size, 2);
  t.is(informer.cache.getByName('default', 'b')?.spec.v, 2);
  t.is(informer.lastSyncResourceVersion(), fake.resourceVersion);
  await settle(clock);
  t.is(fake.activeWatches, 1);
  await informer.stop();
});

test('watch events after the list reach the cache and handlers in order, without duplicates', async (t) => {
  const { clock, fake, informer, rec } = setup();
  fake.add(mk('a', 1));
  informer.start();
  await settle(clock);
  fake.add(mk('b', 1));
  fake.update(mk('a', 2));
  fake.delete(mk('b'));
  t.deepEqual(rec, ['add a v1 initial', 'synced', 'add b v1', 'update a v1->v2', 'delete b v1']);
  t.deepEqual(informer.cache.keys(), ['default/a']);
  t.is(informer.cache.get('default/a')?.spec.v, 2);
  t.is(informer.lastSyncResourceVersion(), fake.resourceVersion);
  t.is(fake.listCalls, 1);
  t.is(fake.watchCalls, 1);
  await informer.stop();
});

test('a paginated list requests pages with limit and continue and caches every item', async (t) => {
  const { clock, fake, informer } = setup({ pageSize: 2 });
  for (const n of ['a', 'b', 'c', 'd', 'e']) fake.add(mk(n));
  informer.start();
  await settle(clock);
  t.is(fake.listCalls, 3);
  t.deepEqual(informer.cache.keys().sort(), ['a', 'b', 'c', 'd', 'e'].map((n) => `default/${n}`));
  await informer.stop();
});

test('an expired continue token falls back to one full list', async (t) => {
  const fake = new FakeListWatcher<Obj>();
  for (const n of ['a', 'b', 'c', 'd', 'e']) fake.add(mk(n));
  const calls: ListOptions[] = [];
  const lw: ListWatcher<Obj> = {
    list: (o) => {
      calls.push(o);
      if (o.continue !== undefined && fake.get('default/z') === undefined) {
        fake.add(mk('z'));
        fake.compact();
      }
      return fake.list(o);
    },
    watch: (o) => fake.watch(o),
  };
  const { clock, informer } = setup({ pageSize: 2, listWatcher: lw }, fake);
  informer.start();
  await settle(clock);
  t.deepEqual(
    calls.map((c) => [c.limit, c.continue !== undefined]),
    [
      [2, false],
      [2, true],
      [undefined, false],
    ],
  );
  t.is(informer.cache.size, 6, 'the full list reads the latest state');
  t.true(informer.hasSynced());
  await informer.stop();
});

test('a completed watch is resumed from the last resourceVersion at once, missing and replaying nothing', async (t) => {
  const { clock, fake, informer, rec } = setup();
  informer.start();
  await settle(clock);
  fake.add(mk('a', 1));
  clock.advance(2_000);
  fake.closeWatches();
  fake.update(mk('a', 2)); // happens while no watch is open
  await settle(clock);
  t.is(fake.watchCalls, 2);
  fake.update(mk('a', 3));
  t.deepEqual(rec, ['synced', 'add a v1', 'update a v1->v2', 'update a v2->v3']);
  t.is(fake.listCalls, 1);
  await informer.stop();
});

test('events lost with a broken connection are recovered from the history on resume', async (t) => {
  const { clock, fake, informer, rec } = setup();
  fake.add(mk('a', 1));
  informer.start();
  await settle(clock);
  fake.dropNext(2);
  fake.update(mk('a', 2));
  fake.add(mk('b', 1)); // second drop: the watch breaks
  t.deepEqual(rec, ['add a v1 initial', 'synced']);
  await clock.advanceAsync(800);
  t.deepEqual(rec, ['add a v1 initial', 'synced', 'update a v1->v2', 'add b v1']);
  t.is(fake.listCalls, 1);
  await informer.stop();
});

test('watch failures are retried with exponential backoff from 800ms capped at 30s', async (t) => {
  const clock = new FakeClock();
  const fake = new FakeListWatcher<Obj>();
  const watchTimes: number[] = [];
  const lw: ListWatcher<Obj> = {
    list: (o) => fake.list(o),
    watch: () =>
      new Observable<WatchEvent<Obj>>((s) => {
        watchTimes.push(clock.now());
        s.error(new Error('connection refused'));
      }),
  };
  const informer = new Informer<Obj>({ listWatcher: lw, clock, backoff: { random: () => 0.5 } });
  informer.start();
  await clock.advanceAsync(120_000);
  const gaps = watchTimes.slice(1).map((w, i) => w - (watchTimes[i] ?? 0));
  t.deepEqual(gaps.slice(0, 8), [800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000]);
  t.is(fake.listCalls, 1, 'non-Expired watch errors do not relist');
  await informer.stop();
  t.is(clock.pendingTimers(), 0);
});

test('backoff jitter spreads delays by the injected random source', async (t) => {
  const clock = new FakeClock();
  const fake = new FakeListWatcher<Obj>();
  fake.failNextList(1);
  const informer = new Informer<Obj>({ listWatcher: fake, clock, backoff: { initialMs: 1000, jitter: 0.5, random: () => 0 } });
  informer.start();
  await clock.advanceAsync(749);
  t.is(fake.listCalls, 1);
  await clock.advanceAsync(1);
  t.is(fake.listCalls, 2, 'retried after 1000 * (1 - 0.25) = 750ms');
  t.true(informer.hasSynced());
  await informer.stop();
});

test('an Expired watch triggers a relist whose diff becomes tombstone deletes, adds and updates', async (t) => {
  const { clock, fake, informer, rec } = setup();
  fake.add(mk('gone', 1));
  fake.add(mk('changed', 1));
  fake.add(mk('same', 1));
  informer.start();
  await settle(clock);
  rec.length = 0;
  fake.errorWatches(); // the informer waits 800ms before re-watching
  fake.delete(mk('gone'));
  fake.update(mk('changed', 2));
  fake.add(mk('new', 1));
  fake.compact(); // the history the informer needs is gone → Expired → relist
  await clock.advanceAsync(800);
  t.deepEqual(rec, ['delete gone v1 tomb', 'update changed v1->v2', 'add new v1']);
  t.is(fake.listCalls, 2);
  t.deepEqual(informer.cache.keys().sort(), ['default/changed', 'default/new', 'default/same']);
  fake.update(mk('same', 2));
  t.is(rec.at(-1), 'update same v1->v2', 'the watch after the relist works');
  await informer.stop();
});

test('an object recreated with a new uid during a gap arrives as delete then add, not update', async (t) => {
  const { clock, fake, informer } = setup();
  const events: InformerEvent<Obj>[] = [];
  fake.add(mk('a', 1));
  informer.start();
  await settle(clock);
  informer.events$.subscribe((e) => events.push(e));
  events.length = 0;
  fake.errorWatches();
  fake.delete(mk('a'));
  const recreated = fake.add(mk('a', 2));
  fake.compact();
  await clock.advanceAsync(800);
  t.deepEqual(
    events.map((e) => (e.type === 'synced' ? e.type : `${e.type} ${e.object.metadata.uid ?? ''}`)),
    ['delete uid-1', 'add uid-2'],
  );
  t.is(informer.cache.get('default/a'), recreated);
});

test('a recreate seen on the watch with its delete dropped is still delete then add', async (t) => {
  // A source that loses a DELETED event but goes on (worse than any real server).
  const fake = new FakeListWatcher<Obj>();
  const lw: ListWatcher<Obj> = {
    list: (o) => fake.list(o),
    watch: (o) =>
      new Observable<WatchEvent<Obj>>((s) =>
        fake.watch(o).subscribe({
          next: (e) => (e.type === 'DELETED' ? undefined : s.next(e)),
          error: (e: unknown) => s.error(e),
          complete: () => s.complete(),
        }),
      ),
  };
  const { clock, informer, rec } = setup({ listWatcher: lw }, fake);
  fake.add(mk('a', 1));
  informer.start();
  await settle(clock);
  fake.delete(mk('a'));
  fake.add(mk('a', 2));
  t.deepEqual(rec, ['add a v1 initial', 'synced', 'delete a v1 tomb', 'add a v2']);
  await informer.stop();
});

test('a replayed event with the cached resourceVersion is not delivered again', async (t) => {
  const fake = new FakeListWatcher<Obj>();
  // A source that, on every resume, first re-sends the current state of every object.
  const lw: ListWatcher<Obj> = {
    list: (o) => fake.list(o),
    watch: (o: WatchOptions) =>
      new Observable<WatchEvent<Obj>>((s) => {
        for (const obj of fake.items()) s.next({ type: 'MODIFIED', object: obj });
        return fake.watch(o).subscribe(s);
      }),
  };
  const { clock, informer, rec } = setup({ listWatcher: lw }, fake);
  fake.add(mk('a', 1));
  informer.start();
  await settle(clock);
  clock.advance(5_000);
  fake.closeWatches();
  await settle(clock);
  fake.update(mk('a', 2));
  t.deepEqual(rec, ['add a v1 initial', 'synced', 'update a v1->v2']);
  await informer.stop();
});

test('bookmarks move the last synced resourceVersion', async (t) => {
  const { clock, fake, informer } = setup();
  const other = new FakeListWatcher<Obj>();
  informer.start();
  await settle(clock);
  const before = informer.lastSyncResourceVersion();
  fake.add(mk('a'));
  fake.add(mk('b'));
  fake.bookmark();
  t.not(informer.lastSyncResourceVersion(), before);
  t.is(informer.lastSyncResourceVersion(), fake.resourceVersion);
  t.is(other.activeWatches, 0);
  await informer.stop();
});

test('a watch silent past watchTimeoutMs is re-established; an active one is not', async (t) => {
  const { clock, fake, informer } = setup({ watchTimeoutMs: 10_000 });
  informer.start();
  await settle(clock);
  t.is(fake.watchCalls, 1);
  await clock.advanceAsync(6_000);
  fake.add(mk('a'));
  await clock.advanceAsync(6_000);
  t.is(fake.watchCalls, 1, 'the event at 6s reset the silence window');
  await clock.advanceAsync(4_000);
  t.is(fake.watchCalls, 2);
  t.is(fake.activeWatches, 1, 'the old watch was closed');
  t.is(fake.listCalls, 1);
  await informer.stop();
});

test('resync re-delivers every cached object as an update with old === new each period', async (t) => {
  const { clock, fake, informer } = setup({ resyncPeriodMs: 1_000 });
  fake.add(mk('a'));
  fake.add(mk('b'));
  const resyncs: string[] = [];
  informer.addHandler({ onUpdate: (o, n) => resyncs.push(`${n.metadata.name} ${String(o === n)}`) });
  informer.start();
  await settle(clock);
  t.deepEqual(resyncs, []);
  await clock.advanceAsync(1_000);
  t.deepEqual(resyncs.sort(), ['a true', 'b true']);
  await clock.advanceAsync(1_000);
  t.is(resyncs.length, 4);
  await informer.stop();
});

test('a handler added after sync gets synthetic adds for the cache, then live events', async (t) => {
  const { clock, fake, informer } = setup();
  fake.add(mk('a'));
  informer.start();
  await informer.synced;
  const seen: string[] = [];
  informer.addHandler({
    onAdd: (o, initial) => seen.push(`add ${o.metadata.name} ${String(initial)}`),
    onUpdate: (_, o) => seen.push(`update ${o.metadata.name}`),
    onSynced: () => seen.push('synced'),
  });
  t.deepEqual(seen, ['add a true', 'synced']);
  await settle(clock);
  fake.update(mk('a', 1));
  t.deepEqual(seen, ['add a true', 'synced', 'update a']);
  await informer.stop();
});

test('a removed handler gets no more events', async (t) => {
  const { clock, fake, informer } = setup();
  const seen: string[] = [];
  const remove = informer.addHandler({ onAdd: (o) => seen.push(o.metadata.name) });
  informer.start();
  await settle(clock);
  fake.add(mk('a'));
  remove();
  fake.add(mk('b'));
  t.deepEqual(seen, ['a']);
  await informer.stop();
});

test('a throwing handler is logged and neither stops the informer nor other handlers', async (t) => {
  const errors: string[] = [];
  const logger: InformerLogger = { debug: () => {}, warn: () => {}, error: (m) => errors.push(m) };
  const { clock, fake, informer } = setup({ logger });
  const seen: string[] = [];
  informer.addHandler({
    onAdd: () => {
      throw new Error('boom');
    },
  });
  informer.addHandler({ onAdd: (o) => seen.push(o.metadata.name) });
  informer.start();
  await settle(clock);
  fake.add(mk('a'));
  fake.add(mk('b'));
  t.deepEqual(seen, ['a', 'b']);
  t.is(errors.length, 2);
  await informer.stop();
});

test('a handler that writes sees the changes it causes after every handler got the current event', async (t) => {
  const { clock, fake, informer } = setup();
  const first: string[] = [];
  const second: string[] = [];
  informer.addHandler({
    onAdd: (o) => {
      first.push(`add ${o.metadata.name}`);
      if (o.metadata.name === 'a') fake.add(mk('b'));
    },
  });
  informer.addHandler({ onAdd: (o) => second.push(`add ${o.metadata.name}`) });
  informer.start();
  await settle(clock);
  fake.add(mk('a'));
  t.deepEqual(first, ['add a', 'add b']);
  t.deepEqual(second, ['add a', 'add b']);
  await informer.stop();
});

test('handlers read a cache that already reflects the event', async (t) => {
  const { clock, fake, informer } = setup();
  const seen: boolean[] = [];
  informer.addHandler({
    onAdd: (o) => seen.push(informer.cache.get(objectKey(o)) === o),
    onDelete: (o) => seen.push(informer.cache.get(objectKey(o)) === undefined),
  });
  informer.start();
  await settle(clock);
  fake.add(mk('a'));
  fake.delete(mk('a'));
  t.deepEqual(seen, [true, true]);
  await informer.stop();
});

test('a failing list is retried with backoff and watch errors never end the informer', async (t) => {
  const { clock, fake, informer, rec } = setup();
  fake.failNextList(2);
  fake.add(mk('a'));
  informer.start();
  await settle(clock);
  t.false(informer.hasSynced());
  await clock.advanceAsync(800 + 1600);
  t.true(informer.hasSynced());
  for (let i = 0; i < 20; i++) {
    fake.errorWatches();
    await clock.advanceAsync(60_000);
  }
  fake.expireNextWatch(3);
  fake.expireWatches();
  await clock.advanceAsync(120_000);
  fake.add(mk('b'));
  t.is(rec.at(-1), 'add b v0');
  t.is(fake.activeWatches, 1);
  await informer.stop();
});

test('stop leaves no timers, watches or listeners and completes events$', async (t) => {
  const { clock, fake, informer } = setup({ resyncPeriodMs: 1_000, watchTimeoutMs: 5_000 });
  let completed = false;
  informer.events$.subscribe({ complete: () => (completed = true) });
  informer.start();
  await settle(clock);
  t.true(clock.pendingTimers() > 0);
  t.is(fake.activeWatches, 1);
  await informer.stop();
  t.is(clock.pendingTimers(), 0);
  t.is(fake.activeWatches, 0);
  t.true(completed);
});

test('stop during a backoff wait cancels the wait', async (t) => {
  const { clock, fake, informer } = setup();
  fake.failNextList(1);
  informer.start();
  await settle(clock);
  t.is(clock.pendingTimers(), 1, 'only the backoff sleep is pending');
  t.is(fake.activeWatches, 0);
  await informer.stop();
  t.is(clock.pendingTimers(), 0);
});

test('aborting the start signal stops the informer; a stopped informer cannot restart', async (t) => {
  const { clock, fake, informer } = setup();
  const ac = new AbortController();
  informer.start(ac.signal);
  await settle(clock);
  ac.abort();
  await informer.stop();
  t.is(clock.pendingTimers(), 0);
  t.is(fake.activeWatches, 0);
  t.throws(() => informer.start(), { message: /create a new Informer/ });
});

test('stopping before the first sync rejects synced with Stopped', async (t) => {
  const never: ListWatcher<Obj> = {
    list: () => new Promise<ListResult<Obj>>(() => {}),
    watch: () => new Observable<WatchEvent<Obj>>(),
  };
  const { informer } = setup({ listWatcher: never });
  informer.start();
  const stopped = informer.stop();
  const err = await t.throwsAsync(informer.synced);
  t.is((err as { code?: string } | undefined)?.code, 'Stopped');
  await stopped;
});

test('indexers given at construction and added later answer byIndex', async (t) => {
  const { clock, fake, informer } = setup({ indexers: { node: (o) => (o.spec.node ? [o.spec.node] : []) } });
  fake.add(mk('a', 0, 'n1'));
  fake.add(mk('b', 0, 'n2'));
  informer.start();
  await settle(clock);
  t.deepEqual(informer.cache.byIndex('node', 'n1').map((o) => o.metadata.name), ['a']);
  informer.addIndexer('even', (o) => [String(o.spec.v % 2 === 0)]);
  t.is(informer.cache.byIndex('even', 'true').length, 2);
  fake.update(mk('a', 1, 'n2'));
  t.deepEqual(informer.cache.byIndex('node', 'n2').map((o) => o.metadata.name).sort(), ['a', 'b']);
  t.deepEqual(informer.cache.byIndex('node', 'n1'), []);
  t.deepEqual(informer.cache.byIndex('even', 'false').map((o) => o.metadata.name), ['a']);
  await informer.stop();
});

test('isExpired recognises errors by their Expired code only', (t) => {
  const expired = Object.assign(new Error('gone'), { code: 'Expired' });
  t.true(isExpired(expired));
  t.false(isExpired(Object.assign(new Error('x'), { code: 'Conflict' })));
  t.false(isExpired({ code: 'Expired' }));
});

// ---------------------------------------------------------------------------------------------
// Fault property test
// ---------------------------------------------------------------------------------------------

/** Checks one subscriber's event sequence against the per-key rules; returns its final view. */
class SequenceChecker {
  readonly view = new Map<string, Obj>();
  readonly violations: string[] = [];

  on(ev: InformerEvent<Obj>): void {
    if (ev.type === 'synced') return;
    const key = objectKey(ev.object);
    const last = this.view.get(key);
    const fail = (why: string): void => {
      this.violations.push(`${ev.type} ${key}: ${why}`);
    };
    switch (ev.type) {
      case 'add':
        if (last !== undefined) fail('add while present (no delete in between)');
        this.view.set(key, ev.object);
        break;
      case 'update': {
        if (last === undefined) fail('update before add');
        else if (ev.old !== last) fail('old is not the last object delivered');
        if (ev.old.metadata.uid !== ev.object.metadata.uid) fail('update across a uid change');
        if (ev.old !== ev.object && Number(ev.object.metadata.resourceVersion) <= Number(ev.old.metadata.resourceVersion)) {
          fail('update to an older or equal resourceVersion (replayed event)');
        }
        this.view.set(key, ev.object);
        break;
      }
      case 'delete':
        if (last === undefined) fail('delete of an absent key');
        else if (last.metadata.uid !== ev.object.metadata.uid) fail('delete of another uid');
        else if (ev.tombstone && ev.object !== last) fail('tombstone is not the last known object');
        this.view.delete(key);
        break;
    }
  }
}

type Action =
  | { readonly op: 'add' | 'update' | 'delete' | 'recreate'; readonly name: number }
  | { readonly op: 'drop'; readonly n: number }
  | { readonly op: 'close' | 'error' | 'expire' | 'compact' | 'expireNextWatch' | 'expireNextList' | 'failNextList' | 'bookmark' | 'subscribe' }
  | { readonly op: 'advance'; readonly ms: number }
  | {
      readonly op: 'gap';
      readonly how: 'close' | 'error' | 'expire';
      readonly writes: readonly { readonly op: 'add' | 'update' | 'delete' | 'recreate'; readonly name: number }[];
      readonly compact: boolean;
    };

const writeArb = fc.record({ op: fc.constantFrom('add', 'update', 'delete', 'recreate'), name: fc.nat(5) });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 8, arbitrary: writeArb },
  {
    weight: 2,
    // A connection loss with writes while no watch is open, maybe past the kept history.
    arbitrary: fc.record({
      op: fc.constant('gap'),
      how: fc.constantFrom('close', 'error', 'expire'),
      writes: fc.array(writeArb, { maxLength: 6 }),
      compact: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop'), n: fc.integer({ min: 1, max: 3 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constantFrom('close', 'error', 'expire', 'compact', 'expireNextWatch', 'expireNextList', 'failNextList', 'bookmark', 'subscribe'),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('advance'), ms: fc.constantFrom(0, 100, 800, 1_600, 5_000, 40_000) }) },
) as fc.Arbitrary<Action>;

test('under random writes and faults the cache converges to the source and every subscriber sees consistent per-key sequences', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(actionArb, { minLength: 5, maxLength: 60, size: 'max' }), fc.boolean(), async (actions, paged) => {
      const clock = new FakeClock();
      const fake = new FakeListWatcher<Obj>();
      const informer = new Informer<Obj>({
        listWatcher: fake,
        clock,
        backoff: { random: () => 0.5 },
        watchTimeoutMs: 30_000,
        resyncPeriodMs: 7_000,
        ...(paged ? { pageSize: 2 } : {}),
      });
      const checkers = [new SequenceChecker()];
      informer.events$.subscribe((e) => checkers[0]?.on(e));
      informer.start();
      let v = 0;
      const write = (w: { readonly op: 'add' | 'update' | 'delete' | 'recreate'; readonly name: number }): void => {
        const name = `o${w.name}`;
        const current = fake.get(`default/${name}`);
        switch (w.op) {
          case 'add':
            if (current === undefined) fake.add(mk(name, ++v));
            break;
          case 'update':
            if (current !== undefined) fake.update(mk(name, ++v));
            break;
          case 'delete':
            if (current !== undefined) fake.delete(current);
            break;
          case 'recreate':
            if (current !== undefined) fake.delete(current);
            fake.add(mk(name, ++v));
            break;
        }
      };
      for (const a of actions) {
        switch (a.op) {
          case 'add':
          case 'update':
          case 'delete':
          case 'recreate':
            write(a);
            break;
          case 'gap':
            if (a.how === 'close') fake.closeWatches();
            else if (a.how === 'error') fake.errorWatches();
            else fake.expireWatches();
            for (const w of a.writes) write(w);
            if (a.compact) fake.compact();
            break;
          case 'drop':
            fake.dropNext(a.n);
            break;
          case 'close':
            fake.closeWatches();
            break;
          case 'error':
            fake.errorWatches();
            break;
          case 'expire':
            fake.expireWatches();
            break;
          case 'compact':
            fake.compact();
            break;
          case 'expireNextWatch':
            fake.expireNextWatch();
            break;
          case 'expireNextList':
            fake.expireNextList();
            break;
          case 'failNextList':
            fake.failNextList();
            break;
          case 'bookmark':
            fake.bookmark();
            break;
          case 'subscribe': {
            const c = new SequenceChecker();
            checkers.push(c);
            informer.addHandler({
              onAdd: (object, isInInitialList) => c.on({ type: 'add', object, isInInitialList }),
              onUpdate: (old, object) => c.on({ type: 'update', old, object }),
              onDelete: (object, tombstone) => c.on({ type: 'delete', object, tombstone }),
            });
            break;
          }
          case 'advance':
            await clock.advanceAsync(a.ms);
            break;
        }
      }
      // Settle: let every backoff run out, then break the connection once so any pending
      // dropped-event budget cannot hide state, and settle again.
      await clock.advanceAsync(120_000);
      fake.dropNext(0);
      fake.closeWatches();
      await clock.advanceAsync(120_000);
      const expected = snapshot(fake.items());
      assert.deepEqual(snapshot(informer.cache.list()), expected);
      for (const c of checkers) {
        assert.deepEqual(c.violations, []);
        assert.deepEqual(snapshot([...c.view.values()]), expected);
      }
      assert.equal(fake.activeWatches, 1);
      await informer.stop();
      assert.equal(clock.pendingTimers(), 0);
      assert.equal(fake.activeWatches, 0);
    }),
    { numRuns: 150 },
  );
  t.pass();
});

function snapshot(objs: readonly Obj[]): string[] {
  return objs
    .map((o) => `${objectKey(o)} ${o.metadata.uid ?? ''} ${o.metadata.resourceVersion ?? ''}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
