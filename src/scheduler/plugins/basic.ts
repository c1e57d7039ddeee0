import type { Pod } from '../../api/generated/types.js';
import type { CycleState } from '../framework/cycle-state.js';
import type {
  BindPlugin, ClusterEvent, EnqueueExtensions, FilterPlugin, Handle, PreEnqueuePlugin, PreFilterPlugin, PreFilterResult, QueuedPodInfo, QueueSortPlugin,
} from '../framework/interfaces.js';
import { Status } from '../framework/status.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';
import { findUntoleratedTaint } from './helpers.js';

/** Orders the active queue by priority (high first), then by queue time (old first). @public */
export class PrioritySort implements QueueSortPlugin {
  static readonly pluginName = 'PrioritySort';
  readonly name = PrioritySort.pluginName;
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const pa = a.podInfo.priority;
    const pb = b.podInfo.priority;
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  }
}

/** Keeps pods with `spec.schedulingGates` out of the active queue until the gates are removed. @public */
export class SchedulingGates implements PreEnqueuePlugin {
  static readonly pluginName = 'SchedulingGates';
  readonly name = SchedulingGates.pluginName;
  preEnqueue(pod: Pod): Status {
    const gates = pod.spec?.schedulingGates ?? [];
    if (gates.length === 0) return Status.success();
    return Status.unresolvable(`waiting for scheduling gates: [${gates.map((g) => g.name).join(' ')}]`);
  }
}

/** Rejects nodes other than `spec.nodeName` when a pod names one. @public */
export class NodeName implements FilterPlugin, EnqueueExtensions {
  static readonly pluginName = 'NodeName';
  static readonly reason = "node(s) didn't match the requested node name";
  readonly name = NodeName.pluginName;
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const want = pod.pod.spec?.nodeName;
    if (want === undefined || want === '' || want === node.name) return Status.success();
    return Status.unresolvable(NodeName.reason);
  }
  events(): readonly ClusterEvent[] {
    return ['NodeAdd'];
  }
}

/** Rejects cordoned nodes (`spec.unschedulable`) unless the pod tolerates the unschedulable taint. @public */
export class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {
  static readonly pluginName = 'NodeUnschedulable';
  static readonly reason = 'node(s) were unschedulable';
  readonly name = NodeUnschedulable.pluginName;
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (node.node?.spec?.unschedulable !== true) return Status.success();
    const taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
    if (findUntoleratedTaint([taint], pod.pod.spec?.tolerations, () => true) === undefined) return Status.success();
    return Status.unresolvable(NodeUnschedulable.reason);
  }
  events(): readonly ClusterEvent[] {
    return ['NodeAdd', 'NodeUpdate'];
  }
}

/** Rejects nodes where a host port the pod asks for is taken. @public */
export class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  static readonly pluginName = 'NodePorts';
  static readonly reason = "node(s) didn't have free ports for the requested pod ports";
  readonly name = NodePorts.pluginName;
  preFilter(_s: CycleState, pod: PodInfo): PreFilterResult {
    return { status: pod.hostPorts.length === 0 ? Status.skip() : Status.success() };
  }
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    for (const hp of pod.hostPorts) if (node.portInUse(hp)) return Status.unschedulable(NodePorts.reason);
    return Status.success();
  }
  events(): readonly ClusterEvent[] {
    return ['NodeAdd', 'AssignedPodDelete'];
  }
}

/** Binds through the client's `pods/binding` write (Conflict if the pod is already bound). @public */
export class DefaultBinder implements BindPlugin {
  static readonly pluginName = 'DefaultBinder';
  readonly name = DefaultBinder.pluginName;
  constructor(private readonly handle: Handle) {}
  async bind(_s: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    const m = pod.pod.metadata;
    await this.handle.client.bindPod({ name: m.name ?? '', namespace: m.namespace ?? 'default', ...(m.uid !== undefined ? { uid: m.uid } : {}) }, nodeName);
    return Status.success();
  }
}
