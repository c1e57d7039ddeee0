import test from 'ava';
import { Deployment, Pod, Service, Node } from '../../src/api/generated/kinds.js';
import { humanDuration, podStatusReason } from '../../src/api/printers.js';
import type * as T from '../../src/api/generated/types.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const cells = <X extends { metadata: { creationTimestamp?: string } }>(type: { printerColumns: readonly { name: string; priority: number; value(o: X, now: number): unknown }[] }, o: X, wide = false): Record<string, unknown> =>
  Object.fromEntries(type.printerColumns.filter((c) => wide || c.priority === 0).map((c) => [c.name, c.value(o, NOW)]));

test('ages print as kubectl prints them', (t) => {
  const cases: [number, string][] = [[5_000, '5s'], [119_000, '119s'], [125_000, '2m5s'], [600_000, '10m'], [3 * 3_600_000 + 60_000, '3h1m'], [10 * 3_600_000, '10h'], [50 * 3_600_000, '2d2h'], [30 * 86_400_000, '30d'], [800 * 86_400_000, '2y70d'], [-500, '0s'], [-5000, '<invalid>']];
  for (const [ms, want] of cases) t.is(humanDuration(ms), want, String(ms));
});

const pod = (status: T.PodStatus, extra: Partial<T.Pod> = {}): T.Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-0', creationTimestamp: '2026-01-01T11:59:00Z' },
  spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox' }], nodeName: 'node-1' },
  status,
  ...extra,
});

test('pod columns show ready counts, status reasons, restarts with their age, and wide columns', (t) => {
  const running = pod({
    phase: 'Running',
    podIP: '10.0.0.5',
    containerStatuses: [
      { name: 'a', image: 'nginx', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
      { name: 'b', image: 'busybox', imageID: '', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T11:59:30Z' } } },
    ],
  });
  t.deepEqual(cells(Pod, running), { Name: 'web-0', Ready: '1/2', Status: 'CrashLoopBackOff', Restarts: '2 (30s ago)', Age: '60s' });
  t.is(cells(Pod, running, true)['IP'], '10.0.0.5');
  t.is(cells(Pod, running, true)['Node'], 'node-1');
});

test('pod status reasons follow kubectl: init progress, terminating, completed', (t) => {
  const init = pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', image: 'x', imageID: '', ready: false, restartCount: 0, state: { running: {} } }] }, { spec: { containers: [{ name: 'a' }], initContainers: [{ name: 'i' }, { name: 'j' }] } });
  t.is(podStatusReason(init), 'Init:0/2');
  t.is(podStatusReason({ ...pod({ phase: 'Running' }), metadata: { name: 'x', deletionTimestamp: '2026-01-01T12:00:00Z' } }), 'Terminating');
  t.is(podStatusReason(pod({ phase: 'Succeeded', containerStatuses: [{ name: 'a', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] })), 'Completed');
  t.is(podStatusReason(pod({ phase: 'Failed', reason: 'OutOfcpu' })), 'OutOfcpu');
});

test('deployment, service and node columns match kubectl get', (t) => {
  const d: T.Deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', creationTimestamp: '2026-01-01T11:00:00Z' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
  t.deepEqual(cells(Deployment, d), { Name: 'web', Ready: '2/3', 'Up-to-date': 3, Available: 2, Age: '60m' });
  t.deepEqual(cells(Deployment, d, true)['Selector'], 'app=web');
  const s: T.Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', creationTimestamp: '2026-01-01T11:59:50Z' }, spec: { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } };
  t.deepEqual(cells(Service, s), { Name: 'web', Type: 'NodePort', 'Cluster-IP': '10.96.0.10', 'External-IP': '<none>', 'Port(s)': '80:30080/TCP', Age: '10s' });
  const n: T.Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', creationTimestamp: '2026-01-01T00:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '' } }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.36.0', architecture: '', bootID: '', containerRuntimeVersion: '', kernelVersion: '', kubeProxyVersion: '', machineID: '', operatingSystem: '', osImage: '', systemUUID: '' } } };
  t.deepEqual(cells(Node, n), { Name: 'n1', Status: 'Ready,SchedulingDisabled', Roles: 'control-plane', Age: '12h', Version: 'v1.36.0' });
});
