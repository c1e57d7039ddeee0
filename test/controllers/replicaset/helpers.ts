import { Pod, ReplicaSet } from '../../../src/api/generated/kinds.js';
import type { TestCluster } from '../../../src/testing/cluster.js';

export function rs(name: string, replicas: number, extra: { minReadySeconds?: number; labels?: Record<string, string>; namespace?: string } = {}): ReplicaSet {
  const labels = extra.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: extra.namespace ?? 'default' },
    spec: {
      replicas,
      ...(extra.minReadySeconds !== undefined ? { minReadySeconds: extra.minReadySeconds } : {}),
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    },
  };
}

export function orphanPod(name: string, labels: Record<string, string>, namespace = 'default'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } };
}

export async function podsOf(cluster: TestCluster, owner: ReplicaSet | string, namespace = 'default'): Promise<Pod[]> {
  const name = typeof owner === 'string' ? owner : (owner.metadata.name ?? '');
  const list = await cluster.admin.list(Pod, { namespace });
  return list.items.filter((p) => p.metadata.ownerReferences?.some((r) => r.controller === true && r.kind === 'ReplicaSet' && r.name === name));
}

export async function getRs(cluster: TestCluster, name: string, namespace = 'default'): Promise<ReplicaSet> {
  return cluster.admin.get(ReplicaSet, name, { namespace });
}
