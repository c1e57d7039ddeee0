import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { Pod as PodKind } from '../api/generated/kinds.js';
import type { Container, LifecycleHandler, Pod, PodStatus } from '../api/generated/types.js';
import type { Client } from '../client/client.js';
import type { Clock, TimerHandle } from '../runtime/clock-types.js';
import type { EventRecorder } from '../runtime/event-types.js';
import type { Logger } from '../runtime/logger.js';
import { StoreError } from '../store/errors.js';
import { ContainerProbes } from './probes/worker.js';
import { runProbe } from './probes/prober.js';
import { isRuntimeError } from './runtime/errors.js';
import { resourcesFromRequirements } from './runtime/resources.js';
import type { ContainerEvent, ContainerRuntime, ImagePullPolicy, ProbeKind } from './runtime/types.js';
import { containerEnv, expandCommand } from './env.js';
import { KubeletError, parseTime } from './errors.js';
import { buildPodStatus, sameStatus, type ContainerRecord, type ContainerView, type PodView } from './status.js';
import { containerMounts, hasLiveVolumes, removePodDir, setupVolumes, type VolumeLookup } from './volumes.js';

/** Kubernetes' container restart back-off: 10 s initial, doubling, capped at 5 min. @public */
export const CRASH_LOOP_BACKOFF = { initialMs: 10_000, maxMs: 300_000, resetAfterRunningMs: 600_000 } as const;

/** How often a failed image pull / config lookup / volume set-up is retried. */
const RETRY_MS = 10_000;

/** What a pod worker needs from its kubelet. @internal */
export interface PodWorkerHost {
  readonly clock: Clock;
  readonly client: Client;
  readonly runtime: ContainerRuntime;
  readonly nodeName: string;
  readonly hostIP: string;
  readonly allocatable: Readonly<Record<string, string>>;
  readonly lookup: VolumeLookup;
  readonly recorder: EventRecorder | undefined;
  readonly logger: Logger;
  readonly mountVolumes: boolean;
  readonly rootDir: string;
  stopped(): boolean;
  registerContainer(id: string, worker: PodWorker): void;
  busy(delta: 1 | -1): void;
  finished(worker: PodWorker): void;
  statusWritten(pod: Pod, status: PodStatus): void;
}

interface Slot {
  readonly name: string;
  current?: ContainerRecord | undefined;
  previous?: ContainerRecord | undefined;
  restartCount: number;
  waiting?: { reason: string; message?: string | undefined } | undefined;
  probes?: ContainerProbes | undefined;
  probeSub?: Subscription | undefined;
  backoffMs: number;
  retryAt?: number | undefined;
  /** The container instance whose liveness or startup probe failed, and which probe. */
  probeFailed?: { readonly containerId: string; readonly kind: 'liveness' | 'startup' } | undefined;
  forceRestart: boolean;
}

function rv(p: Pod): number {
  return Number(p.metadata.resourceVersion ?? '0') || 0;
}

/**
 * One pod on one node: a serialized sync loop (Kubernetes' pod worker + `syncPod`) that drives
 * the runtime towards the pod's spec and writes its status.
 *
 * Each sync: terminate if the pod is deleted; fail it past `activeDeadlineSeconds`; create the
 * sandbox (and volumes); run init containers one at a time, each to success; then start or
 * restart app containers per `restartPolicy` with the crash-loop back-off; kill containers whose
 * liveness probe failed; write the status if it changed. Syncs never overlap; a trigger during a
 * sync runs one more sync after it.
 *
 * @internal
 */
export class PodWorker {
  pod: Pod;
  readonly uid: string;
  readonly key: string;
  private deleted = false;
  private state: 'active' | 'terminating' | 'done' = 'active';
  private sandbox: { id: string; podIP: string; ready: boolean } | undefined;
  private volumePaths: Map<string, string> = new Map();
  private readonly slots = new Map<string, Slot>();
  private startTime: number | undefined;
  private terminal: PodView['terminal'];
  private killedForTerminal = false;
  private lastStatus: PodStatus | undefined;
  private syncing = false;
  private dirty = false;
  private wakeAt: number | undefined;
  private pendingWake: number | undefined;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly host: PodWorkerHost,
    pod: Pod,
    terminal?: PodView['terminal'],
  ) {
    this.pod = pod;
    this.uid = pod.metadata.uid ?? '';
    this.key = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
    this.terminal = terminal;
    this.startTime = parseTime(pod.status?.startTime);
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      this.slots.set(c.name, { name: c.name, restartCount: 0, backoffMs: 0, forceRestart: false });
    }
  }

  /** When a timer of this worker (back-off, deadline, retry) fires next. */
  get nextWakeAt(): number | undefined {
    return this.wakeAt;
  }

  get isDone(): boolean {
    return this.state === 'done';
  }

  /** Whether the pod counts against the node's resources (admitted and not finished). */
  get active(): boolean {
    return this.state !== 'done' && this.terminal === undefined;
  }

  /** The newest container id of a container, and of its previous instance. */
  containerIds(name: string): { current?: string | undefined; running: boolean } | undefined {
    const s = this.slots.get(name);
    if (s === undefined) return undefined;
    return { current: s.current?.id, running: s.current?.state === 'running' };
  }

  containerNames(): string[] {
    return [...this.slots.keys()];
  }

  /** A newer version of the pod object. */
  update(pod: Pod): void {
    if (rv(pod) <= rv(this.pod) && pod.metadata.deletionTimestamp === this.pod.metadata.deletionTimestamp) return;
    this.pod = pod;
    this.request();
  }

  /** The pod is gone from the API: kill everything now and clean up. */
  remove(): void {
    this.deleted = true;
    this.request();
  }

  /** A runtime event for one of this pod's containers. */
  onContainerEvent(e: ContainerEvent): void {
    if (e.type !== 'exited') return;
    for (const slot of this.slots.values()) {
      const rec = slot.current;
      if (rec === undefined || rec.id !== e.containerId) continue;
      rec.state = 'exited';
      rec.finishedAt = e.at;
      rec.exitCode = e.exitCode;
      rec.reason = e.reason;
      rec.message = e.message;
      rec.signal = e.signal;
      if (rec.startedAt !== undefined && e.at - rec.startedAt >= CRASH_LOOP_BACKOFF.resetAfterRunningMs) slot.backoffMs = 0;
      this.stopProbes(slot);
      this.request();
    }
  }

  /** Ask for a sync (coalesced with one in progress). */
  request(): void {
    if (this.state === 'done' || this.host.stopped()) return;
    this.dirty = true;
    if (!this.syncing) void this.loop();
  }

  /** Re-project configMap / secret / downward API volumes (called periodically by the kubelet). */
  async refreshVolumes(): Promise<void> {
    if (!this.host.mountVolumes || this.sandbox === undefined || this.state !== 'active' || !hasLiveVolumes(this.pod)) return;
    try {
      this.volumePaths = await setupVolumes(this.volumeContext());
    } catch (err) {
      this.host.logger.warn('refreshing volumes failed', { pod: this.key, error: (err as Error).message });
    }
  }

  /** Stop timers and probes without touching containers (the kubelet is stopping). */
  shutdown(): void {
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeAt = undefined;
    for (const s of this.slots.values()) this.stopProbes(s);
  }

  /** The kubelet's view of the pod, for status and tests. */
  view(): PodView {
    const spec = this.pod.spec;
    const toView = (c: Container, sidecar: boolean): ContainerView => {
      const s = this.slots.get(c.name) as Slot;
      const running = s.current?.state === 'running';
      return {
        name: c.name,
        image: c.image ?? '',
        current: s.current,
        previous: s.previous,
        restartCount: s.restartCount,
        waiting: s.waiting,
        ready: running && (s.probes?.ready ?? true),
        started: running && (s.probes?.started ?? true),
        sidecar,
      };
    };
    return {
      pod: this.pod,
      runtimeName: this.host.runtime.name,
      hostIP: this.host.hostIP,
      podIP: this.sandbox?.podIP ?? this.pod.status?.podIP,
      startTime: this.startTime,
      sandboxReady: this.sandbox?.ready === true,
      init: (spec?.initContainers ?? []).map((c) => toView(c, c.restartPolicy === 'Always')),
      app: (spec?.containers ?? []).map((c) => toView(c, false)),
      terminal: this.terminal,
    };
  }

  // -------------------------------------------------------------------------------- sync loop

  private async loop(): Promise<void> {
    this.syncing = true;
    this.host.busy(1);
    try {
      while (this.dirty && this.state !== 'done' && !this.host.stopped()) {
        this.dirty = false;
        this.pendingWake = undefined;
        try {
          await this.sync();
        } catch (err) {
          this.host.logger.error('pod sync failed; retrying', { pod: this.key, error: err instanceof Error ? err.message : String(err) });
          this.wake(this.host.clock.now() + 1_000);
        }
        this.armTimer();
      }
    } finally {
      this.syncing = false;
      this.host.busy(-1);
    }
  }

  private wake(at: number): void {
    if (this.pendingWake === undefined || at < this.pendingWake) this.pendingWake = at;
  }

  private armTimer(): void {
    const at = this.pendingWake;
    if (at === this.wakeAt && (at === undefined || this.timer !== undefined)) return;
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeAt = at;
    if (at === undefined || this.state === 'done') return;
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = undefined;
      this.wakeAt = undefined;
      this.request();
    }, Math.max(0, at - this.host.clock.now()));
  }

  private async sync(): Promise<void> {
    const { clock } = this.host;
    const now = clock.now();
    if (this.deleted || this.pod.metadata.deletionTimestamp !== undefined) {
      await this.terminate();
      return;
    }
    if (this.terminal !== undefined) {
      await this.stopForTerminal();
      await this.writeStatus();
      return;
    }
    this.startTime ??= now;
    const ads = this.pod.spec?.activeDeadlineSeconds;
    if (ads !== undefined) {
      const deadline = this.startTime + ads * 1000;
      if (now >= deadline) {
        this.terminal = { phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' };
        this.event('Normal', 'DeadlineExceeded', 'Pod was active on the node longer than the specified deadline');
        await this.stopForTerminal();
        await this.writeStatus();
        return;
      }
      this.wake(deadline);
    }
    if (!(await this.ensureSandbox())) {
      await this.writeStatus();
      return;
    }
    const policy = this.pod.spec?.restartPolicy ?? 'Always';
    let initDone = true;
    for (const c of this.pod.spec?.initContainers ?? []) {
      const slot = this.slots.get(c.name) as Slot;
      const cur = slot.current;
      if (c.restartPolicy === 'Always') {
        if (cur === undefined || cur.state === 'exited') await this.startOrBackoff(c, slot);
        if (slot.current?.state === 'running' && (slot.probes?.started ?? true)) continue;
        initDone = false;
        break;
      }
      if (cur?.state === 'exited' && cur.exitCode === 0) continue;
      initDone = false;
      if (cur?.state === 'exited' && policy === 'Never') break;
      if (cur === undefined || cur.state === 'exited') await this.startOrBackoff(c, slot);
      break;
    }
    if (initDone) {
      for (const c of this.pod.spec?.containers ?? []) {
        const slot = this.slots.get(c.name) as Slot;
        let cur = slot.current;
        const failed = slot.probeFailed;
        if (cur?.state === 'running' && failed !== undefined && failed.containerId === cur.id) {
          const restarts = policy !== 'Never' ? ', will be restarted' : '';
          this.event('Normal', 'Killing', `Container ${c.name} failed ${failed.kind} probe${restarts}`);
          slot.forceRestart = true;
          await this.stopContainer(c, slot, this.graceFor(c, failed.kind));
          cur = slot.current;
        }
        if (cur === undefined) {
          await this.startOrBackoff(c, slot);
        } else if (cur.state === 'exited') {
          const restart = slot.forceRestart ? policy !== 'Never' : policy === 'Always' || (policy === 'OnFailure' && cur.exitCode !== 0);
          if (restart) await this.startOrBackoff(c, slot);
          else slot.waiting = undefined;
        }
      }
    }
    const status = await this.writeStatus();
    if (status !== undefined && (status.phase === 'Succeeded' || status.phase === 'Failed') && this.terminal === undefined) {
      this.terminal = { phase: status.phase };
      await this.stopForTerminal();
      await this.writeStatus();
    }
  }

  /** The grace period for killing a container whose `kind` probe failed: the probe's own, else the pod's. */
  private graceFor(c: Container, kind: 'liveness' | 'startup'): number {
    const probeGrace = (kind === 'startup' ? c.startupProbe : c.livenessProbe)?.terminationGracePeriodSeconds;
    return probeGrace ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
  }

  private podDir(): string {
    return join(this.host.rootDir, 'pods', this.uid);
  }

  private volumeContext(): Parameters<typeof setupVolumes>[0] {
    return { pod: this.pod, podDir: this.podDir(), podIP: this.sandbox?.podIP ?? '', hostIP: this.host.hostIP, allocatable: this.host.allocatable, lookup: this.host.lookup };
  }

  /** Create the sandbox (after the volumes); false when it could not be created yet. */
  private async ensureSandbox(): Promise<boolean> {
    if (this.sandbox !== undefined) return this.sandbox.ready;
    const { runtime } = this.host;
    const pod = this.pod;
    const ports = (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => ({ containerPort: p.containerPort, ...(p.hostPort !== undefined ? { hostPort: p.hostPort } : {}), ...(p.name !== undefined ? { name: p.name } : {}), protocol: (p.protocol ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP' })));
    try {
      const sb = await runtime.runPodSandbox({
        uid: this.uid,
        name: pod.metadata.name ?? '',
        namespace: pod.metadata.namespace ?? 'default',
        hostname: pod.spec?.hostname ?? pod.metadata.name ?? '',
        ...(pod.metadata.labels !== undefined ? { labels: pod.metadata.labels } : {}),
        ...(pod.metadata.annotations !== undefined ? { annotations: pod.metadata.annotations } : {}),
        ports,
      });
      this.sandbox = { id: sb.id, podIP: sb.podIP, ready: true };
    } catch (err) {
      this.event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
      for (const s of this.slots.values()) s.waiting = { reason: 'ContainerCreating', message: (err as Error).message };
      this.wake(this.host.clock.now() + RETRY_MS);
      return false;
    }
    if (this.host.mountVolumes) {
      try {
        this.volumePaths = await setupVolumes(this.volumeContext());
      } catch (err) {
        this.event('Warning', 'FailedMount', `MountVolume.SetUp failed: ${(err as Error).message}`);
        this.wake(this.host.clock.now() + RETRY_MS);
        this.volumesPending = true;
        return true;
      }
    }
    return true;
  }

  private volumesPending = false;

  private async startOrBackoff(c: Container, slot: Slot): Promise<void> {
    const now = this.host.clock.now();
    const cur = slot.current;
    if (slot.retryAt !== undefined && now < slot.retryAt) {
      this.wake(slot.retryAt);
      return;
    }
    if (cur?.state === 'exited') {
      if (slot.backoffMs > 0) {
        const until = (cur.finishedAt ?? now) + slot.backoffMs;
        if (now < until) {
          const p = this.pod.metadata;
          slot.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${slot.backoffMs / 1000}s restarting failed container=${c.name} pod=${p.name ?? ''}_${p.namespace ?? 'default'}(${this.uid})` };
          this.event('Warning', 'BackOff', 'Back-off restarting failed container');
          this.wake(until);
          return;
        }
      }
    }
    await this.startContainer(c, slot, cur?.state === 'exited');
  }

  private async startContainer(c: Container, slot: Slot, restarting: boolean): Promise<void> {
    const { runtime, clock } = this.host;
    const sandbox = this.sandbox;
    if (sandbox === undefined) return;
    if (this.volumesPending) {
      try {
        this.volumePaths = await setupVolumes(this.volumeContext());
        this.volumesPending = false;
      } catch (err) {
        slot.waiting = { reason: 'ContainerCreating', message: (err as Error).message };
        this.wake(clock.now() + RETRY_MS);
        return;
      }
    }
    const image = c.image ?? '';
    let imageRef: string;
    try {
      imageRef = await runtime.ensureImage(image, (c.imagePullPolicy ?? 'IfNotPresent') as ImagePullPolicy);
    } catch (err) {
      const reason = isRuntimeError(err) ? err.code : 'ErrImagePull';
      slot.waiting = { reason, message: (err as Error).message };
      slot.retryAt = clock.now() + RETRY_MS;
      this.wake(slot.retryAt);
      this.event('Warning', 'Failed', `Failed to pull image "${image}": ${(err as Error).message}`);
      return;
    }
    let config;
    try {
      const env = await containerEnv(c, { pod: this.pod, podIP: sandbox.podIP, hostIP: this.host.hostIP, allocatable: this.host.allocatable, lookup: this.host.lookup });
      const command = expandCommand(c.command, env);
      const args = expandCommand(c.args, env);
      config = {
        name: c.name,
        image,
        ...(command !== undefined ? { command } : {}),
        ...(args !== undefined ? { args } : {}),
        env,
        ...(c.workingDir !== undefined ? { workingDir: c.workingDir } : {}),
        mounts: this.host.mountVolumes ? containerMounts(c, this.volumePaths) : [],
        resources: resourcesFromRequirements(c.resources),
        attempt: slot.current === undefined ? 0 : slot.current.attempt + 1,
        labels: { 'io.kubernetes.pod.name': this.pod.metadata.name ?? '', 'io.kubernetes.pod.namespace': this.pod.metadata.namespace ?? 'default', 'io.kubernetes.pod.uid': this.uid, 'io.kubernetes.container.name': c.name },
      };
    } catch (err) {
      const reason = err instanceof KubeletError && err.code === 'CreateContainerConfigError' ? 'CreateContainerConfigError' : 'CreateContainerError';
      slot.waiting = { reason, message: (err as Error).message };
      slot.retryAt = clock.now() + RETRY_MS;
      this.wake(slot.retryAt);
      this.event('Warning', 'Failed', `Error: ${(err as Error).message}`);
      return;
    }
    slot.retryAt = undefined;
    let id: string;
    try {
      id = await runtime.createContainer(sandbox.id, config);
    } catch (err) {
      slot.waiting = { reason: 'CreateContainerError', message: (err as Error).message };
      slot.retryAt = clock.now() + RETRY_MS;
      this.wake(slot.retryAt);
      return;
    }
    if (restarting) {
      slot.backoffMs = slot.backoffMs === 0 ? CRASH_LOOP_BACKOFF.initialMs : Math.min(slot.backoffMs * 2, CRASH_LOOP_BACKOFF.maxMs);
      slot.restartCount++;
    }
    if (slot.current?.state === 'exited') slot.previous = slot.current;
    const rec: ContainerRecord = { id, attempt: config.attempt, imageRef, state: 'created' };
    slot.current = rec;
    slot.waiting = undefined;
    slot.probeFailed = undefined;
    slot.forceRestart = false;
    this.host.registerContainer(id, this);
    this.event('Normal', 'Created', `Created container ${c.name}`);
    try {
      await runtime.startContainer(id);
    } catch (err) {
      this.event('Warning', 'Failed', `Error: ${(err as Error).message}`);
    }
    try {
      const st = await runtime.containerStatus(id);
      if (rec.state !== 'exited') rec.state = st.state;
      rec.startedAt = st.startedAt;
      if (st.state === 'exited') {
        rec.state = 'exited';
        rec.finishedAt = st.finishedAt;
        rec.exitCode = st.exitCode;
        rec.reason = st.reason;
        rec.message = st.message;
        rec.signal = st.signal;
      }
    } catch {
      rec.state = 'unknown';
    }
    if (rec.state === 'running') {
      this.event('Normal', 'Started', `Started container ${c.name}`);
      this.startProbes(c, slot, rec);
      const postStart = c.lifecycle?.postStart;
      if (postStart !== undefined) {
        const ok = await this.runHook(postStart, c, rec.id, 30);
        if (!ok) {
          this.event('Warning', 'FailedPostStartHook', `PostStartHook failed for container ${c.name}`);
          await this.stopContainer(c, slot, this.pod.spec?.terminationGracePeriodSeconds ?? 30);
        }
      }
    }
  }

  private startProbes(c: Container, slot: Slot, rec: ContainerRecord): void {
    if (c.startupProbe === undefined && c.livenessProbe === undefined && c.readinessProbe === undefined) return;
    const { clock, runtime } = this.host;
    const podIP = this.sandbox?.podIP ?? '';
    const probes = new ContainerProbes({
      clock,
      container: c.name,
      containerId: rec.id,
      ...(rec.startedAt !== undefined ? { startedAt: rec.startedAt } : {}),
      ...(c.startupProbe !== undefined ? { startupProbe: c.startupProbe } : {}),
      ...(c.livenessProbe !== undefined ? { livenessProbe: c.livenessProbe } : {}),
      ...(c.readinessProbe !== undefined ? { readinessProbe: c.readinessProbe } : {}),
      prober: (probe, kind: ProbeKind) => runProbe(probe, { kind, containerId: rec.id, podIP, ports: c.ports ?? [], runtime }, { clock }),
    });
    slot.probes = probes;
    slot.probeSub = probes.results$.subscribe((ch) => {
      if (slot.current?.id !== ch.containerId) return;
      if (ch.result === 'failure' && ch.kind !== 'readiness') {
        slot.probeFailed = { containerId: ch.containerId, kind: ch.kind };
        this.event('Warning', 'Unhealthy', `${ch.kind === 'liveness' ? 'Liveness' : 'Startup'} probe failed: ${ch.message ?? ''}`.trim());
      } else if (ch.result === 'failure' && ch.message !== undefined) {
        this.event('Warning', 'Unhealthy', `Readiness probe failed: ${ch.message}`);
      }
      this.request();
    });
    probes.start();
  }

  private stopProbes(slot: Slot): void {
    slot.probeSub?.unsubscribe();
    slot.probeSub = undefined;
    slot.probes?.stop();
  }

  /** Run a lifecycle hook; true when it succeeded. Bounded by `timeoutSeconds` on the clock. */
  private async runHook(h: LifecycleHandler, c: Container, containerId: string, timeoutSeconds: number): Promise<boolean> {
    const { runtime, clock } = this.host;
    if (h.sleep !== undefined) {
      await clock.sleep(Math.min(h.sleep.seconds, timeoutSeconds) * 1000);
      return true;
    }
    const probe = h.exec !== undefined ? { exec: h.exec } : h.httpGet !== undefined ? { httpGet: h.httpGet } : h.tcpSocket !== undefined ? { tcpSocket: h.tcpSocket } : undefined;
    if (probe === undefined) return true;
    if (h.exec !== undefined) {
      try {
        const r = await runtime.execSync(containerId, h.exec.command ?? [], Math.max(1, timeoutSeconds) * 1000);
        return r.exitCode === 0;
      } catch {
        return false;
      }
    }
    const outcome = await runProbe({ ...probe, timeoutSeconds: Math.max(1, timeoutSeconds) }, { kind: 'liveness', containerId, podIP: this.sandbox?.podIP ?? '', ports: c.ports ?? [], runtime }, { clock });
    return outcome.result === 'success';
  }

  /** Stop one container (preStop not run: used for liveness kills and post-start failures). */
  private async stopContainer(c: Container, slot: Slot, graceSeconds: number): Promise<void> {
    const rec = slot.current;
    if (rec === undefined || (rec.state !== 'running' && rec.state !== 'created')) return;
    this.stopProbes(slot);
    try {
      await this.host.runtime.stopContainer(rec.id, graceSeconds);
    } catch (err) {
      this.host.logger.warn('stopping a container failed', { pod: this.key, container: c.name, error: (err as Error).message });
    }
    await this.refresh(rec);
  }

  private async refresh(rec: ContainerRecord): Promise<void> {
    try {
      const st = await this.host.runtime.containerStatus(rec.id);
      if (st.state === 'exited' && rec.state !== 'exited') {
        rec.state = 'exited';
        rec.finishedAt = st.finishedAt;
        rec.exitCode = st.exitCode;
        rec.reason = st.reason;
        rec.message = st.message;
        rec.signal = st.signal;
      }
    } catch {
      // Removed meanwhile: keep what we know.
    }
  }

  /** Stop every running container of the pod with the grace period, running preStop hooks first. */
  private async killAll(graceSeconds: number, runPreStop: boolean): Promise<void> {
    const deadline = this.host.clock.now() + graceSeconds * 1000;
    const containers = [...(this.pod.spec?.containers ?? []), ...(this.pod.spec?.initContainers ?? [])];
    await Promise.all(
      containers.map(async (c) => {
        const slot = this.slots.get(c.name);
        const rec = slot?.current;
        if (slot === undefined || rec === undefined || (rec.state !== 'running' && rec.state !== 'created')) return;
        this.stopProbes(slot);
        const preStop = c.lifecycle?.preStop;
        if (runPreStop && preStop !== undefined && rec.state === 'running' && graceSeconds > 0) {
          const hookDone = this.runHook(preStop, c, rec.id, graceSeconds);
          const remaining = deadline - this.host.clock.now();
          const timeout = new AbortController();
          await Promise.race([hookDone, this.host.clock.sleep(Math.max(0, remaining), timeout.signal).catch(() => undefined)]);
          timeout.abort();
        }
        this.event('Normal', 'Killing', `Stopping container ${c.name}`);
        const left = Math.max(0, Math.ceil((deadline - this.host.clock.now()) / 1000));
        try {
          await this.host.runtime.stopContainer(rec.id, left);
        } catch {
          // Already gone.
        }
        await this.refresh(rec);
      }),
    );
  }

  private async stopForTerminal(): Promise<void> {
    if (this.killedForTerminal) return;
    this.killedForTerminal = true;
    await this.killAll(this.pod.spec?.terminationGracePeriodSeconds ?? 30, true);
    for (const s of this.slots.values()) s.waiting = undefined;
    if (this.sandbox !== undefined) {
      try {
        await this.host.runtime.stopPodSandbox(this.sandbox.id);
      } catch {
        // Gone already.
      }
      this.sandbox.ready = false;
    }
  }

  /** Graceful termination, then removal of the pod object (grace 0) once everything stopped. */
  private async terminate(): Promise<void> {
    if (this.state === 'done') return;
    this.state = 'terminating';
    const { clock, runtime, client } = this.host;
    const grace = this.deleted ? 0 : this.remainingGrace(clock.now());
    await this.killAll(grace, !this.deleted);
    for (const s of this.slots.values()) s.waiting = undefined;
    if (this.sandbox !== undefined) {
      try {
        await runtime.stopPodSandbox(this.sandbox.id);
      } catch {
        // ignore
      }
      this.sandbox.ready = false;
    }
    if (!this.deleted && this.terminal === undefined) await this.writeStatus();
    if (this.sandbox !== undefined) {
      try {
        await runtime.removePodSandbox(this.sandbox.id);
      } catch {
        // ignore
      }
    }
    if (this.host.mountVolumes) await removePodDir(this.podDir()).catch(() => undefined);
    if (!this.deleted && !this.host.stopped()) {
      try {
        await client.delete(PodKind, this.pod.metadata.name ?? '', { namespace: this.pod.metadata.namespace ?? 'default', gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
      } catch (err) {
        if (!(err instanceof StoreError && (err.code === 'NotFound' || err.code === 'Conflict'))) throw err;
      }
    }
    this.state = 'done';
    this.shutdown();
    this.host.finished(this);
  }

  private remainingGrace(now: number): number {
    const ts = parseTime(this.pod.metadata.deletionTimestamp);
    const declared = this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
    if (ts === undefined) return declared;
    return Math.max(0, Math.min(declared, Math.ceil((ts - now) / 1000)));
  }

  /** Write the status if it changed; returns the status now in effect. */
  private async writeStatus(): Promise<PodStatus | undefined> {
    const { clock, client } = this.host;
    // Built from the current pod object each attempt, so conditions other writers own (readiness
    // gates, DisruptionTarget) are kept, and a conflict rebuilds on top of the fresh object.
    let status = buildPodStatus(this.view(), this.lastStatus ?? this.pod.status, clock.now());
    if (this.lastStatus !== undefined && sameStatus(status, this.lastStatus)) return status;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) status = buildPodStatus(this.view(), this.lastStatus ?? this.pod.status, clock.now());
      if (this.host.stopped()) return status;
      try {
        const written = await client.updateStatus(PodKind, { ...this.pod, status });
        this.lastStatus = status;
        if (rv(written) > rv(this.pod)) this.pod = written;
        this.host.statusWritten(written, status);
        return status;
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        if (err.code === 'NotFound') {
          this.deleted = true;
          this.dirty = true;
          return status;
        }
        if (err.code !== 'Conflict') throw err;
        const fresh = await client.get(PodKind, this.pod.metadata.name ?? '', { namespace: this.pod.metadata.namespace ?? 'default' }).catch(() => undefined);
        if (fresh === undefined || fresh.metadata.uid !== this.uid) {
          this.deleted = true;
          this.dirty = true;
          return status;
        }
        this.pod = fresh;
      }
    }
    return status;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.host.recorder?.event(this.pod, type, reason, message);
  }
}
