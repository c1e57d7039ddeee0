import test from 'ava';
import type { ReplicaSet, ReplicationController, Service, StatefulSet } from '../../../src/api/generated/types.js';
import { SchedulerCache } from '../../../src/scheduler/cache.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import type { NodeScore, ObjectLister } from '../../../src/scheduler/framework/interfaces.js';
import { PodInfo } from '../../../src/scheduler/framework/types.js';
import { defaultSelector, PodTopologySpread, type SpreadListers } from '../../../src/scheduler/plugins/index.js';
import { node, pod } from '../helpers.js';

function lister<T extends { metadata: { namespace?: string | undefined; name?: string | undefined } }>(objs: readonly T[]): ObjectLister<T> {
  return {
    list: () => objs,
    listNamespace: (ns) => objs.filter((o) => (o.metadata.namespace ?? '') === ns),
    get: (ns, name) => objs.find((o) => o.metadata.namespace === ns && o.metadata.name === name),
  };
}

function listers(o: { services?: Service[]; rcs?: ReplicationController[]; rss?: ReplicaSet[]; sss?: StatefulSet[] }): SpreadListers {
  return { services: lister(o.services ?? []), replicationControllers: lister(o.rcs ?? []), replicaSets: lister(o.rss ?? []), statefulSets: lister(o.sss ?? []) };
}

const svc = (name: string, selector: Record<string, string> | undefined, namespace = 'default'): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: selector === undefined ? {} : { selector } });
const rs = (name: string, selector: ReplicaSet['spec'] extends infer S ? (S extends { selector: infer L } ? L : never) : never): ReplicaSet =>
  ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default' }, spec: { selector, template: {} } }) as ReplicaSet;

test('the default selector ANDs the selectors of the Services and ReplicaSets that select the pod, ignoring others', (t) => {
  const p = new PodInfo(pod('p', { labels: { app: 'web', tier: 'fe', hash: 'h1' } }));
  const sel = defaultSelector(p, listers({
    services: [svc('web', { app: 'web' }), svc('other', { app: 'db' }), svc('headless', undefined), svc('elsewhere', { app: 'web', x: 'y' }, 'other-ns')],
    rss: [rs('web-h1', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'hash', operator: 'In', values: ['h1'] }] }), rs('all', {}), rs('db', { matchLabels: { app: 'db' } })],
  }));
  t.true(sel.matches({ app: 'web', hash: 'h1' }));
  t.false(sel.matches({ app: 'web', hash: 'h2' }), 'the ReplicaSet requirement applies');
  t.false(sel.matches({ hash: 'h1' }), 'the Service selector applies');
  t.true(sel.matches({ app: 'web', hash: 'h1', x: 'z' }), 'a Service in another namespace does not');
  t.true(defaultSelector(p, listers({ services: [svc('other', { app: 'db' })] })).empty, 'nothing selects the pod');
});

test('default constraints spread pods selected by a Service (no owner needed) and are skipped when nothing selects the pod', (t) => {
  const cache = new SchedulerCache();
  const nodes = [node('a', { labels: { 'topology.kubernetes.io/zone': 'z1' } }), node('b', { labels: { 'topology.kubernetes.io/zone': 'z2' } }), node('c')];
  for (const n of nodes) cache.addNode(n);
  for (let i = 0; i < 3; i++) cache.addPod(pod(`w${i}`, { labels: { app: 'web' }, nodeName: 'a' }));
  cache.addPod(pod('other', { labels: { app: 'db' }, nodeName: 'b' }));
  const score = (plugin: PodTopologySpread, pi: PodInfo): number[] | 'skip' => {
    const state = new CycleState();
    const infos = nodes.map((n) => cache.get(n.metadata.name!)!);
    if (plugin.preScore(state, pi, infos).code === 'Skip') return 'skip';
    const scores: NodeScore[] = infos.map((n) => ({ name: n.name, score: plugin.score(state, pi, n) }));
    plugin.normalizeScore(state, pi, scores);
    return scores.map((s) => s.score);
  };
  const incoming = new PodInfo(pod('p', { labels: { app: 'web' } }));
  const withSvc = new PodTopologySpread(undefined, listers({ services: [svc('web', { app: 'web' })] })).setLister(cache);
  const got = score(withSvc, incoming);
  t.not(got, 'skip');
  const [a, b, c] = got as number[];
  t.true(b! > a!, 'the zone and host without web pods win');
  t.true(c! > a!, 'a node without a zone label is still scored on its hostname (system defaults)');
  const none = new PodTopologySpread(undefined, listers({})).setLister(cache);
  t.is(score(none, incoming), 'skip');
});
