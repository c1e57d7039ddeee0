import test from 'ava';
import fc from 'fast-check';
import { Pod, ReplicaSet } from '../../../src/api/generated/kinds.js';
import { isPodReady } from '../../../src/controllers/common/pods.js';
import { replicaSetController } from '../../../src/controllers/replicaset/controller.js';
import { StoreError } from '../../../src/store/errors.js';
import { mutate } from '../../../src/client/client.js';
import { createTestCluster, type TestCluster } from '../../../src/testing/cluster.js';
import { fakeKubelet, type FakeKubeletOptions } from '../../../src/testing/fake-kubelet.js';
import { getRs, orphanPod, podsOf, rs } from './helpers.js';

async function cluster(objects: ReplicaSet[] = [], kubelet: FakeKubeletOptions = {}): Promise<TestCluster> {
  return createTestCluster({ controllers: [replicaSetController, fakeKubelet(kubelet)], objects });
}
/** Scale as `kubectl scale` does: read, change, write, again on a Conflict (the controller writes status meanwhile). */
async function scale(c: TestCluster, name: string, replicas: number): Promise<void> {
  await mutate(c.admin, ReplicaSet, { name, namespace: 'default' }, (d) => {
    if (d.spec !== undefined) d.spec.replicas = replicas;
  });
}
const podCreates = (c: TestCluster): number => c.writes.filter((w) => w.verb === 'create' && w.kind === 'Pod').length;

test('a ReplicaSet scales up to its replicas, all ready, with status and SuccessfulCreate events', async (t) => {
  const c = await cluster([rs('web', 3)]);
  await c.settle();
  const pods = await podsOf(c, 'web');
  t.is(pods.length, 3);
  t.true(pods.every(isPodReady));
  t.true(pods.every((p) => p.metadata.generateName === 'web-' && p.metadata.ownerReferences?.[0]?.blockOwnerDeletion === true));
  t.like((await getRs(c, 'web')).status, { replicas: 3, readyReplicas: 3, availableReplicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
  t.is(c.events.filter((e) => e.reason === 'SuccessfulCreate').length, 3);
  await c.stop();
});

test('scaling down deletes the surplus and records SuccessfulDelete', async (t) => {
  const c = await cluster([rs('web', 4)]);
  await c.settle();
  await scale(c, 'web', 1);
  await c.settle();
  t.is((await podsOf(c, 'web')).length, 1);
  t.is(c.events.filter((e) => e.reason === 'SuccessfulDelete').length, 3);
  t.like((await getRs(c, 'web')).status, { replicas: 1, readyReplicas: 1 });
  await c.stop();
});

test('a deleted pod is replaced (self-healing)', async (t) => {
  const c = await cluster([rs('web', 2)]);
  await c.settle();
  const [victim] = await podsOf(c, 'web');
  await c.admin.delete(Pod, victim!.metadata.name!, { namespace: 'default', gracePeriodSeconds: 0 });
  await c.settle();
  const pods = await podsOf(c, 'web');
  t.is(pods.length, 2);
  t.false(pods.some((p) => p.metadata.uid === victim!.metadata.uid));
  await c.stop();
});

test('a pod that Failed is replaced and no longer counted', async (t) => {
  const c = await cluster([rs('web', 2)]);
  await c.settle();
  const [victim] = await podsOf(c, 'web');
  await c.admin.updateStatus(Pod, { ...victim!, status: { ...victim!.status, phase: 'Failed', conditions: [{ type: 'Ready', status: 'False' }] } });
  await c.settle();
  const pods = await podsOf(c, 'web');
  t.is(pods.filter((p) => p.status?.phase === 'Running').length, 2);
  t.like((await getRs(c, 'web')).status, { replicas: 2, readyReplicas: 2 });
  await c.stop();
});

test('a pod whose labels stop matching is released and replaced', async (t) => {
  const c = await cluster([rs('web', 1)]);
  await c.settle();
  const [pod] = await podsOf(c, 'web');
  await c.admin.update(Pod, { ...pod!, metadata: { ...pod!.metadata, labels: { app: 'debugging' } } });
  await c.settle();
  const released = await c.admin.get(Pod, pod!.metadata.name!, { namespace: 'default' });
  t.is(released.metadata.ownerReferences, undefined);
  t.is((await podsOf(c, 'web')).length, 1);
  await c.stop();
});

test('an orphan pod matching the selector is adopted instead of creating a new one', async (t) => {
  const c = await createTestCluster({ controllers: [replicaSetController, fakeKubelet()], objects: [orphanPod('stray', { app: 'web' })] });
  await c.settle();
  await c.apply(rs('web', 2));
  await c.settle();
  const pods = await podsOf(c, 'web');
  t.is(pods.length, 2);
  t.true(pods.some((p) => p.metadata.name === 'stray'));
  t.is(podCreates(c), 1);
  await c.stop();
});

test('with a lagging pod watch the ReplicaSet does not create twice (expectations)', async (t) => {
  const c = await cluster();
  c.client.delayWatch(Pod, 5_000);
  await c.apply(rs('web', 3));
  // Its own status write re-triggers the sync while the new pods are not in the cache yet.
  await c.settle();
  t.is(podCreates(c), 3);
  t.is((await podsOf(c, 'web')).length, 3);
  await c.stop();
});

test('creates go in slow-start batches and stop at the first failure, with FailedCreate and ReplicaFailure', async (t) => {
  const c = await cluster();
  c.client.failNext({ verbs: ['create'], type: Pod, count: 1, error: new StoreError('Forbidden', 'exceeded quota: pods') });
  await c.apply(rs('web', 5));
  await c.settle({ advance: false });
  // The first sync: one create (failed), then its status write; the other four were skipped.
  const firstStatus = c.writes.findIndex((w) => w.verb === 'updateStatus' && w.kind === 'ReplicaSet');
  const firstSync = c.writes.slice(0, firstStatus).filter((w) => w.verb === 'create' && w.kind === 'Pod');
  t.is(firstSync.length, 1);
  t.truthy(firstSync[0]?.error);
  t.true(c.events.some((e) => e.reason === 'FailedCreate' && e.message.includes('exceeded quota')));
  const failed = await getRs(c, 'web');
  const statusWrite = c.writes[firstStatus]?.body as ReplicaSet;
  t.like(statusWrite.status?.conditions?.find((x) => x.type === 'ReplicaFailure'), { status: 'True', reason: 'FailedCreate' });
  t.truthy(failed);
  await c.settle();
  t.is((await podsOf(c, 'web')).length, 5);
  t.is((await getRs(c, 'web')).status?.conditions, undefined, 'the condition is removed once creates succeed');
  await c.stop();
});

test('availableReplicas follows minReadySeconds on virtual time', async (t) => {
  const c = await cluster([rs('web', 2, { minReadySeconds: 30 })]);
  await c.settle({ advance: false });
  t.like((await getRs(c, 'web')).status, { readyReplicas: 2, availableReplicas: 0 });
  const start = c.clock.now();
  await c.settle();
  t.like((await getRs(c, 'web')).status, { readyReplicas: 2, availableReplicas: 2 });
  t.true(c.clock.now() - start >= 29_000 && c.clock.now() - start <= 31_000);
  await c.stop();
});

test('property: after random scaling, pod deletions and failures, the ReplicaSet has exactly its replicas ready', async (t) => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('scale' as const), n: fc.integer({ min: 0, max: 6 }) }),
    fc.record({ kind: fc.constant('delete' as const), i: fc.nat() }),
    fc.record({ kind: fc.constant('fail' as const), i: fc.nat() }),
  );
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 5 }), fc.array(op, { maxLength: 6 }), async (initial, ops) => {
      const c = await cluster([rs('web', initial)]);
      try {
        await c.settle();
        let want = initial;
        for (const o of ops) {
          if (o.kind === 'scale') {
            want = o.n;
            await scale(c, 'web', o.n);
          } else {
            const pods = (await podsOf(c, 'web')).filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.phase === 'Running');
            const p = pods[o.i % Math.max(1, pods.length)];
            if (p === undefined) continue;
            if (o.kind === 'delete') await c.admin.delete(Pod, p.metadata.name!, { namespace: 'default' });
            else await c.admin.updateStatus(Pod, { ...p, status: { ...p.status, phase: 'Failed', conditions: [{ type: 'Ready', status: 'False' }] } });
          }
          if (o.kind !== 'scale' || ops.indexOf(o) % 2 === 0) await c.settle();
        }
        await c.settle();
        const active = (await podsOf(c, 'web')).filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.phase !== 'Failed');
        return active.length === want && active.every(isPodReady) && (await getRs(c, 'web')).status?.readyReplicas === want;
      } finally {
        await c.stop();
      }
    }),
    { numRuns: Number(process.env["KUBEKIT_PROPERTY_RUNS"] ?? 15) },
  );
  t.pass();
});
