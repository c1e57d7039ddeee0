import type * as T from './generated/types.js';
import type { KubeObject, PrinterColumn } from './resource.js';

/**
 * A duration as kubectl prints ages ("5s", "3m2s", "4h", "2d3h", "1y30d"), following
 * apimachinery's HumanDuration.
 *
 * @public
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const d = Math.floor(hours / 24) % 365;
    return d === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(o: KubeObject, now: number): string {
  const ts = o.metadata.creationTimestamp;
  return ts === undefined ? '<unknown>' : humanDuration(now - Date.parse(ts));
}
function since(ts: string | undefined, now: number): string {
  return ts === undefined ? '<none>' : humanDuration(now - Date.parse(ts));
}

const NAME: PrinterColumn<KubeObject> = { name: 'Name', type: 'string', format: 'name', priority: 0, value: (o) => o.metadata.name ?? '' };
const AGE: PrinterColumn<KubeObject> = { name: 'Age', type: 'string', priority: 0, value: age };

function col<X>(name: string, value: (o: X, now: number) => string | number | boolean | undefined, priority: 0 | 1 = 0, type: PrinterColumn<X>['type'] = 'string'): PrinterColumn<X> {
  return { name, type, priority, value };
}

function containers(spec: T.PodSpec | undefined): readonly T.Container[] {
  return spec?.containers ?? [];
}
const CONTAINERS = <X>(get: (o: X) => T.PodSpec | undefined): PrinterColumn<X> => col('Containers', (o: X) => containers(get(o)).map((c) => c.name).join(','), 1);
const IMAGES = <X>(get: (o: X) => T.PodSpec | undefined): PrinterColumn<X> => col('Images', (o: X) => containers(get(o)).map((c) => c.image ?? '').join(','), 1);

/** `app=web,tier in (a,b)` as kubectl prints a LabelSelector. */
function selectorString(s: T.LabelSelector | undefined): string {
  if (s === undefined) return '<none>';
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
}
function mapString(m: { readonly [k: string]: string } | undefined): string {
  const e = Object.entries(m ?? {});
  return e.length === 0 ? '<none>' : e.map(([k, v]) => `${k}=${v}`).join(',');
}

/** The STATUS kubectl shows for a pod (pkg/printers' printPod rules). @public */
export function podStatusReason(pod: T.Pod): string {
  const status = pod.status;
  let reason = status?.reason ?? status?.phase ?? 'Pending';
  const init = pod.spec?.initContainers ?? [];
  let initializing = false;
  const initStatuses = status?.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i] as T.ContainerStatus;
    const term = c.state?.terminated;
    if (term !== undefined && term.exitCode === 0) continue;
    if (init[i]?.restartPolicy === 'Always' && c.started === true) continue;
    if (term !== undefined) reason = term.reason !== undefined && term.reason !== '' ? `Init:${term.reason}` : term.signal !== undefined && term.signal !== 0 ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    else if (c.state?.waiting?.reason !== undefined && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${init.length}`;
    initializing = true;
    break;
  }
  if (!initializing) {
    let hasRunning = false;
    const statuses = status?.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i] as T.ContainerStatus;
      const w = c.state?.waiting;
      const term = c.state?.terminated;
      if (w?.reason !== undefined && w.reason !== '') reason = w.reason;
      else if (term !== undefined) reason = term.reason !== undefined && term.reason !== '' ? term.reason : term.signal !== undefined && term.signal !== 0 ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready === true && c.state?.running !== undefined) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = (status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = ready ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp !== undefined) reason = status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function podReady(pod: T.Pod): string {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = containers(pod.spec).length;
  return `${statuses.filter((c) => c.ready).length}/${total}`;
}

function podRestarts(pod: T.Pod, now: number): string {
  let restarts = 0;
  let last: number | undefined;
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    restarts += c.restartCount;
    const finished = c.lastState?.terminated?.finishedAt;
    if (finished !== undefined) {
      const t = Date.parse(finished);
      if (last === undefined || t > last) last = t;
    }
  }
  return last === undefined || restarts === 0 ? String(restarts) : `${restarts} (${humanDuration(now - last)} ago)`;
}

function servicePorts(svc: T.Service): string {
  const ports = svc.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort !== undefined ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function externalIP(svc: T.Service): string {
  const type = svc.spec?.type ?? 'ClusterIP';
  const ips = svc.spec?.externalIPs ?? [];
  if (type === 'ExternalName') return svc.spec?.externalName ?? '<none>';
  if (type === 'LoadBalancer') {
    const ing = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '');
    const all = [...ing, ...ips];
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  return ips.length > 0 ? ips.join(',') : '<none>';
}

function nodeStatus(node: T.Node): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  let s = ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown';
  if (node.spec?.unschedulable === true) s += ',SchedulingDisabled';
  return s;
}

function nodeRoles(node: T.Node): string {
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter((r) => r !== '');
  return roles.length === 0 ? '<none>' : roles.sort().join(',');
}

function nodeAddress(node: T.Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

function accessModes(modes: readonly string[] | undefined): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return (modes ?? []).map((m) => short[m] ?? m).join(',');
}

function jobStatus(job: T.Job): string {
  const conds = job.status?.conditions ?? [];
  const has = (type: string): boolean => conds.some((c) => c.type === type && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (job.spec?.suspend === true) return 'Suspended';
  return 'Running';
}

function jobDuration(job: T.Job, now: number): string {
  const start = job.status?.startTime;
  if (start === undefined) return '';
  const end = job.status?.completionTime;
  return humanDuration((end !== undefined ? Date.parse(end) : now) - Date.parse(start));
}

function columns<X extends KubeObject>(...cols: PrinterColumn<X>[]): readonly PrinterColumn<KubeObject>[] {
  // Each table is used only for its own kind (the registry looks it up by group/Kind).
  return [NAME, ...(cols as unknown as PrinterColumn<KubeObject>[]), AGE];
}
function columnsAgeInside<X extends KubeObject>(...cols: PrinterColumn<X>[]): readonly PrinterColumn<KubeObject>[] {
  return [NAME, ...(cols as unknown as PrinterColumn<KubeObject>[])];
}

/**
 * `kubectl get` columns of built-in kinds, keyed by `group/Kind`, as Kubernetes' printers
 * define them (priority 1 columns show only with `-o wide`). Kinds not listed print NAME
 * and AGE.
 *
 * @internal
 */
export const builtinPrinterColumns: { readonly [groupKind: string]: readonly PrinterColumn<KubeObject>[] } = {
  '/Pod': columnsAgeInside<T.Pod>(
    col('Ready', podReady),
    col('Status', podStatusReason),
    col('Restarts', podRestarts),
    AGE as unknown as PrinterColumn<T.Pod>,
    col('IP', (p) => p.status?.podIP ?? '<none>', 1),
    col('Node', (p) => p.spec?.nodeName ?? '<none>', 1),
    col('Nominated Node', (p) => p.status?.nominatedNodeName ?? '<none>', 1),
    col('Readiness Gates', (p) => {
      const gates = p.spec?.readinessGates ?? [];
      if (gates.length === 0) return '<none>';
      const ok = gates.filter((g) => (p.status?.conditions ?? []).some((c) => c.type === g.conditionType && c.status === 'True')).length;
      return `${ok}/${gates.length}`;
    }, 1),
  ),
  'apps/Deployment': columns<T.Deployment>(
    col('Ready', (d) => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`),
    col('Up-to-date', (d) => d.status?.updatedReplicas ?? 0, 0, 'integer'),
    col('Available', (d) => d.status?.availableReplicas ?? 0, 0, 'integer'),
    CONTAINERS((d) => d.spec?.template.spec),
    IMAGES((d) => d.spec?.template.spec),
    col('Selector', (d) => selectorString(d.spec?.selector), 1),
  ),
  'apps/ReplicaSet': columns<T.ReplicaSet>(
    col('Desired', (r) => r.spec?.replicas ?? 1, 0, 'integer'),
    col('Current', (r) => r.status?.replicas ?? 0, 0, 'integer'),
    col('Ready', (r) => r.status?.readyReplicas ?? 0, 0, 'integer'),
    CONTAINERS((r) => r.spec?.template?.spec),
    IMAGES((r) => r.spec?.template?.spec),
    col('Selector', (r) => selectorString(r.spec?.selector), 1),
  ),
  'apps/StatefulSet': columns<T.StatefulSet>(
    col('Ready', (s) => `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`),
    CONTAINERS((s) => s.spec?.template.spec),
    IMAGES((s) => s.spec?.template.spec),
  ),
  'apps/DaemonSet': columns<T.DaemonSet>(
    col('Desired', (d) => d.status?.desiredNumberScheduled ?? 0, 0, 'integer'),
    col('Current', (d) => d.status?.currentNumberScheduled ?? 0, 0, 'integer'),
    col('Ready', (d) => d.status?.numberReady ?? 0, 0, 'integer'),
    col('Up-to-date', (d) => d.status?.updatedNumberScheduled ?? 0, 0, 'integer'),
    col('Available', (d) => d.status?.numberAvailable ?? 0, 0, 'integer'),
    col('Node Selector', (d) => mapString(d.spec?.template.spec?.nodeSelector)),
    CONTAINERS((d) => d.spec?.template.spec),
    IMAGES((d) => d.spec?.template.spec),
    col('Selector', (d) => selectorString(d.spec?.selector), 1),
  ),
  'apps/ControllerRevision': columns<T.ControllerRevision>(
    col('Controller', (r) => {
      const o = (r.metadata.ownerReferences ?? []).find((x) => x.controller === true);
      return o === undefined ? '<none>' : `${o.kind.toLowerCase()}.${o.apiVersion.split('/')[0]}/${o.name}`;
    }),
    col('Revision', (r) => r.revision, 0, 'integer'),
  ),
  'batch/Job': columns<T.Job>(
    col('Status', jobStatus),
    col('Completions', (j) => `${j.status?.succeeded ?? 0}/${j.spec?.completions ?? 1}`),
    col('Duration', jobDuration),
    CONTAINERS((j) => j.spec?.template.spec),
    IMAGES((j) => j.spec?.template.spec),
    col('Selector', (j) => selectorString(j.spec?.selector), 1),
  ),
  'batch/CronJob': columns<T.CronJob>(
    col('Schedule', (c) => c.spec?.schedule ?? ''),
    col('Timezone', (c) => c.spec?.timeZone ?? '<none>'),
    col('Suspend', (c) => (c.spec?.suspend === true ? 'True' : 'False')),
    col('Active', (c) => (c.status?.active ?? []).length, 0, 'integer'),
    col('Last Schedule', (c, now) => since(c.status?.lastScheduleTime, now)),
    CONTAINERS((c) => c.spec?.jobTemplate.spec?.template.spec),
    IMAGES((c) => c.spec?.jobTemplate.spec?.template.spec),
  ),
  '/Service': columns<T.Service>(
    col('Type', (s) => s.spec?.type ?? 'ClusterIP'),
    col('Cluster-IP', (s) => s.spec?.clusterIP ?? '<none>'),
    col('External-IP', externalIP),
    col('Port(s)', servicePorts),
    col('Selector', (s) => mapString(s.spec?.selector), 1),
  ),
  '/Endpoints': columns<T.Endpoints>(
    col('Endpoints', (e) => {
      const list: string[] = [];
      for (const s of e.subsets ?? []) for (const a of s.addresses ?? []) for (const p of s.ports ?? [{ port: 0 }]) list.push(p.port === 0 ? a.ip : `${a.ip}:${p.port}`);
      if (list.length === 0) return '<none>';
      return list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',');
    }),
  ),
  '/Node': columnsAgeInside<T.Node>(
    col('Status', nodeStatus),
    col('Roles', nodeRoles),
    AGE as unknown as PrinterColumn<T.Node>,
    col('Version', (n) => n.status?.nodeInfo?.kubeletVersion ?? ''),
    col('Internal-IP', (n) => nodeAddress(n, 'InternalIP'), 1),
    col('External-IP', (n) => nodeAddress(n, 'ExternalIP'), 1),
    col('OS-Image', (n) => n.status?.nodeInfo?.osImage ?? '<unknown>', 1),
    col('Kernel-Version', (n) => n.status?.nodeInfo?.kernelVersion ?? '<unknown>', 1),
    col('Container-Runtime', (n) => n.status?.nodeInfo?.containerRuntimeVersion ?? '<unknown>', 1),
  ),
  '/Namespace': columns<T.Namespace>(col('Status', (n) => n.status?.phase ?? 'Active')),
  '/ConfigMap': columns<T.ConfigMap>(col('Data', (c) => Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length, 0, 'integer')),
  '/Secret': columns<T.Secret>(col('Type', (s) => s.type ?? 'Opaque'), col('Data', (s) => Object.keys(s.data ?? {}).length, 0, 'integer')),
  '/ServiceAccount': columns<T.ServiceAccount>(),
  '/Event': [
    col<T.Event>('Last Seen', (e, now) => since(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp, now)) as unknown as PrinterColumn<KubeObject>,
    col<T.Event>('Type', (e) => e.type ?? '') as unknown as PrinterColumn<KubeObject>,
    col<T.Event>('Reason', (e) => e.reason ?? '') as unknown as PrinterColumn<KubeObject>,
    col<T.Event>('Object', (e) => `${(e.involvedObject.kind ?? '').toLowerCase()}/${e.involvedObject.name ?? ''}`) as unknown as PrinterColumn<KubeObject>,
    col<T.Event>('Message', (e) => (e.message ?? '').trim()) as unknown as PrinterColumn<KubeObject>,
    col<T.Event>('Count', (e) => e.count ?? 1, 1, 'integer') as unknown as PrinterColumn<KubeObject>,
    { ...NAME, priority: 1 },
  ],
  '/PersistentVolume': columns<T.PersistentVolume>(
    col('Capacity', (p) => p.spec?.capacity?.['storage'] ?? ''),
    col('Access Modes', (p) => accessModes(p.spec?.accessModes)),
    col('Reclaim Policy', (p) => p.spec?.persistentVolumeReclaimPolicy ?? ''),
    col('Status', (p) => p.status?.phase ?? ''),
    col('Claim', (p) => (p.spec?.claimRef === undefined ? '' : `${p.spec.claimRef.namespace ?? ''}/${p.spec.claimRef.name ?? ''}`)),
    col('StorageClass', (p) => p.spec?.storageClassName ?? ''),
    col('VolumeAttributesClass', (p) => p.spec?.volumeAttributesClassName ?? '<unset>'),
    col('Reason', (p) => p.status?.reason ?? ''),
  ),
  '/PersistentVolumeClaim': columns<T.PersistentVolumeClaim>(
    col('Status', (p) => p.status?.phase ?? ''),
    col('Volume', (p) => p.spec?.volumeName ?? ''),
    col('Capacity', (p) => p.status?.capacity?.['storage'] ?? ''),
    col('Access Modes', (p) => accessModes(p.status?.accessModes)),
    col('StorageClass', (p) => p.spec?.storageClassName ?? ''),
    col('VolumeAttributesClass', (p) => p.spec?.volumeAttributesClassName ?? '<unset>'),
  ),
  'networking.k8s.io/Ingress': columns<T.Ingress>(
    col('Class', (i) => i.spec?.ingressClassName ?? '<none>'),
    col('Hosts', (i) => {
      const hosts = (i.spec?.rules ?? []).map((r) => r.host ?? '*');
      return hosts.length === 0 ? '*' : hosts.join(',');
    }),
    col('Address', (i) => (i.status?.loadBalancer?.ingress ?? []).map((x) => x.ip ?? x.hostname ?? '').join(',')),
    col('Ports', (i) => ((i.spec?.tls ?? []).length > 0 ? '80, 443' : '80')),
  ),
  'autoscaling/HorizontalPodAutoscaler': columns<T.HorizontalPodAutoscaler>(
    col('Reference', (h) => `${h.spec?.scaleTargetRef.kind ?? ''}/${h.spec?.scaleTargetRef.name ?? ''}`),
    col('Targets', (h) => {
      const metrics = h.spec?.metrics ?? [];
      if (metrics.length === 0) return '<none>';
      return metrics
        .map((m, i) => {
          const cur = h.status?.currentMetrics?.[i]?.resource?.current.averageUtilization;
          const want = m.resource?.target.averageUtilization;
          return m.type === 'Resource' && want !== undefined ? `${m.resource?.name}: ${cur === undefined ? '<unknown>' : `${cur}%`}/${want}%` : '<unknown>';
        })
        .join(', ');
    }),
    col('MinPods', (h) => h.spec?.minReplicas ?? 1, 0, 'integer'),
    col('MaxPods', (h) => h.spec?.maxReplicas ?? 0, 0, 'integer'),
    col('Replicas', (h) => h.status?.currentReplicas ?? 0, 0, 'integer'),
  ),
  'coordination.k8s.io/Lease': columns<T.Lease>(col('Holder', (l) => l.spec?.holderIdentity ?? '')),
  'storage.k8s.io/StorageClass': columns<T.StorageClass>(
    col('Provisioner', (s) => s.provisioner),
    col('ReclaimPolicy', (s) => s.reclaimPolicy ?? 'Delete'),
    col('VolumeBindingMode', (s) => s.volumeBindingMode ?? 'Immediate'),
    col('AllowVolumeExpansion', (s) => s.allowVolumeExpansion === true, 0, 'boolean'),
  ),
  'scheduling.k8s.io/PriorityClass': columns<T.PriorityClass>(
    col('Value', (p) => p.value, 0, 'integer'),
    col('Global-Default', (p) => p.globalDefault === true, 0, 'boolean'),
    col('PreemptionPolicy', (p) => p.preemptionPolicy ?? 'PreemptLowerPriority'),
  ),
  'policy/PodDisruptionBudget': columns<T.PodDisruptionBudget>(
    col('Min Available', (p) => (p.spec?.minAvailable === undefined ? 'N/A' : String(p.spec.minAvailable))),
    col('Max Unavailable', (p) => (p.spec?.maxUnavailable === undefined ? 'N/A' : String(p.spec.maxUnavailable))),
    col('Allowed Disruptions', (p) => p.status?.disruptionsAllowed ?? 0, 0, 'integer'),
  ),
  'rbac.authorization.k8s.io/RoleBinding': columns<T.RoleBinding>(
    col('Role', (b) => `${b.roleRef.kind}/${b.roleRef.name}`),
    col('Users', (b) => (b.subjects ?? []).filter((s) => s.kind === 'User').map((s) => s.name).join(', '), 1),
    col('Groups', (b) => (b.subjects ?? []).filter((s) => s.kind === 'Group').map((s) => s.name).join(', '), 1),
    col('ServiceAccounts', (b) => (b.subjects ?? []).filter((s) => s.kind === 'ServiceAccount').map((s) => `${s.namespace ?? ''}/${s.name}`).join(', '), 1),
  ),
  'rbac.authorization.k8s.io/ClusterRoleBinding': columns<T.ClusterRoleBinding>(
    col('Role', (b) => `${b.roleRef.kind}/${b.roleRef.name}`),
    col('Users', (b) => (b.subjects ?? []).filter((s) => s.kind === 'User').map((s) => s.name).join(', '), 1),
    col('Groups', (b) => (b.subjects ?? []).filter((s) => s.kind === 'Group').map((s) => s.name).join(', '), 1),
    col('ServiceAccounts', (b) => (b.subjects ?? []).filter((s) => s.kind === 'ServiceAccount').map((s) => `${s.namespace ?? ''}/${s.name}`).join(', '), 1),
  ),
  'discovery.k8s.io/EndpointSlice': columns<T.EndpointSlice>(
    col('AddressType', (e) => e.addressType),
    col('Ports', (e) => ((e.ports ?? []).length === 0 ? '<unset>' : (e.ports ?? []).map((p) => String(p.port ?? '')).join(','))),
    col('Endpoints', (e) => {
      const a = (e.endpoints ?? []).flatMap((x) => x.addresses);
      if (a.length === 0) return '<unset>';
      return a.length > 3 ? `${a.slice(0, 3).join(',')} + ${a.length - 3} more...` : a.join(',');
    }),
  ),
  'networking.k8s.io/IngressClass': columns<T.IngressClass>(col('Controller', (i) => i.spec?.controller ?? '')),
  'networking.k8s.io/NetworkPolicy': columns<T.NetworkPolicy>(col('Pod-Selector', (n) => selectorString(n.spec?.podSelector))),
};
