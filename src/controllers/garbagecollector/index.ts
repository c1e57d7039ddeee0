/**
 * The garbage collector: cascading deletion driven by owner references.
 *
 * @packageDocumentation
 */
export { createGarbageCollector, defaultGarbageCollectedKinds, garbageCollector, GarbageCollector, GarbageCollectorError, type GarbageCollectorOptions } from './collector.js';
export { planDependent, planOwner, type DependentAction, type ObservedOwner, type OwnerAction, type OwnerState } from './plan.js';
