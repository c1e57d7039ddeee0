import type { Node, Pod } from '../../src/api/generated/types.js';
import { LocalClient } from '../../src/client/client.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { Store } from '../../src/store/store.js';

export async function cluster(): Promise<{ clock: FakeClock; store: Store; client: LocalClient }> {
  const clock = new FakeClock();
  const store = await Store.open({ backend: new MemoryBackend({ clock }), clock });
  return { clock, store, client: new LocalClient(store) };
}

/** Let promise callbacks and already-due work run (no time passes). */
export async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

export function node(name: string, opts: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Node['spec'] extends infer S ? S extends { taints?: infer T } ? T : never : never; unschedulable?: boolean; extra?: Record<string, string> } = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { ...(opts.taints !== undefined ? { taints: opts.taints } : {}), ...(opts.unschedulable === true ? { unschedulable: true } : {}) },
    status: { allocatable: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: opts.pods ?? '110', ...(opts.extra ?? {}) } },
  };
}

export function pod(name: string, opts: { cpu?: string; memory?: string; labels?: Record<string, string>; spec?: Partial<NonNullable<Pod['spec']>>; namespace?: string; uid?: string; nodeName?: string } = {}): Pod {
  const requests: Record<string, string> = {};
  if (opts.cpu !== undefined) requests['cpu'] = opts.cpu;
  if (opts.memory !== undefined) requests['memory'] = opts.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.namespace ?? 'default', uid: opts.uid ?? `uid-${name}`, labels: opts.labels ?? {} },
    spec: {
      containers: [{ name: 'c', image: 'img', ...(Object.keys(requests).length > 0 ? { resources: { requests } } : {}) }],
      ...(opts.nodeName !== undefined ? { nodeName: opts.nodeName } : {}),
      ...(opts.spec ?? {}),
    },
  };
}
