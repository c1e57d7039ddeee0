import test from 'ava';
import { Event, Node, Pod, PodDisruptionBudget } from '../../src/api/generated/kinds.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { cluster, node, pod, settle } from './helpers.js';

async function cycle(s: Scheduler): Promise<void> {
  await settle();
  await s.idle();
  await settle();
}

test('a preemption victim gets DisruptionTarget=True (PreemptionByScheduler) and a Preempted event before it is deleted', async (t) => {
  const { store, client, clock } = await cluster();
  await store.create(Node, node('only', { cpu: '1' }));
  await store.create(Pod, pod('low', { cpu: '800m', nodeName: 'only', spec: { priority: 10 } }));
  const s = new Scheduler({ client, clock });
  await s.start();
  await store.create(Pod, pod('high', { cpu: '800m', spec: { priority: 1000 } }));
  await cycle(s);
  const victim = await client.get(Pod, 'low', { namespace: 'default' });
  t.not(victim.metadata.deletionTimestamp, undefined);
  const cond = victim.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
  t.is(cond?.status, 'True');
  t.is(cond?.reason, 'PreemptionByScheduler');
  t.is(cond?.message, 'default-scheduler: preempting to accommodate a higher priority pod');
  const events = (await client.list(Event, { namespace: 'default' })).items;
  t.true(events.some((e) => e.reason === 'Preempted' && e.involvedObject.name === 'low' && /on node only/.test(e.message ?? '')));
  await s.stop();
});

test('PDB allowance is disruptionsAllowed minus the victims actually chosen, so a reprieved pod does not count as a violation', async (t) => {
  const { store, client, clock } = await cluster();
  await store.create(Node, node('a', { cpu: '1' }));
  await store.create(Node, node('b', { cpu: '1' }));
  // On a, only d2 must go (d1 can stay): one disruption, within the budget of 1.
  await store.create(Pod, pod('d1', { cpu: '300m', nodeName: 'a', labels: { app: 'db' }, spec: { priority: 5 } }));
  await store.create(Pod, pod('d2', { cpu: '600m', nodeName: 'a', labels: { app: 'db' }, spec: { priority: 1 } }));
  // On b the victim has a higher priority, so b loses unless a is wrongly charged a violation.
  await store.create(Pod, pod('w', { cpu: '800m', nodeName: 'b', spec: { priority: 3 } }));
  await store.create(PodDisruptionBudget, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'db' } }, maxUnavailable: 1 } });
  const pdb = await client.get(PodDisruptionBudget, 'db', { namespace: 'default' });
  await client.updateStatus(PodDisruptionBudget, { ...pdb, status: { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 } });
  const s = new Scheduler({ client, clock });
  await s.start();
  await store.create(Pod, pod('high', { cpu: '700m', spec: { priority: 100 } }));
  await cycle(s);
  const high = await client.get(Pod, 'high', { namespace: 'default' });
  t.is(high.status?.nominatedNodeName, 'a');
  t.not((await client.get(Pod, 'd2', { namespace: 'default' })).metadata.deletionTimestamp, undefined);
  t.is((await client.get(Pod, 'd1', { namespace: 'default' })).metadata.deletionTimestamp, undefined);
  t.is((await client.get(Pod, 'w', { namespace: 'default' })).metadata.deletionTimestamp, undefined);
  await s.stop();
});

test('a budget with no disruptions allowed steers preemption to a node where it is not violated', async (t) => {
  const { store, client, clock } = await cluster();
  await store.create(Node, node('a', { cpu: '1' }));
  await store.create(Node, node('b', { cpu: '1' }));
  await store.create(Pod, pod('d', { cpu: '800m', nodeName: 'a', labels: { app: 'db' }, spec: { priority: 1 } }));
  await store.create(Pod, pod('w', { cpu: '800m', nodeName: 'b', spec: { priority: 3 } }));
  await store.create(PodDisruptionBudget, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'db' } }, maxUnavailable: 0 } });
  const pdb = await client.get(PodDisruptionBudget, 'db', { namespace: 'default' });
  await client.updateStatus(PodDisruptionBudget, { ...pdb, status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } });
  const s = new Scheduler({ client, clock });
  await s.start();
  await store.create(Pod, pod('high', { cpu: '700m', spec: { priority: 100 } }));
  await cycle(s);
  t.is((await client.get(Pod, 'high', { namespace: 'default' })).status?.nominatedNodeName, 'b');
  t.is((await client.get(Pod, 'd', { namespace: 'default' })).metadata.deletionTimestamp, undefined);
  await s.stop();
});
