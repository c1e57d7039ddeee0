import test from 'ava';
import { FakeClock } from '../../../src/runtime/clock.js';
import { MemoryBackend } from '../../../src/store/backend/memory.js';
import { backendContract, collect } from './contract.js';

backendContract('memory', async ({ clock, historyMaxEvents, historyMaxAgeMs }) => {
  const backend = new MemoryBackend({ clock, historyMaxEvents, historyMaxAgeMs });
  return { backend, cleanup: () => backend.close() };
});

test('memory: writes and their watch events happen synchronously, before the promise settles', (t) => {
  const b = new MemoryBackend({ clock: new FakeClock() });
  const w = collect(b.watch(''));
  void b.put('a', 1);
  t.is(b.currentRevision(), 1);
  t.is(w.events.length, 1);
});

test('memory: 150,000 keys insert in order-independent fashion and page back sorted', async (t) => {
  const b = new MemoryBackend({ clock: new FakeClock(), historyMaxEvents: 1000 });
  const n = 150_000;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const i of order) await b.put(`/pods/ns${i % 10}/p${String(i).padStart(6, '0')}`, i);
  t.is(await b.count(''), n);
  t.is(await b.count('/pods/ns3/'), n / 10);
  let after: string | undefined;
  let seen = 0;
  let prev = '';
  for (;;) {
    const page = await b.range({ prefix: '/pods/ns3/', after, limit: 500 });
    for (const kv of page.kvs) {
      t.true(kv.key > prev);
      prev = kv.key;
      seen++;
    }
    if (!page.more) break;
    after = page.kvs[page.kvs.length - 1].key;
  }
  t.is(seen, n / 10);
});

test('memory: a watch subscribed from inside a handler catches up in order without duplicates', async (t) => {
  const b = new MemoryBackend({ clock: new FakeClock() });
  await b.put('a', 0);
  const inner: number[] = [];
  const outer = b.watch('').subscribe((e) => {
    if (e.revision === 2) {
      void b.put('a', 'from-handler');
      b.watch('', 0).subscribe((ev) => inner.push(ev.revision));
    }
  });
  await b.put('a', 1);
  await b.put('a', 2);
  t.deepEqual(inner, [1, 2, 3, 4]);
  outer.unsubscribe();
});
