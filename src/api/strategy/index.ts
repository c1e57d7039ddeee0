import type { KubeObject, ResourceStrategy } from '../resource.js';

/**
 * Defaulting and validation of built-in kinds, keyed by `group/Kind` (`/Pod`, `apps/Deployment`).
 *
 * @internal
 */
export const builtinStrategies: { readonly [groupKind: string]: ResourceStrategy<KubeObject> } = {};
