/**
 * The ReplicaSet controller: keeps a number of pods matching a selector running.
 *
 * @packageDocumentation
 */
export { createReplicaSetController, replicaSetController, ReplicaSetError, type ReplicaSetControllerOptions } from './controller.js';
export { planReplicaSet, replicaSetStatus, BURST_REPLICAS, REPLICA_FAILURE, type ManageReplicasError, type PlanReplicaSetOptions, type ReplicaSetPlan } from './plan.js';
