import test from 'ava';
import { ConfigMap } from '../../src/api/generated/kinds.js';
import { Action, TerminalError, controllerFor } from '../../src/runtime/controller.js';
import { FinalizerError, finalizer, type FinalizerHandlers } from '../../src/runtime/finalizer.js';
import { StoreError } from '../../src/store/errors.js';
import { createTestCluster, reconcileOnce, type TestCluster } from '../../src/testing/cluster.js';

const FIN = 'example.com/cleanup';
const ref = { name: 'x', namespace: 'default' };

const cm = (meta: Record<string, unknown> = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x', namespace: 'default', ...meta },
  data: { k: 'v' },
});

interface Calls {
  apply: number;
  cleanup: number;
}

/** A controller whose whole reconcile is the finalizer helper, counting calls. */
function withFinalizer(handlers: Partial<FinalizerHandlers<ConfigMap>>, name = FIN): { def: ReturnType<typeof build>; calls: Calls } {
  const calls: Calls = { apply: 0, cleanup: 0 };
  const def = build(name, calls, handlers);
  return { def, calls };
}
function build(name: string, calls: Calls, handlers: Partial<FinalizerHandlers<ConfigMap>>) {
  return controllerFor(ConfigMap).reconcile((ctx) =>
    finalizer(ctx, ConfigMap, name, {
      apply: (o) => {
        calls.apply++;
        return handlers.apply?.(o) ?? Action.awaitChange();
      },
      cleanup: (o) => {
        calls.cleanup++;
        return handlers.cleanup?.(o) ?? Action.awaitChange();
      },
    }),
  );
}

async function exists(cluster: TestCluster): Promise<boolean> {
  try {
    await cluster.admin.get(ConfigMap, 'x', { namespace: 'default' });
    return true;
  } catch (err) {
    if (err instanceof StoreError && err.code === 'NotFound') return false;
    throw err;
  }
}

test('the first reconcile of an object without the finalizer adds it and does not run apply', async (t) => {
  const { def, calls } = withFinalizer({});
  const { action, writes } = await reconcileOnce(def, ref, { objects: [cm({ finalizers: ['other.io/keep'] })] });
  t.deepEqual(action, Action.awaitChange());
  t.is(calls.apply, 0);
  t.deepEqual(writes.map((w) => `${w.verb} ${w.kind} ${w.name}`), ['patch ConfigMap x']);
  t.deepEqual(writes[0]?.result?.metadata.finalizers, ['other.io/keep', FIN]);
});

test('an object carrying the finalizer gets apply, and the reconcile returns its Action', async (t) => {
  const { def, calls } = withFinalizer({ apply: () => Action.requeueAfter(60_000) });
  const { action, writes } = await reconcileOnce(def, ref, { objects: [cm({ finalizers: [FIN] })] });
  t.deepEqual(action, Action.requeueAfter(60_000));
  t.is(calls.apply, 1);
  t.is(calls.cleanup, 0);
  t.deepEqual(writes, []);
});

test('a gone object is left alone: no handler runs and nothing is written', async (t) => {
  const { def, calls } = withFinalizer({});
  const { action, writes } = await reconcileOnce(def, ref, { objects: [] });
  t.deepEqual(action, Action.awaitChange());
  t.deepEqual(calls, { apply: 0, cleanup: 0 });
  t.deepEqual(writes, []);
});

test('errors thrown by apply propagate unchanged to the controller', async (t) => {
  const boom = new TerminalError('spec.mode must be fast or slow');
  const { def } = withFinalizer({
    apply: () => {
      throw boom;
    },
  });
  const { error, action } = await reconcileOnce(def, ref, { objects: [cm({ finalizers: [FIN] })] });
  t.is(error, boom);
  t.is(action, undefined);
});

test('a settled controller adds the finalizer, then applies once the write comes back', async (t) => {
  const { def, calls } = withFinalizer({});
  const cluster = await createTestCluster({ controllers: [def], objects: [cm()] });
  await cluster.settle();
  t.deepEqual((await cluster.admin.get(ConfigMap, 'x', { namespace: 'default' })).metadata.finalizers, [FIN]);
  t.true(calls.apply >= 1);
  t.is(calls.cleanup, 0);
  await cluster.stop();
});

test('deleting the object runs cleanup, removes the finalizer, and the store then deletes it', async (t) => {
  const seen: boolean[] = [];
  let cluster: TestCluster | undefined;
  const { def, calls } = withFinalizer({
    cleanup: async (o) => {
      t.truthy(o.metadata.deletionTimestamp);
      if (cluster !== undefined) seen.push(await exists(cluster));
      return Action.awaitChange();
    },
  });
  cluster = await createTestCluster({ controllers: [def], objects: [cm()] });
  await cluster.settle();
  const applies = calls.apply;
  await cluster.admin.delete(ConfigMap, 'x', { namespace: 'default' });
  await cluster.settle();
  t.is(calls.cleanup, 1);
  t.deepEqual(seen, [true]);
  t.is(calls.apply, applies, 'apply never runs once deletion has begun');
  t.false(await exists(cluster));
  await cluster.stop();
});

test('a cleanup that fails twice is retried with backoff, and the object stays until it succeeds', async (t) => {
  let cluster: TestCluster | undefined;
  const present: boolean[] = [];
  const { def, calls } = withFinalizer({
    cleanup: async () => {
      if (cluster !== undefined) present.push(await exists(cluster));
      if (calls.cleanup <= 2) throw new Error('dns provider unavailable');
      return Action.awaitChange();
    },
  });
  cluster = await createTestCluster({ controllers: [def], objects: [cm()] });
  await cluster.settle();
  await cluster.admin.delete(ConfigMap, 'x', { namespace: 'default' });
  // Without advancing time, only the first (failing) attempt runs; the object is held.
  await cluster.settle({ advance: false });
  t.is(calls.cleanup, 1);
  const held = await cluster.admin.get(ConfigMap, 'x', { namespace: 'default' });
  t.deepEqual(held.metadata.finalizers, [FIN]);
  t.truthy(held.metadata.deletionTimestamp);
  await cluster.settle();
  t.is(calls.cleanup, 3);
  t.deepEqual(present, [true, true, true]);
  t.is(cluster.events.filter((e) => e.reason === 'ReconcileError' && e.message === 'dns provider unavailable').length, 2);
  t.false(await exists(cluster));
  await cluster.stop();
});

test('a conflict while removing the finalizer is retried, cleanup runs again, and the object goes', async (t) => {
  let cluster: TestCluster | undefined;
  const { def, calls } = withFinalizer({
    cleanup: async () => {
      // Someone else writes the object while the first cleanup runs: our read is now stale.
      if (calls.cleanup === 1 && cluster !== undefined) {
        const cur = await cluster.admin.get(ConfigMap, 'x', { namespace: 'default' });
        await cluster.admin.update(ConfigMap, { ...cur, metadata: { ...cur.metadata, labels: { touched: 'yes' } } });
      }
      return Action.awaitChange();
    },
  });
  cluster = await createTestCluster({ controllers: [def], objects: [cm()] });
  await cluster.settle();
  await cluster.admin.delete(ConfigMap, 'x', { namespace: 'default' });
  await cluster.settle();
  const patches = cluster.writes.filter((w) => w.verb === 'patch');
  const failed = patches.filter((w) => w.error !== undefined);
  t.is(failed.length, 1);
  t.true(failed[0]?.error instanceof StoreError && failed[0].error.code === 'Conflict');
  t.is(calls.cleanup, 2);
  t.false(await exists(cluster));
  await cluster.stop();
});

test('a conflict while adding the finalizer is retried and the finalizer is added once', async (t) => {
  const { def } = withFinalizer({});
  const cluster = await createTestCluster({ objects: [cm()] });
  cluster.client.failNext({ verbs: ['patch'], type: ConfigMap, error: () => new StoreError('Conflict', 'injected: the object has been modified') });
  cluster.manager.add(def);
  await cluster.settle();
  const x = await cluster.admin.get(ConfigMap, 'x', { namespace: 'default' });
  t.deepEqual(x.metadata.finalizers, [FIN]);
  t.is(cluster.writes.filter((w) => w.verb === 'patch' && w.error !== undefined).length, 1);
  await cluster.stop();
});

test('removing our finalizer keeps the others, and the object waits for them', async (t) => {
  const { def, calls } = withFinalizer({});
  const cluster = await createTestCluster({ controllers: [def], objects: [cm({ finalizers: ['other.io/keep'] })] });
  await cluster.settle();
  await cluster.admin.delete(ConfigMap, 'x', { namespace: 'default' });
  await cluster.settle();
  t.is(calls.cleanup, 1);
  const x = await cluster.admin.get(ConfigMap, 'x', { namespace: 'default' });
  t.deepEqual(x.metadata.finalizers, ['other.io/keep']);
  t.truthy(x.metadata.deletionTimestamp);
  await cluster.stop();
});

test('a deleting object without our finalizer is left alone: cleanup does not run', async (t) => {
  const { def, calls } = withFinalizer({});
  const cluster = await createTestCluster({ objects: [cm({ finalizers: ['other.io/keep'] })] });
  await cluster.admin.delete(ConfigMap, 'x', { namespace: 'default' });
  cluster.manager.add(def);
  await cluster.settle();
  t.deepEqual(calls, { apply: 0, cleanup: 0 });
  t.deepEqual(cluster.writes, []);
  await cluster.stop();
});

test('a cleanup asking to requeue keeps the finalizer and runs again after that long', async (t) => {
  const times: number[] = [];
  let cluster: TestCluster | undefined;
  const { def } = withFinalizer({
    cleanup: () => {
      times.push(cluster?.clock.now() ?? 0);
      return times.length < 3 ? Action.requeueAfter(10_000) : Action.awaitChange();
    },
  });
  cluster = await createTestCluster({ controllers: [def], objects: [cm()] });
  await cluster.settle();
  await cluster.admin.delete(ConfigMap, 'x', { namespace: 'default' });
  await cluster.settle({ advance: false });
  t.true(await exists(cluster));
  const start = times[0] ?? 0;
  await cluster.settle();
  t.deepEqual(times.map((x) => x - start), [0, 10_000, 20_000]);
  t.false(await exists(cluster));
  await cluster.stop();
});

test('a malformed finalizer name is refused with a FinalizerError naming a valid form', async (t) => {
  const { def } = withFinalizer({}, 'Not A Name!');
  const { error } = await reconcileOnce(def, ref, { objects: [cm()] });
  t.true(error instanceof FinalizerError);
  t.is((error as FinalizerError).code, 'InvalidFinalizer');
  t.regex((error as Error).message, /example\.com\/cleanup/);
});
