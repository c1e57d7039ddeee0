import { KubekitError } from '../util/errors.js';

/**
 * Why a kubelet operation failed.
 * - `CreateContainerConfigError`: a container's env or volumes refer to a ConfigMap / Secret /
 *   key that does not exist (and is not optional);
 * - `InvalidPod`: the pod spec cannot be run as given (bad quantity, unknown field path);
 * - `NotFound`: no such pod or container on this node (logs, usage);
 * - `Stopped`: the kubelet was stopped.
 * @public
 */
export type KubeletErrorCode = 'CreateContainerConfigError' | 'InvalidPod' | 'NotFound' | 'Stopped';

/** An error raised by the kubelet. @public */
export class KubeletError extends KubekitError {
  declare readonly code: KubeletErrorCode;
  constructor(code: KubeletErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export { microTime, parseTime, rfc3339 } from '../util/time.js';
