/**
 * Helpers shared by the built-in controllers: pod readiness and availability, owner references,
 * scale-down ranking, expectations and slow-start batches.
 *
 * @packageDocumentation
 */
export { isPodActive, isPodAvailable, isPodReady, isPodTerminating, podAvailableAt, podCondition, podReadySince } from './pods.js';
export {
  CONTROLLER_UID_INDEX,
  ORPHANS_BY_NAMESPACE_INDEX,
  controllerRefOf,
  controllerUidIndexFunc,
  dependentsOf,
  groupOfApiVersion,
  isControlledBy,
  newControllerRef,
  objectKey,
  orphansByNamespaceIndexFunc,
  ownerIndexers,
  withoutOwner,
} from './owner.js';
export { comparePodsForDeletion, podDeletionCost, podsToDelete, POD_DELETION_COST_ANNOTATION } from './ranking.js';
export { EXPECTATIONS_TTL_MS, Expectations } from './expectations.js';
export { slowStartBatch, type SlowStartResult } from './slow-start.js';
export { rfc3339 } from './time.js';
export { compiledSelector } from './selectors.js';
