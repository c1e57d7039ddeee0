/**
 * kubekit's test kit (`kubekit/testing`): virtual time, an in-memory cluster with `settle()`,
 * one-shot reconciles, fault injection and fake list/watch — so orchestrator components are
 * unit-tested in milliseconds.
 *
 * @packageDocumentation
 */
export { FakeClock } from '../runtime/clock.js';
export { FakeListWatcher, FakeListWatchError, type FakeListWatchErrorCode } from './fake-list-watch.js';
export { FaultyClient, type RecordedWrite, type Verb } from './faulty-client.js';
export {
  SettleError,
  createTestCluster,
  reconcileOnce,
  type ReconcileOnceResult,
  type RecordedEvent,
  type SettleOptions,
  type SettleReport,
  type TestCluster,
  type TestClusterOptions,
} from './cluster.js';
export { fakeKubelet, type FakeKubeletOptions } from './fake-kubelet.js';
