import type { Pod } from '../api/generated/types.js';
import { quantityMilliValue, quantityValue, tryParseQuantity } from '../api/quantity.js';

/** A pod's effective requests: CPU in millicores, memory in bytes. @public */
export interface PodRequests {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
}

function read(map: Readonly<Record<string, string>> | undefined, key: string, milli: boolean): number {
  const raw = map?.[key];
  if (raw === undefined) return 0;
  const q = tryParseQuantity(raw);
  if (q === undefined) return 0;
  return Number(milli ? quantityMilliValue(q) : quantityValue(q));
}

/**
 * The effective requests of a pod as the scheduler and kubelet count them: the sum over app
 * containers, or the largest init container if that is more, plus the pod overhead.
 * Unparseable quantities count as 0 (validation rejects them before a pod gets here).
 * @public
 */
export function podRequests(pod: Pod): PodRequests {
  let cpu = 0;
  let mem = 0;
  for (const c of pod.spec?.containers ?? []) {
    cpu += read(c.resources?.requests, 'cpu', true);
    mem += read(c.resources?.requests, 'memory', false);
  }
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy === 'Always') {
      cpu += read(c.resources?.requests, 'cpu', true);
      mem += read(c.resources?.requests, 'memory', false);
      continue;
    }
    cpu = Math.max(cpu, read(c.resources?.requests, 'cpu', true));
    mem = Math.max(mem, read(c.resources?.requests, 'memory', false));
  }
  cpu += read(pod.spec?.overhead, 'cpu', true);
  mem += read(pod.spec?.overhead, 'memory', false);
  return { cpuMillis: cpu, memoryBytes: mem };
}

/**
 * Every resource a pod requests, as the scheduler and kubelet count them (the same rule as
 * {@link podRequests}, for every resource name): `cpu` in millicores, everything else in base
 * units (bytes, devices). Resources requested by no container are absent.
 * @public
 */
export function podResourceRequests(pod: Pod): Map<string, number> {
  const milli = (name: string): boolean => name === 'cpu';
  const names = new Set<string>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) for (const k of Object.keys(c.resources?.requests ?? {})) names.add(k);
  for (const k of Object.keys(pod.spec?.overhead ?? {})) names.add(k);
  const out = new Map<string, number>();
  for (const name of names) {
    let total = 0;
    for (const c of pod.spec?.containers ?? []) total += read(c.resources?.requests, name, milli(name));
    for (const c of pod.spec?.initContainers ?? []) {
      const v = read(c.resources?.requests, name, milli(name));
      total = c.restartPolicy === 'Always' ? total + v : Math.max(total, v);
    }
    total += read(pod.spec?.overhead, name, milli(name));
    out.set(name, total);
  }
  return out;
}

/** Why the node rejected a pod: `reason` (`OutOfcpu`, `OutOfmemory`, `OutOfpods`, `OutOf<resource>`) and message. @public */
export interface AdmissionRejection {
  readonly reason: string;
  readonly message: string;
}

/** Extended resources are domain-prefixed names outside `kubernetes.io/` (`example.com/gpu`). */
function isExtendedResource(name: string): boolean {
  return name.includes('/') && !name.startsWith('kubernetes.io/');
}

/**
 * Whether `pod` fits on a node next to `admitted` (the active pods already admitted there),
 * within `allocatable`. Every resource the pod requests that the node lists in `allocatable` is
 * checked (`pods`, `cpu`, `memory`, `ephemeral-storage`, hugepages, extended resources);
 * extended resources the node does not list are ignored (as the kubelet does for device-plugin
 * resources not registered yet). Returns undefined when it fits, else the rejection the kubelet
 * writes into the pod's status (phase Failed), worded as Kubernetes' kubelet does: reason
 * `OutOf<resource>`, message
 * `Pod was rejected: Node didn't have enough resource: cpu, requested: 500, used: 3800, capacity: 4000`.
 *
 * @example
 * ```ts
 * admitPod(pod, runningPods, { cpu: '4', memory: '8Gi', pods: '110' }); // undefined: fits
 * ```
 * @public
 */
export function admitPod(pod: Pod, admitted: readonly Pod[], allocatable: Readonly<Record<string, string>>): AdmissionRejection | undefined {
  const maxPods = read(allocatable, 'pods', false);
  if (allocatable['pods'] !== undefined && admitted.length + 1 > maxPods) {
    return { reason: 'OutOfpods', message: `Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: ${admitted.length}, capacity: ${maxPods}` };
  }
  const want = podResourceRequests(pod);
  const used = new Map<string, number>();
  for (const p of admitted) for (const [k, v] of podResourceRequests(p)) used.set(k, (used.get(k) ?? 0) + v);
  const first = ['cpu', 'memory', 'ephemeral-storage'];
  const names = [...want.keys()].filter((n) => n !== 'pods').sort((a, b) => {
    const ia = first.indexOf(a);
    const ib = first.indexOf(b);
    if (ia !== ib) return (ia < 0 ? first.length : ia) - (ib < 0 ? first.length : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  for (const name of names) {
    const requested = want.get(name) ?? 0;
    if (requested === 0) continue;
    if (allocatable[name] === undefined) {
      if (isExtendedResource(name)) continue;
      if (first.includes(name)) continue; // the node does not account this resource
    }
    const capacity = read(allocatable, name, name === 'cpu');
    const inUse = used.get(name) ?? 0;
    if (requested + inUse > capacity) {
      return { reason: `OutOf${name}`, message: `Pod was rejected: Node didn't have enough resource: ${name}, requested: ${requested}, used: ${inUse}, capacity: ${capacity}` };
    }
  }
  return undefined;
}

/**
 * The QoS class of a pod: `Guaranteed` when every container has CPU and memory limits equal to
 * its requests, `BestEffort` when no container has any request or limit, else `Burstable`.
 * @public
 */
export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const k of ['cpu', 'memory']) {
      if (req[k] !== undefined && !isZero(req[k])) any = true;
      if (lim[k] !== undefined && !isZero(lim[k])) any = true;
    }
    for (const k of ['cpu', 'memory']) {
      const l = lim[k];
      const r = req[k] ?? l;
      if (l === undefined || r === undefined || !sameQuantity(l, r)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function isZero(raw: string): boolean {
  const q = tryParseQuantity(raw);
  return q !== undefined && quantityMilliValue(q) === 0n;
}

function sameQuantity(a: string, b: string): boolean {
  const qa = tryParseQuantity(a);
  const qb = tryParseQuantity(b);
  return qa !== undefined && qb !== undefined && quantityMilliValue(qa) === quantityMilliValue(qb);
}
