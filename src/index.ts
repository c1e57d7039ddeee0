/**
 * kubekit: Kubernetes-style orchestrators from composable parts.
 *
 * This entry point exports the public API. Implementation lives under the internal folders;
 * anything not exported here may change without notice. The test kit is `kubekit/testing`.
 *
 * @packageDocumentation
 */

// Errors
export { KubekitError } from './util/errors.js';

// Resource model: every built-in kind (type + ResourceType value), generated from Kubernetes' OpenAPI
export * from './api/generated/index.js';
export * as codecs from './api/generated/codecs.js';
/** Every generated Kubernetes type, including those whose names kubekit's own API reuses (`k8s.DeleteOptions`, `k8s.StatusDetails`). */
export type * as k8s from './api/generated/types.js';
export {
  apiVersionOf,
  defineResource,
  strict,
  type CustomObject,
  type CustomResourceOptions,
  type KubeObject,
  type ObjectOf,
  type PrinterColumn,
  type ResourceStrategy,
  type ResourceType,
  type ScaleSubresource,
  type StrictOf,
  type StrictProps,
} from './api/resource.js';
export { KindRegistry, KindError, type KindRegistryChange } from './api/registry.js';
export { SchemaCodec, type DecodeOptions, type DecodeResult, type FieldError, type UnknownFieldPolicy } from './api/schema/decode.js';
export type { DefinitionSpec, FieldSpec, FieldType, GroupVersionKind, ListSemantics, ResourceSpec } from './api/schema/types.js';
export { definitions } from './api/generated/schema.js';
export { builtinResources } from './api/generated/resources.js';
export { humanDuration, podStatusReason } from './api/printers.js';
export { loadManifests, ManifestError, type LoadedObject, type LoadManifestOptions, type ManifestProblem } from './api/manifest.js';

// Quantities, int-or-string, selectors
export {
  Quantities,
  Quantity,
  QuantityCodec,
  QuantityError,
  QuantityFromWire,
  addQuantities,
  compareQuantities,
  formatQuantity,
  isZeroQuantity,
  mulQuantity,
  parseQuantity,
  quantityMilliValue,
  quantityToNumber,
  quantityValue,
  subQuantities,
  tryParseQuantity,
  type QuantityFormat,
} from './api/quantity.js';
export { IntOrStringCodec, IntOrStringError, intOrPercentValue, scaledValue, type IntOrString } from './api/intstr.js';
export {
  SelectorError,
  everything,
  formatLabelSelector,
  formatSelector,
  labelSelectorAsString,
  labelSelectorFromString,
  newRequirement,
  nothing,
  parseSelector,
  requirementToString,
  selectorFromLabelSelector,
  selectorFromRequirements,
  selectorFromSet,
  validateLabelKey,
  validateLabelValue,
  type Labels,
  type Requirement,
  type Selector,
  type SelectorOperator,
  type LabelSelector as LabelSelectorLike,
  type LabelSelectorRequirement as LabelSelectorRequirementLike,
  type LabelSelectorOperator,
} from './api/labels.js';
export {
  FieldSelectorError,
  checkFieldSelector,
  escapeFieldValue,
  everythingFields,
  fieldSelectorFromRequirements,
  fieldSelectorFromSet,
  objectFieldGetter,
  parseFieldSelector,
  selectableFieldsFor,
  supportedFieldSelectors,
  unescapeFieldValue,
  type FieldGetter,
  type FieldOperator,
  type FieldRequirement,
  type FieldSelector,
} from './api/fields.js';

// Store
export {
  Store,
  FOREGROUND_FINALIZER,
  NAMESPACE_FINALIZER,
  ORPHAN_FINALIZER,
  type AdmissionPlugin,
  type AdmissionRequest,
  type DeleteOptions,
  type ObjectRef,
  type ListAndWatchEvent,
  type Patch,
  type PatchOptions,
  type PropagationPolicy,
  type StoreListOptions,
  type StoreOptions,
  type StoreWatchOptions,
  type WriteOptions,
} from './store/store.js';
export { StoreError, type KubeStatus, type StatusDetails, type StoreErrorCode } from './store/errors.js';
export * from './store/backend/index.js';
export type { Backend, BackendEvent, KeyValue, RangeOptions, RangeResult, StampValue, StoredValue, WriteCondition, WriteResult } from './store/backend/types.js';
export {
  PATCH_CONTENT_TYPES,
  PatchError,
  applyJsonPatch,
  applyMergePatch,
  applyPatch,
  applyStrategicMergePatch,
  createMergePatch,
  patchTypeFromContentType,
  schemaFromSpec,
  type PatchErrorCode,
  type PatchSchemaNode,
  type PatchSchemaSpec,
  type PatchType,
  type JsonArray,
  type JsonObject,
  type JsonPrimitive,
  type JsonValue,
} from './store/patch/index.js';

// Client
export { LocalClient, listWatcherFor, mutate, type Client, type ClientListOptions, type ClientWatchOptions, type ClientWriteOptions } from './client/client.js';
export type { KubeObjectLike, ListOptions, ListResult, ListWatcher, ObjectMetaLike, WatchEvent, WatchOptions } from './client/watch-types.js';

// Runtime
export type { Clock, TimerHandle } from './runtime/clock-types.js';
export { ClockError, FakeClock, RealClock, clockScheduler, realClock, type ClockErrorCode, type TimerSource } from './runtime/clock.js';
export {
  WorkQueue,
  type DurationSummary,
  type WorkQueueArgs,
  type WorkQueueMetricEvent,
  type WorkQueueMetrics,
  type WorkQueueOptions,
  type WorkQueueState,
} from './runtime/workqueue.js';
export {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  ItemFastSlowRateLimiter,
  MaxOfRateLimiter,
  WorkQueueError,
  defaultControllerRateLimiter,
  stringKeyOf,
  type KeyOf,
  type RateLimiter,
  type WorkQueueErrorCode,
} from './runtime/rate-limiter.js';
export { Informer, InformerError, isExpired, type BackoffOptions, type InformerErrorCode, type InformerEvent, type InformerHandler, type InformerLogger, type InformerOptions } from './runtime/informer.js';
export { CacheError, NAMESPACE_INDEX, objectKey, type Cache, type CacheErrorCode, type IndexFunc } from './runtime/cache.js';
export { SharedInformerFactory, type SharedInformerFactoryOptions, type SharedInformerOptions } from './runtime/shared-informers.js';
export { jsonLogger, memoryLogger, silentLogger, type LogLevel, type Logger } from './runtime/logger.js';
export type { EventRecorder, EventType } from './runtime/event-types.js';
export {
  Action,
  Controller,
  ControllerBuilder,
  ControllerError,
  TerminalError,
  controllerFor,
  predicates,
  refKey,
  type ControllerDefinition,
  type ControllerDeps,
  type ControllerErrorCode,
  type ErrorPolicy,
  type InformerSource,
  type Predicate,
  type Reconcile,
  type ReconcileContext,
  type RelatedWatchOptions,
} from './runtime/controller.js';
export {
  COMBINED_EVENT_PREFIX,
  ClientEventRecorder,
  EventRecorderError,
  createEventRecorder,
  type EventCorrelatorOptions,
  type EventRecorderErrorCode,
  type EventRecorderOptions,
} from './runtime/events.js';
export {
  LeaderElectionError,
  LeaderElector,
  microTime,
  type LeaderElectionErrorCode,
  type LeaderElectorEvents,
  type LeaderElectorOptions,
} from './runtime/leader-election.js';
export {
  ControllerMetrics,
  HealthServerError,
  startHealthServer,
  type HealthCheck,
  type HealthChecks,
  type HealthServer,
  type HealthServerErrorCode,
  type HealthServerOptions,
  type ReconcileResultLabel,
} from './runtime/health.js';
export { Manager, ManagerError, type LeaderElection, type ManagerEvents, type ManagerOptions, type Runnable } from './runtime/manager.js';
export type { RunningController } from './runtime/controller.js';

// Names used by more than one module: the Kubernetes types keep the plain name; the
// scheduler's and the runtime's carry a prefix.
export type { ContainerState, ContainerStatus, NodeAffinity, Status } from './api/generated/types.js';

// Scheduler
export * from './scheduler/index.js';
export type { ResourceSpec as ScoringResourceSpec } from './scheduler/index.js';
export { NodeAffinity as NodeAffinityPlugin, Status as SchedulingStatus } from './scheduler/index.js';

// Kubelet: runtime adapters (CRI-like) and probes
export * from './kubelet/runtime/index.js';
export type { ContainerState as RuntimeContainerState, ContainerStatus as RuntimeContainerStatus } from './kubelet/runtime/index.js';
export * from './kubelet/probes/index.js';
export { FinalizerError, finalizer, type FinalizerErrorCode, type FinalizerHandlers } from './runtime/finalizer.js';

// Controllers
export * from './controllers/index.js';

// Kubelet
export * from './kubelet/index.js';
