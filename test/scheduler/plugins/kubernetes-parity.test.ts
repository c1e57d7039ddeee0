import test from 'ava';
import type { Node as NodeT, Pod as PodT, PodDisruptionBudget as PdbT } from '../../../src/api/generated/types.js';
import { SchedulerCache } from '../../../src/scheduler/cache.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import type { Handle, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../../src/scheduler/framework/interfaces.js';
import { computePodRequests } from '../../../src/scheduler/framework/resource.js';
import { Status } from '../../../src/scheduler/framework/status.js';
import { PodInfo } from '../../../src/scheduler/framework/types.js';
import {
  DefaultPreemption, matchNodeSelectorTerm, NodeResourcesBalancedAllocation, NodeResourcesFit, PodTopologySpread, pickCandidate,
} from '../../../src/scheduler/plugins/index.js';
import { numFeasibleNodesToFind } from '../../../src/scheduler/scheduler.js';
import { node, pod } from '../helpers.js';

type ScorePl = Partial<PreFilterPlugin & PreScorePlugin> & ScorePlugin;

function cacheOf(nodes: readonly NodeT[], existing: readonly PodT[] = []): SchedulerCache {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const p of existing) cache.addPod(p);
  return cache;
}

/** Runs PreFilter, PreScore, Score and NormalizeScore over `nodes` as the framework does. */
function scores(plugin: ScorePl, p: PodT, nodes: readonly NodeT[], cache: SchedulerCache): number[] | 'Skip' {
  const state = new CycleState();
  const pi = new PodInfo(p);
  const infos = nodes.map((n) => cache.get(n.metadata.name!)!);
  plugin.preFilter?.(state, pi, cache);
  if (plugin.preScore !== undefined && plugin.preScore(state, pi, infos).code === 'Skip') return 'Skip';
  const out: NodeScore[] = infos.map((n) => ({ name: n.name, score: plugin.score(state, pi, n) }));
  plugin.normalizeScore?.(state, pi, out);
  return out.map((s) => s.score);
}

const spreadPod = (maxSkew: number) =>
  pod('p', { labels: { app: 'w' }, spec: { topologySpreadConstraints: [{ maxSkew, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'w' } } }] } });

// --- PodTopologySpread scoring ---------------------------------------------------------------

test('PodTopologySpread scores a node that lacks the topology key 0, not the best score', (t) => {
  const nodes = [node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z2' } }), node('c')];
  const existing = [pod('e1', { labels: { app: 'w' }, nodeName: 'a' }), pod('e2', { labels: { app: 'w' }, nodeName: 'a' })];
  const cache = cacheOf(nodes, existing);
  // Kubernetes puts c in IgnoredNodes (requireAllTopologies) and NormalizeScore gives it 0.
  t.deepEqual(scores(new PodTopologySpread().setLister(cache), spreadPod(1), nodes, cache), [0, 100, 0]);
});

test('PodTopologySpread adds maxSkew-1 after weighting the count (cnt*weight + maxSkew-1)', (t) => {
  const nodes = [node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z2' } })];
  const existing = [pod('e1', { labels: { app: 'w' }, nodeName: 'a' }), pod('e2', { labels: { app: 'w' }, nodeName: 'a' })];
  const cache = cacheOf(nodes, existing);
  // weight = ln(2+2); a: round(2*1.386 + 2) = 5, b: round(0 + 2) = 2 → normalized 100*(5+2-5)/5 = 40, 100.
  t.deepEqual(scores(new PodTopologySpread().setLister(cache), spreadPod(3), nodes, cache), [40, 100]);
});

// --- NodeResourcesFit scoring ----------------------------------------------------------------

const rtcr = (resources: { name: string; weight: number }[], shape: { utilization: number; score: number }[]) =>
  new NodeResourcesFit({ ignoredResources: [], scoringStrategy: { type: 'RequestedToCapacityRatio', resources, requestedToCapacityRatio: { shape } } });

test('RequestedToCapacityRatio leaves resources that score 0 out of the weight sum', (t) => {
  const nodes = [node('a', { cpu: '4', memory: '1000Gi' })];
  const cache = cacheOf(nodes);
  // cpu 25 % → 25; memory (200Mi default of 1000Gi) → 0 %, score 0, so its weight is dropped: 25, not 12.
  const plugin = rtcr([{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }], [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }]);
  t.deepEqual(scores(plugin, pod('p', { cpu: '1' }), nodes, cache), [25]);
});

test('RequestedToCapacityRatio interpolates the shape in integers on the 0-100 scale', (t) => {
  const nodes = [node('a', { cpu: '4' })];
  const cache = cacheOf(nodes);
  // Kubernetes: 100 + (0-100)*(10-0)/(70-0) = 100 + (-14) = 86 (Go integer division truncates toward zero).
  const plugin = rtcr([{ name: 'cpu', weight: 1 }], [{ utilization: 0, score: 10 }, { utilization: 70, score: 0 }]);
  t.deepEqual(scores(plugin, pod('p', { cpu: '400m' }), nodes, cache), [86]);
});

test('LeastAllocated ignores an extended resource the pod does not request', (t) => {
  const nodes = [node('a', { cpu: '4', extra: { 'example.com/gpu': '4' } })];
  const cache = cacheOf(nodes);
  const plugin = new NodeResourcesFit({ ignoredResources: [], scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'example.com/gpu', weight: 1 }] } });
  // cpu: (4000-2000)*100/4000 = 50; gpu is skipped (podRequest == 0 for a scalar resource) → 50, not 75.
  t.deepEqual(scores(plugin, pod('p', { cpu: '2' }), nodes, cache), [50]);
});

// --- BalancedAllocation ----------------------------------------------------------------------

test('BalancedAllocation uses the real requests, not the non-zero defaults', (t) => {
  const nodes = [node('a', { cpu: '2', memory: '2Gi' })];
  const cache = cacheOf(nodes);
  // cpu 1/2 = 0.5, memory 0/2Gi = 0 → std 0.25 → 75 (useRequested: true in Kubernetes).
  t.deepEqual(scores(new NodeResourcesBalancedAllocation(), pod('p', { cpu: '1' }), nodes, cache), [75]);
});

test('BalancedAllocation skips scoring for a best-effort pod', (t) => {
  const nodes = [node('a', { cpu: '2', memory: '2Gi' }), node('b', { cpu: '2', memory: '8Gi' })];
  const cache = cacheOf(nodes, [pod('e', { cpu: '1', nodeName: 'b' })]);
  t.is(scores(new NodeResourcesBalancedAllocation(), pod('p'), nodes, cache), 'Skip');
});

test('an explicit zero cpu or memory request is not replaced by the non-zero scoring default', (t) => {
  const r = computePodRequests(pod('p', { cpu: '0', memory: '0' }), true);
  t.is(r.milliCPU, 0);
  t.is(r.memory, 0);
});

// --- scheduler sampling ----------------------------------------------------------------------

test('the adaptive percentage of nodes to score uses integer division like kube-scheduler', (t) => {
  // percentage = 50 - 1100/125 = 50 - 8 = 42 → 1100*42/100 = 462.
  t.is(numFeasibleNodesToFind(0, 1100), 462);
});

// --- DefaultPreemption -----------------------------------------------------------------------

function handleFor(cache: SchedulerCache, pdbs: PdbT[] = []): Handle {
  const fit = new NodeResourcesFit();
  return {
    nodes: cache,
    schedulerName: 'default-scheduler',
    lister: () => ({ list: () => pdbs, listNamespace: () => pdbs, get: () => undefined }),
    runFilters: (s: CycleState, p: PodInfo, n: Parameters<Handle['runFilters']>[2]) => fit.filter(s, p, n),
    runFiltersWithNominatedPods: (s: CycleState, p: PodInfo, n: Parameters<Handle['runFilters']>[2]) => fit.filter(s, p, n),
    runPreFilterExtension: () => Status.success(),
  } as unknown as Handle;
}

test('preemption breaks remaining ties by the latest start time of the highest-priority victims', (t) => {
  const victim = (name: string, startTime: string) => new PodInfo({ ...pod(name, { spec: { priority: 1 } }), status: { startTime } });
  const older = { nodeName: 'older', victims: [victim('v1', '2020-01-01T00:00:00Z')], pdbViolations: 0 };
  const newer = { nodeName: 'newer', victims: [victim('v2', '2024-01-01T00:00:00Z')], pdbViolations: 0 };
  t.is(pickCandidate([older, newer]).nodeName, 'newer');
});

test('preemption keeps dry-running nodes past the candidate limit until one candidate violates no budget', (t) => {
  const nodes = [node('a', { cpu: '1' }), node('b', { cpu: '1' })];
  const existing = [pod('d', { cpu: '800m', nodeName: 'a', labels: { app: 'db' }, spec: { priority: 1 } }), pod('w', { cpu: '800m', nodeName: 'b', spec: { priority: 1 } })];
  const cache = cacheOf(nodes, existing);
  const pdb: PdbT = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'db' } } }, status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } };
  const plugin = new DefaultPreemption(handleFor(cache, [pdb]), { minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 1 });
  const high = new PodInfo(pod('high', { cpu: '700m', spec: { priority: 100 } }));
  const filtered = new Map([['a', Status.unschedulable('Insufficient cpu')], ['b', Status.unschedulable('Insufficient cpu')]]);
  const { candidates } = plugin.findCandidates(new CycleState(), high, filtered);
  // Kubernetes stops only when nonViolating > 0 && total >= numCandidates, so b is found and wins.
  t.is(candidates.length > 0 ? pickCandidate(candidates).nodeName : undefined, 'b');
});

test('a pod terminating for another reason on the nominated node does not block preemption', async (t) => {
  const nodes = [node('a', { cpu: '1' })];
  const leaving = { ...pod('leaving', { cpu: '100m', nodeName: 'a', spec: { priority: 1 } }), metadata: { name: 'leaving', namespace: 'default', uid: 'uid-leaving', deletionTimestamp: '2024-01-01T00:00:00Z' } };
  const cache = cacheOf(nodes, [leaving]);
  const plugin = new DefaultPreemption(handleFor(cache));
  const high = new PodInfo({ ...pod('high', { cpu: '2', spec: { priority: 100 } }), status: { nominatedNodeName: 'a' } });
  // Only pods terminating *by preemption* (DisruptionTarget=True, PreemptionByScheduler) make the pod ineligible.
  const r = await plugin.postFilter(new CycleState(), high, new Map([['a', Status.unresolvable('node(s) had untolerated taint {k: v}')]]));
  t.notRegex(r.status.message(), /waiting for victims/);
});

test('a pod whose nominated node became unresolvable may preempt again despite victims still terminating there', async (t) => {
  const nodes = [node('a', { cpu: '1' })];
  const victim: PodT = {
    ...pod('victim', { cpu: '100m', nodeName: 'a', spec: { priority: 1 } }),
    metadata: { name: 'victim', namespace: 'default', uid: 'uid-victim', deletionTimestamp: '2024-01-01T00:00:00Z' },
    status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }] },
  };
  const cache = cacheOf(nodes, [victim]);
  const plugin = new DefaultPreemption(handleFor(cache));
  const high = new PodInfo({ ...pod('high', { cpu: '2', spec: { priority: 100 } }), status: { nominatedNodeName: 'a' } });
  const r = await plugin.postFilter(new CycleState(), high, new Map([['a', Status.unresolvable('node(s) had untolerated taint {k: v}')]]));
  t.notRegex(r.status.message(), /waiting for victims/);
});

test('a pod terminating by preemption on the nominated node still makes the pod wait while the node stays resolvable', async (t) => {
  const nodes = [node('a', { cpu: '1' })];
  const victim: PodT = {
    ...pod('victim', { cpu: '100m', nodeName: 'a', spec: { priority: 1 } }),
    metadata: { name: 'victim', namespace: 'default', uid: 'uid-victim', deletionTimestamp: '2024-01-01T00:00:00Z' },
    status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }] },
  };
  const cache = cacheOf(nodes, [victim]);
  const plugin = new DefaultPreemption(handleFor(cache));
  const high = new PodInfo({ ...pod('high', { cpu: '2', spec: { priority: 100 } }), status: { nominatedNodeName: 'a' } });
  const r = await plugin.postFilter(new CycleState(), high, new Map([['a', Status.unschedulable('Insufficient cpu')]]));
  t.regex(r.status.message(), /waiting for victims/);
});

test('a pod deleted for another reason on a resolvable nominated node does not make the pod wait', async (t) => {
  const nodes = [node('a', { cpu: '1' })];
  const leaving = { ...pod('leaving', { cpu: '100m', nodeName: 'a', spec: { priority: 1 } }), metadata: { name: 'leaving', namespace: 'default', uid: 'uid-leaving', deletionTimestamp: '2024-01-01T00:00:00Z' } };
  const cache = cacheOf(nodes, [leaving]);
  const plugin = new DefaultPreemption(handleFor(cache));
  const high = new PodInfo({ ...pod('high', { cpu: '2', spec: { priority: 100 } }), status: { nominatedNodeName: 'a' } });
  const r = await plugin.postFilter(new CycleState(), high, new Map([['a', Status.unschedulable('Insufficient cpu')]]));
  t.notRegex(r.status.message(), /waiting for victims/);
});

test('a victim that has not started counts as the newest when breaking ties by start time', (t) => {
  const started = { nodeName: 'started', victims: [new PodInfo({ ...pod('v1', { spec: { priority: 1 } }), status: { startTime: '2024-01-01T00:00:00Z' } })], pdbViolations: 0 };
  const pending = { nodeName: 'pending', victims: [new PodInfo({ ...pod('v2', { spec: { priority: 1 } }), metadata: { name: 'v2', namespace: 'default', uid: 'uid-v2', creationTimestamp: '2020-01-01T00:00:00Z' } })], pdbViolations: 0 };
  t.is(pickCandidate([started, pending]).nodeName, 'pending');
  t.is(pickCandidate([pending, started]).nodeName, 'pending');
});

test('the start-time tie-break looks only at the highest-priority victims of each node', (t) => {
  const v = (name: string, priority: number, startTime: string) => new PodInfo({ ...pod(name, { spec: { priority } }), status: { startTime } });
  // Same highest priority (5), same sum and count; x's priority-5 victim started later, so x wins although its other victim is older.
  const x = { nodeName: 'x', victims: [v('x5', 5, '2023-01-01T00:00:00Z'), v('x1', 1, '2000-01-01T00:00:00Z')], pdbViolations: 0 };
  const y = { nodeName: 'y', victims: [v('y5', 5, '2022-01-01T00:00:00Z'), v('y1', 1, '2024-01-01T00:00:00Z')], pdbViolations: 0 };
  t.is(pickCandidate([y, x]).nodeName, 'x');
});

test('NodeAffinity Gt and Lt treat a label value that is not a whole integer as no match', (t) => {
  const term = (operator: 'Gt' | 'Lt', value: string) => ({ matchExpressions: [{ key: 'cores', operator, values: [value] }] });
  const n = (v: string) => node('n', { labels: { cores: v } });
  t.true(matchNodeSelectorTerm(term('Gt', '8'), n('16')));
  t.false(matchNodeSelectorTerm(term('Gt', '8'), n('16abc')));
  t.false(matchNodeSelectorTerm(term('Lt', '32'), n('16.5')));
  t.false(matchNodeSelectorTerm(term('Gt', '8x'), n('16')));
  t.true(matchNodeSelectorTerm(term('Lt', '0'), n('-3')));
  t.false(matchNodeSelectorTerm(term('Gt', '0'), n('99999999999999999999')));
});

test('PodTopologySpread with system default constraints still scores nodes that lack one of the keys', (t) => {
  const nodes = [node('a', { labels: { 'topology.kubernetes.io/zone': 'z1' } }), node('b')];
  const cache = cacheOf(nodes, [pod('e1', { labels: { app: 'w' }, nodeName: 'a' })]);
  const none = { list: () => [], listNamespace: () => [], get: () => undefined };
  const rs = { list: () => [], get: () => undefined, listNamespace: () => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'w' } } } }] };
  const plugin = new PodTopologySpread(undefined, { services: none, replicationControllers: none, replicaSets: rs, statefulSets: none } as unknown as ConstructorParameters<typeof PodTopologySpread>[1]).setLister(cache);
  const got = scores(plugin, pod('p', { labels: { app: 'w' } }), nodes, cache);
  // b has no zone but is not ignored: it is scored on its hostname alone. Weights ln(2+2) (two
  // hosts) and ln(1+2) (one zone): a = round(1*1.386 + 2 + 1*1.099 + 4) = 8, b = round(0 + 2) = 2
  // → a: 100*(8+2-8)/8 = 25, b: 100.
  t.deepEqual(got, [25, 100]);
});

test('the preemption dry run starts at a random node among those it might help and wraps around', (t) => {
  const nodes = ['n0', 'n1', 'n2', 'n3'].map((n) => node(n, { cpu: '1' }));
  const existing = nodes.map((n, i) => pod(`low-${i}`, { cpu: '800m', nodeName: n.metadata.name ?? '', spec: { priority: 1 } }));
  const cache = cacheOf(nodes, existing);
  const high = new PodInfo(pod('high', { cpu: '700m', spec: { priority: 100 } }));
  const filtered = new Map(nodes.map((n) => [n.metadata.name ?? '', Status.unschedulable('Insufficient cpu')]));
  // n2 failed for a reason preemption cannot fix: it is not among the nodes tried.
  filtered.set('n2', Status.unresolvable('node(s) had untolerated taint {k: v}'));
  const firstTried = (random: number): string | undefined => {
    const plugin = new DefaultPreemption(handleFor(cache), { minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 1 }, () => random);
    const { candidates } = plugin.findCandidates(new CycleState(), high, filtered);
    return candidates.length === 1 ? candidates[0]?.nodeName : undefined;
  };
  // Three nodes might be helped (n0, n1, n3); one candidate is wanted: the first one tried.
  t.is(firstTried(0), 'n0');
  t.is(firstTried(0.4), 'n1');
  t.is(firstTried(0.7), 'n3');
  t.is(firstTried(0.9999), 'n3');
});

test('the number of preemption candidates wanted is a share of the nodes it might help, not of all nodes', (t) => {
  const nodes = Array.from({ length: 20 }, (_, i) => node(`n${i}`, { cpu: '1' }));
  const existing = nodes.map((n, i) => pod(`low-${i}`, { cpu: '800m', nodeName: n.metadata.name ?? '', spec: { priority: 1 } }));
  const cache = cacheOf(nodes, existing);
  const high = new PodInfo(pod('high', { cpu: '700m', spec: { priority: 100 } }));
  // Only 4 of the 20 nodes failed for a reason preemption can fix.
  const filtered = new Map(nodes.map((n, i) => [n.metadata.name ?? '', i < 4 ? Status.unschedulable('Insufficient cpu') : Status.unresolvable('node(s) didn\'t match Pod\'s node affinity/selector')]));
  // 50% of 4 potential nodes = 2 candidates (50% of all 20 would be 10, more than there are).
  const plugin = new DefaultPreemption(handleFor(cache), { minCandidateNodesPercentage: 50, minCandidateNodesAbsolute: 1 }, () => 0);
  t.is(plugin.findCandidates(new CycleState(), high, filtered).candidates.length, 2);
});
