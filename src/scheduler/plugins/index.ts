import { Namespace, ReplicaSet, ReplicationController, Service, StatefulSet } from '../../api/generated/kinds.js';
import type { PluginRef } from '../framework/registry.js';
import { Registry } from '../framework/registry.js';
import { DefaultBinder, NodeName, NodePorts, NodeUnschedulable, PrioritySort, SchedulingGates } from './basic.js';
import { DefaultPreemption, type DefaultPreemptionArgs } from './default-preemption.js';
import { InterPodAffinity, type InterPodAffinityArgs } from './inter-pod-affinity.js';
import { NodeAffinity } from './node-affinity.js';
import { type BalancedAllocationArgs, defaultNodeResourcesFitArgs, NodeResourcesBalancedAllocation, NodeResourcesFit, type NodeResourcesFitArgs } from './node-resources.js';
import { PodTopologySpread, type PodTopologySpreadArgs, systemDefaultSpreadConstraints } from './pod-topology-spread.js';
import { TaintToleration } from './taint-toleration.js';
import { VolumeBinding } from './volume-binding.js';

/** The args of a plugin that takes none. @public */
export type NoPluginArgs = Record<string, never>;
const none: NoPluginArgs = {};

/**
 * A registry with every default plugin. Add your own with `.with(name, factory, defaults)`.
 *
 * @example
 * ```ts
 * const registry = defaultRegistry().with('PreferZoneA', () => new PreferZoneA(), {});
 * ```
 * @public
 */
export function defaultRegistry() {
  return new Registry()
    .with(PrioritySort.pluginName, () => new PrioritySort(), none)
    .with(SchedulingGates.pluginName, () => new SchedulingGates(), none)
    .with(NodeUnschedulable.pluginName, () => new NodeUnschedulable(), none)
    .with(NodeName.pluginName, () => new NodeName(), none)
    .with(TaintToleration.pluginName, () => new TaintToleration(), none)
    .with(NodeAffinity.pluginName, () => new NodeAffinity(), none)
    .with(NodePorts.pluginName, () => new NodePorts(), none)
    .with(NodeResourcesFit.pluginName, (a: NodeResourcesFitArgs) => new NodeResourcesFit(a), defaultNodeResourcesFitArgs)
    .with(VolumeBinding.pluginName, (_a: NoPluginArgs, h) => new VolumeBinding(h), none)
    .with(PodTopologySpread.pluginName, (a: PodTopologySpreadArgs, h) =>
      new PodTopologySpread(a, { services: h.lister(Service), replicationControllers: h.lister(ReplicationController), replicaSets: h.lister(ReplicaSet), statefulSets: h.lister(StatefulSet) }).setLister(h.nodes), { defaultConstraints: systemDefaultSpreadConstraints })
    .with(InterPodAffinity.pluginName, (a: InterPodAffinityArgs, h) => new InterPodAffinity(a, h.lister(Namespace)).setLister(h.nodes), { hardPodAffinityWeight: 1 })
    .with(DefaultPreemption.pluginName, (a: DefaultPreemptionArgs, h) => new DefaultPreemption(h, a), { minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 })
    .with(NodeResourcesBalancedAllocation.pluginName, (a: BalancedAllocationArgs) => new NodeResourcesBalancedAllocation(a), { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] })
    .with(DefaultBinder.pluginName, (_a: NoPluginArgs, h) => new DefaultBinder(h), none);
}

/** The registry type of the default plugins (args typed per name). @public */
export type DefaultRegistry = ReturnType<typeof defaultRegistry>;
/** The args map of the default plugins. @public */
export type DefaultPluginArgs = DefaultRegistry['argsMap'];

/**
 * The default profile's plugins in Kubernetes' order, with its score weights
 * (TaintToleration 3, NodeAffinity 2, PodTopologySpread 2, InterPodAffinity 2, the rest 1).
 *
 * @public
 */
export function defaultPluginRefs(): PluginRef<DefaultPluginArgs>[] {
  return [
    'PrioritySort',
    'SchedulingGates',
    'NodeUnschedulable',
    'NodeName',
    { name: 'TaintToleration', weight: 3 },
    { name: 'NodeAffinity', weight: 2 },
    'NodePorts',
    'NodeResourcesFit',
    'VolumeBinding',
    { name: 'PodTopologySpread', weight: 2 },
    { name: 'InterPodAffinity', weight: 2 },
    'DefaultPreemption',
    'NodeResourcesBalancedAllocation',
    'DefaultBinder',
  ];
}

export { DefaultBinder, NodeName, NodePorts, NodeUnschedulable, PrioritySort, SchedulingGates } from './basic.js';
export { DefaultPreemption, histogram, pickCandidate, type DefaultPreemptionArgs, type PreemptionCandidate } from './default-preemption.js';
export { InterPodAffinity, type InterPodAffinityArgs } from './inter-pod-affinity.js';
export { defaultNormalize, NodeAffinity } from './node-affinity.js';
export { defaultNodeResourcesFitArgs, NodeResourcesBalancedAllocation, NodeResourcesFit, type BalancedAllocationArgs, type NodeResourcesFitArgs, type ResourceSpec, type UtilizationShapePoint } from './node-resources.js';
export { defaultSelector, PodTopologySpread, systemDefaultSpreadConstraints, type PodTopologySpreadArgs, type SpreadListers } from './pod-topology-spread.js';
export { TaintToleration } from './taint-toleration.js';
export { VolumeBinding } from './volume-binding.js';
export { findUntoleratedTaint, matchNodeSelector, matchNodeSelectorTerm, podMatchesNodeSelectorAndAffinity, toleratesTaint } from './helpers.js';
