import { KubekitError } from '../util/errors.js';

/** Codes of {@link SchedulerError}. @public */
export type SchedulerErrorCode = 'UnknownPlugin' | 'InvalidProfile' | 'InvalidArgs' | 'Stopped' | 'AlreadyStarted';

/**
 * The error family of the scheduler: bad profiles, unknown plugins, invalid plugin args, and
 * use after `stop()`. Scheduling failures of a pod are never thrown: they become a Status, a
 * PodScheduled=False condition and an Event.
 *
 * @public
 */
export class SchedulerError extends KubekitError {
  declare readonly code: SchedulerErrorCode;
  constructor(code: SchedulerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
