/** Shared fixtures for the Deployment controller tests (not a test file: names starting with _ are skipped). */
import { StoreError } from '../../../src/store/errors.js';
import { Deployment, Pod, ReplicaSet } from '../../../src/api/generated/kinds.js';
import type * as T from '../../../src/api/generated/types.js';
import { isPodAvailable } from '../../../src/controllers/common/pods.js';
import { deploymentController } from '../../../src/controllers/deployment/index.js';
import { replicaSetController } from '../../../src/controllers/replicaset/index.js';
import { createTestCluster, type TestCluster } from '../../../src/testing/cluster.js';
import { fakeKubelet, type FakeKubeletOptions } from '../../../src/testing/fake-kubelet.js';

export const NS = 'default';

export function deployment(name: string, spec: Partial<T.DeploymentSpec> & { image?: string } = {}, meta: Partial<T.ObjectMeta> = {}): T.Deployment {
  const { image, ...rest } = spec;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, ...meta },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: image ?? 'nginx:1' }] } },
      ...rest,
    },
  };
}

export async function cluster(objects: T.Deployment[] = [], kubelet: FakeKubeletOptions = {}): Promise<TestCluster> {
  return createTestCluster({ controllers: [deploymentController, replicaSetController, fakeKubelet(kubelet)], objects });
}

export async function getDeployment(c: TestCluster, name: string): Promise<T.Deployment> {
  return c.admin.get(Deployment, name, { namespace: NS });
}

export async function replicaSetsOf(c: TestCluster, d: T.Deployment): Promise<readonly T.ReplicaSet[]> {
  const all = (await c.admin.list(ReplicaSet, { namespace: NS })).items;
  return all.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid) ?? false);
}

export async function podsOf(c: TestCluster, app: string): Promise<readonly T.Pod[]> {
  return (await c.admin.list(Pod, { namespace: NS, labelSelector: `app=${app}` })).items;
}

/** Change a Deployment's spec as kubectl does: read, change, write, again on a Conflict (controllers write status meanwhile). */
export async function updateSpec(c: TestCluster, name: string, f: (s: T.DeploymentSpec) => T.DeploymentSpec, annotations?: Record<string, string>): Promise<T.Deployment> {
  for (;;) {
    const d = await getDeployment(c, name);
    const spec = d.spec as T.DeploymentSpec;
    try {
      return await c.admin.update(Deployment, {
        ...d,
        metadata: { ...d.metadata, ...(annotations !== undefined ? { annotations: { ...(d.metadata.annotations ?? {}), ...annotations } } : {}) },
        spec: f(spec),
      });
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'Conflict')) throw err;
    }
  }
}

export function withImage(image: string): (s: T.DeploymentSpec) => T.DeploymentSpec {
  return (s) => ({ ...s, template: { ...s.template, spec: { ...(s.template.spec as T.PodSpec), containers: [{ name: 'c', image }] } } });
}

export function imageOf(p: { readonly spec?: { readonly containers: readonly T.Container[] } | undefined }): string {
  return p.spec?.containers[0]?.image ?? '';
}

/**
 * Watches every pod of `app` and records, after each pod event, the count of live pods (not
 * terminating) and of available ones — the invariant checker of rolling updates.
 */
export class PodWatcher {
  readonly samples: { readonly pods: number; readonly available: number; readonly at: number; readonly images: readonly string[] }[] = [];
  private readonly pods = new Map<string, T.Pod>();
  private sub: { unsubscribe(): void } | undefined;
  private constructor(
    private readonly c: TestCluster,
    private readonly minReadySeconds: number,
  ) {}
  /** Starts watching from the current state (which is not sampled). */
  static async start(c: TestCluster, app: string, minReadySeconds = 0): Promise<PodWatcher> {
    const w = new PodWatcher(c, minReadySeconds);
    const list = await c.admin.list(Pod, { namespace: NS, labelSelector: `app=${app}` });
    for (const p of list.items) w.pods.set(p.metadata.name ?? '', p);
    w.sub = c.admin.watch(Pod, { namespace: NS, labelSelector: `app=${app}`, resourceVersion: list.resourceVersion }).subscribe((ev) => {
      if (ev.type === 'BOOKMARK') return;
      const key = ev.object.metadata.name ?? '';
      if (ev.type === 'DELETED') w.pods.delete(key);
      else w.pods.set(key, ev.object);
      w.sample();
    });
    return w;
  }
  sample(): void {
    const now = this.c.clock.now();
    const live = [...this.pods.values()].filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
    const images = [...new Set([...this.pods.values()].map(imageOf))].sort();
    this.samples.push({ pods: live.length, available: live.filter((p) => isPodAvailable(p, this.minReadySeconds, now)).length, at: now, images });
  }
  stop(): void {
    this.sub?.unsubscribe();
  }
}
