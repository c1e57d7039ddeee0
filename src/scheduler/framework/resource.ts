import type { Container, Pod } from '../../api/generated/types.js';
import { parseQuantity, quantityMilliValue, quantityValue } from '../../api/quantity.js';

/**
 * An amount of every schedulable resource, as plain numbers so that the hot path of a
 * scheduling cycle never parses a quantity: `milliCPU` in thousandths of a core, `memory` and
 * `ephemeralStorage` in bytes, `pods` a count, `scalar` the extended resources
 * (`example.com/gpu`, `hugepages-2Mi`, …) in whole units.
 *
 * @public
 */
export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  pods = 0;
  scalar: Map<string, number> | undefined = undefined;

  /** A resource list (`requests`, `allocatable`) as a Resource; unknown names go to `scalar`. */
  static fromList(list: { readonly [name: string]: string } | undefined): Resource {
    const r = new Resource();
    if (list !== undefined) for (const name in list) r.setQuantity(name, list[name] ?? '0');
    return r;
  }

  /** Set one resource from its quantity string (bad quantities count as 0). */
  setQuantity(name: string, quantity: string): void {
    let q;
    try {
      q = parseQuantity(quantity);
    } catch {
      return;
    }
    switch (name) {
      case 'cpu':
        this.milliCPU = Number(quantityMilliValue(q));
        return;
      case 'memory':
        this.memory = Number(quantityValue(q));
        return;
      case 'ephemeral-storage':
        this.ephemeralStorage = Number(quantityValue(q));
        return;
      case 'pods':
        this.pods = Number(quantityValue(q));
        return;
      default:
        (this.scalar ??= new Map()).set(name, Number(quantityValue(q)));
    }
  }

  /** The amount of one resource by its Kubernetes name. */
  get(name: string): number {
    switch (name) {
      case 'cpu':
        return this.milliCPU;
      case 'memory':
        return this.memory;
      case 'ephemeral-storage':
        return this.ephemeralStorage;
      case 'pods':
        return this.pods;
      default:
        return this.scalar?.get(name) ?? 0;
    }
  }

  /** `this += other` (sign -1: `this -= other`). */
  add(other: Resource, sign: 1 | -1 = 1): void {
    this.milliCPU += sign * other.milliCPU;
    this.memory += sign * other.memory;
    this.ephemeralStorage += sign * other.ephemeralStorage;
    this.pods += sign * other.pods;
    if (other.scalar !== undefined) {
      const s = (this.scalar ??= new Map());
      for (const [k, v] of other.scalar) s.set(k, (s.get(k) ?? 0) + sign * v);
    }
  }

  /** Per-resource maximum, in place. */
  setMax(other: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, other.milliCPU);
    this.memory = Math.max(this.memory, other.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, other.ephemeralStorage);
    if (other.scalar !== undefined) {
      const s = (this.scalar ??= new Map());
      for (const [k, v] of other.scalar) s.set(k, Math.max(s.get(k) ?? 0, v));
    }
  }

  clone(): Resource {
    const r = new Resource();
    r.milliCPU = this.milliCPU;
    r.memory = this.memory;
    r.ephemeralStorage = this.ephemeralStorage;
    r.pods = this.pods;
    if (this.scalar !== undefined) r.scalar = new Map(this.scalar);
    return r;
  }
}

/** Requests assumed for scoring when a container requests no cpu (Kubernetes: 100m). @public */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** Requests assumed for scoring when a container requests no memory (Kubernetes: 200Mi). @public */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/**
 * A container's requests; with `nonZero`, cpu and memory requests that are *absent* count as
 * 100m / 200Mi (an explicit `0` stays 0, as Kubernetes' `NonMissingContainerRequests`).
 */
function containerRequests(c: Container, nonZero: boolean): Resource {
  const list = c.resources?.requests;
  const r = Resource.fromList(list);
  if (nonZero) {
    if (list?.['cpu'] === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (list?.['memory'] === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * The effective requests of a pod, as Kubernetes computes them: the larger, per resource, of
 * the sum over app containers (plus restartable "sidecar" init containers) and the largest
 * init container (each init container counted with the sidecars started before it), plus
 * `spec.overhead`. `pods` is always 1.
 *
 * With `nonZero`, a container whose requests omit cpu or memory counts as 100m / 200Mi for
 * it (what scoring uses, so that empty pods still spread); an explicit `0` is kept.
 *
 * @public
 */
export function computePodRequests(pod: Pod, nonZero = false): Resource {
  const spec = pod.spec;
  const total = new Resource();
  if (spec === undefined) {
    total.pods = 1;
    return total;
  }
  for (const c of spec.containers) total.add(containerRequests(c, nonZero));
  const sidecars = new Resource();
  const initMax = new Resource();
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      sidecars.add(r);
      total.add(r);
    } else {
      const during = sidecars.clone();
      during.add(r);
      initMax.setMax(during);
    }
  }
  total.setMax(initMax);
  if (spec.overhead !== undefined) total.add(Resource.fromList(spec.overhead));
  total.pods = 1;
  return total;
}
