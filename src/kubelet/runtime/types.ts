/**
 * The kubelet's view of a container runtime, modelled on the CRI (`RuntimeService` +
 * `ImageService`), trimmed to what a kubelet needs and made async/observable.
 *
 * Writing an adapter (e.g. for containerd over CRI gRPC) means implementing
 * {@link ContainerRuntime}; the mapping to CRI calls is noted on each method.
 *
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import type { ContainerPort, Probe } from '../../api/generated/types.js';

/** `imagePullPolicy` of a container. @public */
export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** A port a pod declares, as the CRI's `PortMapping` (informational for loopback runtimes). @public */
export interface PortMapping {
  readonly containerPort: number;
  readonly hostPort?: number;
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  readonly name?: string;
}

/**
 * What a pod sandbox is created from (CRI `PodSandboxConfig`).
 *
 * `annotations` are the pod's annotations; runtimes may read their own keys from them (the
 * simulated runtime reads `kubekit.dev/simulate`).
 *
 * @public
 */
export interface PodSandboxConfig {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  /** The pod's hostname (defaults to `name`); exported to containers as `HOSTNAME`. */
  readonly hostname?: string;
  /** How many times a sandbox was created for this pod before (0 for the first). */
  readonly attempt?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ports?: readonly PortMapping[];
}

/** A sandbox's lifecycle state: `ready` until stopped, then `notready`. @public */
export type PodSandboxState = 'ready' | 'notready';

/** The status of a pod sandbox (CRI `PodSandboxStatus`). @public */
export interface PodSandboxStatus {
  readonly id: string;
  readonly config: PodSandboxConfig;
  readonly state: PodSandboxState;
  /** The pod IP this sandbox was given; stays readable after stop, released on stop. */
  readonly podIP: string;
  /** Milliseconds since the epoch, on the runtime's clock. */
  readonly createdAt: number;
}

/** A bind of a host path into a container (CRI `Mount`). @public */
export interface Mount {
  readonly hostPath: string;
  readonly containerPath: string;
  readonly readOnly?: boolean;
}

/**
 * Resource limits and requests in plain numbers (build them from a pod spec with
 * `resourcesFromRequirements`). A runtime enforces what it can: the process runtime enforces
 * `memoryLimitBytes` (OOM kill), the simulated one compares it with the scripted memory use.
 *
 * @public
 */
export interface ContainerResources {
  readonly cpuLimitMillis?: number;
  readonly cpuRequestMillis?: number;
  readonly memoryLimitBytes?: number;
  readonly memoryRequestBytes?: number;
}

/** One environment variable, already resolved by the kubelet (no `valueFrom`). @public */
export interface EnvPair {
  readonly name: string;
  readonly value: string;
}

/**
 * What a container is created from (CRI `ContainerConfig`). The kubelet resolves everything
 * pod-level (env `valueFrom`, volume host paths, defaulting) before calling the runtime.
 *
 * @public
 */
export interface ContainerConfig {
  readonly name: string;
  readonly image: string;
  /** Replaces the image's entrypoint when non-empty (Kubernetes `command`). */
  readonly command?: readonly string[];
  /** Replaces the image's default arguments when non-empty (Kubernetes `args`). */
  readonly args?: readonly string[];
  readonly env?: readonly EnvPair[];
  readonly workingDir?: string;
  readonly mounts?: readonly Mount[];
  readonly resources?: ContainerResources;
  /** Where to write the container's log; the runtime picks a path under its root when absent. */
  readonly logPath?: string;
  /** The restart count of this container in its pod (0 for the first instance). */
  readonly attempt?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A container's lifecycle state (CRI `ContainerState`). @public */
export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

/**
 * Why a container exited, as Kubernetes reports it in `terminated.reason`:
 * `Completed` (exit code 0), `Error` (non-zero or killed), `OOMKilled` (memory limit),
 * `StartError` (the process could not be started; exit code 128).
 *
 * @public
 */
export type ContainerExitReason = 'Completed' | 'Error' | 'OOMKilled' | 'StartError';

/** The status of a container (CRI `ContainerStatus`); times in ms since the epoch. @public */
export interface ContainerStatus {
  readonly id: string;
  readonly sandboxId: string;
  readonly podUid: string;
  readonly name: string;
  readonly image: string;
  /** The resolved image reference (for the process runtime: the executable path). */
  readonly imageRef: string;
  readonly attempt: number;
  readonly state: ContainerState;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly exitCode?: number;
  /** The signal that ended the process, when one did (e.g. `SIGKILL`). */
  readonly signal?: string;
  readonly reason?: ContainerExitReason;
  readonly message?: string;
  readonly logPath: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** Which containers `listContainers` returns; all fields are ANDed. @public */
export interface ContainerFilter {
  readonly sandboxId?: string;
  readonly podUid?: string;
  readonly name?: string;
  readonly state?: ContainerState;
}

/**
 * A container lifecycle event (CRI `ContainerEventResponse`, with the exit details inline so a
 * kubelet's pod worker need not call `containerStatus` on every exit).
 *
 * @public
 */
export type ContainerEvent =
  | { readonly type: 'created'; readonly containerId: string; readonly sandboxId: string; readonly podUid: string; readonly name: string; readonly at: number }
  | { readonly type: 'started'; readonly containerId: string; readonly sandboxId: string; readonly podUid: string; readonly name: string; readonly at: number }
  | {
      readonly type: 'exited';
      readonly containerId: string;
      readonly sandboxId: string;
      readonly podUid: string;
      readonly name: string;
      readonly at: number;
      readonly exitCode: number;
      readonly reason: ContainerExitReason;
      readonly signal?: string;
      readonly message?: string;
    }
  | { readonly type: 'removed'; readonly containerId: string; readonly sandboxId: string; readonly podUid: string; readonly name: string; readonly at: number };

/** The result of {@link ContainerRuntime.execSync}. @public */
export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link ContainerRuntime.readLogs}, as `kubectl logs` has them. @public */
export interface LogOptions {
  /** Only the last N lines (before following). */
  readonly tailLines?: number;
  /** Only lines written at or after this time (ms since the epoch). */
  readonly sinceTime?: number;
  /** Keep emitting new lines until the container exits (or the subscriber unsubscribes). */
  readonly follow?: boolean;
  /** Read the previous instance of this container (same sandbox, same name) instead. */
  readonly previous?: boolean;
}

/** One log line: when it was written, on which stream, and its text (no newline). @public */
export interface LogLine {
  readonly time: number;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/** A container's resource usage (CRI `ContainerStats`). @public */
export interface ContainerUsage {
  /** When the sample was taken (ms since the epoch). */
  readonly timestamp: number;
  /** Cumulative CPU time used, in core-nanoseconds. */
  readonly usageCoreNanoSeconds: number;
  /** CPU use rate in nano-cores since the previous sample, when there was one. */
  readonly cpuNanoCores?: number;
  /** Working-set memory (resident set for the process runtime), in bytes. */
  readonly memoryWorkingSetBytes: number;
}

/** The three kinds of container probe. @public */
export type ProbeKind = 'startup' | 'liveness' | 'readiness';

/** The outcome of one probe run: `unknown` means "could not tell" and does not count. @public */
export type ProbeResult = 'success' | 'failure' | 'unknown';

/** A probe run's result with its explanation (shown in events). @public */
export interface ProbeOutcome {
  readonly result: ProbeResult;
  readonly message?: string;
}

/**
 * Image half of the runtime (CRI `ImageService`).
 * @public
 */
export interface ImageService {
  /**
   * Make `image` available according to `pullPolicy` and return its resolved reference.
   *
   * Errors: `ErrImagePull` (cannot be pulled/resolved; the message says how to fix it),
   * `ImagePullBackOff` (a pull of this image failed recently; retry after the back-off — the
   * message says when), `ErrImageNeverPull` (policy `Never` and the image is absent).
   */
  ensureImage(image: string, pullPolicy: ImagePullPolicy): Promise<string>;
}

/**
 * Container half of the runtime (CRI `RuntimeService`).
 *
 * Guarantees (every implementation):
 * - ids are unique for the runtime's lifetime and never reused;
 * - `events$` emits `created`, `started`, `exited` and `removed` once each per container, in that
 *   order, synchronously with the state change that `containerStatus` then reports; it is hot
 *   (no replay) and completes on `close()`;
 * - `stopContainer` and `stopPodSandbox` are idempotent; stopping a container that already
 *   exited is a no-op; removing an unknown id is a no-op (CRI semantics);
 * - pod IPs are unique among ready sandboxes and released when the sandbox stops.
 *
 * @public
 */
export interface RuntimeService {
  /** A short name for logs and node status (`simulated`, `process`, `containerd`, …). */
  readonly name: string;
  /** Container lifecycle events (CRI `GetContainerEvents`). */
  readonly events$: Observable<ContainerEvent>;

  /** Create and start a pod sandbox; returns its status (id + pod IP). CRI `RunPodSandbox`. */
  runPodSandbox(config: PodSandboxConfig): Promise<PodSandboxStatus>;
  /** Stop every container in the sandbox (killed at once) and release its IP. CRI `StopPodSandbox`. */
  stopPodSandbox(sandboxId: string): Promise<void>;
  /** Stop, then forget the sandbox and its containers (and their logs). CRI `RemovePodSandbox`. */
  removePodSandbox(sandboxId: string): Promise<void>;
  /** Errors: `NotFound`. CRI `PodSandboxStatus`. */
  podSandboxStatus(sandboxId: string): Promise<PodSandboxStatus>;
  /** CRI `ListPodSandbox`. */
  listPodSandboxes(): Promise<readonly PodSandboxStatus[]>;

  /**
   * Create a container (state `created`) in a ready sandbox; returns its id.
   * The runtime keeps at most one exited instance per (sandbox, name) besides the new one — older
   * instances are removed, as the kubelet's container GC would — so `previous` logs stay readable.
   * Errors: `NotFound` (sandbox), `InvalidState` (sandbox stopped), `InvalidArgument`.
   */
  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  /** Start a created container; resolves once it runs. Errors: `InvalidState`, `RunContainerError`. */
  startContainer(containerId: string): Promise<void>;
  /**
   * Ask the container to stop (SIGTERM), and kill it (SIGKILL) if it is still running after
   * `timeoutSeconds` (0 kills at once). Resolves when it has exited. CRI `StopContainer`.
   */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  /** Kill if running, then forget the container and delete its log. CRI `RemoveContainer`. */
  removeContainer(containerId: string): Promise<void>;
  /** Errors: `NotFound`. CRI `ContainerStatus`. */
  containerStatus(containerId: string): Promise<ContainerStatus>;
  /** CRI `ListContainers`. */
  listContainers(filter?: ContainerFilter): Promise<readonly ContainerStatus[]>;
  /**
   * Run `cmd` in the running container and collect its output. CRI `ExecSync`.
   * Errors: `InvalidState` (not running), `ExecTimeout` (killed after `timeoutMs`).
   */
  execSync(containerId: string, cmd: readonly string[], timeoutMs: number): Promise<ExecResult>;
  /**
   * The container's log lines. Without `follow` the Observable emits what is there and
   * completes; with `follow` it keeps emitting until the container exits. Errors (as an
   * Observable error): `NotFound` (container, or no previous instance for `previous`).
   */
  readLogs(containerId: string, options?: LogOptions): Observable<LogLine>;
  /** Current resource usage of a running container. CRI `ContainerStats`. Errors: `NotFound`. */
  usage(containerId: string): Promise<ContainerUsage>;
  /** Kill every container and exec the runtime started, release everything, complete `events$`. */
  close(): Promise<void>;
}

/** A full container runtime: what the kubelet is written against. @public */
export interface ContainerRuntime extends RuntimeService, ImageService {
  /**
   * Optional: answer a probe without running it (simulated runtimes, whose pod IPs are not
   * reachable). Returning `undefined` means "run the probe for real". Real runtimes omit it.
   */
  scriptedProbe?(containerId: string, kind: ProbeKind, probe: Probe, ports: readonly ContainerPort[]): ProbeOutcome | undefined;
}
