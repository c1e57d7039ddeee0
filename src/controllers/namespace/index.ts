/**
 * The namespace lifecycle controller: empties and releases deleted namespaces.
 *
 * @packageDocumentation
 */
export { createNamespaceController, namespaceController, planNamespaceDeletion, type NamespaceContent, type NamespaceControllerOptions, type NamespaceDeletionPlan } from './controller.js';
