import test from 'ava';
import { Lease, Node, Pod } from '../../src/api/generated/kinds.js';
import { condition, kubeletCluster, pod, START } from './helpers.js';

test('a kubelet registers its node with capacity, labels, addresses, conditions and renews its lease every 10 s', async (t) => {
  const k = await kubeletCluster({ kubelet: { labels: { zone: 'a' }, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }], capacity: { cpu: '2', memory: '4Gi', pods: '10' } } });
  const node = await k.cluster.admin.get(Node, 'node-1');
  t.is(node.metadata.labels?.['kubernetes.io/hostname'], 'node-1');
  t.is(node.metadata.labels?.['kubernetes.io/os'], 'linux');
  t.is(node.metadata.labels?.['zone'], 'a');
  t.deepEqual(node.spec?.taints, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]);
  t.deepEqual(node.status?.capacity, { cpu: '2', memory: '4Gi', pods: '10' });
  t.deepEqual(node.status?.allocatable, { cpu: '2', memory: '4Gi', pods: '10' });
  t.deepEqual(node.status?.conditions?.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
  t.deepEqual(node.status?.addresses?.map((a) => a.type), ['InternalIP', 'Hostname']);
  t.is(node.status?.nodeInfo?.containerRuntimeVersion.startsWith('simulated://'), true);
  const lease1 = await k.cluster.admin.get(Lease, 'node-1', { namespace: 'kube-node-lease' });
  t.is(lease1.spec?.holderIdentity, 'node-1');
  t.is(lease1.spec?.leaseDurationSeconds, 40);
  await k.cluster.advance(10_000);
  const lease2 = await k.cluster.admin.get(Lease, 'node-1', { namespace: 'kube-node-lease' });
  t.is(Date.parse(lease2.spec?.renewTime ?? '') - Date.parse(lease1.spec?.renewTime ?? ''), 10_000);
  await k.cluster.stop();
  t.is(k.clock.pendingTimers(), 0);
});

test('a pod bound to the node becomes Running and Ready with IPs, start time, qosClass and container statuses', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(Pod, pod('web', { containers: [{ resources: { requests: { cpu: '100m' }, limits: { cpu: '100m' } } }] }));
  await k.cluster.settle();
  const p = await k.get('web');
  t.is(p.status?.phase, 'Running');
  t.regex(p.status?.podIP ?? '', /^10\.244\./);
  t.deepEqual(p.status?.podIPs, [{ ip: p.status?.podIP ?? '' }]);
  t.is(p.status?.hostIP, '127.0.0.1');
  t.is(p.status?.startTime, new Date(START).toISOString().replace('.000Z', 'Z'));
  t.is(p.status?.qosClass, 'Burstable');
  for (const c of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled']) t.is(condition(p, c), 'True', c);
  const cs = p.status?.containerStatuses?.[0];
  t.is(cs?.ready, true);
  t.is(cs?.started, true);
  t.is(cs?.restartCount, 0);
  t.truthy(cs?.state?.running?.startedAt);
  t.regex(cs?.containerID ?? '', /^simulated:\/\//);
  await k.cluster.stop();
});
