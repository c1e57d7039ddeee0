import test from 'ava';
import { readFileSync } from 'node:fs';
import { Node, Pod } from '../../src/api/generated/kinds.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { createTestCluster } from '../../src/testing/cluster.js';
import { FakeClock } from '../../src/runtime/clock.js';

const node = (name: string, labels: Record<string, string> = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});

test('a scheduler added to a test cluster as a runnable is driven by settle, through its backoff', async (t) => {
  const clock = new FakeClock();
  const cluster = await createTestCluster({ clock, objects: [node('plain')] });
  const scheduler = new Scheduler({ client: cluster.client, clock });
  cluster.manager.add(scheduler.runnable());
  await cluster.apply(readFileSync(new URL('../fixtures/seed-manifests/pod-nginx-nodeselector.yaml', import.meta.url), 'utf8'));
  await cluster.settle();
  const pending = await cluster.admin.get(Pod, 'nginx', { namespace: 'default' });
  t.is(pending.spec?.nodeName, undefined);
  const cond = pending.status?.conditions?.find((c) => c.type === 'PodScheduled');
  t.is(cond?.status, 'False');
  t.regex(cond?.message ?? '', /0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector/);
  await cluster.admin.create(Node, node('fast', { disktype: 'ssd' }));
  await cluster.settle();
  t.is((await cluster.admin.get(Pod, 'nginx', { namespace: 'default' })).spec?.nodeName, 'fast');
  await cluster.stop();
  t.is(clock.pendingTimers(), 0);
});
