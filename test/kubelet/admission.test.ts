import test from 'ava';
import { Pod } from '../../src/api/generated/kinds.js';
import type { Pod as PodT } from '../../src/api/generated/types.js';
import { admitPod } from '../../src/kubelet/admission.js';
import { kubeletCluster, pod } from './helpers.js';

const withRequests = (name: string, requests: Record<string, string>): PodT =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests, limits: requests } }] } }) as PodT;

test('a pod asking for more of an extended resource than the node has left is rejected with OutOf<resource>', async (t) => {
  const k = await kubeletCluster({ kubelet: { capacity: { cpu: '4', memory: '8Gi', pods: '110', 'example.com/gpu': '1' } } });
  await k.cluster.admin.create(Pod, pod('gpu-a', { containers: [{ resources: { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '1' } } }] }));
  await k.cluster.settle({ advance: false });
  await k.cluster.admin.create(Pod, pod('gpu-b', { containers: [{ resources: { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '1' } } }] }));
  await k.cluster.settle({ advance: false });
  t.is((await k.get('gpu-a')).status?.phase, 'Running');
  const b = await k.get('gpu-b');
  t.is(b.status?.phase, 'Failed');
  t.is(b.status?.reason, 'OutOfexample.com/gpu');
  await k.cluster.stop();
});

test('admission counts ephemeral-storage requests against allocatable', (t) => {
  const alloc = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '10Gi' };
  const running = [withRequests('a', { 'ephemeral-storage': '8Gi' })];
  t.is(admitPod(withRequests('b', { 'ephemeral-storage': '4Gi' }), running, alloc)?.reason, 'OutOfephemeral-storage');
});

test('an extended resource the node does not list is ignored by admission', (t) => {
  const alloc = { cpu: '4', memory: '8Gi', pods: '110' };
  t.is(admitPod(withRequests('b', { 'example.com/fpga': '2' }), [], alloc), undefined);
});
