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

/** RFC 3339 with whole seconds, as Kubernetes' `metav1.Time` serializes. @internal */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** RFC 3339 with microseconds (`metav1.MicroTime`). @internal */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Parse an RFC 3339 time to ms since the epoch; undefined when absent or malformed. @internal */
export function parseTime(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}
