/**
 * The scheduler: a plugin framework (extension points, Status, CycleState, registry,
 * profiles), the default plugins, the scheduling queue, the node cache, and the loop.
 *
 * @packageDocumentation
 */
export { SchedulerCache } from './cache.js';
export { SchedulerError, type SchedulerErrorCode } from './errors.js';
export { CycleState, StateKey } from './framework/cycle-state.js';
export { Framework, MAX_NODE_SCORE } from './framework/framework.js';
export type * from './framework/interfaces.js';
export { Registry, type ArgsOf, type PluginRef, type Profile } from './framework/registry.js';
export { computePodRequests, DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, Resource } from './framework/resource.js';
export { Status, type StatusCode } from './framework/status.js';
export { AffinityTerm, NodeInfo, PodInfo, podKey, type HostPort, type NamespaceLabels, type NodeInfoLister, type PlacedPod, type PlacedTerm, type TermGroup, type TermKind } from './framework/types.js';
export { PodIndex } from './pod-index.js';
export { CountsView, TopologyCounts, type ReadonlyTopologyCounts } from './framework/topology-counts.js';
export * from './plugins/index.js';
export { SchedulingQueue, type SchedulingQueueOptions } from './queue.js';
export { DEFAULT_SCHEDULER_NAME, numFeasibleNodesToFind, Scheduler, type ScheduleOutcome, type SchedulerEvents, type SchedulerOptions } from './scheduler.js';
