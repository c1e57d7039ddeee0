import type { KubeObject } from '../api/resource.js';

/** `Normal` or `Warning`, as on core/v1 Events. @public */
export type EventType = 'Normal' | 'Warning';

/**
 * Records Kubernetes Events about objects (what `kubectl describe` shows at the bottom).
 * Recording never throws and never blocks the caller: writes happen in the background,
 * repeats are aggregated into one Event with a count, and a per-object rate limit keeps a
 * hot loop from flooding the store.
 *
 * @public
 */
export interface EventRecorder {
  /** Record that `reason` happened to `object`; `message` is for humans. */
  event(object: KubeObject, type: EventType, reason: string, message: string): void;
}
