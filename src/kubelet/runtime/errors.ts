import { KubekitError } from '../../util/errors.js';

/**
 * Why a container runtime call failed. The image codes are the reasons the kubelet shows in a
 * container's `waiting.reason`, so it can copy them through unchanged.
 * - `ErrImagePull`: the image could not be resolved/pulled (the message says how to fix it);
 * - `ImagePullBackOff`: a recent pull of this image failed and the runtime is backing off;
 * - `ErrImageNeverPull`: `imagePullPolicy: Never` and the image is not present;
 * - `NotFound`: no sandbox / container with that id (it may have been removed);
 * - `InvalidState`: the call does not fit the object's state (start a running container, create
 *   a container in a stopped sandbox, …);
 * - `InvalidArgument`: a malformed config (empty name, bad resource quantity, …);
 * - `InvalidSimulation`: a `kubekit.dev/simulate` annotation that is not valid JSON or not a
 *   valid behaviour;
 * - `RunContainerError`: the container process could not be started (binary not found, …);
 * - `ExecTimeout`: `execSync` ran past its timeout and the command was killed;
 * - `AddressExhausted`: no free pod IP in the configured range;
 * - `Closed`: the runtime was closed.
 *
 * @public
 */
export type RuntimeErrorCode =
  | 'ErrImagePull'
  | 'ImagePullBackOff'
  | 'ErrImageNeverPull'
  | 'NotFound'
  | 'InvalidState'
  | 'InvalidArgument'
  | 'InvalidSimulation'
  | 'RunContainerError'
  | 'ExecTimeout'
  | 'AddressExhausted'
  | 'Closed';

/** An error thrown by a {@link ContainerRuntime} implementation. @public */
export class RuntimeError extends KubekitError {
  declare readonly code: RuntimeErrorCode;
  constructor(code: RuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Narrow an unknown thrown value to a {@link RuntimeError}, optionally of one code. @public */
export function isRuntimeError(err: unknown, code?: RuntimeErrorCode): err is RuntimeError {
  return err instanceof RuntimeError && (code === undefined || err.code === code);
}
