/**
 * kubekit's test kit (`kubekit/testing`): virtual time and fakes for unit-testing
 * orchestrator components in milliseconds.
 *
 * @packageDocumentation
 */
export { FakeClock } from '../runtime/clock.js';
export { FakeListWatcher, FakeListWatchError, type FakeListWatchErrorCode } from './fake-list-watch.js';
