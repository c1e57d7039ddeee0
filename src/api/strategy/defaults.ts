/**
 * Defaulting of built-in kinds, as Kubernetes' `SetDefaults_*` functions (pkg/apis/<group>/v1/
 * defaults.go) and the defaulting admission plugins (DefaultTolerationSeconds, Priority) fill
 * in fields on create and update.
 *
 * Every function is pure and copy-on-write: the input may be frozen and is never changed; only
 * the objects on the path to a field that gets a default are copied (everything else is shared
 * with the input), and an input that needs no defaults comes back as the same object, having
 * allocated nothing. Defaulting is idempotent. Default values that are objects (the empty
 * `securityContext`, the admission tolerations) are frozen constants shared by every result.
 *
 * @packageDocumentation
 */
import type * as T from '../generated/types.js';

type QuantityMap = { readonly [key: string]: string };
type Writable<X> = { -readonly [K in keyof X]: X[K] };

/**
 * A shallow copy built key by key. Node 20's V8 turns a spread copy (`{ ...x }`) into a slow
 * dictionary about three times its size once it is frozen, as stored objects are; a copy built
 * by assignment stays a compact fast object.
 */
function copyOf<X extends object>(src: X): Writable<X> {
  const out = {} as Record<string, unknown>;
  for (const k of Object.keys(src)) {
    const v = (src as Record<string, unknown>)[k];
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out as Writable<X>;
}

/** A copy of `src` with `key` set to `v` (appended when new, as an assignment would). */
function withKey<X extends object, K extends keyof X>(src: X, key: K, v: X[K]): X {
  const out = copyOf(src);
  out[key] = v;
  return out;
}

/**
 * Copy-on-write edits of one object: the first change makes a shallow copy (new keys are
 * appended after the existing ones, as an assignment would), later changes write the copy.
 */
class Edit<X extends object> {
  private copy: Writable<X> | undefined;
  constructor(private readonly src: X) {}

  /** The object with the edits so far (the input itself while nothing changed). */
  get value(): X {
    return this.copy ?? this.src;
  }

  set<K extends keyof X>(key: K, v: X[K]): void {
    (this.copy ??= copyOf(this.src))[key] = v;
  }

  /** `key ??= v`. */
  def<K extends keyof X>(key: K, v: X[K]): void {
    if (this.value[key] == null) this.set(key, v);
  }

  /** Replace a present `key` by `f(value)` when that is a different object. */
  sub<K extends keyof X>(key: K, f: (v: NonNullable<X[K]>) => X[K]): void {
    const v = this.value[key];
    if (v == null) return;
    const n = f(v);
    if (n !== v) this.set(key, n);
  }
}

/** `f` applied to every element, copying the array only when an element changes. */
function mapCow<X>(items: readonly X[], f: (x: X) => X): readonly X[] {
  let out: X[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const x = items[i] as X;
    const y = f(x);
    if (y !== x) (out ??= items.slice())[i] = y;
  }
  return out ?? items;
}

/** A deeply frozen constant (safe to share: nothing may mutate defaulted objects). */
function constant<X>(v: X): X {
  const freeze = (x: unknown): void => {
    if (typeof x !== 'object' || x === null) return;
    Object.freeze(x);
    for (const k of Object.keys(x)) freeze((x as Record<string, unknown>)[k]);
  };
  freeze(v);
  return v;
}

const EMPTY: Readonly<Record<string, never>> = constant({});

/** The image pull policy Kubernetes picks: `Always` for `:latest` or no tag, else `IfNotPresent`. @public */
export function defaultImagePullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  if (image === undefined || image === '') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const lastColon = image.lastIndexOf(':');
  const tag = lastColon > lastSlash ? image.slice(lastColon + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(h: T.HTTPGetAction): T.HTTPGetAction {
  if (h.path != null && h.scheme != null) return h;
  const e = new Edit(h);
  e.def('path', '/');
  e.def('scheme', 'HTTP');
  return e.value;
}

/** Unset or 0 (Kubernetes cannot tell them apart: SetDefaults_Probe replaces both). */
function unsetOrZero(v: number | null | undefined): boolean {
  return v == null || v === 0;
}

function defaultProbe(p: T.Probe): T.Probe {
  if (!unsetOrZero(p.timeoutSeconds) && !unsetOrZero(p.periodSeconds) && !unsetOrZero(p.successThreshold) && !unsetOrZero(p.failureThreshold) && p.httpGet == null) return p;
  const e = new Edit(p);
  if (unsetOrZero(p.timeoutSeconds)) e.set('timeoutSeconds', 1);
  if (unsetOrZero(p.periodSeconds)) e.set('periodSeconds', 10);
  if (unsetOrZero(p.successThreshold)) e.set('successThreshold', 1);
  if (unsetOrZero(p.failureThreshold)) e.set('failureThreshold', 3);
  e.sub('httpGet', defaultHTTPGet);
  return e.value;
}

function defaultHandler(h: T.LifecycleHandler): T.LifecycleHandler {
  if (h.httpGet == null) return h;
  const e = new Edit(h);
  e.sub('httpGet', defaultHTTPGet);
  return e.value;
}

function defaultLifecycle(l: T.Lifecycle): T.Lifecycle {
  const e = new Edit(l);
  e.sub('postStart', defaultHandler);
  e.sub('preStop', defaultHandler);
  return e.value;
}

function defaultPort(p: T.ContainerPort): T.ContainerPort {
  return p.protocol != null ? p : withKey(p, 'protocol', 'TCP');
}

function defaultFieldRef(f: T.ObjectFieldSelector): T.ObjectFieldSelector {
  return f.apiVersion != null ? f : withKey(f, 'apiVersion', 'v1');
}

function defaultEnvVar(v: T.EnvVar): T.EnvVar {
  const fieldRef = v.valueFrom?.fieldRef;
  if (fieldRef == null || fieldRef.apiVersion != null) return v;
  return withKey(v, 'valueFrom', withKey(v.valueFrom as T.EnvVarSource, 'fieldRef', defaultFieldRef(fieldRef)));
}

function setEntry(m: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__') Object.defineProperty(m, key, { value, enumerable: true, writable: true, configurable: true });
  else m[key] = value;
}

/** SetDefaults_Pod: a resource with a limit and no request gets the limit as its request. */
function defaultRequestsFromLimits(r: T.ResourceRequirements): T.ResourceRequirements {
  const limits = r.limits as QuantityMap | undefined;
  if (limits == null) return r;
  const keys = Object.keys(limits);
  if (keys.length === 0) return r;
  const requests = r.requests as QuantityMap | undefined;
  let out: Record<string, string> | undefined;
  for (const k of keys) {
    if (requests == null || !Object.prototype.hasOwnProperty.call(requests, k) || requests[k] === undefined) {
      out ??= requests == null ? {} : copyOf(requests);
      setEntry(out, k, limits[k] as string);
    }
  }
  return out === undefined ? r : withKey(r, 'requests', out);
}

function defaultContainer(c: T.Container, hostNetwork: boolean): T.Container {
  const e = new Edit(c);
  if (c.imagePullPolicy == null) e.set('imagePullPolicy', defaultImagePullPolicy(c.image));
  e.def('terminationMessagePath', '/dev/termination-log');
  e.def('terminationMessagePolicy', 'File');
  e.sub('ports', (ports) => mapCow(ports, hostNetwork ? (p) => defaultHostPort(defaultPort(p)) : defaultPort));
  e.sub('livenessProbe', defaultProbe);
  e.sub('readinessProbe', defaultProbe);
  e.sub('startupProbe', defaultProbe);
  e.sub('lifecycle', defaultLifecycle);
  e.sub('env', (env) => mapCow(env, defaultEnvVar));
  e.sub('resources', defaultRequestsFromLimits);
  return e.value;
}

function defaultHostPort(p: T.ContainerPort): T.ContainerPort {
  return p.hostPort != null && p.hostPort !== 0 ? p : withKey(p, 'hostPort', p.containerPort);
}

const VOLUME_SOURCES: readonly (keyof T.Volume)[] = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI', 'emptyDir',
  'ephemeral', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath', 'image', 'iscsi',
  'nfs', 'persistentVolumeClaim', 'photonPersistentDisk', 'portworxVolume', 'projected', 'quobyte', 'rbd', 'scaleIO',
  'secret', 'storageos', 'vsphereVolume',
];

/** The volume source fields of a Volume (exactly one must be set). @internal */
export const volumeSourceFields: readonly string[] = VOLUME_SOURCES;

function withDefaultMode<X extends { readonly defaultMode?: number | undefined }>(s: X): X {
  return s.defaultMode != null ? s : withKey(s, 'defaultMode', 0o644);
}

function defaultDownwardAPIFile(f: T.DownwardAPIVolumeFile): T.DownwardAPIVolumeFile {
  if (f.fieldRef == null || f.fieldRef.apiVersion != null) return f;
  return withKey(f, 'fieldRef', defaultFieldRef(f.fieldRef));
}

function defaultVolume(v: T.Volume): T.Volume {
  const e = new Edit(v);
  if (!VOLUME_SOURCES.some((k) => v[k] !== undefined)) e.set('emptyDir', EMPTY);
  e.sub('configMap', withDefaultMode);
  e.sub('secret', withDefaultMode);
  e.sub('downwardAPI', (d) => {
    const de = new Edit(withDefaultMode(d));
    de.sub('items', (items) => mapCow(items, defaultDownwardAPIFile));
    return de.value;
  });
  e.sub('projected', withDefaultMode);
  e.sub('hostPath', (h) => (h.type != null ? h : withKey(h, 'type', '')));
  e.sub('iscsi', (i) => (i.iscsiInterface != null ? i : withKey(i, 'iscsiInterface', 'default')));
  e.sub('rbd', (r) => {
    const re = new Edit(r);
    re.def('pool', 'rbd');
    re.def('user', 'admin');
    re.def('keyring', '/etc/ceph/keyring');
    return re.value;
  });
  e.sub('ephemeral', (eph) => {
    const t = eph.volumeClaimTemplate;
    if (t == null) return eph;
    const spec = defaultPVCSpec(t.spec);
    return spec === t.spec ? eph : withKey(eph, 'volumeClaimTemplate', withKey(t, 'spec', spec as T.PersistentVolumeClaimSpec));
  });
  return e.value;
}

/** SetDefaults_PodSpec and everything below it. */
function defaultPodSpecFields(s: T.PodSpec): T.PodSpec {
  const e = new Edit(s);
  e.def('dnsPolicy', 'ClusterFirst');
  e.def('restartPolicy', 'Always');
  e.def('terminationGracePeriodSeconds', 30);
  e.def('schedulerName', 'default-scheduler');
  e.def('securityContext', EMPTY);
  e.def('enableServiceLinks', true);
  const hostNetwork = s.hostNetwork === true;
  e.sub('initContainers', (cs) => mapCow(cs, (c) => defaultContainer(c, hostNetwork)));
  e.sub('containers', (cs) => mapCow(cs, (c) => defaultContainer(c, hostNetwork)));
  e.sub('volumes', (vs) => mapCow(vs, defaultVolume));
  return e.value;
}

function defaultTemplate<X extends { readonly spec?: T.PodSpec | undefined }>(t: X): X {
  if (t.spec == null) return t;
  const spec = defaultPodSpecFields(t.spec);
  return spec === t.spec ? t : withKey(t, 'spec', spec);
}

/**
 * PodSpec defaults (restartPolicy, dnsPolicy, grace period, scheduler, container pull policy,
 * probes, ports, volumes, requests from limits…), the same for Pods and pod templates.
 *
 * @public
 */
export function defaultPodSpec(spec: T.PodSpec): T.PodSpec {
  return defaultPodSpecFields(spec);
}

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY_TOLERATION: T.Toleration = constant({ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
const UNREACHABLE_TOLERATION: T.Toleration = constant({ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
const POD_STATUS_PENDING: T.PodStatus = constant({ phase: 'Pending' });
const DEFAULT_TOLERATIONS: readonly T.Toleration[] = constant([NOT_READY_TOLERATION, UNREACHABLE_TOLERATION]);

function tolerates(ts: readonly T.Toleration[], key: string): boolean {
  return ts.some((t) => (t.effect === undefined || t.effect === '' || t.effect === 'NoExecute') && ((t.operator === 'Exists' && (t.key === undefined || t.key === '')) || t.key === key));
}

/** The tolerations with DefaultTolerationSeconds' two added when they are not tolerated yet. */
function withDefaultTolerations(ts: readonly T.Toleration[] | undefined): readonly T.Toleration[] {
  if (ts == null || ts.length === 0) return DEFAULT_TOLERATIONS;
  const notReady = !tolerates(ts, NOT_READY);
  const unreachable = !tolerates(ts, UNREACHABLE);
  if (!notReady && !unreachable) return ts;
  const out = ts.slice();
  if (notReady) out.push(NOT_READY_TOLERATION);
  if (unreachable) out.push(UNREACHABLE_TOLERATION);
  return out;
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
  if (pod.spec == null) return pod;
  const s = new Edit(defaultPodSpecFields(pod.spec));
  const tolerations = withDefaultTolerations(s.value.tolerations);
  if (tolerations !== s.value.tolerations) s.set('tolerations', tolerations);
  s.def('priority', 0);
  s.def('preemptionPolicy', 'PreemptLowerPriority');
  const e = new Edit(pod);
  if (s.value !== pod.spec) e.set('spec', s.value);
  if (pod.status == null) e.set('status', POD_STATUS_PENDING);
  else if (pod.status.phase == null) e.set('status', withKey(pod.status, 'phase', 'Pending'));
  return e.value;
}

/** PodTemplate: its template's PodSpec defaults. @public */
export function defaultPodTemplate(pt: T.PodTemplate): T.PodTemplate {
  if (pt.template == null) return pt;
  const template = defaultTemplate(pt.template);
  return template === pt.template ? pt : withKey(pt, 'template', template);
}

function isEmptyMap(m: object | undefined): boolean {
  return m === undefined || Object.keys(m).length === 0;
}

/** ReplicationController: replicas 1, selector and labels from the template, template defaults. @public */
export function defaultReplicationController(rc: T.ReplicationController): T.ReplicationController {
  if (rc.spec == null) return rc;
  const e = new Edit(rc);
  const s = new Edit(rc.spec);
  const labels = rc.spec.template?.metadata?.labels;
  if (labels !== undefined) {
    if (isEmptyMap(rc.spec.selector)) s.set('selector', copyOf(labels));
    if (isEmptyMap(rc.metadata.labels)) e.set('metadata', withKey(rc.metadata, 'labels', copyOf(labels)));
  }
  s.def('replicas', 1);
  s.sub('template', defaultTemplate);
  if (s.value !== rc.spec) e.set('spec', s.value);
  return e.value;
}

/** Deployment: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600. @public */
export function defaultDeployment(dep: T.Deployment): T.Deployment {
  if (dep.spec == null) return dep;
  const s = new Edit(dep.spec);
  s.def('replicas', 1);
  const st = new Edit(dep.spec.strategy ?? {});
  st.def('type', 'RollingUpdate');
  if (st.value.type === 'RollingUpdate') {
    const ru = new Edit(st.value.rollingUpdate ?? {});
    ru.def('maxUnavailable', '25%');
    ru.def('maxSurge', '25%');
    if (ru.value !== st.value.rollingUpdate) st.set('rollingUpdate', ru.value);
  }
  if (st.value !== dep.spec.strategy) s.set('strategy', st.value);
  s.def('revisionHistoryLimit', 10);
  s.def('progressDeadlineSeconds', 600);
  s.sub('template', defaultTemplate);
  return s.value === dep.spec ? dep : withKey(dep, 'spec', s.value);
}

/** ReplicaSet: replicas 1 and template defaults. @public */
export function defaultReplicaSet(rs: T.ReplicaSet): T.ReplicaSet {
  if (rs.spec == null) return rs;
  const s = new Edit(rs.spec);
  s.def('replicas', 1);
  s.sub('template', defaultTemplate);
  return s.value === rs.spec ? rs : withKey(rs, 'spec', s.value);
}

/** DaemonSet: RollingUpdate with maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10. @public */
export function defaultDaemonSet(ds: T.DaemonSet): T.DaemonSet {
  if (ds.spec == null) return ds;
  const s = new Edit(ds.spec);
  const us = new Edit(ds.spec.updateStrategy ?? {});
  us.def('type', 'RollingUpdate');
  if (us.value.type === 'RollingUpdate') {
    const ru = new Edit(us.value.rollingUpdate ?? {});
    ru.def('maxUnavailable', 1);
    ru.def('maxSurge', 0);
    if (ru.value !== us.value.rollingUpdate) us.set('rollingUpdate', ru.value);
  }
  if (us.value !== ds.spec.updateStrategy) s.set('updateStrategy', us.value);
  s.def('revisionHistoryLimit', 10);
  s.sub('template', defaultTemplate);
  return s.value === ds.spec ? ds : withKey(ds, 'spec', s.value);
}

function defaultPVCSpec(s: T.PersistentVolumeClaimSpec | undefined): T.PersistentVolumeClaimSpec | undefined {
  if (s == null || s.volumeMode != null) return s;
  return withKey(s, 'volumeMode', 'Filesystem');
}

/**
 * StatefulSet: replicas 1, OrderedReady, RollingUpdate partition 0, revisionHistoryLimit 10,
 * PVC retention Retain/Retain, claim templates' volumeMode Filesystem.
 *
 * @public
 */
export function defaultStatefulSet(sts: T.StatefulSet): T.StatefulSet {
  if (sts.spec == null) return sts;
  const s = new Edit(sts.spec);
  s.def('replicas', 1);
  s.def('podManagementPolicy', 'OrderedReady');
  const us = new Edit(sts.spec.updateStrategy ?? {});
  us.def('type', 'RollingUpdate');
  if (us.value.type === 'RollingUpdate') {
    const ru = new Edit(us.value.rollingUpdate ?? {});
    ru.def('partition', 0);
    if (ru.value !== us.value.rollingUpdate) us.set('rollingUpdate', ru.value);
  }
  if (us.value !== sts.spec.updateStrategy) s.set('updateStrategy', us.value);
  s.def('revisionHistoryLimit', 10);
  const rp = new Edit(sts.spec.persistentVolumeClaimRetentionPolicy ?? {});
  rp.def('whenDeleted', 'Retain');
  rp.def('whenScaled', 'Retain');
  if (rp.value !== sts.spec.persistentVolumeClaimRetentionPolicy) s.set('persistentVolumeClaimRetentionPolicy', rp.value);
  s.sub('volumeClaimTemplates', (pvcs) =>
    mapCow(pvcs, (pvc) => {
      const spec = defaultPVCSpec(pvc.spec ?? {});
      return spec === pvc.spec ? pvc : withKey(pvc, 'spec', spec);
    }),
  );
  s.sub('template', defaultTemplate);
  return s.value === sts.spec ? sts : withKey(sts, 'spec', s.value);
}

function defaultJobSpecFields(spec: T.JobSpec): T.JobSpec {
  const s = new Edit(spec);
  if (spec.completions == null && spec.parallelism == null) {
    s.set('completions', 1);
    s.set('parallelism', 1);
  }
  s.def('parallelism', 1);
  if (spec.backoffLimit == null) s.set('backoffLimit', spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6);
  s.def('completionMode', 'NonIndexed');
  s.def('suspend', false);
  if (spec.podReplacementPolicy == null) s.set('podReplacementPolicy', spec.podFailurePolicy !== undefined ? 'Failed' : 'TerminatingOrFailed');
  s.sub('template', defaultTemplate);
  return s.value;
}

/**
 * Job: completions and parallelism 1 when neither is set (parallelism 1 when unset),
 * backoffLimit 6, completionMode NonIndexed, suspend false, podReplacementPolicy; manualSelector
 * stays unset (selector generation is the registry's job, not defaulting).
 *
 * @public
 */
export function defaultJob(job: T.Job): T.Job {
  if (job.spec == null) return job;
  const spec = defaultJobSpecFields(job.spec);
  return spec === job.spec ? job : withKey(job, 'spec', spec);
}

/** CronJob: Allow, suspend false, history limits 3 and 1, and the job template's PodSpec defaults. @public */
export function defaultCronJob(cj: T.CronJob): T.CronJob {
  const s = new Edit(cj.spec);
  s.def('concurrencyPolicy', 'Allow');
  s.def('suspend', false);
  s.def('successfulJobsHistoryLimit', 3);
  s.def('failedJobsHistoryLimit', 1);
  s.sub('jobTemplate', (jt) => {
    if (jt.spec?.template == null) return jt;
    const template = defaultTemplate(jt.spec.template);
    return template === jt.spec.template ? jt : withKey(jt, 'spec', withKey(jt.spec, 'template', template));
  });
  return s.value === cj.spec ? cj : withKey(cj, 'spec', s.value);
}

function defaultServicePort(p: T.ServicePort): T.ServicePort {
  const needsTarget = p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '';
  if (p.protocol != null && !needsTarget) return p;
  const e = new Edit(p);
  e.def('protocol', 'TCP');
  if (needsTarget) e.set('targetPort', p.port);
  return e.value;
}

/**
 * Service: type ClusterIP, sessionAffinity None, port protocol TCP and targetPort = port,
 * internalTrafficPolicy Cluster, ipFamilyPolicy SingleStack, externalTrafficPolicy Cluster for
 * NodePort and LoadBalancer, allocateLoadBalancerNodePorts true for LoadBalancer.
 *
 * @public
 */
export function defaultService(svc: T.Service): T.Service {
  if (svc.spec == null) return svc;
  const s = new Edit(svc.spec);
  s.def('type', 'ClusterIP');
  s.def('sessionAffinity', 'None');
  if (s.value.sessionAffinity === 'ClientIP') {
    const sac = new Edit(s.value.sessionAffinityConfig ?? {});
    const cip = new Edit(sac.value.clientIP ?? {});
    cip.def('timeoutSeconds', 10800);
    if (cip.value !== sac.value.clientIP) sac.set('clientIP', cip.value);
    if (sac.value !== s.value.sessionAffinityConfig) s.set('sessionAffinityConfig', sac.value);
  }
  s.sub('ports', (ports) => mapCow(ports, defaultServicePort));
  const type = s.value.type;
  if (type === 'NodePort' || type === 'LoadBalancer') s.def('externalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') s.def('allocateLoadBalancerNodePorts', true);
  if (type !== 'ExternalName') {
    s.def('internalTrafficPolicy', 'Cluster');
    const headlessWithoutSelector = s.value.clusterIP === 'None' && Object.keys(s.value.selector ?? {}).length === 0;
    s.def('ipFamilyPolicy', headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack');
  }
  return s.value === svc.spec ? svc : withKey(svc, 'spec', s.value);
}

/** PersistentVolumeClaim: volumeMode Filesystem; status phase Pending. @public */
export function defaultPersistentVolumeClaim(pvc: T.PersistentVolumeClaim): T.PersistentVolumeClaim {
  const e = new Edit(pvc);
  const spec = defaultPVCSpec(pvc.spec ?? {});
  if (spec !== pvc.spec) e.set('spec', spec);
  if (pvc.status?.phase == null) e.set('status', withKey(pvc.status ?? {}, 'phase', 'Pending'));
  return e.value;
}

/** PersistentVolume: reclaim policy Retain, volumeMode Filesystem; status phase Pending. @public */
export function defaultPersistentVolume(pv: T.PersistentVolume): T.PersistentVolume {
  const e = new Edit(pv);
  const s = new Edit(pv.spec ?? {});
  s.def('persistentVolumeReclaimPolicy', 'Retain');
  s.def('volumeMode', 'Filesystem');
  if (s.value !== pv.spec) e.set('spec', s.value);
  if (pv.status?.phase == null) e.set('status', withKey(pv.status ?? {}, 'phase', 'Pending'));
  return e.value;
}

/**
 * Namespace: the `kubernetes.io/metadata.name` label, spec finalizers `["kubernetes"]`, status
 * phase Active.
 *
 * @public
 */
export function defaultNamespace(ns: T.Namespace): T.Namespace {
  const e = new Edit(ns);
  const name = ns.metadata.name;
  if (name !== undefined && name !== '' && ns.metadata.labels?.['kubernetes.io/metadata.name'] !== name) {
    e.set('metadata', withKey(ns.metadata, 'labels', withKey<{ readonly [k: string]: string }, string>(ns.metadata.labels ?? {}, 'kubernetes.io/metadata.name', name)));
  }
  if (ns.spec?.finalizers == null) e.set('spec', withKey(ns.spec ?? {}, 'finalizers', ['kubernetes']));
  if (ns.status?.phase == null) e.set('status', withKey(ns.status ?? {}, 'phase', 'Active'));
  return e.value;
}

/** Secret: type Opaque; `stringData` is merged into `data` (base64) and removed. @public */
export function defaultSecret(secret: T.Secret): T.Secret {
  const e = new Edit(secret);
  e.def('type', 'Opaque');
  if (secret.stringData !== undefined) {
    const data: { [key: string]: string } = copyOf(secret.data ?? {});
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
    e.set('data', data);
    const out = {} as Writable<T.Secret>;
    for (const k of Object.keys(e.value) as (keyof T.Secret)[]) if (k !== 'stringData') (out as Record<string, unknown>)[k] = e.value[k];
    return out;
  }
  return e.value;
}

/** Node: status allocatable defaults to capacity. @public */
export function defaultNode(node: T.Node): T.Node {
  const st = node.status;
  if (st?.capacity === undefined || st.allocatable !== undefined) return node;
  return withKey(node, 'status', withKey(st, 'allocatable', copyOf(st.capacity)));
}

function defaultProtocol<X extends { readonly protocol?: string | undefined }>(p: X): X {
  return p.protocol != null ? p : withKey(p, 'protocol', 'TCP');
}

/** Endpoints: port protocol TCP. @public */
export function defaultEndpoints(ep: T.Endpoints): T.Endpoints {
  if (ep.subsets == null) return ep;
  const subsets = mapCow(ep.subsets, (ss) => {
    if (ss.ports == null) return ss;
    const ports = mapCow(ss.ports, defaultProtocol);
    return ports === ss.ports ? ss : withKey(ss, 'ports', ports);
  });
  return subsets === ep.subsets ? ep : withKey(ep, 'subsets', subsets);
}

/** EndpointSlice: port protocol TCP and name "". @public */
export function defaultEndpointSlice(es: T.EndpointSlice): T.EndpointSlice {
  if (es.ports == null) return es;
  const ports = mapCow(es.ports, (p) => {
    if (p.protocol != null && p.name != null) return p;
    const e = new Edit(p);
    e.def('protocol', 'TCP');
    e.def('name', '');
    return e.value;
  });
  return ports === es.ports ? es : withKey(es, 'ports', ports);
}

/** HorizontalPodAutoscaler (autoscaling/v2): minReplicas 1, and cpu at 80% utilization when no metric is given. @public */
export function defaultHorizontalPodAutoscaler(hpa: T.HorizontalPodAutoscaler): T.HorizontalPodAutoscaler {
  const s = new Edit(hpa.spec);
  s.def('minReplicas', 1);
  if (hpa.spec.metrics === undefined || hpa.spec.metrics.length === 0) {
    s.set('metrics', [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  }
  return s.value === hpa.spec ? hpa : withKey(hpa, 'spec', s.value);
}

/** PriorityClass: preemptionPolicy PreemptLowerPriority. @public */
export function defaultPriorityClass(pc: T.PriorityClass): T.PriorityClass {
  return pc.preemptionPolicy != null ? pc : withKey(pc, 'preemptionPolicy', 'PreemptLowerPriority');
}

/** StorageClass: reclaimPolicy Delete, volumeBindingMode Immediate. @public */
export function defaultStorageClass(sc: T.StorageClass): T.StorageClass {
  const e = new Edit(sc);
  e.def('reclaimPolicy', 'Delete');
  e.def('volumeBindingMode', 'Immediate');
  return e.value;
}

/** PodDisruptionBudget: unhealthyPodEvictionPolicy is left unset, as policy/v1 does. @public */
export function defaultPodDisruptionBudget(pdb: T.PodDisruptionBudget): T.PodDisruptionBudget {
  return pdb;
}
