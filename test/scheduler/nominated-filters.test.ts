import test from 'ava';
import fc from 'fast-check';
import { Node, Pod } from '../../src/api/generated/kinds.js';
import type { Pod as PodT } from '../../src/api/generated/types.js';
import { PodInfo } from '../../src/scheduler/framework/types.js';
import { Scheduler, type ScheduleOutcome } from '../../src/scheduler/scheduler.js';
import { cluster, node, pod, settle } from './helpers.js';

const onHost = (labels: Record<string, string>) => ({ labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' });

/**
 * One scheduling attempt for `subject` on the given nodes, with `nominated` pods (not in the
 * store, so never scheduled themselves) nominated to nodes as preemption would have left them.
 */
async function attempt(nodes: readonly ReturnType<typeof node>[], nominated: ReadonlyArray<readonly [PodT, string]>, subject: PodT, existing: readonly PodT[] = []): Promise<ScheduleOutcome | undefined> {
  const { store, client, clock } = await cluster();
  for (const n of nodes) await store.create(Node, n);
  for (const p of existing) await store.create(Pod, p);
  await store.create(Pod, subject);
  const s = new Scheduler({ client, clock, recordEvents: false });
  await s.sync();
  await settle();
  for (const [p, nodeName] of nominated) s.queue.addNominated(new PodInfo(p), nodeName);
  const out = await s.scheduleOne();
  await s.stop();
  return out;
}

const placedOn = (out: ScheduleOutcome | undefined): string | undefined => (out?.result === 'assumed' ? out.nodeName : undefined);

test('a pod whose required pod affinity would be satisfied only by a nominated pod is not placed on that node', async (t) => {
  const db = pod('db', { labels: { app: 'db' }, spec: { priority: 100 } });
  const web = pod('web', { labels: { app: 'web' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [onHost({ app: 'db' })] } } } });
  const out = await attempt([node('a'), node('b')], [[db, 'a']], web);
  t.is(out?.result, 'unschedulable');
  t.is(placedOn(out), undefined);
  // Control: once a matching pod really runs on a, the same pod goes there.
  const real = await attempt([node('a'), node('b')], [], web, [pod('db', { labels: { app: 'db' }, nodeName: 'a' })]);
  t.is(placedOn(real), 'a');
});

test('a pod with required anti-affinity to a nominated higher-priority pod avoids its node', async (t) => {
  const db = pod('db', { labels: { app: 'db' }, spec: { priority: 100 } });
  const web = pod('web', { labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [onHost({ app: 'db' })] } } } });
  for (let i = 0; i < 5; i++) t.is(placedOn(await attempt([node('a'), node('b')], [[db, 'a']], web)), 'b');
});

test('a pod whose resources do not fit alongside a nominated higher-priority pod is not placed there', async (t) => {
  const big = pod('big', { cpu: '1500m', spec: { priority: 1000 } });
  const small = pod('small', { cpu: '1', spec: { priority: 10 } });
  const alone = await attempt([node('a', { cpu: '2' })], [[big, 'a']], small);
  t.is(alone?.result, 'unschedulable');
  t.regex(alone?.result === 'unschedulable' ? alone.message : '', /Insufficient cpu/);
  for (let i = 0; i < 5; i++) t.is(placedOn(await attempt([node('a', { cpu: '2' }), node('b', { cpu: '2' })], [[big, 'a']], small)), 'b');
});

test('lower-priority nominated pods are not considered', async (t) => {
  const low = pod('low', { cpu: '1500m', labels: { app: 'db' }, spec: { priority: 1 } });
  const fits = await attempt([node('a', { cpu: '2' })], [[low, 'a']], pod('p', { cpu: '1', spec: { priority: 50 } }));
  t.is(placedOn(fits), 'a');
  // Nor can a lower-priority nominated pod satisfy pod affinity in the first pass.
  const web = pod('web', { labels: { app: 'web' }, spec: { priority: 50, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [onHost({ app: 'db' })] } } } });
  t.is((await attempt([node('a')], [[low, 'a']], web))?.result, 'unschedulable');
});

test('a pod is placed beside a nominated pod exactly when the nominated pod has lower priority or both fit', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 4 }), async (nominatedPrio, podPrio, cpu) => {
      const other = pod('other', { cpu: `${cpu}`, spec: { priority: nominatedPrio } });
      const out = await attempt([node('a', { cpu: '4' })], [[other, 'a']], pod('p', { cpu: '1', spec: { priority: podPrio } }));
      const expected = nominatedPrio < podPrio || cpu + 1 <= 4;
      t.is(placedOn(out) === 'a', expected);
    }),
    { numRuns: 25 },
  );
});

test('preemption does not empty a node whose room is promised to a nominated higher-priority pod', async (t) => {
  // a has 3 CPUs: a low-priority pod uses 2, and a priority-100 pod needing 2 is nominated there.
  const low = pod('low', { cpu: '2', nodeName: 'a', spec: { priority: 1 } });
  const promised = pod('promised', { cpu: '2', spec: { priority: 100 } });
  const subject = pod('p', { cpu: '2', spec: { priority: 50 } });
  const out = await attempt([node('a', { cpu: '3' })], [[promised, 'a']], subject, [low]);
  // Evicting low would free 3 CPUs, but 2 of them are the nominated pod's: p would still not fit.
  t.is(out?.result, 'unschedulable');
  t.is(out?.result === 'unschedulable' ? out.nominatedNodeName : 'n/a', undefined);
  // Control: without the nomination, p preempts low and is nominated to a.
  const control = await attempt([node('a', { cpu: '3' })], [], subject, [low]);
  t.is(control?.result === 'unschedulable' ? control.nominatedNodeName : undefined, 'a');
});

test('a pending pod that carries status.nominatedNodeName holds its place for lower-priority pods', async (t) => {
  const { store, client, clock } = await cluster();
  await store.create(Node, node('a', { cpu: '2' }));
  // Nominated by an earlier scheduler instance: the nomination is on the pod, not in this scheduler's memory.
  const held = await store.create(Pod, pod('held', { cpu: '1500m', spec: { priority: 100, nodeSelector: { missing: 'label' } } }));
  await store.updateStatus(Pod, { ...held, status: { ...held.status, nominatedNodeName: 'a' } });
  await store.create(Pod, pod('small', { cpu: '1', spec: { priority: 10 } }));
  const s = new Scheduler({ client, clock, recordEvents: false });
  await s.sync();
  await settle();
  const outs = [await s.scheduleOne(), await s.scheduleOne()];
  await s.stop();
  const small = outs.find((o) => o?.pod.pod.metadata.name === 'small');
  t.is(small?.result, 'unschedulable');
  t.regex(small?.result === 'unschedulable' ? small.message : '', /Insufficient cpu/);
});
