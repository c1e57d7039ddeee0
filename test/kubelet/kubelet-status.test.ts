import test from 'ava';
import { Pod } from '../../src/api/generated/kinds.js';
import { mutate } from '../../src/client/client.js';
import { condition, kubeletCluster, pod } from './helpers.js';

test('a readiness gate condition set True by another controller makes the pod Ready', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(Pod, pod('gated', { extra: { readinessGates: [{ conditionType: 'example.com/lb-ready' }] } }));
  await k.cluster.settle({ advance: false });
  let p = await k.get('gated');
  t.is(condition(p, 'ContainersReady'), 'True');
  t.is(condition(p, 'Ready'), 'False');
  // The load-balancer controller reports the gate as passed.
  await mutate(k.cluster.admin, Pod, { name: 'gated', namespace: 'default' }, (d) => {
    d.status = { ...(d.status ?? {}), conditions: [...(d.status?.conditions ?? []), { type: 'example.com/lb-ready', status: 'True', lastTransitionTime: new Date(k.clock.now()).toISOString() }] };
  }, { subresource: 'status' });
  await k.cluster.settle({ advance: false });
  await k.cluster.advance(10_000, { advance: false });
  p = await k.get('gated');
  t.is(condition(p, 'example.com/lb-ready'), 'True');
  t.is(condition(p, 'Ready'), 'True');
  await k.cluster.stop();
});

test('a gate condition written by another controller survives the kubelet’s next status write', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(Pod, pod('gated2', { simulate: { exitAfterSeconds: 20, exitCode: 1 }, extra: { readinessGates: [{ conditionType: 'example.com/lb-ready' }] } }));
  await k.cluster.settle({ advance: false });
  await mutate(k.cluster.admin, Pod, { name: 'gated2', namespace: 'default' }, (d) => {
    d.status = { ...(d.status ?? {}), conditions: [...(d.status?.conditions ?? []), { type: 'example.com/lb-ready', status: 'True', lastTransitionTime: new Date(k.clock.now()).toISOString() }] };
  }, { subresource: 'status' });
  await k.cluster.settle({ advance: false });
  // The container crashes at 20 s and restarts: the kubelet writes the pod status again.
  await k.cluster.advance(20_000, { advance: false });
  const p = await k.get('gated2');
  t.is(p.status?.containerStatuses?.[0]?.restartCount, 1);
  t.is(condition(p, 'example.com/lb-ready'), 'True');
  await k.cluster.stop();
});

test('app container statuses are sorted by container name, as the kubelet sorts them', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(Pod, pod('two', { containers: [{ name: 'web' }, { name: 'agent' }] }));
  await k.cluster.settle({ advance: false });
  const p = await k.get('two');
  t.deepEqual(p.status?.containerStatuses?.map((c) => c.name), ['agent', 'web']);
  await k.cluster.stop();
});

test('a container killed for a failed startup probe under restartPolicy Never is reported as such, not as a liveness restart', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(Pod, pod('slow-start', { restartPolicy: 'Never', simulate: { probes: { startup: { failUntilSeconds: 1000 } } }, containers: [{ startupProbe: { exec: { command: ['check'] }, periodSeconds: 10, failureThreshold: 2 } }] }));
  await k.cluster.advance(30_000, { advance: false });
  const killing = k.cluster.events.filter((e) => e.reason === 'Killing' && e.name === 'slow-start').map((e) => e.message);
  t.deepEqual(killing, ['Container app failed startup probe']);
  await k.cluster.stop();
});

test('a container killed for a failed startup probe under restartPolicy Always is reported as restarted', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(Pod, pod('slow-start2', { simulate: { probes: { startup: { failUntilSeconds: 1000 } } }, containers: [{ startupProbe: { exec: { command: ['check'] }, periodSeconds: 10, failureThreshold: 2 } }] }));
  await k.cluster.advance(30_000, { advance: false });
  const killing = k.cluster.events.filter((e) => e.reason === 'Killing' && e.name === 'slow-start2').map((e) => e.message);
  t.true(killing.length >= 1);
  for (const m of killing) t.is(m, 'Container app failed startup probe, will be restarted');
  t.true(((await k.get('slow-start2')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
  await k.cluster.stop();
});
