import test from 'ava';
import { Pod } from '../../src/api/generated/kinds.js';
import { isPodReady } from '../../src/controllers/common/pods.js';
import { createTestCluster } from '../../src/testing/cluster.js';
import { fakeKubelet } from '../../src/testing/fake-kubelet.js';

const pod = (name: string, nodeName?: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'nginx' }], ...(nodeName !== undefined ? { nodeName } : {}) } });
const get = (c: Awaited<ReturnType<typeof createTestCluster>>, name: string) => c.admin.get(Pod, name, { namespace: 'default' });

test('an unbound pod is bound to the fake node and becomes Running and Ready with container statuses', async (t) => {
  const c = await createTestCluster({ controllers: [fakeKubelet({ nodeName: 'n1' })], objects: [pod('a'), pod('b', 'other')] });
  await c.settle();
  const a = await get(c, 'a');
  t.is(a.spec?.nodeName, 'n1');
  t.is(a.status?.phase, 'Running');
  t.true(isPodReady(a));
  t.like(a.status?.containerStatuses?.[0], { name: 'app', ready: true, restartCount: 0 });
  t.truthy(a.status?.podIP);
  t.is((await get(c, 'b')).spec?.nodeName, 'other');
  await c.stop();
});

test('with a start delay, pods become ready only after it, on virtual time', async (t) => {
  const c = await createTestCluster({ controllers: [fakeKubelet({ startDelayMs: 5_000 })], objects: [pod('a')] });
  await c.settle({ advance: false });
  t.false(isPodReady(await get(c, 'a')));
  const start = c.clock.now();
  await c.settle();
  t.true(isPodReady(await get(c, 'a')));
  t.is(c.clock.now() - start, 5_000);
  await c.stop();
});

test('pods chosen by fail() end Failed and not ready', async (t) => {
  const c = await createTestCluster({ controllers: [fakeKubelet({ fail: (p) => p.metadata.name === 'bad' })], objects: [pod('bad'), pod('good')] });
  await c.settle();
  t.is((await get(c, 'bad')).status?.phase, 'Failed');
  t.false(isPodReady(await get(c, 'bad')));
  t.is((await get(c, 'good')).status?.phase, 'Running');
  await c.stop();
});

test('a graceful deletion of a bound pod is completed at once; disabled, the pod stays terminating', async (t) => {
  const c = await createTestCluster({ controllers: [fakeKubelet()], objects: [pod('a')] });
  await c.settle();
  await c.admin.delete(Pod, 'a', { namespace: 'default' });
  await c.settle({ advance: false });
  t.deepEqual((await c.admin.list(Pod, { namespace: 'default' })).items, []);
  await c.stop();
  const d = await createTestCluster({ controllers: [fakeKubelet({ completeDeletions: false })], objects: [pod('a')] });
  await d.settle();
  await d.admin.delete(Pod, 'a', { namespace: 'default' });
  await d.settle({ advance: false });
  t.truthy((await get(d, 'a')).metadata.deletionTimestamp);
  await d.stop();
});
