/**
 * The Deployment controller: rollouts (RollingUpdate, Recreate), rollback, proportional
 * scaling, pause/resume and progress reporting, as Kubernetes' deployment controller.
 *
 * @packageDocumentation
 */
export { createDeploymentController, deploymentController, type DeploymentControllerOptions } from './controller.js';
export { planRollout, type RolloutAction, type RolloutPlan } from './plan.js';
export { rollbackDeployment, type RollbackResult } from './rollback.js';
export {
  ANNOTATIONS_NOT_COPIED,
  CHANGE_CAUSE_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  DeploymentError,
  MAX_REPLICAS_ANNOTATION,
  MAX_REVISION_HISTORY_CHARS,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  Reasons,
  computeTemplateHash,
  resolveFenceposts,
  revisionOf,
  templatesEqual,
  type DeploymentErrorCode,
} from './util.js';
