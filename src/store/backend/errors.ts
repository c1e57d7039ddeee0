import { KubekitError } from '../../util/errors.js';

/**
 * Why a backend operation failed.
 * - `Expired`: the revision asked for is older than the kept history (compacted).
 * - `TooLarge`: the revision asked for is newer than the current revision.
 * - `Closed`: the backend was closed.
 * - `Locked`: another process holds the data directory.
 * - `Corrupt`: on-disk data failed its checksum in a place recovery cannot skip.
 * - `IO`: the operating system refused a read or write.
 *
 * @public
 */
export type BackendErrorCode = 'Expired' | 'TooLarge' | 'Closed' | 'Locked' | 'Corrupt' | 'IO';

/** @public */
export class BackendError extends KubekitError {
  declare readonly code: BackendErrorCode;
  constructor(code: BackendErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
