/**
 * Validation of core/v1 kinds (Pod and PodSpec, Service, ConfigMap, Secret, Namespace, Node,
 * PersistentVolume, PersistentVolumeClaim, Event, Endpoints), after Kubernetes'
 * pkg/apis/core/validation: same rules, same field paths, messages that say what to do.
 *
 * @packageDocumentation
 */
import type { FieldError } from '../../schema/decode.js';
import type * as T from '../../generated/types.js';
import { compareQuantities } from '../../quantity.js';
import { volumeSourceFields } from '../defaults.js';
import {
  isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isIP, isValidPortName, isValidPortNum,
} from '../names.js';
import {
  deepEqual, duplicate, FieldPath, labelValueProblems, parsedQuantity, qualifiedNameProblems, forbidden, formatErrors, invalid, notFound, notSupported, required, show, tooLong, validateImmutable,
  validateLabels, validateLabelSelector, validateNonnegative, validatePositive,
} from './common.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'] as const;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
const TOLERATION_OPERATORS = ['Exists', 'Equal'] as const;
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
const NODE_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] as const;
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'] as const;

function has<S extends string>(set: readonly S[], v: string): boolean {
  return (set as readonly string[]).includes(v);
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

// ---------------------------------------------------------------------------------------------
// Resources

const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage']);
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** Kubernetes' native resources: no domain, or a kubernetes.io domain. */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** Requests of these may not differ from their limits (extended resources and hugepages). */
function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !name.startsWith('hugepages-');
}

/**
 * A resource name; `container` applies the stricter rules of container (and pod-level)
 * resources: cpu, memory, ephemeral-storage, hugepages-<size>, or a domain-qualified name.
 */
function validateResourceName(name: string, path: FieldPath, container: boolean): FieldError[] {
  const problems = qualifiedNameProblems(name);
  if (problems.length > 0) return formatErrors(path, name, problems);
  if (container) {
    if (!name.includes('/')) {
      if (!STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-')) {
        return [invalid(path, name, `must be a standard resource for containers (cpu, memory, ephemeral-storage, hugepages-<size>) or fully qualified (e.g. example.com/gpu)`)];
      }
    } else if (!isNativeResource(name) && name.startsWith('requests.')) {
      return [invalid(path, name, `doesn't follow extended resource name standard; drop the "requests." prefix`)];
    }
    return [];
  }
  if (!name.includes('/') && !STANDARD_RESOURCES.has(name) && !name.startsWith('hugepages-') && !name.startsWith('requests.') && !name.startsWith('limits.')) {
    return [invalid(path, name, `must be a standard resource type (cpu, memory, ephemeral-storage, hugepages-<size>) or fully qualified (e.g. example.com/gpu)`)];
  }
  return [];
}

function validateResourceQuantities(map: { readonly [k: string]: string } | undefined, path: FieldPath, container = false): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(map ?? {})) {
    errs.push(...validateResourceName(k, path.key(k), container));
    const q = parsedQuantity(v);
    if (q === undefined) errs.push(invalid(path.key(k), v, `must be a quantity such as 500m or 128Mi`));
    else if (q.nanos < 0n) errs.push(invalid(path.key(k), v, `must be greater than or equal to 0`));
  }
  return errs;
}

/**
 * Container (or pod-level) resources: container resource names, non-negative quantities, every
 * request at most its limit, and resources that cannot be overcommitted (extended resources such
 * as example.com/gpu, hugepages-<size>) requested only with an equal limit.
 *
 * @public
 */
export function validateResourceRequirements(r: T.ResourceRequirements | undefined, path: FieldPath): FieldError[] {
  if (r === undefined) return [];
  const errs: FieldError[] = [];
  errs.push(...validateResourceQuantities(r.limits, path.child('limits'), true));
  errs.push(...validateResourceQuantities(r.requests, path.child('requests'), true));
  for (const [name, reqText] of Object.entries(r.requests ?? {})) {
    const limText = r.limits?.[name];
    if (limText === undefined) {
      if (!isOvercommitAllowed(name)) errs.push(required(path.child('limits').key(name), `Limit must be set for non overcommitable resources; set limits.${name} equal to the request`));
      continue;
    }
    const req = parsedQuantity(reqText);
    const lim = parsedQuantity(limText);
    if (req === undefined || lim === undefined) continue;
    const cmp = compareQuantities(req, lim);
    if (cmp !== 0 && !isOvercommitAllowed(name)) errs.push(invalid(path.child('requests').key(name), reqText, `must be equal to ${name} limit of ${limText} (${name} cannot be overcommitted)`));
    else if (cmp > 0) errs.push(invalid(path.child('requests').key(name), reqText, `must be less than or equal to ${name} limit of ${limText}`));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Containers

function validateHandler(h: T.LifecycleHandler | T.Probe, path: FieldPath, kinds: readonly string[]): FieldError[] {
  const rec = h as { readonly [k: string]: unknown };
  const set = kinds.filter((k) => isSet(rec[k]));
  if (set.length === 0) return [required(path, `must specify a handler type (one of ${kinds.join(', ')})`)];
  const errs: FieldError[] = [];
  if (set.length > 1) errs.push(forbidden(path.child(set[1] as string), `may not specify more than 1 handler type (found ${set.join(' and ')})`));
  const httpGet = (h as T.Probe).httpGet;
  if (httpGet !== undefined) {
    errs.push(...validatePortNumOrName(httpGet.port, path.child('httpGet', 'port')));
    if (httpGet.scheme !== undefined && !has(['HTTP', 'HTTPS'], httpGet.scheme)) errs.push(notSupported(path.child('httpGet', 'scheme'), httpGet.scheme, ['HTTP', 'HTTPS']));
  }
  const tcp = (h as T.Probe).tcpSocket;
  if (tcp !== undefined) errs.push(...validatePortNumOrName(tcp.port, path.child('tcpSocket', 'port')));
  const exec = (h as T.Probe).exec;
  if (exec !== undefined && (exec.command ?? []).length === 0) errs.push(required(path.child('exec', 'command')));
  return errs;
}

function validatePortNumOrName(port: number | string, path: FieldPath): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (/^\d+$/.test(port)) return isValidPortNum(Number(port)).map((m) => invalid(path, port, m));
  return formatErrors(path, port, isValidPortName(port));
}

function validateProbe(p: T.Probe | undefined, path: FieldPath, liveness: boolean): FieldError[] {
  if (p === undefined) return [];
  const errs = validateHandler(p, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  errs.push(...validateNonnegative(p.initialDelaySeconds, path.child('initialDelaySeconds')));
  errs.push(...validateNonnegative(p.timeoutSeconds, path.child('timeoutSeconds')));
  errs.push(...validateNonnegative(p.periodSeconds, path.child('periodSeconds')));
  errs.push(...validateNonnegative(p.successThreshold, path.child('successThreshold')));
  errs.push(...validateNonnegative(p.failureThreshold, path.child('failureThreshold')));
  if (liveness && p.successThreshold !== undefined && p.successThreshold !== 1) errs.push(invalid(path.child('successThreshold'), p.successThreshold, `must be 1`));
  if (p.terminationGracePeriodSeconds !== undefined) errs.push(...validatePositive(p.terminationGracePeriodSeconds, path.child('terminationGracePeriodSeconds')));
  return errs;
}

function validateEnv(env: readonly T.EnvVar[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e, i) => {
    const p = path.index(i);
    if (e.name === '') errs.push(required(p.child('name')));
    else errs.push(...formatErrors(p.child('name'), e.name, isEnvVarName(e.name)));
    const vf = e.valueFrom;
    if (vf !== undefined) {
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'].filter((k) => isSet((vf as { readonly [k: string]: unknown })[k]));
      if (sources.length === 0) errs.push(invalid(p.child('valueFrom'), '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (sources.length > 1) errs.push(invalid(p.child('valueFrom'), '', 'may not have more than one field specified at a time'));
      if (e.value !== undefined && e.value !== '') errs.push(invalid(p.child('valueFrom'), '', 'may not be specified when `value` is not empty'));
      if (vf.configMapKeyRef !== undefined && vf.configMapKeyRef.key === '') errs.push(required(p.child('valueFrom', 'configMapKeyRef', 'key')));
      if (vf.secretKeyRef !== undefined && vf.secretKeyRef.key === '') errs.push(required(p.child('valueFrom', 'secretKeyRef', 'key')));
    }
  });
  return errs;
}

type ContainerKind = 'init' | 'regular';

function validateContainer(c: T.Container, path: FieldPath, kind: ContainerKind, volumes: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (c.name === '') errs.push(required(path.child('name')));
  else errs.push(...formatErrors(path.child('name'), c.name, isDNS1123Label(c.name)));
  if (c.image === undefined || c.image.trim() === '') errs.push(required(path.child('image'), 'set the container image, e.g. image: nginx:1.27'));
  else if (c.image !== c.image.trim()) errs.push(invalid(path.child('image'), c.image, `must not have leading or trailing whitespace`));
  if (c.imagePullPolicy !== undefined && !has(PULL_POLICIES, c.imagePullPolicy)) errs.push(notSupported(path.child('imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES));
  if (c.terminationMessagePolicy !== undefined && !has(TERMINATION_MESSAGE_POLICIES, c.terminationMessagePolicy)) {
    errs.push(notSupported(path.child('terminationMessagePolicy'), c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  const portNames = new Set<string>();
  (c.ports ?? []).forEach((port, i) => {
    const p = path.child('ports').index(i);
    if (port.name !== undefined && port.name !== '') {
      errs.push(...formatErrors(p.child('name'), port.name, isValidPortName(port.name)));
      if (portNames.has(port.name)) errs.push(duplicate(p.child('name'), port.name));
      portNames.add(port.name);
    }
    errs.push(...isValidPortNum(port.containerPort).map((m) => invalid(p.child('containerPort'), port.containerPort, m)));
    if (port.hostPort !== undefined && port.hostPort !== 0) errs.push(...isValidPortNum(port.hostPort).map((m) => invalid(p.child('hostPort'), port.hostPort, m)));
    if (port.protocol !== undefined && !has(PROTOCOLS, port.protocol)) errs.push(notSupported(p.child('protocol'), port.protocol, PROTOCOLS));
  });
  errs.push(...validateEnv(c.env, path.child('env')));
  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = path.child('volumeMounts').index(i);
    if (m.name === '') errs.push(required(p.child('name')));
    else if (!volumes.has(m.name)) errs.push(notFound(p.child('name'), m.name, 'add a volume with this name to spec.volumes'));
    if (m.mountPath === '') errs.push(required(p.child('mountPath')));
    else if (mountPaths.has(m.mountPath)) errs.push(invalid(p.child('mountPath'), m.mountPath, `must be unique`));
    mountPaths.add(m.mountPath);
    if (m.subPath !== undefined && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      errs.push(invalid(p.child('subPath'), m.subPath, `must be a relative path without '..'`));
    }
  });
  errs.push(...validateResourceRequirements(c.resources, path.child('resources')));
  const sidecar = kind === 'init' && c.restartPolicy === 'Always';
  if (c.restartPolicy !== undefined) {
    if (kind === 'regular') errs.push(forbidden(path.child('restartPolicy'), 'may not be set for non-init containers; set spec.restartPolicy for the pod, or move this container to initContainers to make it a sidecar'));
    else if (c.restartPolicy !== 'Always') errs.push(notSupported(path.child('restartPolicy'), c.restartPolicy, ['Always'], 'only sidecar init containers may set restartPolicy'));
  }
  if (kind === 'init' && !sidecar) {
    if (c.livenessProbe !== undefined) errs.push(forbidden(path.child('livenessProbe'), 'may not be set for init containers without restartPolicy=Always'));
    if (c.readinessProbe !== undefined) errs.push(forbidden(path.child('readinessProbe'), 'may not be set for init containers without restartPolicy=Always'));
    if (c.startupProbe !== undefined) errs.push(forbidden(path.child('startupProbe'), 'may not be set for init containers without restartPolicy=Always'));
    if (c.lifecycle !== undefined) errs.push(forbidden(path.child('lifecycle'), 'may not be set for init containers without restartPolicy=Always'));
  } else {
    errs.push(...validateProbe(c.livenessProbe, path.child('livenessProbe'), true));
    errs.push(...validateProbe(c.readinessProbe, path.child('readinessProbe'), false));
    errs.push(...validateProbe(c.startupProbe, path.child('startupProbe'), true));
    if (c.lifecycle?.postStart !== undefined) errs.push(...validateHandler(c.lifecycle.postStart, path.child('lifecycle', 'postStart'), ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    if (c.lifecycle?.preStop !== undefined) errs.push(...validateHandler(c.lifecycle.preStop, path.child('lifecycle', 'preStop'), ['exec', 'httpGet', 'tcpSocket', 'sleep']));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Volumes

function validateMode(mode: number | undefined, path: FieldPath): FieldError[] {
  return mode !== undefined && (mode < 0 || mode > 0o777) ? [invalid(path, mode, `must be a number between 0 and 0777 (octal), both inclusive`)] : [];
}

function validateVolumes(volumes: readonly T.Volume[] | undefined, path: FieldPath): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const p = path.index(i);
    if (v.name === '') errs.push(required(p.child('name')));
    else {
      errs.push(...formatErrors(p.child('name'), v.name, isDNS1123Label(v.name)));
      if (names.has(v.name)) errs.push(duplicate(p.child('name'), v.name));
      names.add(v.name);
    }
    const rec = v as unknown as { readonly [k: string]: unknown };
    const sources = volumeSourceFields.filter((k) => isSet(rec[k]));
    if (sources.length === 0) errs.push(required(p, 'must specify a volume type (e.g. emptyDir, configMap, secret, persistentVolumeClaim)'));
    else if (sources.length > 1) errs.push(forbidden(p.child(sources[1] as string), `may not specify more than 1 volume type (found ${sources.join(' and ')})`));
    if (v.configMap !== undefined) {
      if (v.configMap.name === undefined || v.configMap.name === '') errs.push(required(p.child('configMap', 'name')));
      errs.push(...validateMode(v.configMap.defaultMode, p.child('configMap', 'defaultMode')));
    }
    if (v.secret !== undefined) {
      if (v.secret.secretName === undefined || v.secret.secretName === '') errs.push(required(p.child('secret', 'secretName')));
      errs.push(...validateMode(v.secret.defaultMode, p.child('secret', 'defaultMode')));
    }
    if (v.downwardAPI !== undefined) errs.push(...validateMode(v.downwardAPI.defaultMode, p.child('downwardAPI', 'defaultMode')));
    if (v.projected !== undefined) errs.push(...validateMode(v.projected.defaultMode, p.child('projected', 'defaultMode')));
    if (v.persistentVolumeClaim !== undefined && v.persistentVolumeClaim.claimName === '') errs.push(required(p.child('persistentVolumeClaim', 'claimName')));
    if (v.hostPath !== undefined && v.hostPath.path === '') errs.push(required(p.child('hostPath', 'path')));
    if (v.emptyDir?.sizeLimit !== undefined) {
      const q = parsedQuantity(v.emptyDir.sizeLimit);
      if (q !== undefined && q.nanos < 0n) errs.push(forbidden(p.child('emptyDir', 'sizeLimit'), `must be a valid resource quantity greater than or equal to 0, got ${show(v.emptyDir.sizeLimit)}`));
    }
  });
  return { errs, names };
}

// ---------------------------------------------------------------------------------------------
// Scheduling

function validateTolerations(ts: readonly T.Toleration[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (ts ?? []).forEach((t, i) => {
    const p = path.index(i);
    if (t.key !== undefined && t.key !== '') errs.push(...formatErrors(p.child('key'), t.key, qualifiedNameProblems(t.key)));
    const op = t.operator ?? 'Equal';
    if ((t.key === undefined || t.key === '') && op !== 'Exists') {
      errs.push(invalid(p.child('operator'), op, `operator must be Exists when \`key\` is empty, which means "match all values and all keys"`));
    }
    if (!has(TOLERATION_OPERATORS, op)) errs.push(notSupported(p.child('operator'), op, TOLERATION_OPERATORS));
    else if (op === 'Exists' && t.value !== undefined && t.value !== '') errs.push(invalid(p.child('operator'), t.value, 'value must be empty when `operator` is \'Exists\''));
    else if (op === 'Equal' && t.value !== undefined) errs.push(...formatErrors(p.child('value'), t.value, labelValueProblems(t.value)));
    if (t.effect !== undefined && t.effect !== '' && !has(TAINT_EFFECTS, t.effect)) errs.push(notSupported(p.child('effect'), t.effect, TAINT_EFFECTS));
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalid(p.child('effect'), t.effect ?? '', `effect must be 'NoExecute' when \`tolerationSeconds\` is set`));
    }
  });
  return errs;
}

function validateNodeSelectorRequirements(reqs: readonly T.NodeSelectorRequirement[] | undefined, path: FieldPath, fields: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (reqs ?? []).forEach((r, i) => {
    const p = path.index(i);
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(p.child('values'), 'must be specified when `operator` is \'In\' or \'NotIn\''));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(p.child('values'), 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
        break;
      case 'Gt':
      case 'Lt':
        if (values.length !== 1 || !/^-?\d+$/.test(values[0] ?? '')) errs.push(required(p.child('values'), 'must be specified single integer value when `operator` is \'Lt\' or \'Gt\''));
        break;
      default:
        errs.push(notSupported(p.child('operator'), r.operator, NODE_SELECTOR_OPERATORS));
    }
    if (fields) {
      if (r.key !== 'metadata.name') errs.push(notSupported(p.child('key'), r.key, ['metadata.name']));
    } else errs.push(...formatErrors(p.child('key'), r.key, qualifiedNameProblems(r.key)));
  });
  return errs;
}

function validateNodeSelectorTerm(term: T.NodeSelectorTerm, path: FieldPath): FieldError[] {
  return [
    ...validateNodeSelectorRequirements(term.matchExpressions, path.child('matchExpressions'), false),
    ...validateNodeSelectorRequirements(term.matchFields, path.child('matchFields'), true),
  ];
}

function validateWeight(w: number, path: FieldPath): FieldError[] {
  return w < 1 || w > 100 ? [invalid(path, w, `must be in the range 1-100`)] : [];
}

function validatePodAffinityTerm(term: T.PodAffinityTerm, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (term.topologyKey === '') errs.push(required(path.child('topologyKey'), 'can not be empty'));
  else errs.push(...formatErrors(path.child('topologyKey'), term.topologyKey, qualifiedNameProblems(term.topologyKey)));
  errs.push(...validateLabelSelector(term.labelSelector, path.child('labelSelector')));
  errs.push(...validateLabelSelector(term.namespaceSelector, path.child('namespaceSelector')));
  (term.namespaces ?? []).forEach((ns, i) => errs.push(...formatErrors(path.child('namespaces').index(i), ns, isDNS1123Label(ns))));
  return errs;
}

function validatePodAffinity(pa: T.PodAffinity | undefined, path: FieldPath): FieldError[] {
  if (pa === undefined) return [];
  const errs: FieldError[] = [];
  (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => errs.push(...validatePodAffinityTerm(t, path.child('requiredDuringSchedulingIgnoredDuringExecution').index(i))));
  (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((w, i) => {
    const p = path.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
    errs.push(...validateWeight(w.weight, p.child('weight')));
    errs.push(...validatePodAffinityTerm(w.podAffinityTerm, p.child('podAffinityTerm')));
  });
  return errs;
}

function validateAffinity(a: T.Affinity | undefined, path: FieldPath): FieldError[] {
  if (a === undefined) return [];
  const errs: FieldError[] = [];
  const na = a.nodeAffinity;
  if (na !== undefined) {
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (req !== undefined) {
      const p = path.child('nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms');
      if (req.nodeSelectorTerms.length === 0) errs.push(required(p, 'must have at least one node selector term'));
      req.nodeSelectorTerms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, p.index(i))));
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((pt, i) => {
      const p = path.child('nodeAffinity', 'preferredDuringSchedulingIgnoredDuringExecution').index(i);
      errs.push(...validateWeight(pt.weight, p.child('weight')));
      errs.push(...validateNodeSelectorTerm(pt.preference, p.child('preference')));
    });
  }
  errs.push(...validatePodAffinity(a.podAffinity, path.child('podAffinity')));
  errs.push(...validatePodAffinity(a.podAntiAffinity, path.child('podAntiAffinity')));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// PodSpec

/** Options of {@link validatePodSpec}: the restart policies a workload allows. @public */
export interface PodSpecOptions {
  /** Extra volume names mounts may refer to (a StatefulSet's volumeClaimTemplates). */
  readonly extraVolumes?: ReadonlySet<string>;
}

/**
 * A PodSpec: containers, init containers, volumes, restart and DNS policy, tolerations, node
 * selector, affinity and the scalar fields — every problem, with its path.
 *
 * @public
 */
export function validatePodSpec(spec: T.PodSpec, path: FieldPath, options: PodSpecOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const vols = validateVolumes(spec.volumes, path.child('volumes'));
  errs.push(...vols.errs);
  const volumeNames = new Set([...vols.names, ...(options.extraVolumes ?? [])]);
  if (spec.containers.length === 0) errs.push(required(path.child('containers'), 'a pod needs at least one container'));
  const names = new Set<string>();
  const checkName = (c: T.Container, p: FieldPath): void => {
    if (c.name === '') return;
    if (names.has(c.name)) errs.push(duplicate(p.child('name'), c.name));
    names.add(c.name);
  };
  (spec.initContainers ?? []).forEach((c, i) => {
    const p = path.child('initContainers').index(i);
    errs.push(...validateContainer(c, p, 'init', volumeNames));
    checkName(c, p);
  });
  spec.containers.forEach((c, i) => {
    const p = path.child('containers').index(i);
    errs.push(...validateContainer(c, p, 'regular', volumeNames));
    checkName(c, p);
  });
  (spec.ephemeralContainers ?? []).forEach((c, i) => {
    const p = path.child('ephemeralContainers').index(i);
    if (c.name !== '' && names.has(c.name)) errs.push(duplicate(p.child('name'), c.name));
    names.add(c.name);
  });
  if (spec.restartPolicy !== undefined && !has(RESTART_POLICIES, spec.restartPolicy)) errs.push(notSupported(path.child('restartPolicy'), spec.restartPolicy, RESTART_POLICIES));
  if (spec.dnsPolicy !== undefined && !has(DNS_POLICIES, spec.dnsPolicy)) errs.push(notSupported(path.child('dnsPolicy'), spec.dnsPolicy, DNS_POLICIES));
  if (spec.dnsPolicy === 'None' && spec.dnsConfig === undefined) errs.push(required(path.child('dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  errs.push(...validateNonnegative(spec.terminationGracePeriodSeconds, path.child('terminationGracePeriodSeconds')));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds < 1) {
    errs.push(invalid(path.child('activeDeadlineSeconds'), spec.activeDeadlineSeconds, `must be between 1 and 2147483647, inclusive`));
  }
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) {
    errs.push(...formatErrors(path.child('nodeSelector'), k, qualifiedNameProblems(k)));
    errs.push(...formatErrors(path.child('nodeSelector').key(k), v, labelValueProblems(v)));
  }
  errs.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  errs.push(...validateAffinity(spec.affinity, path.child('affinity')));
  if (spec.serviceAccountName !== undefined && spec.serviceAccountName !== '') errs.push(...formatErrors(path.child('serviceAccountName'), spec.serviceAccountName, isDNS1123Subdomain(spec.serviceAccountName)));
  if (spec.nodeName !== undefined && spec.nodeName !== '') errs.push(...formatErrors(path.child('nodeName'), spec.nodeName, isDNS1123Subdomain(spec.nodeName)));
  if (spec.hostname !== undefined && spec.hostname !== '') errs.push(...formatErrors(path.child('hostname'), spec.hostname, isDNS1123Label(spec.hostname)));
  if (spec.subdomain !== undefined && spec.subdomain !== '') errs.push(...formatErrors(path.child('subdomain'), spec.subdomain, isDNS1123Label(spec.subdomain)));
  if (spec.priorityClassName !== undefined && spec.priorityClassName !== '') errs.push(...formatErrors(path.child('priorityClassName'), spec.priorityClassName, isDNS1123Subdomain(spec.priorityClassName)));
  if (spec.preemptionPolicy !== undefined && !has(['PreemptLowerPriority', 'Never'], spec.preemptionPolicy)) errs.push(notSupported(path.child('preemptionPolicy'), spec.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (s.name === undefined || s.name === '') errs.push(required(path.child('imagePullSecrets').index(i).child('name')));
  });
  (spec.topologySpreadConstraints ?? []).forEach((c, i) => {
    const p = path.child('topologySpreadConstraints').index(i);
    errs.push(...validatePositive(c.maxSkew, p.child('maxSkew')));
    if (c.topologyKey === '') errs.push(required(p.child('topologyKey'), 'can not be empty'));
    if (!has(['DoNotSchedule', 'ScheduleAnyway'], c.whenUnsatisfiable)) errs.push(notSupported(p.child('whenUnsatisfiable'), c.whenUnsatisfiable, ['DoNotSchedule', 'ScheduleAnyway']));
    errs.push(...validateLabelSelector(c.labelSelector, p.child('labelSelector')));
  });
  if (spec.resources !== undefined) errs.push(...validateResourceRequirements(spec.resources, path.child('resources')));
  if (spec.hostNetwork === true) errs.push(...validateHostNetworkPorts(spec, path));
  return errs;
}

/** With hostNetwork, a container port is the host's port: hostPort, when set, must equal it. */
function validateHostNetworkPorts(spec: T.PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const check = (cs: readonly T.Container[] | undefined, field: 'containers' | 'initContainers'): void => {
    (cs ?? []).forEach((c, i) => {
      (c.ports ?? []).forEach((port, j) => {
        if (port.hostPort !== undefined && port.hostPort !== 0 && port.hostPort !== port.containerPort) {
          errs.push(invalid(path.child(field).index(i).child('ports').index(j).child('containerPort'), port.containerPort, `must match \`hostPort\` (${port.hostPort}) when \`hostNetwork\` is true; set both to the same port`));
        }
      });
    });
  };
  check(spec.initContainers, 'initContainers');
  check(spec.containers, 'containers');
  return errs;
}

/**
 * A pod template inside a workload: labels and the PodSpec; `restartPolicies` are the values
 * the workload allows (`['Always']` for Deployments) with the message to show otherwise.
 *
 * @public
 */
export function validatePodTemplateSpec(
  template: T.PodTemplateSpec | undefined,
  path: FieldPath,
  restart?: { readonly allowed: readonly string[]; readonly hint: string },
  options: PodSpecOptions = {},
): FieldError[] {
  if (template === undefined) return [required(path)];
  const errs: FieldError[] = [];
  errs.push(...validateLabels(template.metadata?.labels, path.child('metadata', 'labels')));
  if (template.spec === undefined) {
    errs.push(required(path.child('spec')));
    return errs;
  }
  errs.push(...validatePodSpec(template.spec, path.child('spec'), options));
  if (restart !== undefined) {
    const rp = template.spec.restartPolicy;
    if (rp === undefined) errs.push(required(path.child('spec', 'restartPolicy'), restart.hint));
    else if (!restart.allowed.includes(rp)) errs.push(notSupported(path.child('spec', 'restartPolicy'), rp, restart.allowed, restart.hint));
  }
  return errs;
}

/** A Pod on create. @public */
export function validatePod(pod: T.Pod): FieldError[] {
  if (pod.spec === undefined) return [required(FieldPath.root('spec'), 'a pod needs a spec with at least one container')];
  return validatePodSpec(pod.spec, FieldPath.root('spec'));
}

/**
 * A Pod written through its status subresource (the kubelet's and the scheduler's writes), as
 * Kubernetes' ValidatePodStatusUpdate: a nominatedNodeName that is a valid node name, pod and
 * host IPs that are IPs (no duplicates, at most one per family), condition types that are
 * qualified names, and no terminated container brought back to a non-terminated state when
 * the restart policy does not restart it. The spec is the stored one (a status write cannot
 * change it), so it is not validated again.
 *
 * @public
 */
export function validatePodStatusUpdate(pod: T.Pod, old: T.Pod): FieldError[] {
  const errs: FieldError[] = [];
  const status = FieldPath.root('status');
  const s = pod.status ?? {};
  const o = old.status ?? {};
  const nominated = s.nominatedNodeName ?? '';
  if (nominated !== '' && nominated !== (o.nominatedNodeName ?? '')) errs.push(...formatErrors(status.child('nominatedNodeName'), nominated, isDNS1123Subdomain(nominated)));
  errs.push(...validateStatusIPs(s.podIP, s.podIPs, status, 'podIP', 'podIPs'));
  errs.push(...validateStatusIPs(s.hostIP, s.hostIPs, status, 'hostIP', 'hostIPs'));
  (s.conditions ?? []).forEach((c, i) => {
    const problems = qualifiedNameProblems(c.type);
    if (problems.length > 0) errs.push(...formatErrors(status.child('conditions').index(i).child('type'), c.type, problems));
  });
  const policy = old.spec?.restartPolicy ?? 'Always';
  errs.push(...validateContainerStateTransition(s.containerStatuses, o.containerStatuses, status.child('containerStatuses'), () => policy));
  // Init containers with their own restartPolicy Always (sidecars) may restart whatever the pod's policy.
  const sidecars = new Set((old.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  errs.push(...validateContainerStateTransition(s.initContainerStatuses, o.initContainerStatuses, status.child('initContainerStatuses'), (name) => (sidecars.has(name) ? 'Always' : policy)));
  errs.push(...validateContainerStateTransition(s.ephemeralContainerStatuses, o.ephemeralContainerStatuses, status.child('ephemeralContainerStatuses'), () => 'Never'));
  return errs;
}

function validateStatusIPs(single: string | undefined, list: readonly { readonly ip: string }[] | undefined, status: FieldPath, singleName: string, listName: string): FieldError[] {
  const errs: FieldError[] = [];
  if (single !== undefined && single !== '' && !isIP(single)) errs.push(invalid(status.child(singleName), single, `must be a valid IP address`));
  const seen = new Set<string>();
  let v4 = 0;
  let v6 = 0;
  (list ?? []).forEach((entry, i) => {
    const p = status.child(listName).index(i).child('ip');
    if (!isIP(entry.ip)) {
      errs.push(invalid(p, entry.ip, `must be a valid IP address`));
      return;
    }
    if (seen.has(entry.ip)) errs.push(duplicate(p, entry.ip));
    seen.add(entry.ip);
    if (entry.ip.includes(':')) v6++;
    else v4++;
  });
  if (v4 > 1 || v6 > 1) errs.push(invalid(status.child(listName), list, 'may specify no more than one IP for each IP family'));
  return errs;
}

/**
 * Containers that terminated may not be reported running or waiting again unless their restart
 * policy restarts them (Always; OnFailure after a non-zero exit). Kubernetes'
 * ValidateContainerStateTransition.
 */
function validateContainerStateTransition(
  next: readonly T.ContainerStatus[] | undefined,
  prev: readonly T.ContainerStatus[] | undefined,
  path: FieldPath,
  policyOf: (name: string) => string,
): FieldError[] {
  const errs: FieldError[] = [];
  (prev ?? []).forEach((o, i) => {
    const terminated = o.state?.terminated;
    if (terminated === undefined) return;
    const policy = policyOf(o.name);
    if (policy === 'Always') return;
    if (terminated.exitCode !== 0 && policy === 'OnFailure') return;
    for (const n of next ?? []) {
      if (n.name === o.name && n.state?.terminated === undefined) {
        errs.push(forbidden(path.index(i).child('state'), 'may not be transitioned to non-terminated state; the restart policy does not restart this container (create a new pod instead)'));
      }
    }
  });
  return errs;
}

/**
 * A Namespace's status write (Kubernetes' ValidateNamespaceStatusUpdate): the phase is
 * `Active` while the namespace is not being deleted and `Terminating` once it is.
 *
 * @public
 */
export function validateNamespaceStatusUpdate(ns: T.Namespace): FieldError[] {
  const phase = ns.status?.phase;
  const path = FieldPath.root('status', 'phase');
  if (ns.metadata.deletionTimestamp === undefined) {
    return phase !== undefined && phase !== 'Active' ? [invalid(path, phase, "may only be 'Active' if `deletionTimestamp` is empty")] : [];
  }
  return phase !== 'Terminating' ? [invalid(path, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")] : [];
}

/**
 * The ingress points of a load balancer's status (Services' and Ingresses'), as Kubernetes'
 * ValidateLoadBalancerStatus: `ip` a valid IP; `ipMode` (VIP or Proxy) only beside an `ip`;
 * `hostname` a DNS subdomain, not an IP address.
 *
 * @public
 */
export function validateLoadBalancerStatus(ingress: readonly { readonly ip?: string | undefined; readonly ipMode?: string | undefined; readonly hostname?: string | undefined }[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (ingress ?? []).forEach((point, i) => {
    const p = path.child('ingress').index(i);
    const ip = point.ip ?? '';
    if (ip !== '' && !isIP(ip)) errs.push(invalid(p.child('ip'), ip, 'must be a valid IP address'));
    if (point.ipMode !== undefined) {
      if (ip === '') errs.push(forbidden(p.child('ipMode'), 'may not be specified when `ip` is not'));
      else if (!has(LB_IP_MODES, point.ipMode)) errs.push(notSupported(p.child('ipMode'), point.ipMode, LB_IP_MODES));
    }
    const hostname = point.hostname ?? '';
    if (hostname !== '') {
      errs.push(...formatErrors(p.child('hostname'), hostname, isDNS1123Subdomain(hostname)));
      if (isIP(hostname)) errs.push(invalid(p.child('hostname'), hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

const LB_IP_MODES = ['VIP', 'Proxy'] as const;

/** A Service's status write: its load balancer's ingress points (Kubernetes' ValidateServiceStatusUpdate). @public */
export function validateServiceStatusUpdate(svc: T.Service): FieldError[] {
  return validateLoadBalancerStatus(svc.status?.loadBalancer?.ingress, FieldPath.root('status', 'loadBalancer'));
}

const POD_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations), `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative) and `spec.schedulingGates` (only removals); create a new pod (or change the owning workload\'s template) instead';

/**
 * A Pod on update: the create rules, plus the spec is immutable except container images,
 * activeDeadlineSeconds (set or lowered), added tolerations and removed scheduling gates.
 *
 * @public
 */
export function validatePodUpdate(pod: T.Pod, old: T.Pod): FieldError[] {
  const errs = validatePod(pod);
  const spec = FieldPath.root('spec');
  const n = pod.spec;
  const o = old.spec;
  if (n === undefined || o === undefined) return errs;
  n.containers.forEach((c, i) => {
    if ((c.image ?? '') === '' && (o.containers[i]?.image ?? '') !== '') errs.push(required(spec.child('containers').index(i).child('image'), 'an image may not be removed on update'));
  });
  if (o.activeDeadlineSeconds !== undefined) {
    if (n.activeDeadlineSeconds === undefined) errs.push(invalid(spec.child('activeDeadlineSeconds'), n.activeDeadlineSeconds, 'must not be removed once set; lower it instead'));
    else if (n.activeDeadlineSeconds > o.activeDeadlineSeconds) errs.push(invalid(spec.child('activeDeadlineSeconds'), n.activeDeadlineSeconds, `must be less than or equal to the previous value ${o.activeDeadlineSeconds}`));
  }
  const nt = n.tolerations ?? [];
  (o.tolerations ?? []).forEach((t) => {
    // As Kubernetes does, tolerationSeconds is left out of the comparison: it may change.
    const bare = withoutTolerationSeconds(t);
    if (!nt.some((x) => deepEqual(withoutTolerationSeconds(x), bare))) errs.push(forbidden(spec.child('tolerations'), `existing toleration ${show(t)} may not be removed or changed (other than its tolerationSeconds); only additions are allowed`));
  });
  const og = o.schedulingGates ?? [];
  (n.schedulingGates ?? []).forEach((g, i) => {
    if (!og.some((x) => x.name === g.name)) errs.push(forbidden(spec.child('schedulingGates').index(i), 'only deletion is allowed, but found new scheduling gate'));
  });
  // Everything else must be equal (the mutable fields are taken from the new spec).
  if (!podSpecsEqualButMutable(n, o)) errs.push(forbidden(spec, POD_UPDATE_MESSAGE));
  return errs;
}

function withoutTolerationSeconds(t: T.Toleration): T.Toleration {
  if (t.tolerationSeconds === undefined) return t;
  const { tolerationSeconds: _ignored, ...rest } = t;
  return rest;
}

const POD_SPEC_MUTABLE: ReadonlySet<string> = new Set(['containers', 'initContainers', 'activeDeadlineSeconds', 'tolerations', 'schedulingGates', 'terminationGracePeriodSeconds']);

/**
 * Whether two PodSpecs are equal but for the fields a pod update may change: container images,
 * activeDeadlineSeconds, tolerations, scheduling gates, and a grace period going from negative to 1.
 * Compares in place (absent and undefined alike) without building masked copies.
 */
function podSpecsEqualButMutable(n: T.PodSpec, o: T.PodSpec): boolean {
  if (n === o) return true;
  const nr = n as unknown as { readonly [k: string]: unknown };
  const or = o as unknown as { readonly [k: string]: unknown };
  for (const k of Object.keys(nr)) if (!POD_SPEC_MUTABLE.has(k) && !deepEqual(nr[k], or[k])) return false;
  for (const k of Object.keys(or)) if (!POD_SPEC_MUTABLE.has(k) && !Object.prototype.hasOwnProperty.call(nr, k) && !deepEqual(nr[k], or[k])) return false;
  const graceFreed = (o.terminationGracePeriodSeconds ?? 0) < 0 && n.terminationGracePeriodSeconds === 1;
  if (!graceFreed && !deepEqual(n.terminationGracePeriodSeconds, o.terminationGracePeriodSeconds)) return false;
  return containersEqualButImages(n.containers, o.containers) && containersEqualButImages(n.initContainers, o.initContainers);
}

/** Lists of containers equal but for images (an image may change, not be removed: the old one then counts). */
function containersEqualButImages(n: readonly T.Container[] | undefined, o: readonly T.Container[] | undefined): boolean {
  if (n === o) return true;
  if (n === undefined || o === undefined || n.length !== o.length) return false;
  for (let i = 0; i < n.length; i++) {
    const nc = n[i] as T.Container;
    const oc = o[i] as T.Container;
    if (nc === oc) continue;
    if (nc.image === undefined && oc.image !== undefined) return false;
    const nr = nc as unknown as { readonly [k: string]: unknown };
    const or = oc as unknown as { readonly [k: string]: unknown };
    for (const k of Object.keys(nr)) if (k !== 'image' && !deepEqual(nr[k], or[k])) return false;
    for (const k of Object.keys(or)) if (k !== 'image' && !Object.prototype.hasOwnProperty.call(nr, k) && !deepEqual(nr[k], or[k])) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Service

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;

function isHeadless(s: T.ServiceSpec): boolean {
  return s.clusterIP === 'None';
}

/** A Service on create. @public */
export function validateService(svc: T.Service): FieldError[] {
  const path = FieldPath.root('spec');
  const s = svc.spec;
  if (s === undefined) return [required(path, 'a service needs a spec with ports (or type ExternalName)')];
  const errs: FieldError[] = [];
  const type = s.type ?? 'ClusterIP';
  if (!has(SERVICE_TYPES, type)) errs.push(notSupported(path.child('type'), type, SERVICE_TYPES));
  const ports = s.ports ?? [];
  if (ports.length === 0 && !isHeadless(s) && type !== 'ExternalName') errs.push(required(path.child('ports'), 'a service needs at least one port (or clusterIP: None for a headless service, or type ExternalName)'));
  if (type === 'ExternalName') {
    if (s.clusterIP !== undefined && s.clusterIP !== '') errs.push(forbidden(path.child('clusterIP'), 'may not be set for ExternalName services'));
    if (s.externalName === undefined || s.externalName === '') errs.push(required(path.child('externalName'), 'set the DNS name this service is an alias for'));
    else errs.push(...formatErrors(path.child('externalName'), s.externalName.replace(/\.$/, ''), isDNS1123Subdomain(s.externalName.replace(/\.$/, ''))));
  }
  if (s.clusterIP !== undefined && s.clusterIP !== '' && s.clusterIP !== 'None' && !isIP(s.clusterIP)) {
    errs.push(invalid(path.child('clusterIP'), s.clusterIP, `must be empty, 'None', or a valid IP address`));
  }
  if (isHeadless(s) && (type === 'NodePort' || type === 'LoadBalancer')) {
    errs.push(invalid(path.child('clusterIP'), s.clusterIP, `may not be set to 'None' for ${type} services; leave clusterIP empty, or use type ClusterIP for a headless service`));
  }
  const names = new Set<string>();
  const portProto = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((port, i) => {
    const p = path.child('ports').index(i);
    if (port.name === undefined || port.name === '') {
      if (ports.length > 1) errs.push(required(p.child('name'), 'ports must be named when a service has more than one'));
    } else {
      errs.push(...formatErrors(p.child('name'), port.name, isDNS1123Label(port.name)));
      if (names.has(port.name)) errs.push(duplicate(p.child('name'), port.name));
      names.add(port.name);
    }
    errs.push(...isValidPortNum(port.port).map((m) => invalid(p.child('port'), port.port, m)));
    const proto = port.protocol ?? 'TCP';
    if (!has(PROTOCOLS, proto)) errs.push(notSupported(p.child('protocol'), proto, PROTOCOLS));
    const key = `${port.port}/${proto}`;
    if (portProto.has(key)) errs.push(duplicate(p, key));
    portProto.add(key);
    if (port.targetPort !== undefined && port.targetPort !== 0 && port.targetPort !== '') errs.push(...validatePortNumOrName(port.targetPort, p.child('targetPort')));
    if (port.nodePort !== undefined && port.nodePort !== 0) {
      if (type !== 'NodePort' && type !== 'LoadBalancer') errs.push(forbidden(p.child('nodePort'), `may not be used when \`type\` is '${type}'`));
      else errs.push(...isValidPortNum(port.nodePort).map((m) => invalid(p.child('nodePort'), port.nodePort, m)));
      const nodeKey = `${port.nodePort}/${proto}`;
      if (nodePorts.has(nodeKey)) errs.push(duplicate(p.child('nodePort'), port.nodePort));
      nodePorts.add(nodeKey);
    }
  });
  errs.push(...validateLabels(s.selector, path.child('selector')));
  if (s.sessionAffinity !== undefined && !has(['None', 'ClientIP'], s.sessionAffinity)) errs.push(notSupported(path.child('sessionAffinity'), s.sessionAffinity, ['None', 'ClientIP']));
  const timeout = s.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (timeout !== undefined && (timeout <= 0 || timeout > 86400)) errs.push(invalid(path.child('sessionAffinityConfig', 'clientIP', 'timeoutSeconds'), timeout, `must be greater than 0 and less than 86400`));
  if (s.externalTrafficPolicy !== undefined) {
    if (type !== 'NodePort' && type !== 'LoadBalancer') errs.push(invalid(path.child('externalTrafficPolicy'), s.externalTrafficPolicy, `may only be set when \`type\` is 'NodePort' or 'LoadBalancer'`));
    else if (!has(['Cluster', 'Local'], s.externalTrafficPolicy)) errs.push(notSupported(path.child('externalTrafficPolicy'), s.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (s.internalTrafficPolicy !== undefined && !has(['Cluster', 'Local'], s.internalTrafficPolicy)) errs.push(notSupported(path.child('internalTrafficPolicy'), s.internalTrafficPolicy, ['Cluster', 'Local']));
  if (s.ipFamilyPolicy !== undefined && !has(['SingleStack', 'PreferDualStack', 'RequireDualStack'], s.ipFamilyPolicy)) {
    errs.push(notSupported(path.child('ipFamilyPolicy'), s.ipFamilyPolicy, ['SingleStack', 'PreferDualStack', 'RequireDualStack']));
  }
  (s.ipFamilies ?? []).forEach((f, i) => {
    if (!has(['IPv4', 'IPv6'], f)) errs.push(notSupported(path.child('ipFamilies').index(i), f, ['IPv4', 'IPv6']));
  });
  (s.externalIPs ?? []).forEach((ip, i) => {
    if (!isIP(ip)) errs.push(invalid(path.child('externalIPs').index(i), ip, `must be a valid IP address`));
  });
  return errs;
}

/** A Service on update: clusterIP may not change once allocated (except to or from ExternalName). @public */
export function validateServiceUpdate(svc: T.Service, old: T.Service): FieldError[] {
  const errs = validateService(svc);
  const n = svc.spec;
  const o = old.spec;
  if (n === undefined || o === undefined) return errs;
  const toOrFromExternal = n.type === 'ExternalName' || o.type === 'ExternalName';
  if (!toOrFromExternal && o.clusterIP !== undefined && o.clusterIP !== '') {
    errs.push(...validateImmutable(n.clusterIP, o.clusterIP, FieldPath.root('spec').child('clusterIP')));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// ConfigMap and Secret

const MAX_DATA_SIZE = 1024 * 1024;

function validateDataKeys(keys: Iterable<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of keys) errs.push(...formatErrors(path, k, isConfigMapKey(k)));
  return errs;
}

/** A ConfigMap: key names, no key in both data and binaryData, total size at most 1 MiB. @public */
export function validateConfigMap(cm: T.ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  const data = cm.data ?? {};
  errs.push(...validateDataKeys(Object.keys(data), FieldPath.root('data')));
  for (const v of Object.values(data)) size += Buffer.byteLength(v);
  const bin = cm.binaryData ?? {};
  for (const [k, v] of Object.entries(bin)) {
    errs.push(...formatErrors(FieldPath.root('binaryData'), k, isConfigMapKey(k)));
    if (Object.hasOwn(data, k)) errs.push(duplicate(FieldPath.root('binaryData'), k));
    size += Buffer.from(v, 'base64').length;
  }
  if (size > MAX_DATA_SIZE) errs.push(tooLong(FieldPath.root(), `must have at most ${MAX_DATA_SIZE} bytes (data and binaryData total ${size}); split the data across several ConfigMaps`));
  return errs;
}

function validateImmutableData<X extends { readonly immutable?: boolean | undefined }>(n: X, o: X, fields: readonly (keyof X & string)[]): FieldError[] {
  if (o.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (n.immutable !== true) errs.push(forbidden(FieldPath.root('immutable'), 'field is immutable when `immutable` is set'));
  for (const f of fields) if (!deepEqual(n[f], o[f])) errs.push(forbidden(FieldPath.root(f), 'field is immutable when `immutable` is set; delete and recreate the object to change it'));
  return errs;
}

/** A ConfigMap on update: nothing may change once `immutable` is true. @public */
export function validateConfigMapUpdate(cm: T.ConfigMap, old: T.ConfigMap): FieldError[] {
  return [...validateConfigMap(cm), ...validateImmutableData(cm, old, ['data', 'binaryData'])];
}

const SECRET_REQUIRED_KEYS: { readonly [type: string]: readonly string[] } = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

/** A Secret: key names, total size at most 1 MiB, and the keys its `type` requires. @public */
export function validateSecret(secret: T.Secret): FieldError[] {
  const errs: FieldError[] = [];
  const data = secret.data ?? {};
  errs.push(...validateDataKeys(Object.keys(data), FieldPath.root('data')));
  errs.push(...validateDataKeys(Object.keys(secret.stringData ?? {}), FieldPath.root('stringData')));
  let size = 0;
  for (const v of Object.values(data)) size += Buffer.from(v, 'base64').length;
  for (const v of Object.values(secret.stringData ?? {})) size += Buffer.byteLength(v);
  if (size > MAX_DATA_SIZE) errs.push(tooLong(FieldPath.root('data'), `must have at most ${MAX_DATA_SIZE} bytes (total ${size})`));
  const type = secret.type ?? 'Opaque';
  const keys = new Set([...Object.keys(data), ...Object.keys(secret.stringData ?? {})]);
  for (const k of SECRET_REQUIRED_KEYS[type] ?? []) if (!keys.has(k)) errs.push(required(FieldPath.root('data').key(k), `a ${type} secret needs the key ${show(k)}`));
  if (type === 'kubernetes.io/service-account-token' && (secret.metadata.annotations?.['kubernetes.io/service-account.name'] ?? '') === '') {
    errs.push(required(FieldPath.root('metadata', 'annotations').key('kubernetes.io/service-account.name'), 'name the service account this token is for'));
  }
  if (type === 'kubernetes.io/basic-auth' && !keys.has('username') && !keys.has('password')) errs.push(required(FieldPath.root('data').key('username'), 'a basic-auth secret needs username or password'));
  return errs;
}

/** A Secret on update: type is immutable, and nothing may change once `immutable` is true. @public */
export function validateSecretUpdate(secret: T.Secret, old: T.Secret): FieldError[] {
  return [...validateSecret(secret), ...validateImmutable(secret.type ?? 'Opaque', old.type ?? 'Opaque', FieldPath.root('type')), ...validateImmutableData(secret, old, ['data'])];
}

// ---------------------------------------------------------------------------------------------
// Namespace, Node

/** A Namespace: spec finalizers are qualified names. @public */
export function validateNamespace(ns: T.Namespace): FieldError[] {
  const errs: FieldError[] = [];
  (ns.spec?.finalizers ?? []).forEach((f, i) => {
    const p = FieldPath.root('spec').child('finalizers').index(i);
    const problems = qualifiedNameProblems(f);
    if (problems.length > 0) errs.push(...formatErrors(p, f, problems));
    else if (!f.includes('/') && f !== 'kubernetes') errs.push(invalid(p, f, `name is neither a standard finalizer name nor is it fully qualified`));
  });
  return errs;
}

/** A Node: taints (key, value, effect, no duplicate key+effect) and pod CIDRs. @public */
export function validateNode(node: T.Node): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.root('spec').child('taints');
  const seen = new Set<string>();
  (node.spec?.taints ?? []).forEach((t, i) => {
    const p = path.index(i);
    errs.push(...formatErrors(p.child('key'), t.key, qualifiedNameProblems(t.key)));
    if (t.value !== undefined) errs.push(...formatErrors(p.child('value'), t.value, labelValueProblems(t.value)));
    if (t.effect === '') errs.push(required(p.child('effect')));
    else if (!has(TAINT_EFFECTS, t.effect)) errs.push(notSupported(p.child('effect'), t.effect, TAINT_EFFECTS));
    const key = `${t.key}:${t.effect}`;
    if (seen.has(key)) errs.push(duplicate(p, key));
    seen.add(key);
  });
  return errs;
}

/** A Node on update: podCIDR and providerID may be set once but not changed. @public */
export function validateNodeUpdate(node: T.Node, old: T.Node): FieldError[] {
  const errs = validateNode(node);
  const p = FieldPath.root('spec');
  if ((old.spec?.podCIDR ?? '') !== '') errs.push(...validateImmutable(node.spec?.podCIDR, old.spec?.podCIDR, p.child('podCIDR')));
  if ((old.spec?.providerID ?? '') !== '') errs.push(...validateImmutable(node.spec?.providerID, old.spec?.providerID, p.child('providerID')));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Storage

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] as const;
const VOLUME_MODES = ['Block', 'Filesystem'] as const;

function validateAccessModes(modes: readonly string[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (modes === undefined || modes.length === 0) return [required(path, 'at least 1 access mode is required (e.g. ReadWriteOnce)')];
  modes.forEach((m) => {
    if (!has(ACCESS_MODES, m)) errs.push(notSupported(path, m, ACCESS_MODES));
  });
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

/** A PersistentVolumeClaimSpec: access modes, a storage request, volumeMode, selector. @public */
export function validatePersistentVolumeClaimSpec(spec: T.PersistentVolumeClaimSpec | undefined, path: FieldPath): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateAccessModes(s.accessModes, path.child('accessModes')));
  const storage = s.resources?.requests?.['storage'];
  const sp = path.child('resources', 'requests').key('storage');
  if (storage === undefined) errs.push(required(sp, 'request the size of the volume, e.g. storage: 1Gi'));
  else {
    const q = parsedQuantity(storage);
    if (q === undefined || q.nanos <= 0n) errs.push(invalid(sp, storage, `must be greater than zero`));
  }
  errs.push(...validateResourceQuantities(s.resources?.requests, path.child('resources', 'requests')));
  errs.push(...validateResourceQuantities(s.resources?.limits, path.child('resources', 'limits')));
  if (s.volumeMode !== undefined && !has(VOLUME_MODES, s.volumeMode)) errs.push(notSupported(path.child('volumeMode'), s.volumeMode, VOLUME_MODES));
  if (s.storageClassName !== undefined && s.storageClassName !== '') errs.push(...formatErrors(path.child('storageClassName'), s.storageClassName, isDNS1123Subdomain(s.storageClassName)));
  errs.push(...validateLabelSelector(s.selector, path.child('selector')));
  return errs;
}

/** A PersistentVolumeClaim on create. @public */
export function validatePersistentVolumeClaim(pvc: T.PersistentVolumeClaim): FieldError[] {
  return validatePersistentVolumeClaimSpec(pvc.spec, FieldPath.root('spec'));
}

/**
 * A PersistentVolumeClaim on update: the spec is immutable except resources.requests (which may
 * only grow), volumeAttributesClassName, and volumeName while it was empty.
 *
 * @public
 */
export function validatePersistentVolumeClaimUpdate(pvc: T.PersistentVolumeClaim, old: T.PersistentVolumeClaim): FieldError[] {
  const errs = validatePersistentVolumeClaim(pvc);
  const n = pvc.spec ?? {};
  const o = old.spec ?? {};
  const mask = (s: T.PersistentVolumeClaimSpec): T.PersistentVolumeClaimSpec => ({
    ...s,
    resources: undefined,
    volumeAttributesClassName: undefined,
    volumeName: (o.volumeName ?? '') === '' ? undefined : s.volumeName,
  });
  if (!deepEqual(mask(n), mask(o))) {
    errs.push(forbidden(FieldPath.root('spec'), 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  const ns = parsedQuantity(n.resources?.requests?.['storage'] ?? '');
  const os = parsedQuantity(o.resources?.requests?.['storage'] ?? '');
  if (ns !== undefined && os !== undefined && compareQuantities(ns, os) < 0) {
    errs.push(forbidden(FieldPath.root('spec', 'resources', 'requests').key('storage'), 'field can not be less than previous value'));
  }
  return errs;
}

const PV_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'csi', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'glusterfs',
  'hostPath', 'iscsi', 'local', 'nfs', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
] as const;

/** A PersistentVolume: capacity.storage, access modes, exactly one source, reclaim policy. @public */
export function validatePersistentVolume(pv: T.PersistentVolume): FieldError[] {
  const path = FieldPath.root('spec');
  const s = pv.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateAccessModes(s.accessModes, path.child('accessModes')));
  const storage = s.capacity?.['storage'];
  if (storage === undefined) errs.push(required(path.child('capacity').key('storage'), 'set the size of the volume, e.g. storage: 10Gi'));
  if (s.capacity !== undefined) {
    for (const k of Object.keys(s.capacity)) if (k !== 'storage') errs.push(notSupported(path.child('capacity').key(k), k, ['storage']));
    errs.push(...validateResourceQuantities(s.capacity, path.child('capacity')));
  }
  const rec = s as { readonly [k: string]: unknown };
  const sources = PV_SOURCES.filter((k) => isSet(rec[k]));
  if (sources.length === 0) errs.push(required(path, 'must specify a volume type (e.g. nfs, hostPath, csi, local)'));
  else if (sources.length > 1) errs.push(forbidden(path.child(sources[1] as string), `may not specify more than 1 volume type (found ${sources.join(' and ')})`));
  const policy = s.persistentVolumeReclaimPolicy;
  if (policy !== undefined && !has(['Retain', 'Delete', 'Recycle'], policy)) errs.push(notSupported(path.child('persistentVolumeReclaimPolicy'), policy, ['Retain', 'Delete', 'Recycle']));
  if (policy === 'Recycle' && s.nfs === undefined && s.hostPath === undefined) {
    errs.push(notSupported(path.child('persistentVolumeReclaimPolicy'), policy, ['Retain', 'Delete'], 'Recycle is only supported for nfs and hostPath volumes'));
  }
  if (s.volumeMode !== undefined && !has(VOLUME_MODES, s.volumeMode)) errs.push(notSupported(path.child('volumeMode'), s.volumeMode, VOLUME_MODES));
  if (s.storageClassName !== undefined && s.storageClassName !== '') errs.push(...formatErrors(path.child('storageClassName'), s.storageClassName, isDNS1123Subdomain(s.storageClassName)));
  if (s.nfs !== undefined) {
    if (s.nfs.server === '') errs.push(required(path.child('nfs', 'server')));
    if (s.nfs.path === '') errs.push(required(path.child('nfs', 'path')));
    else if (!s.nfs.path.startsWith('/')) errs.push(invalid(path.child('nfs', 'path'), s.nfs.path, `must be an absolute path`));
  }
  if (s.hostPath !== undefined && s.hostPath.path === '') errs.push(required(path.child('hostPath', 'path')));
  return errs;
}

/** A PersistentVolume on update: the volume source and volumeMode are immutable. @public */
export function validatePersistentVolumeUpdate(pv: T.PersistentVolume, old: T.PersistentVolume): FieldError[] {
  const errs = validatePersistentVolume(pv);
  const n = (pv.spec ?? {}) as { readonly [k: string]: unknown };
  const o = (old.spec ?? {}) as { readonly [k: string]: unknown };
  for (const k of PV_SOURCES) if (!deepEqual(n[k], o[k])) errs.push(forbidden(FieldPath.root('spec').child(k), 'spec.persistentvolumesource is forbidden to update'));
  errs.push(...validateImmutable(pv.spec?.volumeMode, old.spec?.volumeMode, FieldPath.root('spec', 'volumeMode')));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Event, Endpoints

/** An Event: involvedObject names an object, in the event's namespace. @public */
export function validateEvent(ev: T.Event): FieldError[] {
  const errs: FieldError[] = [];
  const io = ev.involvedObject;
  const p = FieldPath.root('involvedObject');
  if ((io.kind ?? '') === '') errs.push(required(p.child('kind'), 'name the kind of the object this event is about'));
  if ((io.name ?? '') === '') errs.push(required(p.child('name'), 'name the object this event is about'));
  const ns = ev.metadata.namespace;
  if (io.namespace !== undefined && io.namespace !== '' && ns !== undefined && ns !== '' && io.namespace !== ns) {
    errs.push(invalid(p.child('namespace'), io.namespace, `does not match event.namespace ${show(ns)}`));
  }
  if (ev.type !== undefined && ev.type !== '' && !has(['Normal', 'Warning'], ev.type)) errs.push(notSupported(FieldPath.root('type'), ev.type, ['Normal', 'Warning']));
  if (ev.reason !== undefined && ev.reason.length > 128) errs.push(invalid(FieldPath.root('reason'), ev.reason, 'must be no more than 128 characters'));
  return errs;
}

/** Endpoints: addresses are IPs, ports valid with a protocol. @public */
export function validateEndpoints(ep: T.Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = FieldPath.root('subsets').index(i);
    const addrs = (list: readonly T.EndpointAddress[] | undefined, name: string): void => {
      (list ?? []).forEach((a, j) => {
        if (!isIP(a.ip)) errs.push(invalid(p.child(name).index(j).child('ip'), a.ip, `must be a valid IP address`));
      });
    };
    addrs(ss.addresses, 'addresses');
    addrs(ss.notReadyAddresses, 'notReadyAddresses');
    const names = new Set<string>();
    (ss.ports ?? []).forEach((port, j) => {
      const pp = p.child('ports').index(j);
      if ((ss.ports ?? []).length > 1 && (port.name ?? '') === '') errs.push(required(pp.child('name')));
      if (port.name !== undefined && port.name !== '') {
        errs.push(...formatErrors(pp.child('name'), port.name, isDNS1123Label(port.name)));
        if (names.has(port.name)) errs.push(duplicate(pp.child('name'), port.name));
        names.add(port.name);
      }
      errs.push(...isValidPortNum(port.port).map((m) => invalid(pp.child('port'), port.port, m)));
      if (port.protocol !== undefined && !has(PROTOCOLS, port.protocol)) errs.push(notSupported(pp.child('protocol'), port.protocol, PROTOCOLS));
    });
  });
  return errs;
}

/** The DNS-1035 check of Service names, re-exported for workloads (StatefulSet serviceName). @internal */
export const serviceNameProblems = isDNS1035Label;
