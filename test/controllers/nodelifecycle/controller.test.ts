import test from 'ava';
import { Node, Pod } from '../../../src/api/generated/kinds.js';
import type { Pod as PodT } from '../../../src/api/generated/types.js';
import { createNodeLifecycleController } from '../../../src/controllers/nodelifecycle/index.js';
import { Kubelet } from '../../../src/kubelet/kubelet.js';
import { SimulatedRuntime } from '../../../src/kubelet/runtime/simulated.js';
import { FakeClock } from '../../../src/runtime/clock.js';
import { createTestCluster } from '../../../src/testing/cluster.js';

const START = Date.UTC(2026, 0, 1);

function pod(name: string, node: string, tolerations?: PodT['spec'] extends infer S ? S extends { tolerations?: infer T } ? T : never : never): PodT {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: node, containers: [{ name: 'app', image: 'app:v1' }], ...(tolerations !== undefined ? { tolerations } : {}) } } as PodT;
}

async function twoNodes() {
  const clock = new FakeClock(START);
  const cluster = await createTestCluster({ clock, controllers: [createNodeLifecycleController()] });
  const kubelets = [0, 1].map((i) => new Kubelet({ client: cluster.client, clock, nodeName: `node-${i}`, runtime: new SimulatedRuntime({ clock, podCIDR: `10.244.${i}.0/24` }) }));
  for (const k of kubelets) cluster.manager.add(k);
  await cluster.settle({ advance: false });
  return { cluster, kubelets, clock };
}

test('a node whose kubelet stops is marked Unknown and tainted after 40 s, and its pods are evicted after their 300 s toleration', async (t) => {
  const { cluster, kubelets } = await twoNodes();
  await cluster.admin.create(Pod, pod('a', 'node-0'));
  await cluster.admin.create(Pod, pod('b', 'node-1'));
  await cluster.admin.create(Pod, pod('intolerant', 'node-1', [{ key: 'other', operator: 'Exists', effect: 'NoExecute' }]));
  await cluster.admin.create(Pod, pod('forever', 'node-1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]));
  await cluster.settle({ advance: false });
  t.is((await cluster.admin.get(Pod, 'b', { namespace: 'default' })).status?.phase, 'Running');
  // 'intolerant' tolerates another taint, so defaulting gave it the 300 s tolerations too.
  kubelets[1].stop(); // the node dies: no cleanup, no more leases

  await cluster.advance(40_000, { advance: false });
  let node = await cluster.admin.get(Node, 'node-1');
  t.is(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True'); // exactly 40 s: still within grace
  await cluster.advance(2_000, { advance: false });
  node = await cluster.admin.get(Node, 'node-1');
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  t.is(ready?.status, 'Unknown');
  t.is(ready?.reason, 'NodeStatusUnknown');
  t.is(ready?.message, 'Kubelet stopped posting node status.');
  t.deepEqual(node.status?.conditions?.map((c) => c.status), ['Unknown', 'Unknown', 'Unknown', 'Unknown']);
  t.deepEqual(node.spec?.taints?.map((x) => `${x.key}:${x.effect}`), ['node.kubernetes.io/unreachable:NoExecute']);
  t.is((await cluster.admin.get(Node, 'node-0')).status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');

  await cluster.advance(290_000, { advance: false });
  t.is((await cluster.admin.get(Pod, 'b', { namespace: 'default' })).metadata.deletionTimestamp, undefined);
  await cluster.advance(15_000, { advance: false });
  t.truthy((await cluster.admin.get(Pod, 'b', { namespace: 'default' })).metadata.deletionTimestamp);
  t.truthy((await cluster.admin.get(Pod, 'intolerant', { namespace: 'default' })).metadata.deletionTimestamp);
  t.is((await cluster.admin.get(Pod, 'forever', { namespace: 'default' })).metadata.deletionTimestamp, undefined);
  t.is((await cluster.admin.get(Pod, 'a', { namespace: 'default' })).metadata.deletionTimestamp, undefined);
  t.truthy(cluster.events.find((e) => e.reason === 'TaintManagerEviction' && e.name === 'b'));
  await cluster.stop();
});

test('a pod without a matching toleration is evicted as soon as the node is tainted, and the taint goes when the node returns', async (t) => {
  const { cluster, kubelets, clock } = await twoNodes();
  await cluster.admin.create(Pod, pod('c', 'node-1'));
  // A toleration for the key with another value: defaulting adds nothing, and it does not match.
  await cluster.admin.create(Pod, pod('d', 'node-1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Equal', value: 'other', effect: 'NoExecute' }]));
  await cluster.settle({ advance: false });
  kubelets[1].stop();
  await cluster.advance(41_000, { advance: false });
  t.truthy((await cluster.admin.get(Pod, 'd', { namespace: 'default' })).metadata.deletionTimestamp);
  // The default 300 s tolerations apply: not yet evicted.
  t.is((await cluster.admin.get(Pod, 'c', { namespace: 'default' })).metadata.deletionTimestamp, undefined);
  // A new kubelet for the same node comes back.
  const back = new Kubelet({ client: cluster.client, clock, nodeName: 'node-1', runtime: new SimulatedRuntime({ clock, podCIDR: '10.244.9.0/24' }) });
  cluster.manager.add(back);
  await cluster.advance(10_000, { advance: false });
  const node = await cluster.admin.get(Node, 'node-1');
  t.is(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  t.deepEqual(node.spec?.taints ?? [], []);
  back.stop();
  await cluster.stop();
});
