/**
 * Container runtime adapters for the kubelet: the {@link ContainerRuntime} interface (CRI-like),
 * the simulated runtime (KWOK-like, scripted on a Clock) and the process runtime (OS processes).
 *
 * @packageDocumentation
 */
export type {
  ContainerConfig,
  ContainerEvent,
  ContainerExitReason,
  ContainerFilter,
  ContainerResources,
  ContainerRuntime,
  ContainerState,
  ContainerStatus,
  ContainerUsage,
  EnvPair,
  ExecResult,
  ImagePullPolicy,
  ImageService,
  LogLine,
  LogOptions,
  Mount,
  PodSandboxConfig,
  PodSandboxState,
  PodSandboxStatus,
  PortMapping,
  ProbeKind,
  ProbeOutcome,
  ProbeResult,
  RuntimeService,
} from './types.js';
export { RuntimeError, isRuntimeError, type RuntimeErrorCode } from './errors.js';
export { resourcesFromRequirements } from './resources.js';
export { IPPool, formatIPv4 } from './ip-pool.js';
export { PullBackoff, imageRepository, lookupImage } from './image-pull.js';
export { encodeCriLogLine, decodeCriLogLine } from './logs.js';
export {
  SIMULATE_ANNOTATION,
  SimulatedBehaviourCodec,
  decodePodSimulation,
  type PodSimulation,
  type ProbeScript,
  type SimulatedBehaviour,
} from './behaviour.js';
export { SimulatedRuntime, type SimulatedRuntimeOptions } from './simulated.js';
export { defaultImageMap, type ImageMap, type ProcessImage } from './images.js';
export { ProcessRuntime, type ProcessRuntimeOptions } from './process.js';
