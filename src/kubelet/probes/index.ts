/**
 * Container probes: {@link runProbe} runs one exec / tcpSocket / httpGet probe;
 * {@link ProbeWorker} and {@link ContainerProbes} are the per-container state machines.
 *
 * @packageDocumentation
 */
export { runProbe, resolveProbePort, type ProbeTarget, type RunProbeOptions } from './prober.js';
export {
  ContainerProbes,
  ProbeWorker,
  type ContainerProbesOptions,
  type Prober,
  type ProbeResultChange,
  type ProbeWorkerOptions,
} from './worker.js';
