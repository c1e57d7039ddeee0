import { Pod } from '../../src/api/generated/kinds.js';
import type { Pod as PodT, Container } from '../../src/api/generated/types.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { createTestCluster, type TestCluster } from '../../src/testing/cluster.js';
import { Kubelet, type KubeletOptions } from '../../src/kubelet/kubelet.js';
import { SimulatedRuntime } from '../../src/kubelet/runtime/simulated.js';
import type { SimulatedBehaviour } from '../../src/kubelet/runtime/behaviour.js';
import type { ControllerDefinition } from '../../src/runtime/controller.js';

export const START = Date.UTC(2026, 0, 1);

export interface KubeletCluster {
  readonly cluster: TestCluster;
  readonly kubelet: Kubelet;
  readonly runtime: SimulatedRuntime;
  readonly clock: FakeClock;
  get(name: string): Promise<PodT>;
}

/** A test cluster with one kubelet on a simulated runtime. */
export async function kubeletCluster(
  options: { behaviours?: Record<string, SimulatedBehaviour>; kubelet?: Partial<KubeletOptions>; objects?: unknown[]; controllers?: ControllerDefinition[]; nodeName?: string } = {},
): Promise<KubeletCluster> {
  const clock = new FakeClock(START);
  const runtime = new SimulatedRuntime({ clock, behaviours: options.behaviours ?? {} });
  const cluster = await createTestCluster({ clock, objects: (options.objects ?? []) as never[], controllers: options.controllers ?? [] });
  const kubelet = new Kubelet({ client: cluster.client, clock, nodeName: options.nodeName ?? 'node-1', runtime, recorder: { event: (o, type, reason, message) => (cluster.events as unknown as { push(e: unknown): void }).push({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name ?? '', type, reason, message, at: clock.now() }) }, ...options.kubelet });
  cluster.manager.add(kubelet);
  await cluster.settle();
  return {
    cluster,
    kubelet,
    runtime,
    clock,
    get: (name) => cluster.admin.get(Pod, name, { namespace: 'default' }),
  };
}

/** A pod bound to `node` with the given containers (image `app:v1` by default). */
export function pod(name: string, spec: { containers?: Partial<Container>[]; initContainers?: Partial<Container>[]; restartPolicy?: string; simulate?: unknown; node?: string; activeDeadlineSeconds?: number; terminationGracePeriodSeconds?: number; extra?: Record<string, unknown> } = {}): PodT {
  const containers = (spec.containers ?? [{}]).map((c, i) => ({ name: c.name ?? (i === 0 ? 'app' : `app${i}`), image: 'app:v1', ...c }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(spec.simulate !== undefined ? { annotations: { 'kubekit.dev/simulate': JSON.stringify(spec.simulate) } } : {}) },
    spec: {
      nodeName: spec.node ?? 'node-1',
      containers,
      ...(spec.initContainers !== undefined ? { initContainers: spec.initContainers.map((c, i) => ({ name: c.name ?? `init${i}`, image: 'app:v1', ...c })) } : {}),
      ...(spec.restartPolicy !== undefined ? { restartPolicy: spec.restartPolicy } : {}),
      ...(spec.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: spec.activeDeadlineSeconds } : {}),
      ...(spec.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds } : {}),
      ...(spec.extra ?? {}),
    },
  } as PodT;
}

export function condition(p: PodT, type: string): string | undefined {
  return p.status?.conditions?.find((c) => c.type === type)?.status;
}
