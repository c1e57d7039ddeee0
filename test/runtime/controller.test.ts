import test from 'ava';
import { ConfigMap, Secret } from '../../src/api/generated/kinds.js';
import { Action, TerminalError, controllerFor, predicates } from '../../src/runtime/controller.js';
import { StoreError } from '../../src/store/errors.js';
import { SettleError, createTestCluster, reconcileOnce } from '../../src/testing/cluster.js';

const cm = (name: string, data: Record<string, string> = {}, extra: Record<string, unknown> = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', ...extra },
  data,
});

/** Copies each ConfigMap "x" without the copy label into "x-copy" owned by it. */
const copier = controllerFor(ConfigMap)
  .withLabelSelector('!copy')
  .owns(ConfigMap)
  .reconcile(async ({ object, client, request }) => {
    if (object === undefined) return Action.awaitChange();
    const name = `${request.name}-copy`;
    const want = { ...object.data };
    try {
      const existing = await client.get(ConfigMap, name, { namespace: request.namespace });
      if (JSON.stringify(existing.data ?? {}) !== JSON.stringify(want)) await client.update(ConfigMap, { ...existing, data: want });
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'NotFound')) throw err;
      await client.create(ConfigMap, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name,
          namespace: request.namespace,
          labels: { copy: 'true' },
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: request.name, uid: object.metadata.uid ?? '', controller: true }],
        },
        data: want,
      });
    }
    return Action.awaitChange();
  });

test('a controller reconciles existing and new objects until the cluster settles', async (t) => {
  const cluster = await createTestCluster({ controllers: [copier], objects: [cm('a', { k: '1' })] });
  await cluster.settle();
  t.deepEqual((await cluster.admin.get(ConfigMap, 'a-copy', { namespace: 'default' })).data, { k: '1' });
  await cluster.apply(cm('b', { k: '2' }));
  await cluster.settle();
  t.deepEqual((await cluster.admin.get(ConfigMap, 'b-copy', { namespace: 'default' })).data, { k: '2' });
  await cluster.stop();
  t.is(cluster.clock.pendingTimers(), 0);
});

test('a change to an owned object reconciles its controlling owner, which repairs it', async (t) => {
  const cluster = await createTestCluster({ controllers: [copier], objects: [cm('a', { k: '1' })] });
  await cluster.settle();
  const copy = await cluster.admin.get(ConfigMap, 'a-copy', { namespace: 'default' });
  await cluster.admin.update(ConfigMap, { ...copy, data: { k: 'tampered' } });
  await cluster.settle();
  t.deepEqual((await cluster.admin.get(ConfigMap, 'a-copy', { namespace: 'default' })).data, { k: '1' });
  await cluster.stop();
});

test('reconciles are level-triggered: changes during a reconcile cause one more reconcile that sees the latest', async (t) => {
  const seen: string[] = [];
  const def = controllerFor(ConfigMap).reconcile(async ({ object, clock }) => {
    seen.push(object?.data?.['v'] ?? 'gone');
    if (seen.length === 1) await clock.sleep(1000);
    return Action.awaitChange();
  });
  const cluster = await createTestCluster({ controllers: [def] });
  await cluster.admin.create(ConfigMap, cm('x', { v: '1' }));
  for (let i = 0; i < 20 && seen.length === 0; i++) await new Promise((r) => setImmediate(r));
  t.deepEqual(seen, ['1']);
  for (const v of ['2', '3']) {
    const latest = await cluster.admin.get(ConfigMap, 'x', { namespace: 'default' });
    await cluster.admin.update(ConfigMap, { ...latest, data: { v } });
  }
  await cluster.settle();
  t.deepEqual(seen, ['1', '3']);
  await cluster.admin.delete(ConfigMap, 'x', { namespace: 'default' });
  await cluster.settle();
  t.deepEqual(seen, ['1', '3', 'gone']);
  await cluster.stop();
});

test('requeueAfter reconciles again after that much virtual time, driven by settle', async (t) => {
  const times: number[] = [];
  const def = controllerFor(ConfigMap).reconcile(({ clock }) => {
    times.push(clock.now());
    return times.length < 3 ? Action.requeueAfter(30_000) : Action.awaitChange();
  });
  const cluster = await createTestCluster({ controllers: [def], objects: [cm('x')] });
  const start = cluster.clock.now();
  const report = await cluster.settle();
  t.deepEqual(times.map((x) => x - start), [0, 30_000, 60_000]);
  t.is(report.advancedMs, 60_000);
  await cluster.stop();
});

test('a failing reconcile is retried with exponential backoff and recorded as a Warning event', async (t) => {
  const times: number[] = [];
  const def = controllerFor(ConfigMap).reconcile(({ clock }) => {
    times.push(clock.now());
    if (times.length < 4) throw new Error('upstream unavailable');
    return Action.awaitChange();
  });
  const cluster = await createTestCluster({ controllers: [def], objects: [cm('x')] });
  const start = cluster.clock.now();
  await cluster.settle();
  t.deepEqual(times.map((x) => x - start), [0, 5, 15, 35]);
  t.is(cluster.events.filter((e) => e.reason === 'ReconcileError' && e.type === 'Warning').length, 3);
  t.is(cluster.events[0]?.message, 'upstream unavailable');
  await cluster.stop();
});

test('a TerminalError is not retried until the object changes', async (t) => {
  let calls = 0;
  const def = controllerFor(ConfigMap).reconcile(() => {
    calls++;
    throw new TerminalError('spec.data.mode must be fast or slow');
  });
  const cluster = await createTestCluster({ controllers: [def], objects: [cm('x')] });
  await cluster.settle();
  t.is(calls, 1);
  t.is(cluster.events[0]?.reason, 'ReconcileFailed');
  const x = await cluster.admin.get(ConfigMap, 'x', { namespace: 'default' });
  await cluster.admin.update(ConfigMap, { ...x, data: { mode: 'fast' } });
  await cluster.settle();
  t.is(calls, 2);
  await cluster.stop();
});

test('settle fails loudly on a controller that keeps changing what it watches', async (t) => {
  const def = controllerFor(ConfigMap).reconcile(async ({ object, client }) => {
    if (object !== undefined) await client.update(ConfigMap, { ...object, data: { n: String(Number(object.data?.['n'] ?? 0) + 1) } });
    return Action.awaitChange();
  });
  const cluster = await createTestCluster({ controllers: [def], objects: [cm('x')] });
  const err = await t.throwsAsync(cluster.settle({ maxReconciles: 50 }), { instanceOf: SettleError });
  t.regex(err?.message ?? '', /hot loop/);
  await cluster.stop();
});

test('a predicate on generation ignores status-only and metadata-only updates', async (t) => {
  let calls = 0;
  const def = controllerFor(ConfigMap).withPredicate(predicates.generationChanged()).reconcile(() => {
    calls++;
    return Action.awaitChange();
  });
  const cluster = await createTestCluster({ controllers: [def], objects: [cm('x')] });
  await cluster.settle();
  t.is(calls, 1);
  const x = await cluster.admin.get(ConfigMap, 'x', { namespace: 'default' });
  await cluster.admin.update(ConfigMap, { ...x, metadata: { ...x.metadata, labels: { a: 'b' } } });
  await cluster.settle();
  t.is(calls, 1);
  await cluster.stop();
});

test('watches maps events of another kind to the objects to reconcile', async (t) => {
  const seen: string[] = [];
  const def = controllerFor(ConfigMap)
    .watches(Secret, (s) => [{ name: s.metadata.annotations?.['for'] ?? '', namespace: s.metadata.namespace }])
    .reconcile(({ request, cache }) => {
      seen.push(`${request.name}:${cache(Secret).list().length}`);
      return Action.awaitChange();
    });
  const cluster = await createTestCluster({ controllers: [def], objects: [cm('x')] });
  await cluster.settle();
  await cluster.admin.create(Secret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default', annotations: { for: 'x' } } });
  await cluster.settle();
  t.deepEqual(seen, ['x:0', 'x:1']);
  await cluster.stop();
});

test('with maxConcurrentReconciles the same object is never reconciled twice at once', async (t) => {
  const running = new Set<string>();
  let overlaps = 0;
  let calls = 0;
  const def = controllerFor(ConfigMap)
    .maxConcurrentReconciles(4)
    .reconcile(async ({ request, clock }) => {
      calls++;
      if (running.has(request.name)) overlaps++;
      running.add(request.name);
      await clock.sleep(10);
      running.delete(request.name);
      return calls < 40 ? Action.requeueAfter(1) : Action.awaitChange();
    });
  const cluster = await createTestCluster({ controllers: [def], objects: [cm('a'), cm('b'), cm('c')] });
  for (let i = 0; i < 60; i++) await cluster.advance(5);
  t.true(calls >= 40);
  t.is(overlaps, 0);
  await cluster.stop();
});

test('injected write failures are retried until they stop', async (t) => {
  const cluster = await createTestCluster({ controllers: [copier], objects: [cm('a', { k: '1' })] });
  await cluster.stop();
  const again = await createTestCluster({ controllers: [copier] });
  again.client.failNext({ verbs: ['create'], type: ConfigMap, count: 2, error: new StoreError('TooManyRequests', 'slow down') });
  await again.admin.create(ConfigMap, cm('a', { k: '1' }));
  await again.settle();
  t.deepEqual((await again.admin.get(ConfigMap, 'a-copy', { namespace: 'default' })).data, { k: '1' });
  t.is(again.writes.filter((w) => w.verb === 'create' && w.error !== undefined).length, 2);
  await again.stop();
});

test('after a forced Expired relist the controller still converges', async (t) => {
  const cluster = await createTestCluster({ controllers: [copier], objects: [cm('a', { k: '1' })] });
  await cluster.settle();
  cluster.client.forceExpired(ConfigMap);
  await cluster.admin.create(ConfigMap, cm('b', { k: '2' }));
  await cluster.advance(60_000);
  t.deepEqual((await cluster.admin.get(ConfigMap, 'b-copy', { namespace: 'default' })).data, { k: '2' });
  await cluster.stop();
});

test('reconcileOnce returns the action and the writes of one reconcile', async (t) => {
  const r = await reconcileOnce(copier, { name: 'a', namespace: 'default' }, { objects: [cm('a', { k: '1' })] });
  t.deepEqual(r.action, Action.awaitChange());
  t.deepEqual(r.writes.map((w) => `${w.verb} ${w.kind} ${w.name}`), ['create ConfigMap a-copy']);
  t.is(r.error, undefined);
});
