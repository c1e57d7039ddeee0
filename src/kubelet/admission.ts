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

/** Why the node rejected a pod: `reason` (`OutOfcpu`, `OutOfmemory`, `OutOfpods`) and message. @public */
export interface AdmissionRejection {
  readonly reason: string;
  readonly message: string;
}

/**
 * Whether `pod` fits on a node next to `admitted` (the active pods already admitted there),
 * within `allocatable` (`cpu`, `memory`, `pods`). Returns undefined when it fits, else the
 * rejection the kubelet writes into the pod's status (phase Failed), worded as Kubernetes'
 * kubelet does: reason `OutOf<resource>`, message
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
  const want = podRequests(pod);
  let cpu = 0;
  let mem = 0;
  for (const p of admitted) {
    const r = podRequests(p);
    cpu += r.cpuMillis;
    mem += r.memoryBytes;
  }
  const checks: [string, number, number, number][] = [
    ['cpu', want.cpuMillis, cpu, read(allocatable, 'cpu', true)],
    ['memory', want.memoryBytes, mem, read(allocatable, 'memory', false)],
  ];
  for (const [name, requested, used, capacity] of checks) {
    if (allocatable[name] === undefined || requested === 0) continue;
    if (requested + used > capacity) {
      return { reason: `OutOf${name}`, message: `Pod was rejected: Node didn't have enough resource: ${name}, requested: ${requested}, used: ${used}, capacity: ${capacity}` };
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
