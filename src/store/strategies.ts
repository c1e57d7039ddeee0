import type { KubeObject, ResourceType } from '../api/resource.js';
import { compareQuantities, parseQuantity, type Quantity } from '../api/quantity.js';

/**
 * What the registry does to a kind's objects beyond defaulting and validation, as each kind's
 * registry strategy does in Kubernetes: reset status on create (`PrepareForCreate`), give pods
 * a grace period on delete (`CheckGracefulDeleteStrategy`), hold namespaces until their content
 * is gone (the namespace registry's Delete). Functions return new objects and never mutate.
 *
 * @internal
 */
export interface StorePrepare {
  forCreate?(obj: Record<string, unknown>): Record<string, unknown>;
  /** Seconds a delete waits (deletionTimestamp in the future) instead of removing at once. */
  gracePeriodSeconds?(obj: KubeObject, requested: number | undefined): number;
  /** True while a deleting object must stay even with no finalizers left. */
  holdsDeletion?(obj: KubeObject, alreadyDeleting: boolean): boolean;
  /** The object as it is while deleting (e.g. a Terminating phase). */
  markDeleting?(obj: Record<string, unknown>): Record<string, unknown>;
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A pod's QoS class, as Kubernetes computes it (qos.GetPodQOS). @internal */
export function podQosClass(pod: KubeObject & { readonly spec?: unknown }): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const spec = obj(pod.spec);
  const containers = [...arr(spec['containers']), ...arr(spec['initContainers'])].map(obj);
  let anyRequest = false;
  let guaranteed = true;
  for (const c of containers) {
    const res = obj(c['resources']);
    const requests = obj(res['requests']);
    const limits = obj(res['limits']);
    for (const [name, q] of Object.entries(requests)) {
      if ((name === 'cpu' || name === 'memory') && typeof q === 'string' && !isZero(q)) anyRequest = true;
    }
    for (const [name, q] of Object.entries(limits)) {
      if ((name === 'cpu' || name === 'memory') && typeof q === 'string' && !isZero(q)) anyRequest = true;
    }
    for (const name of ['cpu', 'memory']) {
      const l = limits[name];
      if (typeof l !== 'string') {
        guaranteed = false;
        continue;
      }
      const r = requests[name];
      if (typeof r === 'string' && !sameQuantity(r, l)) guaranteed = false;
    }
  }
  if (!anyRequest) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/**
 * Parsed quantities by their text: pods repeat the same few strings ("100m", "64Mi"), and
 * parsing is the bulk of the QoS computation on the create path. Bounded; cleared when full.
 */
const quantityCache = new Map<string, Quantity | null>();
const QUANTITY_CACHE_MAX = 4096;

function cachedQuantity(q: string): Quantity | undefined {
  let v = quantityCache.get(q);
  if (v === undefined) {
    try {
      v = parseQuantity(q);
    } catch {
      v = null;
    }
    if (quantityCache.size >= QUANTITY_CACHE_MAX) quantityCache.clear();
    quantityCache.set(q, v);
  }
  return v ?? undefined;
}

function isZero(q: string): boolean {
  const v = cachedQuantity(q);
  return v !== undefined && v.sign() === 0;
}

function sameQuantity(a: string, b: string): boolean {
  const qa = cachedQuantity(a);
  const qb = cachedQuantity(b);
  if (qa === undefined || qb === undefined) return a === b;
  return compareQuantities(qa, qb) === 0;
}

/** The three statuses a new Pod can start with: frozen and shared by every Pod (stored objects are immutable). */
const NEW_POD_STATUS: { readonly [qos: string]: Json } = Object.freeze({
  Guaranteed: Object.freeze({ phase: 'Pending', qosClass: 'Guaranteed' }),
  Burstable: Object.freeze({ phase: 'Pending', qosClass: 'Burstable' }),
  BestEffort: Object.freeze({ phase: 'Pending', qosClass: 'BestEffort' }),
});

const prepares: { readonly [groupKind: string]: StorePrepare } = {
  '/Pod': {
    forCreate: (o) => ({ ...o, status: NEW_POD_STATUS[podQosClass(o as unknown as KubeObject)] }),
    // Pods bound to a node and not finished wait for their kubelet; others go at once.
    gracePeriodSeconds: (o, requested) => {
      const pod = o as KubeObject & { spec?: { nodeName?: string; terminationGracePeriodSeconds?: number }; status?: { phase?: string } };
      if (pod.spec?.nodeName === undefined || pod.spec.nodeName === '') return 0;
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
      return requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    },
  },
  '/Namespace': {
    forCreate: (o) => ({ ...o, status: { phase: 'Active' } }),
    // The first delete only marks a namespace Terminating; it goes on a later delete (or
    // update) once the namespace controller has emptied spec.finalizers.
    holdsDeletion: (o, alreadyDeleting) => !alreadyDeleting || namespaceSpecFinalizers(o).length > 0,
    markDeleting: (o) => ({ ...o, status: { ...obj(o['status']), phase: 'Terminating' } }),
  },
  '/PersistentVolume': {
    forCreate: (o) => ({ ...o, status: { phase: 'Pending' } }),
  },
  '/PersistentVolumeClaim': {
    forCreate: (o) => ({ ...o, status: { phase: 'Pending' } }),
  },
  // Nodes register with their status (the kubelet's first write carries it).
  '/Node': { forCreate: (o) => o },
};

/** A namespace's `spec.finalizers` (what the namespace controller clears before it goes). */
function namespaceSpecFinalizers(ns: KubeObject): readonly unknown[] {
  const f = obj((ns as unknown as Json)['spec'])['finalizers'];
  return Array.isArray(f) ? f : [];
}

/** The kind's store hooks (empty for kinds without any). @internal */
export function storePrepareFor(type: ResourceType): StorePrepare {
  return prepares[`${type.group}/${type.kind}`] ?? {};
}

/**
 * The create-time preparation of a kind: the kind's own hook if it has one; otherwise, for
 * kinds with a status subresource, the status a client sent is dropped (it is written only
 * through the status subresource).
 *
 * @internal
 */
export function prepareForCreate(type: ResourceType, o: Json): Json {
  const p = prepares[`${type.group}/${type.kind}`];
  if (p?.forCreate !== undefined) return p.forCreate(o);
  if (type.hasStatus && 'status' in o) {
    const { status: _dropped, ...rest } = o;
    return rest;
  }
  return o;
}
