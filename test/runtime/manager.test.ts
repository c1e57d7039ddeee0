import test from 'ava';
import { ConfigMap } from '../../src/api/generated/kinds.js';
import { LocalClient } from '../../src/client/client.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { Action, controllerFor } from '../../src/runtime/controller.js';
import { LeaderElector } from '../../src/runtime/leader-election.js';
import { Manager, type Runnable } from '../../src/runtime/manager.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { Store } from '../../src/store/store.js';

async function setup(): Promise<{ clock: FakeClock; store: Store; client: LocalClient }> {
  const clock = new FakeClock();
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock });
  return { clock, store, client: new LocalClient(store) };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function managerWithElection(client: LocalClient, clock: FakeClock, identity: string, seen: string[]): { manager: Manager; elector: LeaderElector; abort: AbortController } {
  const elector = new LeaderElector({ client, clock, namespace: 'kube-system', name: 'demo-controller', identity });
  const def = controllerFor(ConfigMap).reconcile(({ request }) => {
    seen.push(`${identity}:${request.name}`);
    return Action.awaitChange();
  });
  const manager = new Manager({ client, clock, leaderElection: elector });
  manager.add(def);
  return { manager, elector, abort: new AbortController() };
}

test('only the leader runs controllers, and the other takes over after the leader crashes', async (t) => {
  const { clock, store, client } = await setup();
  const seen: string[] = [];
  const a = managerWithElection(client, clock, 'a', seen);
  const b = managerWithElection(client, clock, 'b', seen);
  await a.manager.start();
  for (let i = 0; i < 20; i++) await turn();
  await b.manager.start();
  await clock.advanceAsync(100);
  t.true(a.elector.isLeader());
  t.false(b.elector.isLeader());
  await client.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: 'default' } });
  for (let i = 0; i < 20; i++) await turn();
  t.deepEqual(seen, ['a:one']);

  // Crash a: stop its loops without releasing the lease (no write happens on abort).
  const crashedAt = clock.now();
  await a.manager.stop();
  let tookOverAt: number | undefined;
  for (let ms = 0; ms <= 20_000 && tookOverAt === undefined; ms += 250) {
    await clock.advanceAsync(250);
    t.false(a.elector.isLeader() && b.elector.isLeader(), 'never two leaders at once');
    if (b.elector.isLeader()) tookOverAt = clock.now();
  }
  t.not(tookOverAt, undefined);
  t.true((tookOverAt as number) - crashedAt <= 15_000 + 2_000 + 250, `took over after ${(tookOverAt as number) - crashedAt} ms`);
  for (let i = 0; i < 50; i++) await turn();
  t.true(seen.includes('b:one'), 'the new leader reconciles from its warm cache');
  await b.manager.stop();
  await store.close();
  t.is(clock.pendingTimers(), 0);
});

test('stopping a manager stops its runnables and leaves no timers', async (t) => {
  const { clock, store, client } = await setup();
  const events: string[] = [];
  const r: Runnable = {
    name: 'ticker',
    start: () => {
      events.push('start');
    },
    stop: () => {
      events.push('stop');
    },
  };
  const manager = new Manager({ client, clock });
  manager.add(r);
  await manager.start();
  await manager.stop();
  t.deepEqual(events, ['start', 'stop']);
  await store.close();
  t.is(clock.pendingTimers(), 0);
});

test('aborting the start signal stops the manager', async (t) => {
  const { clock, store, client } = await setup();
  const manager = new Manager({ client, clock });
  const stopped = new Promise<void>((resolve) => manager.once('stopped', () => resolve()));
  const abort = new AbortController();
  await manager.start(abort.signal);
  abort.abort();
  await stopped;
  t.pass();
  await store.close();
});

test('a manager serves health, readiness and controller metrics, and records Events as objects', async (t) => {
  const { clock, store, client } = await setup();
  const def = controllerFor(ConfigMap).reconcile(({ object, recorder }) => {
    if (object !== undefined) recorder.event(object, 'Normal', 'Seen', `saw ${object.metadata.name}`);
    return Action.awaitChange();
  });
  const manager = new Manager({ client, clock, health: { port: 0 }, name: 'demo' });
  manager.add(def);
  await manager.start();
  await client.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: 'default' } });
  for (let i = 0; i < 50; i++) await turn();
  const port = manager.healthPort();
  t.truthy(port);
  const get = async (path: string): Promise<{ status: number; body: string }> => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: r.status, body: await r.text() };
  };
  t.is((await get('/healthz')).status, 200);
  t.is((await get('/readyz')).status, 200);
  const metrics = await get('/metrics');
  t.regex(metrics.body, /controller_runtime_reconcile_total\{controller="configmaps",result="success"\} 1/);
  t.regex(metrics.body, /workqueue_adds_total\{name="configmaps"\} \d+/);
  const { Event } = await import('../../src/api/generated/kinds.js');
  for (let i = 0; i < 50; i++) await turn();
  const events = await client.list(Event, { namespace: 'default' });
  t.deepEqual(events.items.map((e) => [e.reason, e.message, e.source?.component]), [['Seen', 'saw one', 'demo']]);
  await manager.stop();
  await t.throwsAsync(fetch(`http://127.0.0.1:${port}/healthz`));
  await store.close();
});
