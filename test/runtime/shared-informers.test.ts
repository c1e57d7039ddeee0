import test from 'ava';
import type { KubeObjectLike } from '../../src/client/watch-types.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { SharedInformerFactory } from '../../src/runtime/shared-informers.js';
import { FakeListWatcher } from '../../src/testing/fake-list-watch.js';

interface Obj extends KubeObjectLike {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
}
const mk = (name: string, app = 'web'): Obj => ({ metadata: { namespace: 'default', name, labels: { app } } });
const byApp = (o: Obj): readonly string[] => [o.metadata.labels?.['app'] ?? ''];

function setup(): { clock: FakeClock; factory: SharedInformerFactory } {
  const clock = new FakeClock();
  return { clock, factory: new SharedInformerFactory({ clock, backoff: { random: () => 0.5 } }) };
}

test('consumers asking for the same key share one informer, one list and one watch', async (t) => {
  const { clock, factory } = setup();
  const fake = new FakeListWatcher<Obj>();
  fake.add(mk('a'));
  let made = 0;
  const make = (): FakeListWatcher<Obj> => {
    made++;
    return fake;
  };
  const one = factory.informerFor('v1/pods', make);
  const two = factory.informerFor('v1/pods', make);
  t.is(one, two);
  t.is(made, 1);
  const seen: string[] = [];
  one.addHandler({ onAdd: (o) => seen.push(`1 ${o.metadata.name}`) });
  two.addHandler({ onAdd: (o) => seen.push(`2 ${o.metadata.name}`) });
  factory.start();
  t.true(await factory.waitForCacheSync());
  await clock.advanceAsync(0);
  t.is(fake.listCalls, 1);
  t.is(fake.watchCalls, 1);
  t.deepEqual(seen, ['1 a', '2 a']);
  await factory.stop();
});

test('different keys get different informers', async (t) => {
  const { factory } = setup();
  const a = new FakeListWatcher<Obj>();
  const b = new FakeListWatcher<Obj>();
  b.add(mk('x'));
  const ia = factory.informerFor('v1/pods|ns=a', () => a);
  const ib = factory.informerFor('v1/pods|ns=b', () => b);
  t.not(ia, ib);
  t.deepEqual(factory.keys(), ['v1/pods|ns=a', 'v1/pods|ns=b']);
  factory.start();
  t.true(await factory.waitForCacheSync());
  t.is(ia.cache.size, 0);
  t.is(ib.cache.size, 1);
  await factory.stop();
});

test('an informer asked for after start starts at once', async (t) => {
  const { factory } = setup();
  factory.start();
  const fake = new FakeListWatcher<Obj>();
  fake.add(mk('a'));
  const late = factory.informerFor('late', () => fake);
  await late.synced;
  t.is(late.cache.size, 1);
  await factory.stop();
});

test('later requesters add their indexers to the shared informer; a conflicting one fails', async (t) => {
  const { factory } = setup();
  const fake = new FakeListWatcher<Obj>();
  fake.add(mk('a', 'web'));
  fake.add(mk('b', 'db'));
  const first = factory.informerFor('pods', () => fake);
  factory.informerFor('pods', () => fake, { indexers: { app: byApp } });
  factory.informerFor('pods', () => fake, { indexers: { app: byApp } });
  t.throws(() => factory.informerFor('pods', () => fake, { indexers: { app: (o) => [o.metadata.name] } }));
  factory.start();
  await factory.waitForCacheSync();
  t.deepEqual(first.cache.byIndex('app', 'db').map((o) => o.metadata.name), ['b']);
  await factory.stop();
});

test('waitForCacheSync is false when the factory stops or the signal aborts first', async (t) => {
  const { factory } = setup();
  const fake = new FakeListWatcher<Obj>();
  fake.failNextList(100);
  factory.informerFor('pods', () => fake);
  factory.start();
  const ac = new AbortController();
  const waiting = factory.waitForCacheSync(ac.signal);
  ac.abort();
  t.false(await waiting);
  const waiting2 = factory.waitForCacheSync();
  await factory.stop();
  t.false(await waiting2);
});

test('stop and the start signal stop every informer and leave no timers or watches', async (t) => {
  const { clock, factory } = setup();
  const a = new FakeListWatcher<Obj>();
  const b = new FakeListWatcher<Obj>();
  factory.informerFor('a', () => a, { resyncPeriodMs: 1_000 });
  factory.informerFor('b', () => b);
  const ac = new AbortController();
  factory.start(ac.signal);
  await factory.waitForCacheSync();
  await clock.advanceAsync(0);
  t.is(a.activeWatches + b.activeWatches, 2);
  ac.abort();
  await factory.stop();
  t.is(a.activeWatches + b.activeWatches, 0);
  t.is(clock.pendingTimers(), 0);
});
