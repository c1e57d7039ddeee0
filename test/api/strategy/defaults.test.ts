import test from 'ava';
import fc from 'fast-check';
import { freeze } from 'immer';
import * as D from '../../../src/api/strategy/defaults.js';
import * as K from '../../../src/api/generated/kinds.js';
import type * as T from '../../../src/api/generated/types.js';

const pod = (spec: T.PodSpec): T.Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });

test('a frozen pod gets PodSpec, container, probe and admission defaults without being mutated', (t) => {
  const input = freeze(pod({
    containers: [{
      name: 'c', image: 'nginx', ports: [{ containerPort: 80 }],
      livenessProbe: { httpGet: { port: 80 } },
      resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { memory: '64Mi' } },
    }],
    volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'cm' } }, { name: 's', secret: { secretName: 'x' } }],
  }), true);
  const out = D.defaultPod(input);
  t.is(input.spec?.restartPolicy, undefined);
  const s = out.spec;
  if (s === undefined) return t.fail();
  t.like(s, { restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', enableServiceLinks: true, priority: 0, preemptionPolicy: 'PreemptLowerPriority' });
  t.deepEqual(s.securityContext, {});
  const c = s.containers[0];
  t.like(c, { imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
  t.is(c?.ports?.[0]?.protocol, 'TCP');
  t.like(c?.livenessProbe, { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3, httpGet: { scheme: 'HTTP', path: '/', port: 80 } });
  t.deepEqual(c?.resources?.requests, { memory: '64Mi', cpu: '500m' });
  t.deepEqual(s.volumes?.[0]?.emptyDir, {});
  t.is(s.volumes?.[1]?.configMap?.defaultMode, 420);
  t.is(s.volumes?.[2]?.secret?.defaultMode, 420);
  t.deepEqual(s.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  t.is(out.status?.phase, 'Pending');
});

const pullPolicies: [string, 'Always' | 'IfNotPresent'][] = [['nginx', 'Always'], ['nginx:latest', 'Always'], ['nginx:1.27', 'IfNotPresent'], ['localhost:5000/app', 'Always'], ['localhost:5000/app:v2', 'IfNotPresent'], ['nginx@sha256:abcd', 'IfNotPresent']];
for (const [image, policy] of pullPolicies) {
  test(`image ${image} defaults imagePullPolicy to ${policy}`, (t) => {
    t.is(D.defaultImagePullPolicy(image), policy);
  });
}

test('an existing toleration for not-ready keeps the admission plugin from adding another', (t) => {
  const out = D.defaultPod(pod({ containers: [{ name: 'c', image: 'x:1' }], tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] }));
  t.is(out.spec?.tolerations?.filter((x) => x.key === 'node.kubernetes.io/not-ready').length, 1);
  t.is(out.spec?.tolerations?.length, 2);
});

test('workload defaults follow apps/v1 and template pods get PodSpec defaults but no admission tolerations', (t) => {
  const template: T.PodTemplateSpec = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } };
  const dep = D.defaultDeployment({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template } });
  t.like(dep.spec, { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
  t.is(dep.spec?.template.spec?.restartPolicy, 'Always');
  t.is(dep.spec?.template.spec?.tolerations, undefined);
  const recreate = D.defaultDeployment({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: {}, template, strategy: { type: 'Recreate' } } });
  t.is(recreate.spec?.strategy?.rollingUpdate, undefined);
  const ds = D.defaultDaemonSet({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd' }, spec: { selector: {}, template } });
  t.like(ds.spec, { revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } });
  const sts = D.defaultStatefulSet({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { selector: {}, template, volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: {} }] } });
  t.like(sts.spec, { replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } });
  t.is(sts.spec?.volumeClaimTemplates?.[0]?.spec?.volumeMode, 'Filesystem');
  const rs = D.defaultReplicaSet({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { selector: {}, template } });
  t.is(rs.spec?.replicas, 1);
});

test('job and cronjob defaults follow batch/v1', (t) => {
  const template: T.PodTemplateSpec = { spec: { containers: [{ name: 'c', image: 'x:1' }], restartPolicy: 'Never' } };
  const job = D.defaultJob({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template } });
  t.like(job.spec, { completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
  t.is(job.spec?.manualSelector, undefined);
  const withCompletions = D.defaultJob({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template, completions: 5 } });
  t.like(withCompletions.spec, { completions: 5, parallelism: 1 });
  const cj = D.defaultCronJob({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '@hourly', jobTemplate: { spec: { template } } } });
  t.like(cj.spec, { concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
  t.is(cj.spec.jobTemplate.spec?.template.spec?.dnsPolicy, 'ClusterFirst');
  t.is(cj.spec.jobTemplate.spec?.backoffLimit, undefined);
});

test('service defaults set type, affinity, protocol, targetPort and traffic policies', (t) => {
  const svc = D.defaultService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80 }], selector: { a: 'b' } } });
  t.like(svc.spec, { type: 'NodePort', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', externalTrafficPolicy: 'Cluster' });
  t.like(svc.spec?.ports?.[0], { protocol: 'TCP', targetPort: 80 });
  const plain = D.defaultService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'http' }] } });
  t.is(plain.spec?.type, 'ClusterIP');
  t.is(plain.spec?.externalTrafficPolicy, undefined);
  t.is(plain.spec?.ports?.[0]?.targetPort, 'http');
});

test('storage, namespace, secret, HPA, PriorityClass and StorageClass defaults', (t) => {
  t.is(D.defaultPersistentVolumeClaim({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: {} }).spec?.volumeMode, 'Filesystem');
  t.like(D.defaultPersistentVolume({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: {} }).spec, { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' });
  const ns = D.defaultNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  t.deepEqual(ns.spec?.finalizers, ['kubernetes']);
  t.is(ns.status?.phase, 'Active');
  t.is(ns.metadata.labels?.['kubernetes.io/metadata.name'], 'team');
  const secret = D.defaultSecret({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { b: 'hello' } });
  t.is(secret.type, 'Opaque');
  t.deepEqual(secret.data, { a: 'eA==', b: Buffer.from('hello').toString('base64') });
  t.false('stringData' in secret);
  const hpa = D.defaultHorizontalPodAutoscaler({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'd' } } });
  t.is(hpa.spec.minReplicas, 1);
  t.deepEqual(hpa.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  t.is(D.defaultPriorityClass({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p' }, value: 5 }).preemptionPolicy, 'PreemptLowerPriority');
  t.like(D.defaultStorageClass({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 's' }, provisioner: 'x' }), { reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
});

test('an object that already has every default comes back as the same object', (t) => {
  const once = D.defaultDeployment({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } });
  t.is(D.defaultDeployment(once), once);
});

// ---- property: defaulting never throws and is idempotent for anything the codec accepts

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const image = fc.constantFrom('nginx', 'nginx:1.27', 'reg:5000/app', 'app@sha256:00', '');
const quantity = fc.constantFrom('100m', '1', '64Mi', '2Gi', '0');
const resources = fc.record({ limits: fc.dictionary(fc.constantFrom('cpu', 'memory'), quantity), requests: fc.dictionary(fc.constantFrom('cpu', 'memory'), quantity) }, { requiredKeys: [] });
const probe = fc.record({ httpGet: fc.record({ port: fc.integer({ min: 1, max: 65535 }), scheme: fc.constantFrom('HTTP', 'HTTPS') }, { requiredKeys: ['port'] }), periodSeconds: fc.integer({ min: 1, max: 60 }) }, { requiredKeys: [] });
const container = fc.record({
  name, image, imagePullPolicy: fc.constantFrom('Always', 'Never'), resources, livenessProbe: probe,
  ports: fc.array(fc.record({ containerPort: fc.integer({ min: 1, max: 65535 }), protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: ['containerPort'] }), { maxLength: 2 }),
}, { requiredKeys: ['name'] });
const volume = fc.oneof(
  fc.record({ name }),
  fc.record({ name, configMap: fc.record({ name, defaultMode: fc.integer({ min: 0, max: 511 }) }, { requiredKeys: [] }) }),
  fc.record({ name, emptyDir: fc.constant({}) }),
);
const podSpec = fc.record({
  containers: fc.array(container, { minLength: 1, maxLength: 3 }),
  initContainers: fc.array(container, { maxLength: 1 }),
  volumes: fc.array(volume, { maxLength: 2 }),
  restartPolicy: fc.constantFrom('Always', 'OnFailure', 'Never'),
  hostNetwork: fc.boolean(),
  tolerations: fc.array(fc.record({ key: fc.constantFrom('node.kubernetes.io/not-ready', 'x'), operator: fc.constantFrom('Exists', 'Equal'), effect: fc.constantFrom('NoExecute', 'NoSchedule') }, { requiredKeys: [] }), { maxLength: 2 }),
}, { requiredKeys: ['containers'] });

test('defaulting any pod the codec accepts never throws and is idempotent', (t) => {
  fc.assert(fc.property(podSpec, (spec) => {
    const r = K.Pod.decode({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
    if (!r.ok) return true;
    const once = K.Pod.strategy.applyDefaults?.(r.value) ?? r.value;
    const twice = K.Pod.strategy.applyDefaults?.(once) ?? once;
    const wire = K.Pod.decode(JSON.parse(JSON.stringify(once)));
    return JSON.stringify(once) === JSON.stringify(twice) && wire.ok && JSON.stringify(wire.value) === JSON.stringify(once);
  }), { numRuns: 200 });
  t.pass();
});

test('defaulting any deployment the codec accepts never throws and is idempotent', (t) => {
  const strategy = fc.oneof(fc.constant(undefined), fc.record({ type: fc.constantFrom('Recreate', 'RollingUpdate') }), fc.record({ type: fc.constant('RollingUpdate'), rollingUpdate: fc.record({ maxSurge: fc.oneof(fc.nat(5), fc.constantFrom('10%', '50%')) }) }));
  const dep = fc.record({ replicas: fc.option(fc.nat(10), { nil: undefined }), strategy, template: fc.record({ metadata: fc.constant({ labels: { a: 'b' } }), spec: podSpec }) });
  fc.assert(fc.property(dep, (spec) => {
    const r = K.Deployment.decode({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { ...JSON.parse(JSON.stringify(spec)), selector: { matchLabels: { a: 'b' } } } });
    if (!r.ok) return true;
    const once = K.Deployment.strategy.applyDefaults?.(r.value) ?? r.value;
    return JSON.stringify(K.Deployment.strategy.applyDefaults?.(once)) === JSON.stringify(once);
  }), { numRuns: 200 });
  t.pass();
});
