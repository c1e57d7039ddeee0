import test from 'ava';
import type { Node as NodeT, Pod as PodT } from '../../../src/api/generated/types.js';
import { SchedulerCache } from '../../../src/scheduler/cache.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import type { FilterPlugin, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../../src/scheduler/framework/interfaces.js';
import type { StatusCode } from '../../../src/scheduler/framework/status.js';
import { PodInfo } from '../../../src/scheduler/framework/types.js';
import {
  InterPodAffinity, NodeAffinity, NodeName, NodePorts, NodeResourcesBalancedAllocation, NodeResourcesFit, NodeUnschedulable, PodTopologySpread,
  PrioritySort, TaintToleration, VolumeBinding,
} from '../../../src/scheduler/plugins/index.js';
import { computePodRequests } from '../../../src/scheduler/framework/resource.js';
import { node, pod } from '../helpers.js';

type Plugin = Partial<PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin> & { name: string };

interface FilterCase {
  readonly name: string;
  readonly plugin: () => Plugin;
  readonly pod: PodT;
  readonly nodes: readonly NodeT[];
  readonly existing?: readonly PodT[];
  /** Wanted status code per node (in order); reasons checked when given. */
  readonly want: readonly (StatusCode | [StatusCode, string])[];
}

function setup(nodes: readonly NodeT[], existing: readonly PodT[] = []): SchedulerCache {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const p of existing) cache.addPod(p);
  return cache;
}

function runFilter(c: FilterCase): [StatusCode, string][] {
  const cache = setup(c.nodes, c.existing);
  const plugin = c.plugin();
  const state = new CycleState();
  const pi = new PodInfo(c.pod);
  if (plugin.preFilter !== undefined) {
    const r = plugin.preFilter(state, pi, cache);
    if (r.status.code === 'Skip') return c.nodes.map(() => ['Success', '']);
    if (!r.status.isSuccess()) return c.nodes.map(() => [r.status.code, r.status.message()]);
    if (r.nodeNames !== undefined) {
      return c.nodes.map((n) => (r.nodeNames!.has(n.metadata.name!) ? runOne(plugin, state, pi, cache, n) : ['UnschedulableAndUnresolvable', 'not in prefilter node names']));
    }
  }
  return c.nodes.map((n) => runOne(plugin, state, pi, cache, n));
}

function runOne(plugin: Plugin, state: CycleState, pi: PodInfo, cache: SchedulerCache, n: NodeT): [StatusCode, string] {
  const s = plugin.filter!(state, pi, cache.get(n.metadata.name!)!);
  return [s.code, s.message()];
}

const anti = (app: string) => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: 'zone' }] } });
const aff = (app: string) => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: 'zone' }] } });

const filterCases: FilterCase[] = [
  { name: 'NodeName: a pod naming a node fits only that node', plugin: () => new NodeName(), pod: pod('p', { spec: { nodeName: 'b' } }), nodes: [node('a'), node('b')], want: [['UnschedulableAndUnresolvable', "node(s) didn't match the requested node name"], 'Success'] },
  { name: 'NodeUnschedulable: a cordoned node is out unless tolerated', plugin: () => new NodeUnschedulable(), pod: pod('p'), nodes: [node('a', { unschedulable: true }), node('b')], want: [['UnschedulableAndUnresolvable', 'node(s) were unschedulable'], 'Success'] },
  { name: 'NodeUnschedulable: the unschedulable toleration lets a pod onto a cordoned node', plugin: () => new NodeUnschedulable(), pod: pod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }), nodes: [node('a', { unschedulable: true })], want: ['Success'] },
  { name: 'NodeResourcesFit: cpu and memory shortfalls are both reasons', plugin: () => new NodeResourcesFit(), pod: pod('p', { cpu: '2', memory: '2Gi' }), nodes: [node('a', { cpu: '1', memory: '1Gi' }), node('b', { cpu: '1' }), node('c')], want: [['Unschedulable', 'Insufficient cpu, Insufficient memory'], ['Unschedulable', 'Insufficient cpu'], 'Success'] },
  { name: 'NodeResourcesFit: existing pods consume allocatable', plugin: () => new NodeResourcesFit(), pod: pod('p', { cpu: '1' }), nodes: [node('a', { cpu: '2' })], existing: [pod('e', { cpu: '1500m', nodeName: 'a' })], want: [['Unschedulable', 'Insufficient cpu']] },
  { name: 'NodeResourcesFit: the pod count is a limit', plugin: () => new NodeResourcesFit(), pod: pod('p'), nodes: [node('a', { pods: '1' })], existing: [pod('e', { nodeName: 'a' })], want: [['Unschedulable', 'Too many pods']] },
  { name: 'NodeResourcesFit: extended resources must be allocatable', plugin: () => new NodeResourcesFit(), pod: { ...pod('p'), spec: { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': '1' } } }] } }, nodes: [node('a'), node('g', { extra: { 'example.com/gpu': '2' } })], want: [['Unschedulable', 'Insufficient example.com/gpu'], 'Success'] },
  { name: 'NodeAffinity: nodeSelector must match', plugin: () => new NodeAffinity(), pod: pod('p', { spec: { nodeSelector: { disktype: 'ssd' } } }), nodes: [node('a', { labels: { disktype: 'ssd' } }), node('b')], want: ['Success', ['UnschedulableAndUnresolvable', "node(s) didn't match Pod's node affinity/selector"]] },
  { name: 'NodeAffinity: required terms are ORed and expressions ANDed', plugin: () => new NodeAffinity(), pod: pod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'gpu', operator: 'DoesNotExist' }] }, { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }] } } } } }), nodes: [node('a', { labels: { zone: 'a' } }), node('b', { labels: { zone: 'a', gpu: 'y' } }), node('c', { labels: { cores: '16' } }), node('d', { labels: { cores: '4' } })], want: ['Success', 'UnschedulableAndUnresolvable', 'Success', 'UnschedulableAndUnresolvable'] },
  { name: 'NodeAffinity: a metadata.name field pins the pod to the named nodes', plugin: () => new NodeAffinity(), pod: pod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }] } } } } }), nodes: [node('a'), node('b')], want: ['UnschedulableAndUnresolvable', 'Success'] },
  { name: 'TaintToleration: an untolerated NoSchedule taint repels and is named', plugin: () => new TaintToleration(), pod: pod('p'), nodes: [node('a', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }), node('b', { taints: [{ key: 'k', value: 'v', effect: 'PreferNoSchedule' }] })], want: [['UnschedulableAndUnresolvable', 'node(s) had untolerated taint {k: v}'], 'Success'] },
  { name: 'TaintToleration: NoExecute is honoured at scheduling and Exists tolerates any value', plugin: () => new TaintToleration(), pod: pod('p', { spec: { tolerations: [{ key: 'k', operator: 'Exists' }] } }), nodes: [node('a', { taints: [{ key: 'k', value: 'x', effect: 'NoExecute' }] }), node('b', { taints: [{ key: 'other', effect: 'NoExecute' }] })], want: ['Success', 'UnschedulableAndUnresolvable'] },
  { name: 'NodePorts: a taken host port rejects the node', plugin: () => new NodePorts(), pod: pod('p', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] } }), nodes: [node('a'), node('b')], existing: [pod('e', { nodeName: 'a', spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] } })], want: [['Unschedulable', "node(s) didn't have free ports for the requested pod ports"], 'Success'] },
  { name: 'InterPodAffinity: anti-affinity keeps the pod out of zones with matching pods', plugin: () => new InterPodAffinity(), pod: pod('p', { labels: { app: 'web' }, spec: { affinity: anti('web') } }), nodes: [node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z1' } }), node('c', { labels: { zone: 'z2' } })], existing: [pod('e', { labels: { app: 'web' }, nodeName: 'a' })], want: [['Unschedulable', "node(s) didn't match pod anti-affinity rules"], 'Unschedulable', 'Success'] },
  { name: 'InterPodAffinity: an existing pod\'s anti-affinity repels the incoming pod', plugin: () => new InterPodAffinity(), pod: pod('p', { labels: { app: 'db' } }), nodes: [node('a', { labels: { zone: 'z1' } }), node('c', { labels: { zone: 'z2' } })], existing: [pod('e', { labels: { app: 'web' }, nodeName: 'a', spec: { affinity: anti('db') } })], want: [['Unschedulable', "node(s) didn't satisfy existing pods anti-affinity rules"], 'Success'] },
  { name: 'InterPodAffinity: affinity requires a matching pod in the zone', plugin: () => new InterPodAffinity(), pod: pod('p', { spec: { affinity: aff('cache') } }), nodes: [node('a', { labels: { zone: 'z1' } }), node('c', { labels: { zone: 'z2' } })], existing: [pod('e', { labels: { app: 'cache' }, nodeName: 'c' })], want: [['UnschedulableAndUnresolvable', "node(s) didn't match pod affinity rules"], 'Success'] },
  { name: 'InterPodAffinity: the first pod of a self-affine group may go anywhere', plugin: () => new InterPodAffinity(), pod: pod('p', { labels: { app: 'cache' }, spec: { affinity: aff('cache') } }), nodes: [node('a', { labels: { zone: 'z1' } }), node('x')], want: ['Success', 'UnschedulableAndUnresolvable'] },
  { name: 'PodTopologySpread: DoNotSchedule keeps the skew within maxSkew', plugin: () => new PodTopologySpread(), pod: pod('p', { labels: { app: 'w' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'w' } } }] } }), nodes: [node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z2' } }), node('nolabel')], existing: [pod('e1', { labels: { app: 'w' }, nodeName: 'a' })], want: [['Unschedulable', "node(s) didn't match pod topology spread constraints"], 'Success', ['UnschedulableAndUnresolvable', "node(s) didn't match pod topology spread constraints (missing required label)"]] },
];

for (const c of filterCases) {
  test(`filter — ${c.name}`, (t) => {
    const got = runFilter(c);
    c.want.forEach((w, i) => {
      const [code, msg] = typeof w === 'string' ? [w, undefined] : w;
      t.is(got[i]![0], code, `node ${c.nodes[i]!.metadata.name}`);
      if (msg !== undefined) t.is(got[i]![1], msg);
    });
  });
}

test('filter — VolumeBinding: a missing, an unbound and a node-affine bound claim', (t) => {
  const pvcs = new Map<string, unknown>([
    ['unbound', { metadata: { name: 'unbound', namespace: 'default' }, spec: {} }],
    ['bound', { metadata: { name: 'bound', namespace: 'default' }, spec: { volumeName: 'pv1' } }],
  ]);
  const pvs = new Map<string, unknown>([['pv1', { metadata: { name: 'pv1' }, spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }] } } } }]]);
  const plugin = new VolumeBinding({
    lister: ((type: { plural: string }) => ({ list: () => [], get: (_ns: string | undefined, name: string) => (type.plural === 'persistentvolumeclaims' ? pvcs : pvs).get(name) })) as never,
  });
  const withClaim = (claim: string) => new PodInfo(pod('p', { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: claim } }] } }));
  const cache = setup([node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z2' } })]);
  t.is(plugin.preFilter(new CycleState(), withClaim('missing')).status.message(), 'persistentvolumeclaim "missing" not found');
  const unbound = plugin.preFilter(new CycleState(), withClaim('unbound')).status;
  t.is(unbound.code, 'UnschedulableAndUnresolvable');
  t.is(unbound.message(), 'pod has unbound immediate PersistentVolumeClaims');
  const state = new CycleState();
  t.true(plugin.preFilter(state, withClaim('bound')).status.isSuccess());
  t.true(plugin.filter(state, withClaim('bound'), cache.get('a')!).isSuccess());
  t.is(plugin.filter(state, withClaim('bound'), cache.get('b')!).message(), 'node(s) had volume node affinity conflict');
  t.is(plugin.preFilter(new CycleState(), new PodInfo(pod('novol'))).status.code, 'Skip');
});

interface ScoreCase {
  readonly name: string;
  readonly plugin: () => Plugin;
  readonly pod: PodT;
  readonly nodes: readonly NodeT[];
  readonly existing?: readonly PodT[];
  readonly want: readonly number[];
}

function runScore(c: ScoreCase): number[] {
  const cache = setup(c.nodes, c.existing);
  const plugin = c.plugin();
  const state = new CycleState();
  const pi = new PodInfo(c.pod);
  const infos = c.nodes.map((n) => cache.get(n.metadata.name!)!);
  if (plugin.preFilter !== undefined) plugin.preFilter(state, pi, cache);
  if (plugin.preScore !== undefined && plugin.preScore(state, pi, infos).code === 'Skip') return infos.map(() => 0);
  const scores: NodeScore[] = infos.map((n) => ({ name: n.name, score: plugin.score!(state, pi, n) }));
  plugin.normalizeScore?.(state, pi, scores);
  return scores.map((s) => s.score);
}

const scoreCases: ScoreCase[] = [
  { name: 'LeastAllocated prefers the emptier node', plugin: () => new NodeResourcesFit(), pod: pod('p', { cpu: '1', memory: '1Gi' }), nodes: [node('a', { cpu: '4', memory: '4Gi' }), node('b', { cpu: '2', memory: '2Gi' })], want: [75, 50] },
  { name: 'MostAllocated prefers the fuller node', plugin: () => new NodeResourcesFit({ ignoredResources: [], scoringStrategy: { type: 'MostAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] } }), pod: pod('p', { cpu: '1', memory: '1Gi' }), nodes: [node('a', { cpu: '4', memory: '4Gi' }), node('b', { cpu: '2', memory: '2Gi' })], want: [25, 50] },
  { name: 'RequestedToCapacityRatio follows the shape', plugin: () => new NodeResourcesFit({ ignoredResources: [], scoringStrategy: { type: 'RequestedToCapacityRatio', resources: [{ name: 'cpu', weight: 1 }], requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } } }), pod: pod('p', { cpu: '1' }), nodes: [node('a', { cpu: '4' }), node('b', { cpu: '2' })], want: [25, 50] },
  { name: 'BalancedAllocation prefers equal cpu and memory fractions', plugin: () => new NodeResourcesBalancedAllocation(), pod: pod('p', { cpu: '1', memory: '1Gi' }), nodes: [node('a', { cpu: '2', memory: '2Gi' }), node('b', { cpu: '2', memory: '8Gi' })], want: [100, 81] },
  { name: 'NodeAffinity sums preferred weights, scaled to 100', plugin: () => new NodeAffinity(), pod: pod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 2, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }, { weight: 6, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }] } } } }), nodes: [node('x', { labels: { zone: 'a' } }), node('y', { labels: { zone: 'a', ssd: '1' } }), node('z')], want: [25, 100, 0] },
  { name: 'TaintToleration prefers nodes without untolerated PreferNoSchedule taints', plugin: () => new TaintToleration(), pod: pod('p'), nodes: [node('a', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }), node('b')], want: [0, 100] },
  { name: 'InterPodAffinity preferred anti-affinity pushes away from matching pods', plugin: () => new InterPodAffinity().setLister(setup([node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z2' } })], [pod('e', { labels: { app: 'w' }, nodeName: 'a' })])), pod: pod('p', { spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { labelSelector: { matchLabels: { app: 'w' } }, topologyKey: 'zone' } }] } } } }), nodes: [node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z2' } })], existing: [pod('e', { labels: { app: 'w' }, nodeName: 'a' })], want: [0, 100] },
];

for (const c of scoreCases) {
  test(`score — ${c.name}`, (t) => {
    t.deepEqual(runScore(c), [...c.want]);
  });
}

test('PodTopologySpread scoring prefers the domain with fewer matching pods', (t) => {
  const nodes = [node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z2' } })];
  const existing = [pod('e1', { labels: { app: 'w' }, nodeName: 'a' }), pod('e2', { labels: { app: 'w' }, nodeName: 'a' })];
  const cache = setup(nodes, existing);
  const scores = runScore({ name: '', plugin: () => new PodTopologySpread().setLister(cache), pod: pod('p', { labels: { app: 'w' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'w' } } }] } }), nodes, existing, want: [] });
  t.true(scores[1]! > scores[0]!);
});

test('PrioritySort orders by priority, then by queue time', (t) => {
  const s = new PrioritySort();
  const q = (prio: number, ts: number) => ({ podInfo: new PodInfo(pod(`p${prio}${ts}`, { spec: { priority: prio } })), initialAttemptTimestamp: ts, timestamp: ts, attempts: 0, unschedulablePlugins: new Set<string>() });
  t.true(s.less(q(10, 5), q(1, 1)));
  t.true(s.less(q(1, 1), q(1, 2)));
  t.false(s.less(q(1, 2), q(1, 1)));
});

test('pod requests are the max of the app container sum and the largest init container, plus overhead', (t) => {
  const p: PodT = {
    ...pod('p'),
    spec: {
      containers: [{ name: 'a', resources: { requests: { cpu: '100m', memory: '100Mi' } } }, { name: 'b', resources: { requests: { cpu: '200m' } } }],
      initContainers: [{ name: 'i', resources: { requests: { cpu: '500m', memory: '50Mi' } } }],
      overhead: { cpu: '10m' },
    },
  };
  const r = computePodRequests(p);
  t.is(r.milliCPU, 510);
  t.is(r.memory, 100 * 1024 * 1024);
  t.is(r.pods, 1);
  const nz = computePodRequests(pod('empty'), true);
  t.is(nz.milliCPU, 100);
  t.is(nz.memory, 200 * 1024 * 1024);
});
