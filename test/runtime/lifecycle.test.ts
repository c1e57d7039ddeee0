import test from 'ava';
import { EventEmitter } from 'eventemitter3';
import { ConfigMap } from '../../src/api/generated/kinds.js';
import { LocalClient } from '../../src/client/client.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { Action, controllerFor } from '../../src/runtime/controller.js';
import { Manager, type LeaderElection, type Runnable } from '../../src/runtime/manager.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { Store } from '../../src/store/store.js';

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** A leader election the test drives by hand. */
class ManualElection extends EventEmitter<{ 'started-leading': []; 'stopped-leading': [] }> implements LeaderElection {
  leading = false;
  run(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  isLeader(): boolean {
    return this.leading;
  }
  lead(): void {
    this.leading = true;
    this.emit('started-leading');
  }
  lose(): void {
    this.leading = false;
    this.emit('stopped-leading');
  }
}

test('a manager that loses and regains leadership while its leader work is still starting runs its controllers again', async (t) => {
  const clock = new FakeClock();
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock });
  const client = new LocalClient(store);
  const election = new ManualElection();
  const seen: string[] = [];
  // A leader-only runnable whose start takes a while (e.g. it waits for a connection).
  const releases: (() => void)[] = [];
  const slow: Runnable = {
    name: 'slow-start',
    start: () => new Promise<void>((resolve) => releases.push(resolve)),
    stop: () => undefined,
  };
  const manager = new Manager({ client, clock, leaderElection: election });
  manager.add(
    controllerFor(ConfigMap).reconcile(({ request }) => {
      seen.push(request.name);
      return Action.awaitChange();
    }),
  );
  manager.add(slow);
  await manager.start();
  election.lead();
  await turns(10);
  // The lease is lost and won back before the first leader work finished starting.
  election.lose();
  election.lead();
  await turns(10);
  for (const release of releases.splice(0)) release();
  await turns(20);
  t.true(election.isLeader());
  t.is(manager.controllers().length, 1, 'the leader has its controller running');
  await client.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-regain', namespace: 'default' } });
  await turns(30);
  t.true(seen.includes('after-regain'), `the controller reconciles after leadership came back (seen: ${JSON.stringify(seen)})`);
  await manager.stop();
  await store.close();
});

test('stopping a controller during a reconcile starts no new reconciles for the keys still queued', async (t) => {
  // Controller.stop() promises "no new reconciles; waits for running ones to finish" — and a
  // manager that lost its lease stops controllers this way: queued keys must not be reconciled
  // by a process that is no longer the leader.
  const clock = new FakeClock();
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock });
  const client = new LocalClient(store);
  const manager = new Manager({ client, clock });
  const seen: string[] = [];
  let release: () => void = () => undefined;
  const blocked = new Promise<void>((r) => (release = r));
  const def = controllerFor(ConfigMap).reconcile(async ({ request }) => {
    seen.push(request.name);
    if (request.name === 'first') await blocked;
    return Action.awaitChange();
  });
  manager.add(def);
  await manager.start();
  await manager.waitForCacheSync();
  const controller = manager.controller(def.name);
  if (controller === undefined) return t.fail('controller not running');
  await turns(5);
  controller.enqueue({ namespace: 'default', name: 'first' });
  await turns(5);
  t.deepEqual(seen, ['first']);
  controller.enqueue({ namespace: 'default', name: 'second' });
  controller.enqueue({ namespace: 'default', name: 'third' });
  const stopped = controller.stop();
  release();
  await stopped;
  await turns(5);
  t.deepEqual(seen, ['first'], 'keys queued before stop() were reconciled after it');
  await manager.stop();
  await store.close();
});
