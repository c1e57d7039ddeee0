import test from 'ava';
import * as K from '../../../src/api/generated/kinds.js';
import type { KubeObject, ResourceType } from '../../../src/api/resource.js';

type Obj = Record<string, unknown>;
const meta = (name = 'x', extra: Obj = {}): Obj => ({ name, ...extra });
const ctr = (extra: Obj = {}): Obj => ({ name: 'c', image: 'nginx:1.27', ...extra });
const pod = (spec: Obj, m: Obj = meta()): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: m, spec: { containers: [ctr()], ...spec } });
const tpl = (spec: Obj = {}, labels: Obj = { app: 'a' }): Obj => ({ metadata: { labels }, spec: { containers: [ctr()], ...spec } });
const deploy = (spec: Obj): Obj => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(), spec: { selector: { matchLabels: { app: 'a' } }, template: tpl(), ...spec } });
const sts = (spec: Obj): Obj => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta(), spec: { selector: { matchLabels: { app: 'a' } }, template: tpl(), ...spec } });
const ds = (spec: Obj): Obj => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(), spec: { selector: { matchLabels: { app: 'a' } }, template: tpl(), ...spec } });
const job = (spec: Obj, tspec: Obj = { restartPolicy: 'Never' }): Obj => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta(), spec: { template: tpl(tspec), ...spec } });
const cron = (spec: Obj): Obj => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta(), spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: tpl({ restartPolicy: 'OnFailure' }) } }, ...spec } });
const svc = (spec: Obj, m: Obj = meta('web')): Obj => ({ apiVersion: 'v1', kind: 'Service', metadata: m, spec: { ports: [{ port: 80 }], selector: { app: 'a' }, ...spec } });
const ing = (rules: unknown[]): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta(), spec: { rules } });
const rule = (host: string, path: Obj = {}): Obj => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } }, ...path }] } });
const pvc = (spec: Obj): Obj => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta(), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } });
const hpa = (spec: Obj): Obj => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta(), spec: { maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'd', apiVersion: 'apps/v1' }, ...spec } });

interface Case {
  readonly name: string;
  readonly type: ResourceType;
  readonly obj: Obj;
  readonly old?: Obj;
  /** undefined: valid; otherwise the path of an expected error and a pattern its message matches. */
  readonly error?: readonly [string, RegExp];
}

const R = (x: unknown): ResourceType => x as ResourceType;
const cases: Case[] = [
  // ObjectMeta
  { name: 'a pod with a DNS-1123 subdomain name is valid', type: R(K.Pod), obj: pod({}, meta('web-1.a')) },
  { name: 'a pod named with capitals is rejected at metadata.name', type: R(K.Pod), obj: pod({}, meta('Web')), error: ['metadata.name', /RFC 1123 subdomain/] },
  { name: 'an object without name or generateName is rejected', type: R(K.Pod), obj: pod({}, {}), error: ['metadata.name', /^Required value: name or generateName is required/] },
  { name: 'a generateName ending in a dash is accepted', type: R(K.Pod), obj: pod({}, { generateName: 'web-' }) },
  { name: 'a namespace that is not a DNS label is rejected', type: R(K.Pod), obj: pod({}, meta('a', { namespace: 'Bad_NS' })), error: ['metadata.namespace', /RFC 1123 label/] },
  { name: 'a namespace on a cluster-scoped kind is forbidden', type: R(K.Namespace), obj: { apiVersion: 'v1', kind: 'Namespace', metadata: meta('a', { namespace: 'b' }) }, error: ['metadata.namespace', /^Forbidden/] },
  { name: 'a namespace named with a dot is rejected (DNS-1123 label)', type: R(K.Namespace), obj: { apiVersion: 'v1', kind: 'Namespace', metadata: meta('a.b') }, error: ['metadata.name', /RFC 1123 label/] },
  { name: 'a service name must start with a letter (DNS-1035)', type: R(K.Service), obj: svc({}, meta('1web')), error: ['metadata.name', /DNS-1035/] },
  { name: 'a label key with two slashes is rejected', type: R(K.Pod), obj: pod({}, meta('a', { labels: { 'a/b/c': 'x' } })), error: ['metadata.labels', /qualified name/] },
  { name: 'a label value with spaces is rejected at its key', type: R(K.Pod), obj: pod({}, meta('a', { labels: { app: 'a b' } })), error: ['metadata.labels.app', /label value/] },
  { name: 'annotations over 256 KiB are rejected', type: R(K.Pod), obj: pod({}, meta('a', { annotations: { big: 'x'.repeat(262145) } })), error: ['metadata.annotations', /262144 bytes/] },
  { name: 'two controller owner references are rejected', type: R(K.Pod), obj: pod({}, meta('a', { ownerReferences: [1, 2].map((i) => ({ apiVersion: 'v1', kind: 'K', name: `o${i}`, uid: `u${i}`, controller: true })) })), error: ['metadata.ownerReferences', /Only one reference can have Controller/] },
  { name: 'an owner reference without uid is rejected', type: R(K.Pod), obj: pod({}, meta('a', { ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'o', uid: '' }] })), error: ['metadata.ownerReferences[0].uid', /Required/] },
  { name: 'a finalizer that is not fully qualified is rejected', type: R(K.Pod), obj: pod({}, meta('a', { finalizers: ['cleanup'] })), error: ['metadata.finalizers[0]', /fully qualified/] },
  { name: 'a fully qualified finalizer is accepted', type: R(K.Pod), obj: pod({}, meta('a', { finalizers: ['example.com/cleanup'] })) },
  // Pod
  { name: 'a pod without containers is rejected', type: R(K.Pod), obj: pod({ containers: [] }), error: ['spec.containers', /^Required value/] },
  { name: 'container names must be unique across init and app containers', type: R(K.Pod), obj: pod({ initContainers: [ctr()] }), error: ['spec.containers[0].name', /^Duplicate value: "c"/] },
  { name: 'a container name with an underscore is rejected', type: R(K.Pod), obj: pod({ containers: [ctr({ name: 'my_c' })] }), error: ['spec.containers[0].name', /RFC 1123 label/] },
  { name: 'a container without image is rejected', type: R(K.Pod), obj: pod({ containers: [{ name: 'c' }] }), error: ['spec.containers[0].image', /^Required value/] },
  { name: 'a container port of 0 is rejected', type: R(K.Pod), obj: pod({ containers: [ctr({ ports: [{ containerPort: 0 }] })] }), error: ['spec.containers[0].ports[0].containerPort', /between 1 and 65535/] },
  { name: 'duplicate container port names are rejected', type: R(K.Pod), obj: pod({ containers: [ctr({ ports: [{ name: 'web', containerPort: 80 }, { name: 'web', containerPort: 81 }] })] }), error: ['spec.containers[0].ports[1].name', /^Duplicate/] },
  { name: 'an unknown port protocol is rejected with the supported values', type: R(K.Pod), obj: pod({ containers: [ctr({ ports: [{ containerPort: 80, protocol: 'HTTP' }] })] }), error: ['spec.containers[0].ports[0].protocol', /Unsupported value: "HTTP": supported values: "TCP", "UDP", "SCTP"/] },
  { name: 'an env var name with = is rejected', type: R(K.Pod), obj: pod({ containers: [ctr({ env: [{ name: 'A=B', value: '1' }] })] }), error: ['spec.containers[0].env[0].name', /environment variable name/] },
  { name: 'a volume mount must name a volume', type: R(K.Pod), obj: pod({ containers: [ctr({ volumeMounts: [{ name: 'data', mountPath: '/d' }] })] }), error: ['spec.containers[0].volumeMounts[0].name', /^Not found: "data"/] },
  { name: 'a volume mount naming a volume is accepted', type: R(K.Pod), obj: pod({ volumes: [{ name: 'data', emptyDir: {} }], containers: [ctr({ volumeMounts: [{ name: 'data', mountPath: '/d' }] })] }) },
  { name: 'duplicate volume names are rejected', type: R(K.Pod), obj: pod({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }] }), error: ['spec.volumes[1].name', /^Duplicate/] },
  { name: 'a volume with two sources is rejected', type: R(K.Pod), obj: pod({ volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }] }), error: ['spec.volumes[0].hostPath', /more than 1 volume type/] },
  { name: 'requests equal to limits are accepted', type: R(K.Pod), obj: pod({ containers: [ctr({ resources: { requests: { memory: '1Gi' }, limits: { memory: '1024Mi' } } })] }) },
  { name: 'a memory request above its limit is rejected', type: R(K.Pod), obj: pod({ containers: [ctr({ resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } })] }), error: ['spec.containers[0].resources.requests.memory', /^Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi$/] },
  { name: 'a probe with two handlers is rejected', type: R(K.Pod), obj: pod({ containers: [ctr({ readinessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } })] }), error: ['spec.containers[0].readinessProbe.tcpSocket', /more than 1 handler type/] },
  { name: 'a probe with no handler is rejected', type: R(K.Pod), obj: pod({ containers: [ctr({ readinessProbe: { periodSeconds: 5 } })] }), error: ['spec.containers[0].readinessProbe', /must specify a handler type/] },
  { name: 'an unknown pod restartPolicy is rejected', type: R(K.Pod), obj: pod({ restartPolicy: 'Sometimes' }), error: ['spec.restartPolicy', /Unsupported value: "Sometimes"/] },
  { name: 'restartPolicy on a regular container is forbidden', type: R(K.Pod), obj: pod({ containers: [ctr({ restartPolicy: 'Always' })] }), error: ['spec.containers[0].restartPolicy', /^Forbidden: may not be set for non-init containers/] },
  { name: 'an init container with restartPolicy Always is a valid sidecar', type: R(K.Pod), obj: pod({ initContainers: [ctr({ name: 'side', restartPolicy: 'Always' })] }) },
  { name: 'an init container with restartPolicy Never is rejected', type: R(K.Pod), obj: pod({ initContainers: [ctr({ name: 'i', restartPolicy: 'Never' })] }), error: ['spec.initContainers[0].restartPolicy', /supported values: "Always"/] },
  { name: 'an unknown dnsPolicy is rejected', type: R(K.Pod), obj: pod({ dnsPolicy: 'Google' }), error: ['spec.dnsPolicy', /Unsupported value/] },
  { name: 'a toleration with Exists and a value is rejected', type: R(K.Pod), obj: pod({ tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] }), error: ['spec.tolerations[0].operator', /value must be empty/] },
  { name: 'tolerationSeconds without NoExecute is rejected', type: R(K.Pod), obj: pod({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }] }), error: ['spec.tolerations[0].effect', /NoExecute/] },
  { name: 'an invalid nodeSelector key is rejected', type: R(K.Pod), obj: pod({ nodeSelector: { '-bad': 'x' } }), error: ['spec.nodeSelector', /qualified name|name part/] },
  { name: 'node affinity with an empty term list is rejected', type: R(K.Pod), obj: pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }), error: ['spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms', /Required/] },
  { name: 'a pod affinity term without topologyKey is rejected', type: R(K.Pod), obj: pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: '', labelSelector: { matchLabels: { a: 'b' } } }] } } }), error: ['spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey', /Required/] },
  // Pod updates
  { name: 'changing a pod container image on update is allowed', type: R(K.Pod), old: pod({}), obj: pod({ containers: [ctr({ image: 'nginx:1.28' })] }) },
  { name: 'adding a toleration on update is allowed', type: R(K.Pod), old: pod({}), obj: pod({ tolerations: [{ key: 'k', operator: 'Exists' }] }) },
  { name: 'changing a pod restartPolicy on update is forbidden', type: R(K.Pod), old: pod({}), obj: pod({ restartPolicy: 'Never' }), error: ['spec', /^Forbidden: pod updates may not change fields/] },
  { name: 'raising activeDeadlineSeconds on update is rejected', type: R(K.Pod), old: pod({ activeDeadlineSeconds: 10 }), obj: pod({ activeDeadlineSeconds: 20 }), error: ['spec.activeDeadlineSeconds', /less than or equal to the previous value/] },
  { name: 'renaming an object on update is rejected as immutable', type: R(K.Pod), old: pod({}, meta('a')), obj: pod({}, meta('b')), error: ['metadata.name', /field is immutable/] },
  // Service
  { name: 'a service without ports is rejected', type: R(K.Service), obj: svc({ ports: [] }), error: ['spec.ports', /^Required value/] },
  { name: 'a headless service without ports is accepted', type: R(K.Service), obj: svc({ ports: [], clusterIP: 'None' }) },
  { name: 'an ExternalName service without ports is accepted', type: R(K.Service), obj: svc({ ports: [], type: 'ExternalName', externalName: 'db.example.com', selector: undefined }) },
  { name: 'a multi-port service needs port names', type: R(K.Service), obj: svc({ ports: [{ port: 80 }, { port: 443, name: 'https' }] }), error: ['spec.ports[0].name', /^Required value/] },
  { name: 'duplicate service port names are rejected', type: R(K.Service), obj: svc({ ports: [{ port: 80, name: 'a' }, { port: 81, name: 'a' }] }), error: ['spec.ports[1].name', /^Duplicate/] },
  { name: 'a service port above 65535 is rejected', type: R(K.Service), obj: svc({ ports: [{ port: 70000 }] }), error: ['spec.ports[0].port', /between 1 and 65535/] },
  { name: 'a named targetPort must be an IANA service name', type: R(K.Service), obj: svc({ ports: [{ port: 80, targetPort: 'http_web' }] }), error: ['spec.ports[0].targetPort', /alpha-numeric/] },
  { name: 'an unknown service type is rejected', type: R(K.Service), obj: svc({ type: 'Public' }), error: ['spec.type', /Unsupported value: "Public"/] },
  { name: 'a nodePort on a ClusterIP service is forbidden', type: R(K.Service), obj: svc({ ports: [{ port: 80, nodePort: 30080 }] }), error: ['spec.ports[0].nodePort', /^Forbidden/] },
  { name: 'a service selector value with spaces is rejected', type: R(K.Service), obj: svc({ selector: { app: 'a b' } }), error: ['spec.selector.app', /label value/] },
  { name: 'changing a service clusterIP is rejected', type: R(K.Service), old: svc({ clusterIP: '10.0.0.1' }), obj: svc({ clusterIP: '10.0.0.2' }), error: ['spec.clusterIP', /field is immutable/] },
  // Workloads
  { name: 'a deployment without selector labels is rejected', type: R(K.Deployment), obj: deploy({ selector: {} }), error: ['spec.selector', /empty selector is invalid/] },
  { name: 'a deployment selector must match the template labels', type: R(K.Deployment), obj: deploy({ selector: { matchLabels: { app: 'b' } } }), error: ['spec.template.metadata.labels', /^Invalid value: \{"app":"a"\}: `selector` does not match template `labels`/] },
  { name: 'negative deployment replicas are rejected', type: R(K.Deployment), obj: deploy({ replicas: -1 }), error: ['spec.replicas', /^Invalid value: -1: must be greater than or equal to 0$/] },
  { name: 'a deployment template with restartPolicy Never is rejected', type: R(K.Deployment), obj: deploy({ template: tpl({ restartPolicy: 'Never' }) }), error: ['spec.template.spec.restartPolicy', /supported values: "Always"/] },
  { name: 'maxSurge and maxUnavailable both 0 are rejected', type: R(K.Deployment), obj: deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }), error: ['spec.strategy.rollingUpdate.maxUnavailable', /^Invalid value: "0%": may not be 0 when `maxSurge` is 0/] },
  { name: 'a malformed percentage is rejected', type: R(K.Deployment), obj: deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25' } } }), error: ['spec.strategy.rollingUpdate.maxSurge', /percent/] },
  { name: 'maxUnavailable over 100% is rejected', type: R(K.Deployment), obj: deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%' } } }), error: ['spec.strategy.rollingUpdate.maxUnavailable', /100%/] },
  { name: 'Recreate with rollingUpdate parameters is forbidden', type: R(K.Deployment), obj: deploy({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }), error: ['spec.strategy.rollingUpdate', /^Forbidden/] },
  { name: 'changing a deployment selector is rejected', type: R(K.Deployment), old: deploy({}), obj: deploy({ selector: { matchLabels: { app: 'a', x: 'y' } }, template: tpl({}, { app: 'a', x: 'y' }) }), error: ['spec.selector', /^Invalid value: \{"matchLabels":\{"app":"a","x":"y"\}\}: field is immutable$/] },
  { name: 'scaling a deployment on update is allowed', type: R(K.Deployment), old: deploy({}), obj: deploy({ replicas: 5 }) },
  { name: 'a daemonset with maxSurge and maxUnavailable 0 is rejected', type: R(K.DaemonSet), obj: ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }), error: ['spec.updateStrategy.rollingUpdate.maxUnavailable', /may not be 0/] },
  { name: 'a statefulset serviceName must be a DNS label', type: R(K.StatefulSet), obj: sts({ serviceName: 'Web_Svc' }), error: ['spec.serviceName', /DNS-1035/] },
  { name: 'a statefulset volumeClaimTemplate needs accessModes', type: R(K.StatefulSet), obj: sts({ volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { resources: { requests: { storage: '1Gi' } } } }] }), error: ['spec.volumeClaimTemplates[0].spec.accessModes', /access mode/] },
  { name: 'changing a statefulset serviceName on update is forbidden', type: R(K.StatefulSet), old: sts({ serviceName: 'a' }), obj: sts({ serviceName: 'b' }), error: ['spec', /^Forbidden: updates to statefulset spec/] },
  // Jobs
  { name: 'a job with restartPolicy Never is valid', type: R(K.Job), obj: job({}) },
  { name: 'a job template with restartPolicy Always is rejected saying OnFailure or Never', type: R(K.Job), obj: job({}, { restartPolicy: 'Always' }), error: ['spec.template.spec.restartPolicy', /must be OnFailure or Never/] },
  { name: 'a negative backoffLimit is rejected', type: R(K.Job), obj: job({ backoffLimit: -1 }), error: ['spec.backoffLimit', /greater than or equal to 0/] },
  { name: 'negative completions are rejected', type: R(K.Job), obj: job({ completions: -2 }), error: ['spec.completions', /greater than or equal to 0/] },
  { name: 'negative parallelism is rejected', type: R(K.Job), obj: job({ parallelism: -2 }), error: ['spec.parallelism', /greater than or equal to 0/] },
  { name: 'a cronjob with a valid schedule is accepted', type: R(K.CronJob), obj: cron({ schedule: '0 9-17/2 * JAN-MAR mon-fri', timeZone: 'Europe/Paris' }) },
  { name: 'a cronjob with @hourly is accepted', type: R(K.CronJob), obj: cron({ schedule: '@hourly' }) },
  { name: 'a cronjob with a six-field schedule is rejected', type: R(K.CronJob), obj: cron({ schedule: '* * * * * *' }), error: ['spec.schedule', /exactly 5 fields/] },
  { name: 'a cronjob with minute 60 is rejected', type: R(K.CronJob), obj: cron({ schedule: '60 * * * *' }), error: ['spec.schedule', /above maximum/] },
  { name: 'a cronjob with an empty schedule is rejected', type: R(K.CronJob), obj: cron({ schedule: '' }), error: ['spec.schedule', /^Required value/] },
  { name: 'a cronjob with TZ in the schedule is rejected', type: R(K.CronJob), obj: cron({ schedule: 'TZ=UTC 0 * * * *' }), error: ['spec.schedule', /use timeZone field instead/] },
  { name: 'a cronjob with an unknown time zone is rejected', type: R(K.CronJob), obj: cron({ timeZone: 'Mars/Olympus' }), error: ['spec.timeZone', /unknown time zone/] },
  { name: 'a cronjob job template with restartPolicy Always is rejected', type: R(K.CronJob), obj: cron({ jobTemplate: { spec: { template: tpl() } } }), error: ['spec.jobTemplate.spec.template.spec.restartPolicy', /OnFailure or Never/] },
  // ConfigMap / Secret
  { name: 'a configmap key with a slash is rejected', type: R(K.ConfigMap), obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { 'a/b': 'x' } }, error: ['data', /config key/] },
  { name: 'a configmap key in both data and binaryData is rejected', type: R(K.ConfigMap), obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { a: 'x' }, binaryData: { a: 'eA==' } }, error: ['binaryData', /^Duplicate value: "a"/] },
  { name: 'a configmap over 1 MiB is rejected', type: R(K.ConfigMap), obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { a: 'x'.repeat(1024 * 1024 + 1) } }, error: ['<root>', /1048576 bytes/] },
  { name: 'a TLS secret without tls.key is rejected', type: R(K.Secret), obj: { apiVersion: 'v1', kind: 'Secret', metadata: meta(), type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }, error: ['data["tls.key"]', /^Required value/] },
  { name: 'changing data of an immutable configmap is forbidden', type: R(K.ConfigMap), old: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), immutable: true, data: { a: '1' } }, obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), immutable: true, data: { a: '2' } }, error: ['data', /^Forbidden/] },
  // Node, storage
  { name: 'a node taint with an unknown effect is rejected', type: R(K.Node), obj: { apiVersion: 'v1', kind: 'Node', metadata: meta(), spec: { taints: [{ key: 'k', effect: 'Never' }] } }, error: ['spec.taints[0].effect', /Unsupported value/] },
  { name: 'a PVC without accessModes is rejected', type: R(K.PersistentVolumeClaim), obj: pvc({ accessModes: [] }), error: ['spec.accessModes', /at least 1 access mode/] },
  { name: 'a PVC without a storage request is rejected', type: R(K.PersistentVolumeClaim), obj: pvc({ resources: { requests: {} } }), error: ['spec.resources.requests.storage', /^Required value/] },
  { name: 'growing a PVC on update is allowed', type: R(K.PersistentVolumeClaim), old: pvc({}), obj: pvc({ resources: { requests: { storage: '2Gi' } } }) },
  { name: 'changing a PVC storageClassName on update is forbidden', type: R(K.PersistentVolumeClaim), old: pvc({ storageClassName: 'a' }), obj: pvc({ storageClassName: 'b' }), error: ['spec', /^Forbidden: spec is immutable/] },
  { name: 'a PV without capacity is rejected', type: R(K.PersistentVolume), obj: { apiVersion: 'v1', kind: 'PersistentVolume', metadata: meta(), spec: { accessModes: ['ReadWriteOnce'], hostPath: { path: '/d' } } }, error: ['spec.capacity.storage', /^Required value/] },
  // Ingress
  { name: 'an ingress wildcard host as first label is accepted', type: R(K.Ingress), obj: ing([rule('*.foo.com')]) },
  { name: 'an ingress wildcard in a middle label is rejected', type: R(K.Ingress), obj: ing([rule('foo.*.com')]), error: ['spec.rules[0].host', /wildcard/] },
  { name: 'an ingress host that is an IP is rejected', type: R(K.Ingress), obj: ing([rule('10.0.0.1')]), error: ['spec.rules[0].host', /not an IP address/] },
  { name: 'a Prefix path not starting with / is rejected', type: R(K.Ingress), obj: ing([rule('a.com', { path: 'foo' })]), error: ['spec.rules[0].http.paths[0].path', /absolute path/] },
  { name: 'an ingress backend with both port name and number is rejected', type: R(K.Ingress), obj: ing([rule('a.com', { backend: { service: { name: 'web', port: { name: 'http', number: 80 } } } })]), error: ['spec.rules[0].http.paths[0].backend.service.port', /cannot set both/] },
  { name: 'an ingress backend service name must be a DNS-1035 label', type: R(K.Ingress), obj: ing([rule('a.com', { backend: { service: { name: 'Web', port: { number: 80 } } } })]), error: ['spec.rules[0].http.paths[0].backend.service.name', /DNS-1035/] },
  // HPA, Lease, RBAC, PriorityClass, PDB, Event, StorageClass
  { name: 'an HPA with min above max is rejected', type: R(K.HorizontalPodAutoscaler), obj: hpa({ minReplicas: 5, maxReplicas: 3 }), error: ['spec.maxReplicas', /greater than or equal to `minReplicas`/] },
  { name: 'an HPA with maxReplicas 0 is rejected', type: R(K.HorizontalPodAutoscaler), obj: hpa({ maxReplicas: 0, minReplicas: 1 }), error: ['spec.maxReplicas', /greater than or equal to 1/] },
  { name: 'a lease with zero duration is rejected', type: R(K.Lease), obj: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta(), spec: { leaseDurationSeconds: 0 } }, error: ['spec.leaseDurationSeconds', /greater than 0/] },
  { name: 'a role rule without verbs is rejected', type: R(K.Role), obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(), rules: [{ apiGroups: [''], resources: ['pods'], verbs: [] }] }, error: ['rules[0].verbs', /at least one value/] },
  { name: 'a role rule with verbs is accepted', type: R(K.Role), obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } },
  { name: 'a ClusterRoleBinding to a Role is rejected', type: R(K.ClusterRoleBinding), obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' } }, error: ['roleRef.kind', /supported values: "ClusterRole"/] },
  { name: 'changing a RoleBinding roleRef is rejected', type: R(K.RoleBinding), old: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'a' } }, obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'b' } }, error: ['roleRef', /cannot change roleRef/] },
  { name: 'a user PriorityClass above one billion is forbidden', type: R(K.PriorityClass), obj: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: meta('high'), value: 2_000_000_000 }, error: ['value', /maximum allowed value/] },
  { name: 'a PDB with both minAvailable and maxUnavailable is rejected', type: R(K.PodDisruptionBudget), obj: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(), spec: { minAvailable: 1, maxUnavailable: 1 } }, error: ['spec', /cannot be both set/] },
  { name: 'a PDB with minAvailable only is accepted', type: R(K.PodDisruptionBudget), obj: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(), spec: { minAvailable: '50%', selector: { matchLabels: { a: 'b' } } } } },
  { name: 'an event about an object in another namespace is rejected', type: R(K.Event), obj: { apiVersion: 'v1', kind: 'Event', metadata: meta('e', { namespace: 'a' }), involvedObject: { kind: 'Pod', name: 'p', namespace: 'b' } }, error: ['involvedObject.namespace', /does not match event.namespace/] },
  // Error kinds other than Invalid, where Kubernetes reports them
  { name: 'a negative emptyDir sizeLimit is forbidden', type: R(K.Pod), obj: pod({ volumes: [{ name: 'v', emptyDir: { sizeLimit: '-1Gi' } }] }), error: ['spec.volumes[0].emptyDir.sizeLimit', /^Forbidden: must be a valid resource quantity greater than or equal to 0, got "-1Gi"$/] },
  { name: 'a secret over 1 MiB is too long', type: R(K.Secret), obj: { apiVersion: 'v1', kind: 'Secret', metadata: meta(), stringData: { k: 'x'.repeat(1024 * 1024 + 1) } }, error: ['data', /^Too long: must have at most 1048576 bytes/] },
  { name: 'an EndpointSlice endpoint without addresses is missing a required value', type: R(K.EndpointSlice), obj: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta(), addressType: 'IPv4', endpoints: [{ addresses: [] }] }, error: ['endpoints[0].addresses', /^Required value: must contain at least 1 address$/] },
  { name: 'an EndpointSlice endpoint with 101 addresses has too many', type: R(K.EndpointSlice), obj: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta(), addressType: 'IPv4', endpoints: [{ addresses: Array.from({ length: 101 }, (_, i) => `10.0.${i >> 8}.${i & 255}`) }] }, error: ['endpoints[0].addresses', /^Too many: 101: must have at most 100 items$/] },
  { name: 'a StorageClass parameter with an empty key shows the key as the invalid value', type: R(K.StorageClass), obj: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: meta(), provisioner: 'p.io/x', parameters: { '': '1' } }, error: ['parameters', /^Invalid value: "": parameter keys must not be empty$/] },
  { name: 'changing StorageClass parameters is forbidden', type: R(K.StorageClass), old: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: meta(), provisioner: 'p.io/x', parameters: { a: '1' } }, obj: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: meta(), provisioner: 'p.io/x', parameters: { a: '2' } }, error: ['parameters', /updates to parameters are forbidden/] },
];

function admit(type: ResourceType, input: Obj): KubeObject {
  const r = type.decode(JSON.parse(JSON.stringify(input)));
  if (!r.ok) throw new Error(`decode failed: ${JSON.stringify(r.errors)}`);
  return type.strategy.applyDefaults?.(r.value) ?? r.value;
}

for (const c of cases) {
  test(c.name, (t) => {
    const obj = admit(c.type, c.obj);
    const old = c.old === undefined ? undefined : admit(c.type, c.old);
    const errors = c.type.strategy.validate?.(obj, old) ?? [];
    if (c.error === undefined) {
      t.deepEqual(errors, []);
      return;
    }
    const [path, pattern] = c.error;
    const hit = errors.find((e) => e.path === path && pattern.test(e.message));
    t.truthy(hit, `expected ${path} matching ${String(pattern)}, got ${JSON.stringify(errors)}`);
  });
}

test('every built-in kind has a strategy that validates metadata', (t) => {
  for (const type of Object.values(K) as unknown[]) {
    const rt = type as ResourceType;
    if (typeof rt !== 'object' || rt === null || typeof rt.kind !== 'string') continue;
    t.is(typeof rt.strategy.validate, 'function', rt.kind);
  }
});
