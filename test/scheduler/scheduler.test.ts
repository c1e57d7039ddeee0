import test from 'ava';
import { readFileSync } from 'node:fs';
import { Event, Node, Pod } from '../../src/api/generated/kinds.js';
import type { Pod as PodT } from '../../src/api/generated/types.js';
import { loadManifests } from '../../src/api/manifest.js';
import { defaultPluginRefs, defaultRegistry, type DefaultPluginArgs } from '../../src/scheduler/plugins/index.js';
import type { PluginRef } from '../../src/scheduler/framework/registry.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { Status } from '../../src/scheduler/framework/status.js';
import type { ScorePlugin } from '../../src/scheduler/framework/interfaces.js';
import { cluster, node, pod, settle } from './helpers.js';

const seed = (file: string): PodT => {
  const objs = loadManifests(readFileSync(new URL(`../fixtures/seed-manifests/${file}`, import.meta.url), 'utf8'));
  return objs[0]!.object as PodT;
};

async function run(s: Scheduler) {
  const ac = new AbortController();
  await s.start(ac.signal);
  return ac;
}

async function nodeOf(client: { get: (t: typeof Pod, n: string, o: { namespace: string }) => Promise<PodT> }, name: string): Promise<string | undefined> {
  return (await client.get(Pod, name, { namespace: 'default' })).spec?.nodeName;
}

test('the nodeSelector seed pod stays Pending with a clear reason until a disktype=ssd node appears, then binds', async (t) => {
  const { store, client, clock } = await cluster();
  await store.create(Node, node('n1'));
  await store.create(Node, node('n2', { labels: { disktype: 'hdd' } }));
  const s = new Scheduler({ client, clock });
  await run(s);
  await store.create(Pod, { ...seed('pod-nginx-nodeselector.yaml'), metadata: { ...seed('pod-nginx-nodeselector.yaml').metadata, namespace: 'default' } });
  await settle();
  await s.idle();
  await settle();
  let p = await client.get(Pod, 'nginx', { namespace: 'default' });
  t.is(p.spec?.nodeName, undefined);
  const cond = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
  t.is(cond?.status, 'False');
  t.is(cond?.reason, 'Unschedulable');
  t.is(cond?.message, "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
  const events = (await client.list(Event, { namespace: 'default' })).items;
  t.true(events.some((e) => e.reason === 'FailedScheduling' && e.type === 'Warning' && e.involvedObject.name === 'nginx'));
  await store.create(Node, node('n3', { labels: { disktype: 'ssd' } }));
  await settle();
  await clock.advanceAsync(1_000);
  await settle();
  await s.idle();
  await settle();
  p = await client.get(Pod, 'nginx', { namespace: 'default' });
  t.is(p.spec?.nodeName, 'n3');
  const after = (await client.list(Event, { namespace: 'default' })).items;
  t.true(after.some((e) => e.reason === 'Scheduled' && e.message === 'Successfully assigned default/nginx to n3'));
  await s.stop();
  t.is(clock.pendingTimers(), 0);
});

test('the frontend seed pod lands only on a node where its requests fit', async (t) => {
  const { store, client, clock } = await cluster();
  await store.create(Node, node('small', { cpu: '200m', memory: '1Gi' }));
  await store.create(Node, node('lowmem', { cpu: '2', memory: '32Mi' }));
  await store.create(Node, node('big', { cpu: '1', memory: '1Gi' }));
  const s = new Scheduler({ client, clock });
  await run(s);
  await store.create(Pod, { ...seed('pod-frontend-resources.yaml'), metadata: { name: 'frontend', namespace: 'default' } });
  await settle();
  await s.idle();
  await settle();
  t.is(await nodeOf(client, 'frontend'), 'big');
  await s.stop();
});

test('required anti-affinity spreads replicas one per node and leaves the extra one pending', async (t) => {
  const { store, client, clock } = await cluster();
  for (const n of ['a', 'b', 'c']) await store.create(Node, node(n));
  const s = new Scheduler({ client, clock });
  await run(s);
  const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  for (let i = 0; i < 4; i++) await store.create(Pod, pod(`web-${i}`, { labels: { app: 'web' }, spec: { affinity: anti } }));
  await settle();
  await s.idle();
  await settle();
  const placed = await Promise.all([0, 1, 2, 3].map((i) => nodeOf(client, `web-${i}`)));
  const bound = placed.filter((n) => n !== undefined);
  t.is(bound.length, 3);
  t.is(new Set(bound).size, 3);
  await s.stop();
});

test('taints repel pods that do not tolerate them and the message names the taint', async (t) => {
  const { store, client, clock } = await cluster();
  await store.create(Node, node('t1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  await store.create(Node, node('free'));
  const s = new Scheduler({ client, clock });
  await run(s);
  await store.create(Pod, pod('p1'));
  await store.create(Pod, pod('p2', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }], nodeSelector: { 'kubernetes.io/hostname': 't1' } } }));
  await store.create(Pod, pod('p3', { spec: { nodeSelector: { 'kubernetes.io/hostname': 't1' } } }));
  await settle();
  await s.idle();
  await settle();
  t.is(await nodeOf(client, 'p1'), 'free');
  t.is(await nodeOf(client, 'p2'), 't1');
  t.is(await nodeOf(client, 'p3'), undefined);
  const p3 = await client.get(Pod, 'p3', { namespace: 'default' });
  t.regex(p3.status?.conditions?.[0]?.message ?? '', /1 node\(s\) had untolerated taint \{dedicated: gpu\}/);
  await s.stop();
});

test('a high-priority pod preempts a lower-priority one and is bound after the victim goes', async (t) => {
  const { store, client, clock } = await cluster();
  await store.create(Node, node('only', { cpu: '1' }));
  const s = new Scheduler({ client, clock });
  await run(s);
  await store.create(Pod, pod('low', { cpu: '800m', spec: { priority: 10 } }));
  await settle();
  await s.idle();
  await settle();
  t.is(await nodeOf(client, 'low'), 'only');
  await store.create(Pod, pod('high', { cpu: '800m', spec: { priority: 1000 } }));
  await settle();
  await s.idle();
  await settle();
  const victim = await client.get(Pod, 'low', { namespace: 'default' });
  t.not(victim.metadata.deletionTimestamp, undefined);
  t.is((await client.get(Pod, 'high', { namespace: 'default' })).spec?.nodeName, undefined);
  // The kubelet would finish the graceful deletion; do it here.
  await client.delete(Pod, 'low', { namespace: 'default', gracePeriodSeconds: 0 });
  await settle();
  await clock.advanceAsync(2_000);
  await settle();
  await s.idle();
  await settle();
  const high = await client.get(Pod, 'high', { namespace: 'default' });
  t.is(high.status?.nominatedNodeName, 'only');
  t.is(high.spec?.nodeName, 'only');
  await s.stop();
});

test('a custom score plugin preferring zone=a changes placement', async (t) => {
  const { store, client, clock } = await cluster();
  await store.create(Node, node('nb', { labels: { zone: 'b' }, cpu: '64', memory: '64Gi' }));
  await store.create(Node, node('na', { labels: { zone: 'a' }, cpu: '2', memory: '2Gi' }));
  const preferZone: ScorePlugin = { name: 'PreferZoneA', score: (_s, _p, n) => (n.labels['zone'] === 'a' ? 100 : 0) };
  const registry = defaultRegistry().with('PreferZoneA', () => preferZone, {});
  const plugins: PluginRef<DefaultPluginArgs & { PreferZoneA: Record<string, never> }>[] = [...defaultPluginRefs(), { name: 'PreferZoneA', weight: 10 }];
  const s = new Scheduler({ client, clock, registry, profiles: [{ schedulerName: 'zoned', plugins }, { schedulerName: 'default-scheduler' }] });
  await run(s);
  await store.create(Pod, pod('z', { cpu: '100m', spec: { schedulerName: 'zoned' } }));
  await store.create(Pod, pod('d', { cpu: '100m' }));
  await settle();
  await s.idle();
  await settle();
  t.is(await nodeOf(client, 'z'), 'na');
  // The default profile scores by least allocation: the big node wins.
  t.is(await nodeOf(client, 'd'), 'nb');
  await s.stop();
});

test('a pod for a scheduler name no profile serves is left alone', async (t) => {
  const { store, client, clock } = await cluster();
  await store.create(Node, node('n'));
  const s = new Scheduler({ client, clock });
  await run(s);
  await store.create(Pod, pod('other', { spec: { schedulerName: 'someone-else' } }));
  await settle();
  await s.idle();
  t.is(await nodeOf(client, 'other'), undefined);
  t.is(s.queue.stats().active + s.queue.stats().unschedulable, 0);
  await s.stop();
});

test('a failed bind unreserves the node and requeues the pod with backoff', async (t) => {
  const { store, client, clock } = await cluster();
  await store.create(Node, node('n', { cpu: '1' }));
  let fail = 1;
  const flaky = { name: 'Flaky', bind: async () => (fail-- > 0 ? Status.error(new Error('boom')) : Status.skip()) };
  const registry = defaultRegistry().with('Flaky', () => flaky, {});
  const s = new Scheduler({ client, clock, registry, profiles: [{ schedulerName: 'default-scheduler', plugins: [...defaultPluginRefs().filter((r) => r !== 'DefaultBinder'), 'Flaky', 'DefaultBinder'] }] });
  const failures: string[] = [];
  s.on('failed', (_p, m) => failures.push(m));
  await run(s);
  await store.create(Pod, pod('p', { cpu: '500m' }));
  await settle();
  await s.idle();
  await settle();
  t.is(failures.length, 1);
  t.is(s.cache.get('n')?.requested.milliCPU, 0);
  t.is(s.queue.stats().backoff, 1);
  await clock.advanceAsync(1_000);
  await settle();
  await s.idle();
  await settle();
  t.is(await nodeOf(client, 'p'), 'n');
  await s.stop();
});

test('stop leaves no timers behind', async (t) => {
  const { store, client, clock } = await cluster();
  await store.create(Node, node('n', { labels: { disktype: 'hdd' } }));
  const s = new Scheduler({ client, clock });
  await run(s);
  await store.create(Pod, pod('x', { spec: { nodeSelector: { disktype: 'ssd' } } }));
  await settle();
  await s.idle();
  await s.stop();
  t.is(clock.pendingTimers(), 0);
});
