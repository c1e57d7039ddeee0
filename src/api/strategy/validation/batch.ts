/**
 * Validation of batch/v1 Jobs and CronJobs, after Kubernetes' pkg/apis/batch/validation.
 *
 * @packageDocumentation
 */
import type { FieldError } from '../../schema/decode.js';
import type * as T from '../../generated/types.js';
import { isValidTimeZone, validateCronSchedule } from '../cron.js';
import {
  FieldPath, invalid, notSupported, required, validateImmutable, validateLabels, validateNonnegative, validateStatusCounters,
} from './common.js';
import { validatePodTemplateSpec } from './core.js';
import { validateSelectorAndTemplate } from './apps.js';

const JOB_RESTART = {
  allowed: ['OnFailure', 'Never'],
  hint: 'a Job\'s pods must be OnFailure or Never: set spec.template.spec.restartPolicy to OnFailure or Never',
} as const;

/** A JobSpec (also a CronJob's job template spec) at `path`. @public */
export function validateJobSpec(s: T.JobSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(s.parallelism, path.child('parallelism')));
  errs.push(...validateNonnegative(s.completions, path.child('completions')));
  errs.push(...validateNonnegative(s.activeDeadlineSeconds, path.child('activeDeadlineSeconds')));
  errs.push(...validateNonnegative(s.backoffLimit, path.child('backoffLimit')));
  errs.push(...validateNonnegative(s.ttlSecondsAfterFinished, path.child('ttlSecondsAfterFinished')));
  if (s.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(s.completionMode)) errs.push(notSupported(path.child('completionMode'), s.completionMode, ['NonIndexed', 'Indexed']));
  if (s.completionMode === 'Indexed' && s.completions === undefined) errs.push(required(path.child('completions'), 'when completion mode is Indexed'));
  if (s.backoffLimitPerIndex !== undefined && s.completionMode !== 'Indexed') errs.push(invalid(path.child('backoffLimitPerIndex'), s.backoffLimitPerIndex, 'requires indexed completion mode'));
  if (s.podReplacementPolicy !== undefined && !['TerminatingOrFailed', 'Failed'].includes(s.podReplacementPolicy)) {
    errs.push(notSupported(path.child('podReplacementPolicy'), s.podReplacementPolicy, ['TerminatingOrFailed', 'Failed']));
  }
  if (s.selector !== undefined) errs.push(...validateSelectorAndTemplate(s.selector, s.template, path, 'job'));
  errs.push(...validatePodTemplateSpec(s.template, path.child('template'), JOB_RESTART));
  return errs;
}

/** A Job on create. @public */
export function validateJob(job: T.Job): FieldError[] {
  if (job.spec === undefined) return [required(FieldPath.root('spec'))];
  return validateJobSpec(job.spec, FieldPath.root('spec'));
}

/** A Job on update: selector, template (unless suspended) and completions (NonIndexed) are immutable. @public */
export function validateJobUpdate(job: T.Job, old: T.Job): FieldError[] {
  const errs = validateJob(job);
  const spec = FieldPath.root('spec');
  if (job.spec === undefined || old.spec === undefined) return errs;
  if (old.spec.selector !== undefined) errs.push(...validateImmutable(job.spec.selector, old.spec.selector, spec.child('selector')));
  if (old.spec.suspend !== true) errs.push(...validateImmutable(job.spec.template, old.spec.template, spec.child('template')));
  if (job.spec.completionMode !== 'Indexed') errs.push(...validateImmutable(job.spec.completions, old.spec.completions, spec.child('completions')));
  errs.push(...validateImmutable(job.spec.completionMode, old.spec.completionMode, spec.child('completionMode')));
  return errs;
}

/** CronJob names become Job names with an 11-character suffix, so at most 52 characters. @internal */
export const CRONJOB_NAME_MAX = 52;

/** A CronJob: schedule, timeZone, concurrency policy, limits and the job template. @public */
export function validateCronJob(cj: T.CronJob): FieldError[] {
  const spec = FieldPath.root('spec');
  const s = cj.spec;
  const errs: FieldError[] = [];
  const name = cj.metadata.name ?? '';
  if (name.length > CRONJOB_NAME_MAX) errs.push(invalid(FieldPath.root('metadata', 'name'), name, `must be no more than ${CRONJOB_NAME_MAX} characters`));
  if (s.schedule === '') errs.push(required(spec.child('schedule'), 'set a cron schedule such as "*/5 * * * *" or "@hourly"'));
  else if (/(^|\s)(CRON_TZ|TZ)=/.test(s.schedule)) errs.push(invalid(spec.child('schedule'), s.schedule, `cannot use TZ or CRON_TZ in schedule, use timeZone field instead`));
  else for (const m of validateCronSchedule(s.schedule)) errs.push(invalid(spec.child('schedule'), s.schedule, m));
  if (s.timeZone !== undefined && !isValidTimeZone(s.timeZone)) {
    errs.push(invalid(spec.child('timeZone'), s.timeZone, `unknown time zone; use an IANA name such as Etc/UTC or Europe/Paris`));
  }
  if (s.concurrencyPolicy !== undefined && !['Allow', 'Forbid', 'Replace'].includes(s.concurrencyPolicy)) errs.push(notSupported(spec.child('concurrencyPolicy'), s.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']));
  errs.push(...validateNonnegative(s.startingDeadlineSeconds, spec.child('startingDeadlineSeconds')));
  errs.push(...validateNonnegative(s.successfulJobsHistoryLimit, spec.child('successfulJobsHistoryLimit')));
  errs.push(...validateNonnegative(s.failedJobsHistoryLimit, spec.child('failedJobsHistoryLimit')));
  const jt = spec.child('jobTemplate');
  errs.push(...validateLabels(s.jobTemplate.metadata?.labels, jt.child('metadata', 'labels')));
  if (s.jobTemplate.spec === undefined) errs.push(required(jt.child('spec')));
  else errs.push(...validateJobSpec(s.jobTemplate.spec, jt.child('spec')));
  return errs;
}

/**
 * A Job's status write: its pod counters are non-negative (Kubernetes' ValidateJobStatusUpdate,
 * counter rules).
 *
 * @public
 */
export function validateJobStatusUpdate(job: T.Job): FieldError[] {
  return validateStatusCounters(job.status, ['active', 'succeeded', 'failed', 'ready', 'terminating']);
}
