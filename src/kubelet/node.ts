import type { Lease, Node, NodeCondition, NodeStatus, Taint } from '../api/generated/types.js';
import { microTime, rfc3339 } from './errors.js';

/** The version the kubelet reports in `nodeInfo.kubeletVersion`. @public */
export const KUBELET_VERSION = 'v1.36.0-kubekit';

/** What a node object is built from. @public */
export interface NodeDescription {
  readonly nodeName: string;
  readonly hostIP: string;
  readonly capacity: Readonly<Record<string, string>>;
  readonly allocatable: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly runtimeName: string;
  readonly podCIDR?: string | undefined;
}

/** The labels every kubelet sets on its node (hostname, OS, architecture), under the given ones. @public */
export function nodeLabels(d: Pick<NodeDescription, 'nodeName' | 'labels'>): Record<string, string> {
  return { 'kubernetes.io/hostname': d.nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch, 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch, ...d.labels };
}

/** The Node object a kubelet registers (metadata and spec; status is posted separately). @public */
export function nodeObject(d: NodeDescription): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: d.nodeName, labels: nodeLabels(d), annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
    spec: { ...(d.taints.length > 0 ? { taints: d.taints } : {}), ...(d.podCIDR !== undefined ? { podCIDR: d.podCIDR, podCIDRs: [d.podCIDR] } : {}) },
  };
}

const CONDITIONS: readonly [type: string, status: string, reason: string, message: string][] = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

/**
 * The node status a healthy kubelet posts: capacity, allocatable, the four conditions (Ready
 * True, no pressure) with `lastHeartbeatTime` = now and `lastTransitionTime` kept from
 * `previous` while a condition's status is unchanged, addresses (InternalIP, Hostname),
 * nodeInfo and the kubelet endpoint.
 * @public
 */
export function nodeStatus(d: NodeDescription, previous: NodeStatus | undefined, now: number): NodeStatus {
  const conditions: NodeCondition[] = CONDITIONS.map(([type, status, reason, message]) => {
    const prev = previous?.conditions?.find((c) => c.type === type);
    return {
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: rfc3339(now),
      lastTransitionTime: prev !== undefined && prev.status === status && prev.lastTransitionTime !== undefined ? prev.lastTransitionTime : rfc3339(now),
    };
  });
  return {
    capacity: { ...d.capacity },
    allocatable: { ...d.allocatable },
    conditions,
    addresses: [
      { type: 'InternalIP', address: d.hostIP },
      { type: 'Hostname', address: d.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: d.nodeName,
      systemUUID: d.nodeName,
      bootID: d.nodeName,
      kernelVersion: 'kubekit',
      osImage: 'kubekit',
      containerRuntimeVersion: `${d.runtimeName}://${KUBELET_VERSION}`,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    },
  };
}

/** Whether a posted status needs re-posting: a condition's status/reason changed, or capacity did. @internal */
export function nodeStatusChanged(current: NodeStatus | undefined, want: NodeStatus): boolean {
  if (current === undefined) return true;
  if (JSON.stringify(current.capacity ?? {}) !== JSON.stringify(want.capacity ?? {})) return true;
  if (JSON.stringify(current.allocatable ?? {}) !== JSON.stringify(want.allocatable ?? {})) return true;
  for (const w of want.conditions ?? []) {
    const c = current.conditions?.find((x) => x.type === w.type);
    if (c === undefined || c.status !== w.status || c.reason !== w.reason) return true;
  }
  return false;
}

/** The node's Lease in `kube-node-lease`, renewed at `now`. @public */
export function nodeLease(nodeName: string, nodeUid: string | undefined, durationSeconds: number, now: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: 'kube-node-lease',
      ...(nodeUid !== undefined ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: microTime(now) },
  };
}
