import test from 'ava';
import fc from 'fast-check';
import type { Namespace, Node as NodeT, Pod as PodT, PodAffinityTerm } from '../../../src/api/generated/types.js';
import { SchedulerCache } from '../../../src/scheduler/cache.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import type { ObjectLister } from '../../../src/scheduler/framework/interfaces.js';
import type { StatusCode } from '../../../src/scheduler/framework/status.js';
import { type NamespaceLabels, PodInfo } from '../../../src/scheduler/framework/types.js';
import { InterPodAffinity } from '../../../src/scheduler/plugins/index.js';
import { node, pod } from '../helpers.js';

const NAMESPACES: Record<string, Record<string, string> | undefined> = { 'ns-a': { team: 'x' }, 'ns-b': { team: 'y' }, 'ns-c': {} };

function namespaceLister(labels: Record<string, Record<string, string> | undefined> = NAMESPACES): ObjectLister<Namespace> {
  const objs = Object.entries(labels).map(([name, l]): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: l } }));
  return { list: () => objs, listNamespace: () => [], get: (_ns, name) => objs.find((o) => o.metadata.name === name) };
}
const nsLabelsOf: NamespaceLabels = (ns) => (ns in NAMESPACES ? (NAMESPACES[ns] ?? {}) : undefined);

/** A straightforward InterPodAffinity Filter: every existing pod against every node. */
function referenceFilter(cache: SchedulerCache, incoming: PodInfo, nodeName: string): StatusCode {
  const target = cache.get(nodeName)!.labels;
  const placed = cache.list().flatMap((ni) => [...ni.pods.values()].map((p) => ({ p, labels: ni.labels })));
  const sameDomain = (key: string, labels: Readonly<Record<string, string>>): boolean => labels[key] !== undefined && labels[key] === target[key];
  for (const { p, labels } of placed) {
    for (const t of p.requiredAntiAffinity) if (sameDomain(t.topologyKey, labels) && t.matches(incoming, nsLabelsOf)) return 'Unschedulable';
  }
  for (const t of incoming.requiredAntiAffinity) {
    for (const { p, labels } of placed) if (sameDomain(t.topologyKey, labels) && t.matches(p, nsLabelsOf)) return 'Unschedulable';
  }
  const aff = incoming.requiredAffinity;
  if (aff.length > 0) {
    if (aff.some((t) => target[t.topologyKey] === undefined)) return 'UnschedulableAndUnresolvable';
    const all = placed.filter(({ p }) => aff.every((t) => t.matches(p, nsLabelsOf)));
    const podsExist = aff.every((t) => all.some(({ labels }) => sameDomain(t.topologyKey, labels)));
    const anyCounted = all.some(({ labels }) => aff.some((t) => labels[t.topologyKey] !== undefined));
    if (!podsExist && (anyCounted || !aff.every((t) => t.matches(incoming, nsLabelsOf)))) return 'UnschedulableAndUnresolvable';
  }
  return 'Success';
}

function fastFilter(plugin: InterPodAffinity, cache: SchedulerCache, incoming: PodInfo): StatusCode[] {
  const state = new CycleState();
  const r = plugin.preFilter(state, incoming, cache);
  if (r.status.code === 'Skip') return cache.list().map(() => 'Success');
  return cache.list().map((ni) => plugin.filter(state, incoming, ni).code);
}

const selectorArb = fc.constantFrom<PodAffinityTerm['labelSelector']>(
  { matchLabels: { app: 'a' } },
  { matchLabels: { app: 'b' } },
  { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'c'] }] },
  { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
  { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] },
  { matchLabels: { app: 'b', tier: '1' } },
  {},
);
const termArb: fc.Arbitrary<PodAffinityTerm> = fc.record({
  labelSelector: selectorArb,
  topologyKey: fc.constantFrom('zone', 'kubernetes.io/hostname'),
  ns: fc.constantFrom<'own' | 'list' | 'all' | 'selector' | 'both'>('own', 'list', 'all', 'selector', 'both'),
}).map(({ labelSelector, topologyKey, ns }) => ({
  labelSelector,
  topologyKey,
  ...(ns === 'list' || ns === 'both' ? { namespaces: ['ns-b'] } : {}),
  ...(ns === 'all' ? { namespaceSelector: {} } : {}),
  ...(ns === 'selector' || ns === 'both' ? { namespaceSelector: { matchLabels: { team: 'x' } } } : {}),
}));
const podSpecArb = fc.record({
  app: fc.constantFrom(undefined, 'a', 'b', 'c'),
  tier: fc.constantFrom(undefined, '1', '2'),
  namespace: fc.constantFrom('ns-a', 'ns-b', 'ns-c'),
  affinity: fc.array(termArb, { maxLength: 2 }),
  anti: fc.array(termArb, { maxLength: 2 }),
});
type PodSpec = typeof podSpecArb extends fc.Arbitrary<infer T> ? T : never;

function makePod(name: string, s: PodSpec, nodeName?: string): PodT {
  const labels: Record<string, string> = {};
  if (s.app !== undefined) labels['app'] = s.app;
  if (s.tier !== undefined) labels['tier'] = s.tier;
  const affinity = {
    ...(s.affinity.length > 0 ? { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: s.affinity } } : {}),
    ...(s.anti.length > 0 ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: s.anti } } : {}),
  };
  return pod(name, { namespace: s.namespace, labels, spec: { affinity }, ...(nodeName !== undefined ? { nodeName } : {}) });
}

function makeNodes(zones: readonly (string | undefined)[]): NodeT[] {
  return zones.map((z, i) => node(`n${i}`, z === undefined ? {} : { labels: { zone: z } }));
}

test('the indexed Filter agrees with a scan of every pod on random clusters, through adds, removals and node relabels', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(undefined, 'z1', 'z2', 'z3'), { minLength: 1, maxLength: 5 }),
      fc.array(fc.tuple(podSpecArb, fc.nat()), { maxLength: 12 }),
      fc.array(podSpecArb, { minLength: 1, maxLength: 3 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      fc.option(fc.tuple(fc.nat(), fc.constantFrom('z1', 'z9'))),
      (zones, existing, incomings, removals, relabel) => {
        const nodes = makeNodes(zones);
        const cache = new SchedulerCache();
        for (const n of nodes) cache.addNode(n);
        const plugin = new InterPodAffinity({ hardPodAffinityWeight: 1 }, namespaceLister());
        const incomingInfos = incomings.map((s, i) => new PodInfo(makePod(`in-${i}`, s)));
        // A first cycle creates the live aggregates that the changes below must keep right.
        for (const pi of incomingInfos) fastFilter(plugin, cache, pi);
        const pods = existing.map(([s, n], i) => makePod(`e-${i}`, s, `n${n % nodes.length}`));
        for (const p of pods) cache.addPod(p);
        for (const r of removals) if (pods.length > 0) cache.removePod(pods[r % pods.length]!);
        if (relabel !== null) {
          const [i, z] = relabel;
          cache.addNode(node(`n${i % nodes.length}`, { labels: { zone: z } }));
        }
        for (const pi of incomingInfos) {
          const fast = fastFilter(plugin, cache, pi);
          const ref = cache.list().map((ni) => referenceFilter(cache, pi, ni.name));
          t.deepEqual(fast, ref);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('a namespaceSelector selects pods by their namespace labels, ORed with the namespaces list', (t) => {
  const cache = new SchedulerCache();
  for (const [n, z] of [['a', 'z1'], ['b', 'z2'], ['c', 'z3']] as const) cache.addNode(node(n, { labels: { zone: z } }));
  cache.addPod(pod('x', { namespace: 'ns-a', labels: { app: 'w' }, nodeName: 'a' }));
  cache.addPod(pod('y', { namespace: 'ns-b', labels: { app: 'w' }, nodeName: 'b' }));
  cache.addPod(pod('z', { namespace: 'ns-c', labels: { app: 'w' }, nodeName: 'c' }));
  const plugin = new InterPodAffinity({ hardPodAffinityWeight: 1 }, namespaceLister());
  const anti = (term: Partial<PodAffinityTerm>) =>
    new PodInfo(pod('p', { namespace: 'ns-c', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'w' } }, topologyKey: 'zone', ...term }] } } } }));
  const codes = (pi: PodInfo) => fastFilter(plugin, cache, pi).map((c) => (c === 'Success' ? 'ok' : 'no'));
  t.deepEqual(codes(anti({ namespaceSelector: { matchLabels: { team: 'x' } } })), ['no', 'ok', 'ok'], 'only ns-a has team=x');
  t.deepEqual(codes(anti({ namespaceSelector: { matchLabels: { team: 'x' } }, namespaces: ['ns-b'] })), ['no', 'no', 'ok'], 'selector OR list');
  t.deepEqual(codes(anti({ namespaceSelector: {} })), ['no', 'no', 'no'], 'an empty selector is every namespace');
  t.deepEqual(codes(anti({})), ['ok', 'ok', 'no'], 'neither: the pod\'s own namespace');
  const noLister = new InterPodAffinity({ hardPodAffinityWeight: 1 });
  t.deepEqual(fastFilter(noLister, cache, anti({ namespaceSelector: { matchLabels: { team: 'x' } } })), ['Success', 'Success', 'Success'], 'unknown namespace labels match no selector');
});

test('an existing pod whose anti-affinity selects the incoming pod by namespace labels repels it', (t) => {
  const cache = new SchedulerCache();
  cache.addNode(node('a', { labels: { zone: 'z1' } }));
  cache.addNode(node('b', { labels: { zone: 'z2' } }));
  cache.addPod(pod('guard', { namespace: 'ns-c', nodeName: 'a', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {}, topologyKey: 'zone', namespaceSelector: { matchLabels: { team: 'y' } } }] } } } }));
  const plugin = new InterPodAffinity({ hardPodAffinityWeight: 1 }, namespaceLister());
  t.deepEqual(fastFilter(plugin, cache, new PodInfo(pod('p', { namespace: 'ns-b' }))), ['Unschedulable', 'Success']);
  t.deepEqual(fastFilter(plugin, cache, new PodInfo(pod('q', { namespace: 'ns-a' }))), ['Success', 'Success']);
});

test('what-if removal of an existing pod (preemption) lifts its anti-affinity without touching the shared counts', (t) => {
  const cache = new SchedulerCache();
  cache.addNode(node('a', { labels: { zone: 'z1' } }));
  const guard = pod('guard', { nodeName: 'a', labels: { app: 'g' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'w' } }, topologyKey: 'zone' }] } } } });
  cache.addPod(guard);
  const plugin = new InterPodAffinity();
  const incoming = new PodInfo(pod('p', { labels: { app: 'w' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'g' } }, topologyKey: 'zone' }] } } } }));
  const state = new CycleState();
  plugin.preFilter(state, incoming, cache);
  const ni = cache.get('a')!;
  t.is(plugin.filter(state, incoming, ni).code, 'Unschedulable');
  const what = state.clone();
  const node2 = ni.clone();
  const g = [...ni.pods.values()][0]!;
  node2.removePod(g.uid);
  plugin.preFilterExtensions.removePod(what, incoming, g, node2);
  t.is(plugin.filter(what, incoming, node2).code, 'Success');
  t.is(plugin.filter(state, incoming, ni).code, 'Unschedulable', 'the original state is unchanged');
  const again = new CycleState();
  plugin.preFilter(again, incoming, cache);
  t.is(plugin.filter(again, incoming, ni).code, 'Unschedulable', 'the cache aggregates are unchanged');
});
