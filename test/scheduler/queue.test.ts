import test from 'ava';
import fc from 'fast-check';
import { FakeClock } from '../../src/runtime/clock.js';
import { PrioritySort } from '../../src/scheduler/plugins/index.js';
import { SchedulingQueue } from '../../src/scheduler/queue.js';
import { KeyedHeap } from '../../src/scheduler/heap.js';
import { numFeasibleNodesToFind } from '../../src/scheduler/scheduler.js';
import { SchedulerCache } from '../../src/scheduler/cache.js';
import { PodInfo } from '../../src/scheduler/framework/types.js';
import { node, pod } from './helpers.js';

const sort = new PrioritySort();
const newQueue = (clock: FakeClock) => new SchedulingQueue({ clock, less: (a, b) => sort.less(a, b) });

test('the active queue pops higher priority first, then older pods', (t) => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  q.add(pod('old-low', { spec: { priority: 1 } }));
  clock.advance(10);
  q.add(pod('new-low', { spec: { priority: 1 } }));
  q.add(pod('high', { spec: { priority: 100 } }));
  t.deepEqual([q.pop(), q.pop(), q.pop()].map((x) => x?.podInfo.pod.metadata.name), ['high', 'old-low', 'new-low']);
  t.is(q.pop(), undefined);
});

test('an errored pod backs off 1 s, then 2 s, capped at 10 s, on the clock', (t) => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  q.add(pod('p'));
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    const qpi = q.pop()!;
    q.requeue(qpi, false, q.schedulingCycle);
    let waited = 0;
    while (q.stats().active === 0) {
      clock.advance(500);
      waited += 500;
    }
    delays.push(waited);
  }
  t.deepEqual(delays, [1000, 2000, 4000, 8000, 10000, 10000]);
  q.close();
  t.is(clock.pendingTimers(), 0);
});

test('an unschedulable pod waits for a relevant event, and only that moves it', (t) => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  q.add(pod('p'));
  const qpi = q.pop()!;
  qpi.unschedulablePlugins = new Set(['NodeAffinity']);
  const cycle = q.schedulingCycle;
  q.requeue(qpi, true, cycle);
  t.is(q.stats().unschedulable, 1);
  const interested = (plugin: string, e: string) => plugin === 'NodeAffinity' && e === 'NodeAdd';
  t.is(q.moveOnEvent('AssignedPodDelete', interested), 0);
  t.is(q.moveOnEvent('NodeAdd', interested), 1);
  t.is(q.stats().unschedulable, 0);
  clock.advance(1_000);
  t.is(q.pop()?.podInfo.pod.metadata.name, 'p');
  q.close();
});

test('an unschedulable pod is retried after the max stay of 5 minutes', (t) => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  q.add(pod('p'));
  const qpi = q.pop()!;
  qpi.unschedulablePlugins = new Set(['X']);
  q.requeue(qpi, true, q.schedulingCycle);
  clock.advance(299_000);
  t.is(q.stats().unschedulable, 1);
  clock.advance(1_000);
  t.is(q.stats().active, 1);
  q.close();
  t.is(clock.pendingTimers(), 0);
});

test('a move request during a pod\'s cycle sends it to backoff instead of unschedulable', (t) => {
  const clock = new FakeClock();
  const q = newQueue(clock);
  q.add(pod('p'));
  const qpi = q.pop()!;
  const cycle = q.schedulingCycle;
  q.moveOnEvent('NodeAdd', () => true);
  q.requeue(qpi, true, cycle);
  t.is(q.stats().unschedulable, 0);
  t.is(q.stats().backoff, 1);
  q.close();
});

test('a gated pod waits outside the active queue until its gates are removed', (t) => {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock, less: (a, b) => sort.less(a, b), preEnqueue: (p) => ({ isSuccess: () => (p.spec?.schedulingGates ?? []).length === 0 }) as never });
  q.add(pod('g', { spec: { schedulingGates: [{ name: 'wait' }] } }));
  t.is(q.stats().gated, 1);
  t.is(q.pop(), undefined);
  q.update(pod('g'));
  t.is(q.pop()?.podInfo.pod.metadata.name, 'g');
});

test('the adaptive percentage of nodes to score follows Kubernetes', (t) => {
  t.is(numFeasibleNodesToFind(0, 50), 50);
  t.is(numFeasibleNodesToFind(0, 100), 49 > 100 ? 49 : 100);
  t.is(numFeasibleNodesToFind(0, 1_000), 420);
  t.is(numFeasibleNodesToFind(0, 5_000), 500);
  t.is(numFeasibleNodesToFind(0, 15_000), 750);
  t.is(numFeasibleNodesToFind(30, 1_000), 300);
  t.is(numFeasibleNodesToFind(100, 1_000), 1_000);
});

test('the keyed heap pops in order and supports delete and update by key', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer()), { maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 10 }), (ops, deletes) => {
      const h = new KeyedHeap<[number, number]>((x) => String(x[0]), (a, b) => a[1] < b[1]);
      const model = new Map<number, number>();
      for (const [k, v] of ops) {
        h.push([k, v]);
        model.set(k, v);
      }
      for (const k of deletes) {
        h.delete(String(k));
        model.delete(k);
      }
      const out: number[] = [];
      for (let x = h.pop(); x !== undefined; x = h.pop()) out.push(x[1]);
      return JSON.stringify(out) === JSON.stringify([...model.values()].sort((a, b) => a - b));
    }),
  );
  t.pass();
});

test('the node cache sees assumed pods at once, confirms them on observation, and expires unconfirmed ones', (t) => {
  const cache = new SchedulerCache(30_000);
  cache.addNode(node('n', { cpu: '2' }));
  const p = pod('p', { cpu: '500m' });
  cache.assumePod(new PodInfo(p), 'n');
  t.is(cache.get('n')!.requested.milliCPU, 500);
  cache.finishBinding('uid-p', 1_000);
  t.is(cache.nextExpiry(), 31_000);
  t.deepEqual(cache.cleanupExpired(30_999), []);
  t.is(cache.cleanupExpired(31_000).length, 1);
  t.is(cache.get('n')!.requested.milliCPU, 0);
  cache.assumePod(new PodInfo(p), 'n');
  cache.finishBinding('uid-p', 0);
  cache.addPod({ ...p, spec: { ...p.spec!, nodeName: 'n' } });
  t.false(cache.isAssumed('uid-p'));
  t.is(cache.cleanupExpired(1e9).length, 0);
  t.is(cache.get('n')!.requested.milliCPU, 500);
  cache.removePod(p);
  t.is(cache.get('n')!.requested.milliCPU, 0);
  t.is(cache.podCount, 0);
});

test('node aggregates stay equal to a recomputation after any sequence of adds and removes', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 3 })), { maxLength: 80 }), (ops) => {
      const cache = new SchedulerCache();
      for (let i = 0; i < 4; i++) cache.addNode(node(`n${i}`));
      const where = new Map<number, number>();
      for (const [add, id, n] of ops) {
        const p = pod(`p${id}`, { cpu: `${(id + 1) * 10}m`, nodeName: `n${n}`, spec: { containers: [{ name: 'c', resources: { requests: { cpu: `${(id + 1) * 10}m` } }, ports: id % 3 === 0 ? [{ containerPort: 1, hostPort: 80 + id }] : [] }] } });
        if (add) {
          cache.addPod(p);
          where.set(id, n);
        } else {
          cache.removePod(p);
          where.delete(id);
        }
      }
      for (let i = 0; i < 4; i++) {
        const want = [...where].filter(([, n]) => n === i).reduce((a, [id]) => a + (id + 1) * 10, 0);
        const ni = cache.get(`n${i}`)!;
        if (ni.requested.milliCPU !== want) return false;
        const ports = [...where].filter(([id, n]) => n === i && id % 3 === 0).length;
        let used = 0;
        for (const m of ni.usedPorts.values()) for (const c of m.values()) used += c;
        if (used !== ports) return false;
      }
      return true;
    }),
  );
  t.pass();
});
