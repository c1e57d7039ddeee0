import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Observable, type Subscription } from 'rxjs';
import { ConfigMap, Lease as LeaseKind, Node as NodeKind, PersistentVolume, PersistentVolumeClaim, Pod as PodKind, Secret, Service } from '../api/generated/kinds.js';
import type { Lease, Node, Pod, PodStatus, Taint } from '../api/generated/types.js';
import type { Client } from '../client/client.js';
import type { Clock, TimerHandle } from '../runtime/clock-types.js';
import { realClock } from '../runtime/clock.js';
import type { EventRecorder } from '../runtime/event-types.js';
import { silentLogger, type Logger } from '../runtime/logger.js';
import type { Runnable } from '../runtime/manager.js';
import { StoreError } from '../store/errors.js';
import { admitPod } from './admission.js';
import { KubeletError } from './errors.js';
import { nodeLease, nodeObject, nodeStatus, nodeStatusChanged, type NodeDescription } from './node.js';
import { informerPodSource, type PodSource, type PodSubscription } from './pod-source.js';
import { PodWorker, type PodWorkerHost } from './pod-worker.js';
import type { ContainerEvent, ContainerRuntime, LogLine } from './runtime/types.js';
import type { PodView } from './status.js';
import type { VolumeLookup } from './volumes.js';

/** Options of {@link Kubelet}. @public */
export interface KubeletOptions {
  readonly client: Client;
  readonly nodeName: string;
  readonly runtime: ContainerRuntime;
  readonly clock?: Clock;
  /** Node capacity (default `cpu: 4`, `memory: 8Gi`, `pods: 110`, `ephemeral-storage: 100Gi`). */
  readonly capacity?: Readonly<Record<string, string>>;
  /** Node allocatable (default: the capacity). Admission checks pods' requests against it. */
  readonly allocatable?: Readonly<Record<string, string>>;
  /** Extra node labels (hostname / os / arch are always set). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly Taint[];
  /** The node's InternalIP and every pod's hostIP (default `127.0.0.1`). */
  readonly hostIP?: string;
  readonly podCIDR?: string;
  readonly logger?: Logger;
  /** Records Events on pods (Created, Started, Killing, BackOff, Unhealthy, …). */
  readonly recorder?: EventRecorder;
  /** Where pods come from (default: an informer on `spec.nodeName=<node>`). */
  readonly podSource?: PodSource;
  /** How referenced objects are read (default: through `client`). */
  readonly lookup?: VolumeLookup;
  /** The kubelet's directory for pod volumes (default a fresh temp dir when volumes are mounted). */
  readonly rootDir?: string;
  /** Set up volumes as real directories (default: true unless the runtime is `simulated`). */
  readonly mountVolumes?: boolean;
  /** Lease duration written into the node's Lease (default 40 s). */
  readonly leaseDurationSeconds?: number;
  /** How often the Lease is renewed (default 10 s). */
  readonly leaseRenewIntervalMs?: number;
  /** How often node status is checked and posted when changed (default 10 s). */
  readonly nodeStatusUpdateIntervalMs?: number;
  /** Node status is posted at least this often even unchanged (default 5 min). */
  readonly nodeStatusReportIntervalMs?: number;
  /** How often configMap / secret volumes are refreshed (default 10 s). */
  readonly volumeResyncIntervalMs?: number;
  /** Called after each pod status write (for metrics and benchmarks). */
  readonly onPodStatus?: (pod: Pod, status: PodStatus) => void;
}

/** Options of {@link Kubelet.logs}, as `kubectl logs` has them. @public */
export interface PodLogOptions {
  readonly tailLines?: number;
  readonly sinceSeconds?: number;
  /** RFC 3339 time or ms since the epoch. */
  readonly sinceTime?: string | number;
  readonly follow?: boolean;
  readonly previous?: boolean;
}

/** Resource usage of one container. @public */
export interface ContainerUsageSample {
  readonly name: string;
  readonly usageCoreNanoSeconds: number;
  readonly cpuNanoCores?: number | undefined;
  readonly memoryWorkingSetBytes: number;
}

/** Resource usage of one pod (its running containers). @public */
export interface PodUsage {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly timestamp: number;
  readonly containers: readonly ContainerUsageSample[];
  readonly cpuNanoCores: number;
  readonly memoryWorkingSetBytes: number;
}

const DEFAULT_CAPACITY: Readonly<Record<string, string>> = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' };

function clientLookup(client: Client): VolumeLookup {
  const get = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (err) {
      if (err instanceof StoreError && err.code === 'NotFound') return undefined;
      throw err;
    }
  };
  return {
    configMap: (ns, name) => get(client.get(ConfigMap, name, { namespace: ns })),
    secret: (ns, name) => get(client.get(Secret, name, { namespace: ns })),
    services: async (ns) => (await client.list(Service, { namespace: ns })).items,
    persistentVolumeClaim: (ns, name) => get(client.get(PersistentVolumeClaim, name, { namespace: ns })),
    persistentVolume: (name) => get(client.get(PersistentVolume, name)),
  };
}

/**
 * A node agent: registers its Node, keeps its Lease and status fresh, and runs the pods bound
 * to it on a {@link ContainerRuntime} — Kubernetes' kubelet, as a {@link Runnable}.
 *
 * Behaviour (Kubernetes' rules): one serialized worker per pod; init containers in order, each
 * to success; `restartPolicy` Always / OnFailure / Never with the crash-loop back-off (10 s
 * doubling to 5 min, reset after 10 min of running; the first restart is immediate);
 * startup / liveness / readiness probes (liveness failure restarts the container, readiness
 * drives Ready); `activeDeadlineSeconds` → Failed / DeadlineExceeded; admission against
 * allocatable (→ Failed / OutOfcpu …); graceful deletion (preStop, SIGTERM, SIGKILL after the
 * grace period, then the pod object is deleted with grace 0); volumes and env from
 * ConfigMaps, Secrets, the downward API and Services. Status is written only when it changed.
 *
 * Guarantees: `stop()` releases every timer, watch and subscription; it does not stop
 * containers (a real kubelet's restart does not either) — close the runtime for that.
 *
 * @example
 * ```ts
 * const runtime = new SimulatedRuntime({ clock });
 * const kubelet = new Kubelet({ client, clock, nodeName: 'node-1', runtime });
 * const cluster = await createTestCluster({ runnables: [kubelet] });
 * ```
 * @public
 */
export class Kubelet implements Runnable {
  readonly name: string;
  readonly needLeaderElection = false;
  readonly nodeName: string;
  private readonly client: Client;
  private readonly clock: Clock;
  private readonly runtime: ContainerRuntime;
  private readonly logger: Logger;
  private readonly description: NodeDescription;
  private readonly workers = new Map<string, PodWorker>();
  private readonly byKey = new Map<string, PodWorker>();
  private readonly byContainer = new Map<string, PodWorker>();
  private readonly rejected = new Set<string>();
  private readonly host: PodWorkerHost;
  private readonly timers: TimerHandle[] = [];
  private subscription: PodSubscription | undefined;
  private events: Subscription | undefined;
  private running = false;
  private stoppedFlag = false;
  private busyCount = 0;
  private lease: Lease | undefined;
  private nodeUid: string | undefined;
  private lastReport = 0;

  constructor(private readonly options: KubeletOptions) {
    this.nodeName = options.nodeName;
    this.name = `kubelet/${options.nodeName}`;
    this.client = options.client;
    this.clock = options.clock ?? realClock;
    this.runtime = options.runtime;
    this.logger = (options.logger ?? silentLogger).child({ component: 'kubelet', node: options.nodeName });
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.description = {
      nodeName: options.nodeName,
      hostIP: options.hostIP ?? '127.0.0.1',
      capacity,
      allocatable: options.allocatable ?? capacity,
      labels: options.labels ?? {},
      taints: options.taints ?? [],
      runtimeName: options.runtime.name,
      podCIDR: options.podCIDR,
    };
    const mountVolumes = options.mountVolumes ?? options.runtime.name !== 'simulated';
    let rootDir = options.rootDir;
    const self = this;
    this.host = {
      clock: this.clock,
      client: this.client,
      runtime: this.runtime,
      nodeName: this.nodeName,
      hostIP: this.description.hostIP,
      allocatable: this.description.allocatable,
      lookup: options.lookup ?? clientLookup(this.client),
      recorder: options.recorder,
      logger: this.logger,
      mountVolumes,
      get rootDir(): string {
        rootDir ??= mkdtempSync(join(tmpdir(), 'kubekit-kubelet-'));
        return rootDir;
      },
      stopped: () => this.stoppedFlag,
      registerContainer: (id, worker) => this.byContainer.set(id, worker),
      busy: (d) => {
        self.busyCount += d;
      },
      finished: (worker) => this.forget(worker),
      statusWritten: (pod, status) => options.onPodStatus?.(pod, status),
    };
  }

  /** Register the node, start the lease and status loops, and start watching pods. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.running || this.stoppedFlag) return;
    this.running = true;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.events = this.runtime.events$.subscribe((e) => this.onContainerEvent(e));
    await this.registerNode();
    await this.renewLease();
    this.every(this.options.leaseRenewIntervalMs ?? 10_000, () => this.renewLease());
    this.every(this.options.nodeStatusUpdateIntervalMs ?? 10_000, () => this.syncNodeStatus(false));
    if (this.host.mountVolumes) this.every(this.options.volumeResyncIntervalMs ?? 10_000, async () => {
      for (const w of this.workers.values()) await w.refreshVolumes();
    });
    const source = this.options.podSource ?? informerPodSource(this.client, this.clock);
    this.subscription = source.subscribe(this.nodeName, { upsert: (p) => this.onPod(p), remove: (p) => this.onPodGone(p) });
    await this.subscription.synced.catch(() => undefined);
  }

  /** Stop loops, timers, watches and probes; containers keep running in the runtime. Idempotent. */
  stop(): void {
    if (this.stoppedFlag) return;
    this.stoppedFlag = true;
    this.running = false;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.length = 0;
    this.subscription?.unsubscribe();
    this.events?.unsubscribe();
    for (const w of this.workers.values()) w.shutdown();
  }

  /** The earliest back-off / deadline / retry timer of any pod worker. */
  nextWorkAt(): number | undefined {
    if (this.stoppedFlag) return undefined;
    let min: number | undefined;
    for (const w of this.workers.values()) {
      const at = w.nextWakeAt;
      if (at !== undefined && (min === undefined || at < min)) min = at;
    }
    return min;
  }

  /** True when no pod worker is syncing. */
  idle(): boolean {
    return this.busyCount === 0;
  }

  /** How many pods this kubelet currently runs (admitted, not yet cleaned up). */
  get podCount(): number {
    return this.workers.size;
  }

  /** The kubelet's view of a pod (containers, instances, waiting reasons), for tests and debugging. */
  podView(namespace: string, name: string): PodView | undefined {
    return this.byKey.get(`${namespace}/${name}`)?.view();
  }

  /**
   * A container's log lines (`kubectl logs`): the newest instance, or with `previous` the one
   * before it. `container` may be omitted for a single-container pod.
   * Errors (as an Observable error): `KubeletError` `NotFound` for an unknown pod or container.
   */
  logs(namespace: string, pod: string, container: string | undefined, options: PodLogOptions = {}): Observable<LogLine> {
    const worker = this.byKey.get(`${namespace}/${pod}`);
    if (worker === undefined) return errorObservable(new KubeletError('NotFound', `pod ${namespace}/${pod} is not running on node ${this.nodeName}; check the pod's spec.nodeName.`));
    const names = worker.containerNames();
    const name = container ?? (worker.pod.spec?.containers?.length === 1 ? worker.pod.spec.containers[0].name : undefined);
    if (name === undefined) return errorObservable(new KubeletError('NotFound', `a container name must be specified for pod ${pod}, choose one of: [${names.join(' ')}]`));
    const ids = worker.containerIds(name);
    if (ids === undefined) return errorObservable(new KubeletError('NotFound', `container ${name} is not valid for pod ${pod}; choose one of: [${names.join(' ')}]`));
    if (ids.current === undefined) return errorObservable(new KubeletError('NotFound', `container "${name}" in pod "${pod}" is waiting to start`));
    let since: number | undefined;
    if (options.sinceTime !== undefined) since = typeof options.sinceTime === 'number' ? options.sinceTime : Date.parse(options.sinceTime);
    if (options.sinceSeconds !== undefined) since = this.clock.now() - options.sinceSeconds * 1000;
    return this.runtime.readLogs(ids.current, {
      ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}),
      ...(since !== undefined && !Number.isNaN(since) ? { sinceTime: since } : {}),
      ...(options.follow === true ? { follow: true } : {}),
      ...(options.previous === true ? { previous: true } : {}),
    });
  }

  /** CPU and memory use of every pod's running containers (for the metrics API). */
  async usage(): Promise<PodUsage[]> {
    const out: PodUsage[] = [];
    for (const w of this.workers.values()) {
      const containers: ContainerUsageSample[] = [];
      let ts = this.clock.now();
      for (const name of w.containerNames()) {
        const ids = w.containerIds(name);
        if (ids?.current === undefined || !ids.running) continue;
        try {
          const u = await this.runtime.usage(ids.current);
          ts = u.timestamp;
          containers.push({ name, usageCoreNanoSeconds: u.usageCoreNanoSeconds, ...(u.cpuNanoCores !== undefined ? { cpuNanoCores: u.cpuNanoCores } : {}), memoryWorkingSetBytes: u.memoryWorkingSetBytes });
        } catch {
          // Exited meanwhile.
        }
      }
      out.push({
        namespace: w.pod.metadata.namespace ?? 'default',
        name: w.pod.metadata.name ?? '',
        uid: w.uid,
        timestamp: ts,
        containers,
        cpuNanoCores: containers.reduce((n, c) => n + (c.cpuNanoCores ?? 0), 0),
        memoryWorkingSetBytes: containers.reduce((n, c) => n + c.memoryWorkingSetBytes, 0),
      });
    }
    return out;
  }

  // ------------------------------------------------------------------------------------ pods

  private onPod(pod: Pod): void {
    if (this.stoppedFlag) return;
    const uid = pod.metadata.uid ?? '';
    const existing = this.workers.get(uid);
    if (existing !== undefined) {
      existing.update(pod);
      return;
    }
    if (this.rejected.has(uid)) return;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      // Finished before this kubelet saw it (or a restart): nothing to run; remove it if deleted.
      if (pod.metadata.deletionTimestamp !== undefined) void this.deleteNow(pod);
      return;
    }
    if (pod.metadata.deletionTimestamp === undefined) {
      const active = [...this.workers.values()].filter((w) => w.active).map((w) => w.pod);
      const rejection = admitPod(pod, active, this.description.allocatable);
      if (rejection !== undefined) {
        this.rejected.add(uid);
        void this.reject(pod, rejection.reason, rejection.message);
        return;
      }
    }
    const worker = new PodWorker(this.host, pod);
    this.workers.set(uid, worker);
    this.byKey.set(worker.key, worker);
    worker.request();
  }

  private onPodGone(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    this.rejected.delete(uid);
    this.workers.get(uid)?.remove();
  }

  private forget(worker: PodWorker): void {
    if (this.workers.get(worker.uid) === worker) this.workers.delete(worker.uid);
    if (this.byKey.get(worker.key) === worker) this.byKey.delete(worker.key);
    for (const [id, w] of this.byContainer) if (w === worker) this.byContainer.delete(id);
  }

  private onContainerEvent(e: ContainerEvent): void {
    const w = this.byContainer.get(e.containerId);
    if (w === undefined) return;
    if (e.type === 'removed') {
      this.byContainer.delete(e.containerId);
      return;
    }
    w.onContainerEvent(e);
  }

  private async reject(pod: Pod, reason: string, message: string): Promise<void> {
    this.options.recorder?.event(pod, 'Warning', reason, message.replace(/^Pod was rejected: /, ''));
    try {
      await this.client.updateStatus(PodKind, { ...pod, status: { ...(pod.status ?? {}), phase: 'Failed', reason, message } });
    } catch (err) {
      this.logger.warn('could not write a rejected pod status', { pod: pod.metadata.name, error: (err as Error).message });
    }
  }

  private async deleteNow(pod: Pod): Promise<void> {
    try {
      await this.client.delete(PodKind, pod.metadata.name ?? '', { namespace: pod.metadata.namespace ?? 'default', gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid ?? '' } });
    } catch {
      // Gone or replaced.
    }
  }

  // ------------------------------------------------------------------------ node and lease

  private every(ms: number, fn: () => Promise<void>): void {
    const slot = this.timers.length;
    const arm = (): void => {
      this.timers[slot] = this.clock.setTimeout(() => {
        if (this.stoppedFlag) return;
        fn()
          .catch((err: unknown) => this.logger.warn('periodic kubelet task failed', { error: (err as Error).message }))
          .finally(() => {
            if (!this.stoppedFlag) arm();
          });
      }, ms);
    };
    arm();
  }

  private async registerNode(): Promise<void> {
    const want = nodeObject(this.description);
    let node: Node;
    try {
      node = await this.client.create(NodeKind, want);
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'AlreadyExists')) throw err;
      const current = await this.client.get(NodeKind, this.nodeName);
      node = await this.client.update(NodeKind, { ...current, metadata: { ...current.metadata, labels: { ...(current.metadata.labels ?? {}), ...want.metadata.labels } } });
    }
    this.nodeUid = node.metadata.uid;
    await this.postNodeStatus(node);
  }

  private async postNodeStatus(node: Node): Promise<void> {
    const now = this.clock.now();
    const status = nodeStatus(this.description, node.status, now);
    await this.client.updateStatus(NodeKind, { ...node, status: { ...(node.status ?? {}), ...status } });
    this.lastReport = now;
  }

  private async syncNodeStatus(force: boolean): Promise<void> {
    const now = this.clock.now();
    const node = await this.client.get(NodeKind, this.nodeName).catch(() => undefined);
    if (node === undefined) {
      await this.registerNode();
      return;
    }
    const want = nodeStatus(this.description, node.status, now);
    if (force || nodeStatusChanged(node.status, want) || now - this.lastReport >= (this.options.nodeStatusReportIntervalMs ?? 300_000)) await this.postNodeStatus(node);
  }

  private async renewLease(): Promise<void> {
    const now = this.clock.now();
    const duration = this.options.leaseDurationSeconds ?? 40;
    const want = nodeLease(this.nodeName, this.nodeUid, duration, now);
    if (this.lease !== undefined) {
      try {
        this.lease = await this.client.update(LeaseKind, { ...this.lease, spec: want.spec });
        return;
      } catch (err) {
        if (!(err instanceof StoreError && (err.code === 'Conflict' || err.code === 'NotFound'))) throw err;
      }
    }
    try {
      const current = await this.client.get(LeaseKind, this.nodeName, { namespace: 'kube-node-lease' });
      this.lease = await this.client.update(LeaseKind, { ...current, spec: want.spec });
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'NotFound')) throw err;
      this.lease = await this.client.create(LeaseKind, want);
    }
  }
}

function errorObservable<T>(err: Error): Observable<T> {
  return new Observable<T>((sub) => sub.error(err));
}
