/**
 * Writes through the status subresource are validated as Kubernetes' status strategies do:
 * metadata update rules plus the kind's status rules; the spec (the stored one) is not.
 */
import test from 'ava';
import { HorizontalPodAutoscaler, Ingress, Job, Namespace, Pod, PodDisruptionBudget, ReplicaSet, Service } from '../../src/api/generated/kinds.js';
import type { Job as JobT, Pod as PodT, PodStatus, ReplicaSet as ReplicaSetT } from '../../src/api/generated/types.js';
import { pod, rejectsWith, setup } from './helpers.js';

async function stored(restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Always') {
  const fixture = await setup();
  const base = pod('p');
  const created = await fixture.store.create(Pod, { ...base, spec: { ...base.spec, restartPolicy } } as PodT);
  const write = (status: PodStatus) => fixture.store.get(Pod, 'p', { namespace: 'default' }).then((cur) => fixture.store.updateStatus(Pod, { ...cur, status }));
  return { ...fixture, created, write };
}

const terminated = (exitCode: number) => ({ terminated: { exitCode, startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:05Z' } });
const running = { running: { startedAt: '2026-01-01T00:00:06Z' } };
const statusOf = (state: object): PodStatus => ({ phase: 'Running', containerStatuses: [{ name: 'web', image: 'nginx:1.27', imageID: '', ready: false, restartCount: 0, state }] });

test('a kubelet-style status write with IPs, conditions and container states is accepted', async (t) => {
  const { write } = await stored();
  const out = await write({
    ...statusOf(running),
    podIP: '10.1.0.5',
    podIPs: [{ ip: '10.1.0.5' }, { ip: 'fd00::5' }],
    hostIP: '192.168.1.2',
    hostIPs: [{ ip: '192.168.1.2' }],
    conditions: [{ type: 'Ready', status: 'True' }, { type: 'example.com/custom-gate', status: 'False' }],
  });
  t.is(out.status?.podIP, '10.1.0.5');
});

test('a terminated container may not be reported running again under restartPolicy Never', async (t) => {
  const { write } = await stored('Never');
  await write(statusOf(terminated(0)));
  const err = await rejectsWith(t, write(statusOf(running)), 'Invalid');
  t.regex(err.message, /status\.containerStatuses\[0\]\.state: Forbidden: may not be transitioned to non-terminated state/);
});

test('under OnFailure a container that failed may restart, one that succeeded may not', async (t) => {
  const { write } = await stored('OnFailure');
  await write(statusOf(terminated(1)));
  await t.notThrowsAsync(write(statusOf(running)));
  await write(statusOf(terminated(0)));
  await rejectsWith(t, write(statusOf(running)), 'Invalid');
});

test('under Always a terminated container may run again', async (t) => {
  const { write } = await stored('Always');
  await write(statusOf(terminated(0)));
  await t.notThrowsAsync(write(statusOf(running)));
});

test('pod and host IPs must be IPs, without duplicates, one per family', async (t) => {
  const { write } = await stored();
  const bad = await rejectsWith(t, write({ podIP: '10.1.0.999' }), 'Invalid');
  t.regex(bad.message, /status\.podIP: Invalid value: "10\.1\.0\.999": must be a valid IP address/);
  const dup = await rejectsWith(t, write({ podIPs: [{ ip: '10.1.0.5' }, { ip: '10.1.0.5' }] }), 'Invalid');
  t.regex(dup.message, /status\.podIPs\[1\]\.ip: Duplicate value/);
  const family = await rejectsWith(t, write({ hostIPs: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] }), 'Invalid');
  t.regex(family.message, /status\.hostIPs: Invalid value: \[\{"ip":"10\.0\.0\.1"\},\{"ip":"10\.0\.0\.2"\}\]: may specify no more than one IP for each IP family/);
});

test('a nominated node name must be a valid node name; condition types qualified names', async (t) => {
  const { write } = await stored();
  const node = await rejectsWith(t, write({ nominatedNodeName: 'Node_1' }), 'Invalid');
  t.regex(node.message, /status\.nominatedNodeName/);
  const cond = await rejectsWith(t, write({ conditions: [{ type: 'not a name!', status: 'True' }] }), 'Invalid');
  t.regex(cond.message, /status\.conditions\[0\]\.type/);
});

test('a status write cannot change the spec, labels aside, and is not held to spec rules again', async (t) => {
  const { store, write } = await stored();
  const cur = await store.get(Pod, 'p', { namespace: 'default' });
  // The spec sent along is ignored: the stored one stays.
  const out = await store.updateStatus(Pod, { ...cur, spec: { containers: [] }, status: { phase: 'Running' } } as PodT);
  t.is(out.spec?.containers.length, 2);
  t.is((await write({ phase: 'Succeeded' })).status?.phase, 'Succeeded');
});

test('ReplicaSet status counters must be non-negative and consistent', async (t) => {
  const { store } = await setup();
  const rs: ReplicaSetT = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs', namespace: 'default' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
  const created = await store.create(ReplicaSet, rs);
  const ok = await store.updateStatus(ReplicaSet, { ...created, status: { replicas: 2, readyReplicas: 2, availableReplicas: 1 } });
  t.is(ok.status?.availableReplicas, 1);
  const err = await rejectsWith(t, store.updateStatus(ReplicaSet, { ...ok, status: { replicas: 2, readyReplicas: 1, availableReplicas: 2 } }), 'Invalid');
  t.regex(err.message, /status\.availableReplicas: Invalid value: 2: cannot be greater than status\.readyReplicas \(1\)/);
  const neg = await rejectsWith(t, store.updateStatus(ReplicaSet, { ...ok, status: { replicas: -1 } }), 'Invalid');
  t.regex(neg.message, /status\.replicas/);
});

test('a Namespace status is Active until it is deleted, Terminating after', async (t) => {
  const { store } = await setup();
  const ns = await store.create(Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  const err = await rejectsWith(t, store.updateStatus(Namespace, { ...ns, status: { phase: 'Terminating' } }), 'Invalid');
  t.regex(err.message, /status\.phase: Invalid value: "Terminating": may only be 'Active' if `deletionTimestamp` is empty/);
  await store.delete(Namespace, 'team');
  const deleting = await store.get(Namespace, 'team');
  await rejectsWith(t, store.updateStatus(Namespace, { ...deleting, status: { phase: 'Active' } }), 'Invalid');
  const ok = await store.updateStatus(Namespace, { ...deleting, status: { phase: 'Terminating', conditions: [{ type: 'NamespaceContentRemaining', status: 'True' }] } });
  t.is(ok.status?.conditions?.length, 1);
});

test('Job, HorizontalPodAutoscaler and PodDisruptionBudget status counters must be non-negative', async (t) => {
  const { store } = await setup();
  const tmpl = { metadata: { labels: { app: 'a' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } };
  const job = await store.create(Job, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default' }, spec: { template: tmpl } } as JobT);
  t.regex((await rejectsWith(t, store.updateStatus(Job, { ...job, status: { active: -1 } }), 'Invalid')).message, /status\.active: Invalid value: -1/);
  t.is((await store.updateStatus(Job, { ...job, status: { active: 1, ready: 0 } })).status?.active, 1);
  const hpa = await store.create(HorizontalPodAutoscaler, { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'default' }, spec: { maxReplicas: 3, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' } } });
  t.regex((await rejectsWith(t, store.updateStatus(HorizontalPodAutoscaler, { ...hpa, status: { desiredReplicas: -2 } }), 'Invalid')).message, /status\.desiredReplicas/);
  const pdb = await store.create(PodDisruptionBudget, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p', namespace: 'default' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'a' } } } });
  t.regex((await rejectsWith(t, store.updateStatus(PodDisruptionBudget, { ...pdb, status: { disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } }), 'Invalid')).message, /status\.disruptionsAllowed/);
});

test('Service and Ingress load balancer status: IPs that are IPs, ipMode beside an ip, hostnames that are DNS names', async (t) => {
  const { store } = await setup();
  const svc = await store.create(Service, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }], selector: { app: 'web' } } });
  const ok = await store.updateStatus(Service, { ...svc, status: { loadBalancer: { ingress: [{ ip: '203.0.113.7', ipMode: 'VIP' }, { hostname: 'lb.example.com' }] } } });
  t.is(ok.status?.loadBalancer?.ingress?.length, 2);
  const bad = await rejectsWith(t, store.updateStatus(Service, { ...ok, status: { loadBalancer: { ingress: [{ ip: '203.0.113.999' }, { ipMode: 'VIP' }, { hostname: '203.0.113.7' }, { ip: '203.0.113.8', ipMode: 'Tunnel' }] } } }), 'Invalid');
  t.regex(bad.message, /status\.loadBalancer\.ingress\[0\]\.ip: Invalid value: "203\.0\.113\.999"/);
  t.regex(bad.message, /status\.loadBalancer\.ingress\[1\]\.ipMode: Forbidden: may not be specified when `ip` is not/);
  t.regex(bad.message, /status\.loadBalancer\.ingress\[2\]\.hostname: Invalid value: "203\.0\.113\.7": must be a DNS name, not an IP address/);
  t.regex(bad.message, /status\.loadBalancer\.ingress\[3\]\.ipMode: Unsupported value: "Tunnel"/);
  const ing = await store.create(Ingress, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'default' }, spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } });
  await rejectsWith(t, store.updateStatus(Ingress, { ...ing, status: { loadBalancer: { ingress: [{ hostname: 'Not_A_Host' }] } } }), 'Invalid');
});
