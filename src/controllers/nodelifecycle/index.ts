/**
 * The node lifecycle controller: node health from leases, NoExecute taints, pod eviction.
 *
 * @packageDocumentation
 */
export { createNodeLifecycleController, nodeLifecycleController, type NodeLifecycleOptions } from './controller.js';
export { evictionTime, evictionTimeForTaints, lastHeardFrom, minTolerationSeconds, planNodeHealth, tolerates, TAINT_NOT_READY, TAINT_UNREACHABLE, type NodeHealthOptions, type NodeHealthPlan } from './plan.js';
