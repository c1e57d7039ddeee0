/**
 * Defaulting of built-in kinds, as Kubernetes' `SetDefaults_*` functions (pkg/apis/<group>/v1/
 * defaults.go) and the defaulting admission plugins (DefaultTolerationSeconds, Priority) fill
 * in fields on create and update.
 *
 * Every function is a pure immer producer: the input may be frozen and is never changed; an
 * input that needs no defaults comes back as the same object. Defaulting is idempotent.
 *
 * @packageDocumentation
 */
import { produce, type Draft } from 'immer';
import type * as T from '../generated/types.js';

type Mutable<X> = Draft<X>;
type QuantityMap = { [key: string]: string };

/** The image pull policy Kubernetes picks: `Always` for `:latest` or no tag, else `IfNotPresent`. @public */
export function defaultImagePullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  if (image === undefined || image === '') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const lastColon = image.lastIndexOf(':');
  const tag = lastColon > lastSlash ? image.slice(lastColon + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: Mutable<T.Probe> | undefined): void {
  if (p === undefined) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet !== undefined) defaultHTTPGet(p.httpGet);
}

function defaultHTTPGet(h: Mutable<T.HTTPGetAction>): void {
  h.path ??= '/';
  h.scheme ??= 'HTTP';
}

function defaultLifecycle(l: Mutable<T.Lifecycle> | undefined): void {
  if (l === undefined) return;
  if (l.postStart?.httpGet !== undefined) defaultHTTPGet(l.postStart.httpGet);
  if (l.preStop?.httpGet !== undefined) defaultHTTPGet(l.preStop.httpGet);
}

function defaultContainer(c: Mutable<T.Container>): void {
  c.imagePullPolicy ??= defaultImagePullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  for (const port of c.ports ?? []) port.protocol ??= 'TCP';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultLifecycle(c.lifecycle);
  for (const e of c.env ?? []) {
    const fieldRef = e.valueFrom?.fieldRef;
    if (fieldRef !== undefined) fieldRef.apiVersion ??= 'v1';
  }
  defaultRequestsFromLimits(c.resources);
}

/** SetDefaults_Pod: a resource with a limit and no request gets the limit as its request. */
function defaultRequestsFromLimits(r: Mutable<T.ResourceRequirements> | undefined): void {
  if (r?.limits === undefined) return;
  const limits = r.limits as QuantityMap;
  const keys = Object.keys(limits);
  if (keys.length === 0) return;
  const requests = (r.requests ?? {}) as QuantityMap;
  let changed = false;
  for (const k of keys) {
    if (requests[k] === undefined) {
      requests[k] = limits[k] as string;
      changed = true;
    }
  }
  if (changed || r.requests === undefined) r.requests = requests;
}

const VOLUME_SOURCES: readonly (keyof T.Volume)[] = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI', 'emptyDir',
  'ephemeral', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath', 'image', 'iscsi',
  'nfs', 'persistentVolumeClaim', 'photonPersistentDisk', 'portworxVolume', 'projected', 'quobyte', 'rbd', 'scaleIO',
  'secret', 'storageos', 'vsphereVolume',
];

/** The volume source fields of a Volume (exactly one must be set). @internal */
export const volumeSourceFields: readonly string[] = VOLUME_SOURCES;

function defaultVolume(v: Mutable<T.Volume>): void {
  if (!VOLUME_SOURCES.some((k) => v[k] !== undefined)) v.emptyDir = {};
  if (v.configMap !== undefined) v.configMap.defaultMode ??= 0o644;
  if (v.secret !== undefined) v.secret.defaultMode ??= 0o644;
  if (v.downwardAPI !== undefined) {
    v.downwardAPI.defaultMode ??= 0o644;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef !== undefined) item.fieldRef.apiVersion ??= 'v1';
  }
  if (v.projected !== undefined) v.projected.defaultMode ??= 0o644;
  if (v.hostPath !== undefined) v.hostPath.type ??= '';
  if (v.iscsi !== undefined) v.iscsi.iscsiInterface ??= 'default';
  if (v.rbd !== undefined) {
    v.rbd.pool ??= 'rbd';
    v.rbd.user ??= 'admin';
    v.rbd.keyring ??= '/etc/ceph/keyring';
  }
  if (v.ephemeral?.volumeClaimTemplate !== undefined) defaultPVCSpec(v.ephemeral.volumeClaimTemplate.spec);
}

/** SetDefaults_PodSpec and everything below it, in place on a draft. */
function defaultPodSpecDraft(s: Mutable<T.PodSpec>): void {
  s.dnsPolicy ??= 'ClusterFirst';
  s.restartPolicy ??= 'Always';
  s.terminationGracePeriodSeconds ??= 30;
  s.schedulerName ??= 'default-scheduler';
  s.securityContext ??= {};
  s.enableServiceLinks ??= true;
  for (const c of s.initContainers ?? []) defaultContainer(c);
  for (const c of s.containers ?? []) {
    defaultContainer(c);
    if (s.hostNetwork === true) for (const p of c.ports ?? []) p.hostPort ??= p.containerPort;
  }
  for (const v of s.volumes ?? []) defaultVolume(v);
}

function defaultTemplateDraft(t: Mutable<T.PodTemplateSpec> | undefined): void {
  if (t?.spec !== undefined) defaultPodSpecDraft(t.spec);
}

/**
 * PodSpec defaults (restartPolicy, dnsPolicy, grace period, scheduler, container pull policy,
 * probes, ports, volumes, requests from limits…), the same for Pods and pod templates.
 *
 * @public
 */
export function defaultPodSpec(spec: T.PodSpec): T.PodSpec {
  return produce(spec, (d) => defaultPodSpecDraft(d));
}

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

function tolerates(ts: readonly Mutable<T.Toleration>[], key: string): boolean {
  return ts.some((t) => (t.effect === undefined || t.effect === '' || t.effect === 'NoExecute') && ((t.operator === 'Exists' && (t.key === undefined || t.key === '')) || t.key === key));
}

/**
 * A Pod's defaults: its PodSpec's, plus what admission adds on create — the not-ready and
 * unreachable NoExecute tolerations for 300 s (DefaultTolerationSeconds), priority 0 and
 * preemptionPolicy PreemptLowerPriority (Priority) — and status phase Pending.
 *
 * @example
 * ```ts
 * const pod = defaultPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
 * pod.spec?.restartPolicy; // 'Always'
 * ```
 * @public
 */
export function defaultPod(pod: T.Pod): T.Pod {
  return produce(pod, (d) => {
    if (d.spec === undefined) return;
    const s = d.spec;
    defaultPodSpecDraft(s);
    const tolerations = s.tolerations ?? [];
    const add: Mutable<T.Toleration>[] = [];
    if (!tolerates(tolerations, NOT_READY)) add.push({ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    if (!tolerates(tolerations, UNREACHABLE)) add.push({ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    if (add.length > 0) s.tolerations = [...tolerations, ...add];
    s.priority ??= 0;
    s.preemptionPolicy ??= 'PreemptLowerPriority';
    d.status ??= {};
    d.status.phase ??= 'Pending';
  });
}

/** PodTemplate: its template's PodSpec defaults. @public */
export function defaultPodTemplate(pt: T.PodTemplate): T.PodTemplate {
  return produce(pt, (d) => defaultTemplateDraft(d.template));
}

/** ReplicationController: replicas 1, selector and labels from the template, template defaults. @public */
export function defaultReplicationController(rc: T.ReplicationController): T.ReplicationController {
  return produce(rc, (d) => {
    if (d.spec === undefined) return;
    const s = d.spec;
    const labels = s.template?.metadata?.labels;
    if (labels !== undefined) {
      if (s.selector === undefined || Object.keys(s.selector).length === 0) s.selector = { ...labels };
      if (d.metadata.labels === undefined || Object.keys(d.metadata.labels).length === 0) d.metadata.labels = { ...labels };
    }
    s.replicas ??= 1;
    defaultTemplateDraft(s.template);
  });
}

/** Deployment: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600. @public */
export function defaultDeployment(dep: T.Deployment): T.Deployment {
  return produce(dep, (d) => {
    if (d.spec === undefined) return;
    const s = d.spec;
    s.replicas ??= 1;
    s.strategy ??= {};
    s.strategy.type ??= 'RollingUpdate';
    if (s.strategy.type === 'RollingUpdate') {
      s.strategy.rollingUpdate ??= {};
      s.strategy.rollingUpdate.maxUnavailable ??= '25%';
      s.strategy.rollingUpdate.maxSurge ??= '25%';
    }
    s.revisionHistoryLimit ??= 10;
    s.progressDeadlineSeconds ??= 600;
    defaultTemplateDraft(s.template);
  });
}

/** ReplicaSet: replicas 1 and template defaults. @public */
export function defaultReplicaSet(rs: T.ReplicaSet): T.ReplicaSet {
  return produce(rs, (d) => {
    if (d.spec === undefined) return;
    d.spec.replicas ??= 1;
    defaultTemplateDraft(d.spec.template);
  });
}

/** DaemonSet: RollingUpdate with maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10. @public */
export function defaultDaemonSet(ds: T.DaemonSet): T.DaemonSet {
  return produce(ds, (d) => {
    if (d.spec === undefined) return;
    const s = d.spec;
    s.updateStrategy ??= {};
    s.updateStrategy.type ??= 'RollingUpdate';
    if (s.updateStrategy.type === 'RollingUpdate') {
      s.updateStrategy.rollingUpdate ??= {};
      s.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      s.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    s.revisionHistoryLimit ??= 10;
    defaultTemplateDraft(s.template);
  });
}

function defaultPVCSpec(s: Mutable<T.PersistentVolumeClaimSpec> | undefined): void {
  if (s === undefined) return;
  s.volumeMode ??= 'Filesystem';
}

/**
 * StatefulSet: replicas 1, OrderedReady, RollingUpdate partition 0, revisionHistoryLimit 10,
 * PVC retention Retain/Retain, claim templates' volumeMode Filesystem.
 *
 * @public
 */
export function defaultStatefulSet(sts: T.StatefulSet): T.StatefulSet {
  return produce(sts, (d) => {
    if (d.spec === undefined) return;
    const s = d.spec;
    s.replicas ??= 1;
    s.podManagementPolicy ??= 'OrderedReady';
    s.updateStrategy ??= {};
    s.updateStrategy.type ??= 'RollingUpdate';
    if (s.updateStrategy.type === 'RollingUpdate') {
      s.updateStrategy.rollingUpdate ??= {};
      s.updateStrategy.rollingUpdate.partition ??= 0;
    }
    s.revisionHistoryLimit ??= 10;
    s.persistentVolumeClaimRetentionPolicy ??= {};
    s.persistentVolumeClaimRetentionPolicy.whenDeleted ??= 'Retain';
    s.persistentVolumeClaimRetentionPolicy.whenScaled ??= 'Retain';
    for (const pvc of s.volumeClaimTemplates ?? []) {
      pvc.spec ??= {};
      defaultPVCSpec(pvc.spec);
    }
    defaultTemplateDraft(s.template);
  });
}

function defaultJobSpecFields(s: Mutable<T.JobSpec>): void {
  if (s.completions === undefined && s.parallelism === undefined) {
    s.completions = 1;
    s.parallelism = 1;
  }
  s.parallelism ??= 1;
  if (s.backoffLimit === undefined) s.backoffLimit = s.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  s.completionMode ??= 'NonIndexed';
  s.suspend ??= false;
  s.podReplacementPolicy ??= s.podFailurePolicy !== undefined ? 'Failed' : 'TerminatingOrFailed';
}

/**
 * Job: completions and parallelism 1 when neither is set (parallelism 1 when unset),
 * backoffLimit 6, completionMode NonIndexed, suspend false, podReplacementPolicy; manualSelector
 * stays unset (selector generation is the registry's job, not defaulting).
 *
 * @public
 */
export function defaultJob(job: T.Job): T.Job {
  return produce(job, (d) => {
    if (d.spec === undefined) return;
    defaultJobSpecFields(d.spec);
    defaultTemplateDraft(d.spec.template);
  });
}

/** CronJob: Allow, suspend false, history limits 3 and 1, and the job template's PodSpec defaults. @public */
export function defaultCronJob(cj: T.CronJob): T.CronJob {
  return produce(cj, (d) => {
    const s = d.spec;
    s.concurrencyPolicy ??= 'Allow';
    s.suspend ??= false;
    s.successfulJobsHistoryLimit ??= 3;
    s.failedJobsHistoryLimit ??= 1;
    defaultTemplateDraft(s.jobTemplate.spec?.template);
  });
}

/**
 * Service: type ClusterIP, sessionAffinity None, port protocol TCP and targetPort = port,
 * internalTrafficPolicy Cluster, ipFamilyPolicy SingleStack, externalTrafficPolicy Cluster for
 * NodePort and LoadBalancer, allocateLoadBalancerNodePorts true for LoadBalancer.
 *
 * @public
 */
export function defaultService(svc: T.Service): T.Service {
  return produce(svc, (d) => {
    if (d.spec === undefined) return;
    const s = d.spec;
    s.type ??= 'ClusterIP';
    s.sessionAffinity ??= 'None';
    if (s.sessionAffinity === 'ClientIP') {
      s.sessionAffinityConfig ??= {};
      s.sessionAffinityConfig.clientIP ??= {};
      s.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
    }
    for (const p of s.ports ?? []) {
      p.protocol ??= 'TCP';
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
    }
    if (s.type === 'NodePort' || s.type === 'LoadBalancer') s.externalTrafficPolicy ??= 'Cluster';
    if (s.type === 'LoadBalancer') s.allocateLoadBalancerNodePorts ??= true;
    if (s.type !== 'ExternalName') {
      s.internalTrafficPolicy ??= 'Cluster';
      const headlessWithoutSelector = s.clusterIP === 'None' && Object.keys(s.selector ?? {}).length === 0;
      s.ipFamilyPolicy ??= headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack';
    }
  });
}

/** PersistentVolumeClaim: volumeMode Filesystem; status phase Pending. @public */
export function defaultPersistentVolumeClaim(pvc: T.PersistentVolumeClaim): T.PersistentVolumeClaim {
  return produce(pvc, (d) => {
    d.spec ??= {};
    defaultPVCSpec(d.spec);
    d.status ??= {};
    d.status.phase ??= 'Pending';
  });
}

/** PersistentVolume: reclaim policy Retain, volumeMode Filesystem; status phase Pending. @public */
export function defaultPersistentVolume(pv: T.PersistentVolume): T.PersistentVolume {
  return produce(pv, (d) => {
    d.spec ??= {};
    d.spec.persistentVolumeReclaimPolicy ??= 'Retain';
    d.spec.volumeMode ??= 'Filesystem';
    d.status ??= {};
    d.status.phase ??= 'Pending';
  });
}

/**
 * Namespace: the `kubernetes.io/metadata.name` label, spec finalizers `["kubernetes"]`, status
 * phase Active.
 *
 * @public
 */
export function defaultNamespace(ns: T.Namespace): T.Namespace {
  return produce(ns, (d) => {
    const name = d.metadata.name;
    if (name !== undefined && name !== '' && d.metadata.labels?.['kubernetes.io/metadata.name'] !== name) {
      d.metadata.labels = { ...(d.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
    }
    d.spec ??= {};
    d.spec.finalizers ??= ['kubernetes'];
    d.status ??= {};
    d.status.phase ??= 'Active';
  });
}

/** Secret: type Opaque; `stringData` is merged into `data` (base64) and removed. @public */
export function defaultSecret(secret: T.Secret): T.Secret {
  return produce(secret, (d) => {
    d.type ??= 'Opaque';
    if (d.stringData !== undefined) {
      const data: { [key: string]: string } = { ...(d.data ?? {}) };
      for (const [k, v] of Object.entries(d.stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
      d.data = data;
      delete d.stringData;
    }
  });
}

/** Node: status allocatable defaults to capacity. @public */
export function defaultNode(node: T.Node): T.Node {
  return produce(node, (d) => {
    const st = d.status;
    if (st?.capacity !== undefined && st.allocatable === undefined) st.allocatable = { ...st.capacity };
  });
}

/** Endpoints: port protocol TCP. @public */
export function defaultEndpoints(ep: T.Endpoints): T.Endpoints {
  return produce(ep, (d) => {
    for (const ss of d.subsets ?? []) for (const p of ss.ports ?? []) p.protocol ??= 'TCP';
  });
}

/** EndpointSlice: port protocol TCP and name "". @public */
export function defaultEndpointSlice(es: T.EndpointSlice): T.EndpointSlice {
  return produce(es, (d) => {
    for (const p of d.ports ?? []) {
      p.protocol ??= 'TCP';
      p.name ??= '';
    }
  });
}

/** HorizontalPodAutoscaler (autoscaling/v2): minReplicas 1, and cpu at 80% utilization when no metric is given. @public */
export function defaultHorizontalPodAutoscaler(hpa: T.HorizontalPodAutoscaler): T.HorizontalPodAutoscaler {
  return produce(hpa, (d) => {
    d.spec.minReplicas ??= 1;
    if (d.spec.metrics === undefined || d.spec.metrics.length === 0) {
      d.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
    }
  });
}

/** PriorityClass: preemptionPolicy PreemptLowerPriority. @public */
export function defaultPriorityClass(pc: T.PriorityClass): T.PriorityClass {
  return produce(pc, (d) => {
    d.preemptionPolicy ??= 'PreemptLowerPriority';
  });
}

/** StorageClass: reclaimPolicy Delete, volumeBindingMode Immediate. @public */
export function defaultStorageClass(sc: T.StorageClass): T.StorageClass {
  return produce(sc, (d) => {
    d.reclaimPolicy ??= 'Delete';
    d.volumeBindingMode ??= 'Immediate';
  });
}

/** PodDisruptionBudget: unhealthyPodEvictionPolicy is left unset, as policy/v1 does. @public */
export function defaultPodDisruptionBudget(pdb: T.PodDisruptionBudget): T.PodDisruptionBudget {
  return pdb;
}
