import test from 'ava';
import fc from 'fast-check';
import { Node, Pod } from '../../../src/api/generated/kinds.js';
import type { Pod as PodT, Taint } from '../../../src/api/generated/types.js';
import { mutate } from '../../../src/client/client.js';
import { createNodeLifecycleController, evictionTime, minTolerationSeconds } from '../../../src/controllers/nodelifecycle/index.js';
import { Kubelet } from '../../../src/kubelet/kubelet.js';
import { SimulatedRuntime } from '../../../src/kubelet/runtime/simulated.js';
import { FakeClock } from '../../../src/runtime/clock.js';
import { createTestCluster } from '../../../src/testing/cluster.js';

const START = Date.UTC(2026, 0, 1);

function pod(name: string, node: string, tolerations?: NonNullable<PodT['spec']>['tolerations']): PodT {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: node, containers: [{ name: 'app', image: 'app:v1' }], ...(tolerations !== undefined ? { tolerations } : {}) } } as PodT;
}

async function oneNode() {
  const clock = new FakeClock(START);
  const cluster = await createTestCluster({ clock, controllers: [createNodeLifecycleController()] });
  const kubelet = new Kubelet({ client: cluster.client, clock, nodeName: 'node-1', runtime: new SimulatedRuntime({ clock }) });
  cluster.manager.add(kubelet);
  await cluster.settle({ advance: false });
  return { cluster, kubelet, clock };
}

const ready = (p: PodT) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;

test('pods on a node that became unreachable are marked not Ready right away', async (t) => {
  const { cluster, kubelet } = await oneNode();
  await cluster.admin.create(Pod, pod('web', 'node-1'));
  await cluster.settle({ advance: false });
  t.is(ready(await cluster.admin.get(Pod, 'web', { namespace: 'default' })), 'True');
  kubelet.stop();
  await cluster.advance(42_000, { advance: false });
  const node = await cluster.admin.get(Node, 'node-1');
  t.is(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'Unknown');
  // Still within its 300 s toleration, so not evicted; but it must no longer count as Ready
  // (endpoints must stop sending it traffic).
  const p = await cluster.admin.get(Pod, 'web', { namespace: 'default' });
  t.is(p.metadata.deletionTimestamp, undefined);
  t.is(ready(p), 'False');
  await cluster.stop();
});

test('a pod with an unbounded and a 60 s toleration of the taint is evicted after 60 s', (t) => {
  const taint: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: new Date(START).toISOString() };
  const p = pod('p', 'n', [
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
  ]);
  t.is(evictionTime(p, taint, START), START + 60_000);
});

test('a NoExecute taint added by an administrator evicts the pods that do not tolerate it', async (t) => {
  const { cluster } = await oneNode();
  await cluster.admin.create(Pod, pod('plain', 'node-1'));
  await cluster.admin.create(Pod, pod('dedicated', 'node-1', [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoExecute' }]));
  await cluster.settle({ advance: false });
  await mutate(cluster.admin, Node, { name: 'node-1' }, (d) => {
    d.spec = { ...(d.spec ?? {}), taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] };
  });
  await cluster.settle({ advance: false });
  // Evicted: being deleted, or already gone (the kubelet stops it and removes it at once).
  const plain = await cluster.admin.get(Pod, 'plain', { namespace: 'default' }).catch(() => undefined);
  t.true(plain === undefined || plain.metadata.deletionTimestamp !== undefined);
  t.true(cluster.events.some((e) => e.reason === 'TaintManagerEviction' && e.name === 'plain'));
  t.false(cluster.events.some((e) => e.reason === 'TaintManagerEviction' && e.name === 'dedicated'));
  t.is((await cluster.admin.get(Pod, 'dedicated', { namespace: 'default' })).metadata.deletionTimestamp, undefined);
  await cluster.stop();
});

test('the minimum toleration time is the shortest bounded one, and forever only when none is bounded', (t) => {
  fc.assert(
    fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }), { maxLength: 6 }), (secs) => {
      const tolerations = secs.map((s) => ({ operator: 'Exists' as const, effect: 'NoExecute', ...(s !== undefined ? { tolerationSeconds: s } : {}) }));
      const bounded = secs.filter((s): s is number => s !== undefined);
      const want = bounded.length === 0 ? undefined : Math.min(...bounded);
      t.is(minTolerationSeconds(tolerations), want);
    }),
  );
});
