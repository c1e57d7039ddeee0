/**
 * The kubelet: a node agent running pods on a {@link ContainerRuntime} (simulated or OS
 * processes), with probes, volumes, env, admission, logs and usage; plus its building blocks
 * (status computation, env resolution, admission) as pure functions.
 *
 * @packageDocumentation
 */
export { Kubelet, type ContainerUsageSample, type KubeletOptions, type PodLogOptions, type PodUsage } from './kubelet.js';
export { KubeletError, type KubeletErrorCode } from './errors.js';
export { SharedPodSource, informerPodSource, type PodSource, type PodSourceHandler, type PodSubscription } from './pod-source.js';
export { CRASH_LOOP_BACKOFF } from './pod-worker.js';
export { buildPodStatus, podPhase, type ContainerRecord, type ContainerView, type PodView } from './status.js';
export { containerEnv, expandCommand, expandVars, podFieldValue, resourceFieldValue, serviceEnv, type EnvContext, type ObjectLookup } from './env.js';
export { admitPod, podRequests, qosClass, type AdmissionRejection, type PodRequests } from './admission.js';
export { containerMounts, removePodDir, setupVolumes, type VolumeContext, type VolumeLookup } from './volumes.js';
export { KUBELET_VERSION, nodeLabels, nodeLease, nodeObject, nodeStatus, type NodeDescription } from './node.js';
export type { ContainerRuntime } from './runtime/types.js';
