/**
 * Built-in controllers, one folder each.
 *
 * @packageDocumentation
 */
export * from './deployment/index.js';
export * from './replicaset/index.js';
export * from './garbagecollector/index.js';
export * from './namespace/index.js';
export * from './common/index.js';
export * from './nodelifecycle/index.js';
