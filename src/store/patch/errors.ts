import { KubekitError } from '../../util/errors.js';

/**
 * Why a patch could not be applied, named after the Kubernetes Status reason the API server
 * answers with.
 * - `BadRequest` (400): the patch itself is malformed — not JSON, an unknown operation or
 *   directive, a bad JSON pointer, a list element without its merge key. Fix the patch.
 * - `Invalid` (422): the patch is well formed but cannot be applied to this object — a JSON
 *   patch `test` failed or a path does not exist, `$retainKeys` does not cover the patched
 *   fields, a list of lists was asked to merge. Re-read the object and rebuild the patch.
 *
 * @public
 */
export type PatchErrorCode = 'BadRequest' | 'Invalid';

/**
 * The error every patch function throws. Its message names the JSON path and what is wrong,
 * e.g. `json patch op 2 (test) at /spec/replicas: value 3 does not equal 5`.
 *
 * Guarantees: when a patch function throws, its inputs are unchanged (patch functions never
 * mutate their inputs), so a failed patch leaves nothing half-applied.
 *
 * @public
 */
export class PatchError extends KubekitError {
  declare readonly code: PatchErrorCode;
  /** The JSON pointer (RFC 6901) of the place in the patch or document that failed; '' for the root. */
  readonly path: string;

  constructor(code: PatchErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }
}
