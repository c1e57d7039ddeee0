import { Observable, Subject } from 'rxjs';
import type { ContainerPort, Probe } from '../../api/generated/types.js';
import type { Clock, TimerHandle } from '../../runtime/clock-types.js';
import {
  SIMULATE_ANNOTATION,
  decodePodSimulation,
  resolveBehaviour,
  validateBehaviour,
  type PodSimulation,
  type ResolvedBehaviour,
  type SimulatedBehaviour,
} from './behaviour.js';
import { SandboxBook, containerRef, containerStatus, sandboxStatus, type BookContainer, type BookSandbox } from './book.js';
import { RuntimeError } from './errors.js';
import { PullBackoff, lookupImage } from './image-pull.js';
import { IPPool } from './ip-pool.js';
import { MemoryLog, readContainerLog } from './logs.js';
import type {
  ContainerConfig,
  ContainerEvent,
  ContainerExitReason,
  ContainerFilter,
  ContainerRuntime,
  ContainerStatus,
  ContainerUsage,
  ExecResult,
  ImagePullPolicy,
  LogLine,
  LogOptions,
  PodSandboxConfig,
  PodSandboxStatus,
  ProbeKind,
  ProbeOutcome,
} from './types.js';

/** Options of {@link SimulatedRuntime}. @public */
export interface SimulatedRuntimeOptions {
  readonly clock: Clock;
  /** Behaviour per image (exact reference, else repository without tag, else `'*'`). */
  readonly behaviours?: Readonly<Record<string, SimulatedBehaviour>>;
  /** Where pod IPs come from (default `10.244.0.0/16`; use a per-node /24 at scale, or a /8). */
  readonly podCIDR?: string;
  /** Treat every image as already present (so `imagePullPolicy: Never` works). Default true. */
  readonly imagesPreloaded?: boolean;
  /** Prefix of sandbox/container ids, to keep them unique across runtimes in one process. */
  readonly idPrefix?: string;
}

interface SimSandbox extends BookSandbox {
  readonly simulation: PodSimulation | undefined;
}

interface SimContainer extends BookContainer<SimSandbox> {
  readonly behaviour: ResolvedBehaviour;
  starting: boolean;
  timer?: TimerHandle;
  log?: MemoryLog;
  lastCpuSample?: { at: number; usage: number };
}

const EMPTY_BEHAVIOUR: ResolvedBehaviour = resolveBehaviour({});

/**
 * A KWOK-like runtime: containers "run" with scripted behaviour on a Clock, with no OS processes
 * and no network — for tests, and for simulating thousands of nodes in one process.
 *
 * Behaviour comes from `behaviours` (keyed by image) and can be overridden per pod with the
 * annotation `kubekit.dev/simulate` (see {@link PodSimulation}); the annotation's fields replace
 * the image's field by field.
 *
 * Guarantees:
 * - a container holds a Clock timer only while it has a scripted exit / OOM ahead (or while a
 *   start/stop/pull delay runs); an idle running container costs one small object;
 * - every probe is answered from the script (`scriptedProbe`), never over the network;
 *   `execSync` answers from `exec`;
 * - usage is exact: `usageCoreNanoSeconds` = `cpu` × running time;
 * - pod IPs come from `podCIDR` and are released when the sandbox stops.
 *
 * Caveats: `mounts`, `env`, `command` are recorded but have no effect; CPU limits do not throttle.
 *
 * @example
 * ```ts
 * const clock = new FakeClock();
 * const rt = new SimulatedRuntime({ clock, behaviours: { 'app:v1': { exitAfterSeconds: 5, exitCode: 1 } } });
 * const sb = await rt.runPodSandbox({ uid: 'u1', name: 'web-0', namespace: 'default' });
 * const id = await rt.createContainer(sb.id, { name: 'app', image: 'app:v1' });
 * await rt.startContainer(id);
 * clock.advance(5_000);
 * (await rt.containerStatus(id)).exitCode; // 1
 * ```
 * @public
 */
export class SimulatedRuntime implements ContainerRuntime {
  readonly name = 'simulated';
  private readonly clock: Clock;
  private readonly behaviours = new Map<string, ResolvedBehaviour>();
  private readonly annotationCache = new Map<string, PodSimulation>();
  private readonly overrideCache = new Map<string, ResolvedBehaviour>();
  private readonly pool: IPPool;
  private readonly backoff: PullBackoff;
  private readonly pulled = new Set<string>();
  private readonly preloaded: boolean;
  private readonly prefix: string;
  private readonly book = new SandboxBook<SimSandbox, SimContainer>(notFound);
  private readonly events = new Subject<ContainerEvent>();
  private readonly closing = new AbortController();
  private nextId = 1;

  /** Container lifecycle events. */
  readonly events$: Observable<ContainerEvent> = this.events.asObservable();

  /** Errors: `InvalidSimulation` when a behaviour in `behaviours` is invalid; `InvalidArgument` for a bad CIDR. */
  constructor(options: SimulatedRuntimeOptions) {
    this.clock = options.clock;
    for (const [image, b] of Object.entries(options.behaviours ?? {})) {
      this.behaviours.set(image, resolveBehaviour(validateBehaviour(b, `behaviours[${JSON.stringify(image)}]`)));
    }
    this.pool = new IPPool(options.podCIDR ?? '10.244.0.0/16');
    this.backoff = new PullBackoff(this.clock);
    this.preloaded = options.imagesPreloaded ?? true;
    this.prefix = options.idPrefix ?? 'sim';
  }

  // ----------------------------------------------------------------------------------------- images

  async ensureImage(image: string, pullPolicy: ImagePullPolicy): Promise<string> {
    this.checkOpen();
    const b = this.imageBehaviour(image).spec;
    const present = this.pulled.has(image) || (this.preloaded && b.pullError === undefined);
    if (pullPolicy === 'Never') {
      if (present) return image;
      throw new RuntimeError(
        'ErrImageNeverPull',
        `Container image ${JSON.stringify(image)} is not present with pull policy of Never; set imagePullPolicy to IfNotPresent or preload the image.`,
      );
    }
    if (pullPolicy === 'IfNotPresent' && present) return image;
    this.backoff.check(image);
    if (b.pullDelaySeconds !== undefined && b.pullDelaySeconds > 0) await this.clock.sleep(b.pullDelaySeconds * 1000, this.closing.signal);
    if (b.pullError !== undefined) {
      this.backoff.failed(image, b.pullError);
      throw new RuntimeError(
        'ErrImagePull',
        `Failed to pull image ${JSON.stringify(image)}: ${b.pullError} (scripted by the simulated behaviour's pullError; remove it to let the pull succeed).`,
      );
    }
    this.backoff.succeeded(image);
    this.pulled.add(image);
    return image;
  }

  // -------------------------------------------------------------------------------------- sandboxes

  async runPodSandbox(config: PodSandboxConfig): Promise<PodSandboxStatus> {
    this.checkOpen();
    const annotation = config.annotations?.[SIMULATE_ANNOTATION];
    let simulation: PodSimulation | undefined;
    if (annotation !== undefined) {
      simulation = this.annotationCache.get(annotation);
      if (simulation === undefined) {
        simulation = decodePodSimulation(annotation, `${config.namespace}/${config.name}`);
        if (this.annotationCache.size < 10_000) this.annotationCache.set(annotation, simulation);
      }
    }
    const sb: SimSandbox = {
      id: `${this.prefix}-pod-${(this.nextId++).toString(16)}`,
      config,
      createdAt: this.clock.now(),
      podIP: this.pool.allocate(),
      simulation,
      state: 'ready',
      byName: new Map(),
    };
    this.book.sandboxes.set(sb.id, sb);
    return sandboxStatus(sb);
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const sb = this.book.sandboxes.get(sandboxId);
    if (sb === undefined || sb.state === 'notready') return;
    for (const ids of sb.byName.values()) {
      for (const id of ids) {
        const c = this.book.containers.get(id);
        if (c?.state === 'running') this.exit(c, 137, 'Error', 'SIGKILL', 'pod sandbox stopped');
      }
    }
    sb.state = 'notready';
    this.pool.release(sb.podIP);
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    const sb = this.book.sandboxes.get(sandboxId);
    if (sb === undefined) return;
    await this.stopPodSandbox(sandboxId);
    for (const ids of [...sb.byName.values()]) for (const id of [...ids]) this.forget(id);
    this.book.sandboxes.delete(sandboxId);
  }

  async podSandboxStatus(sandboxId: string): Promise<PodSandboxStatus> {
    return this.book.sandboxStatus(sandboxId);
  }

  async listPodSandboxes(): Promise<readonly PodSandboxStatus[]> {
    return this.book.listSandboxStatuses();
  }

  // ------------------------------------------------------------------------------------- containers

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    this.checkOpen();
    const sb = this.book.sandboxForCreate(sandboxId, config);
    const id = `${this.prefix}-ctr-${(this.nextId++).toString(16)}`;
    const c: SimContainer = {
      id,
      sandbox: sb,
      config,
      behaviour: this.behaviourFor(sb, config),
      createdAt: this.clock.now(),
      logPath: config.logPath ?? `${sb.config.namespace}_${sb.config.name}_${sb.config.uid}/${config.name}/${config.attempt ?? 0}.log`,
      state: 'created',
      starting: false,
    };
    this.book.add(c);
    for (let old = this.book.surplus(c); old !== undefined; old = this.book.surplus(c)) this.forget(old);
    this.emit({ type: 'created', ...containerRef(c), at: c.createdAt });
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    this.checkOpen();
    const c = this.book.container(containerId);
    if (c.state !== 'created' || c.starting) {
      throw new RuntimeError('InvalidState', `container ${containerId} is ${c.starting ? 'starting' : c.state}; only a created container can be started — create a new one to restart.`);
    }
    const b = c.behaviour.spec;
    if (b.startDelaySeconds !== undefined && b.startDelaySeconds > 0) {
      c.starting = true;
      try {
        await this.clock.sleep(b.startDelaySeconds * 1000, this.closing.signal);
      } catch {
        throw new RuntimeError('Closed', 'the runtime was closed while the container was starting.');
      } finally {
        c.starting = false;
      }
      if (this.book.containers.get(containerId) !== c || c.state !== 'created') {
        throw new RuntimeError('InvalidState', `container ${containerId} was removed or stopped while starting.`);
      }
    }
    const now = this.clock.now();
    if (b.startError !== undefined) {
      c.startedAt = now;
      this.exit(c, 128, 'StartError', undefined, b.startError);
      throw new RuntimeError('RunContainerError', `failed to start container ${c.config.name}: ${b.startError} (scripted by startError).`);
    }
    c.state = 'running';
    c.startedAt = now;
    if (b.logs !== undefined && b.logs.length > 0) {
      c.log = new MemoryLog();
      for (const text of b.logs) c.log.write({ time: now, stream: 'stdout', text });
    }
    this.emit({ type: 'started', ...containerRef(c), at: now });
    const limit = c.config.resources?.memoryLimitBytes;
    if (limit !== undefined && c.behaviour.memoryBytes > limit) {
      this.exit(c, 137, 'OOMKilled', 'SIGKILL', `memory use ${c.behaviour.memoryBytes} B exceeds the limit of ${limit} B`);
      return;
    }
    if (b.crashLoop === true) {
      this.exit(c, b.exitCode ?? 1, undefined);
      return;
    }
    this.scheduleEnd(c);
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const c = this.book.containers.get(containerId);
    if (c === undefined) throw notFound('container', containerId);
    if (c.state === 'created') {
      this.exit(c, 0, 'Completed', undefined, 'stopped before it started');
      return;
    }
    if (c.state !== 'running') return;
    const grace = Math.max(0, timeoutSeconds);
    const delay = c.behaviour.spec.stopDelaySeconds ?? 0;
    if (delay > 0 && grace > 0) {
      await this.clock.sleep(Math.min(delay, grace) * 1000, this.closing.signal).catch(() => undefined);
      if (c.state !== 'running') return;
    }
    if (delay <= grace) this.exit(c, 0, 'Completed', undefined, undefined);
    else this.exit(c, 137, 'Error', 'SIGKILL', `did not stop within ${grace}s of SIGTERM`);
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.book.containers.get(containerId);
    if (c === undefined) return;
    if (c.state === 'running' || c.state === 'created') this.exit(c, 137, 'Error', 'SIGKILL', 'removed');
    this.forget(containerId);
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    return this.status(this.book.container(containerId));
  }

  async listContainers(filter: ContainerFilter = {}): Promise<readonly ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    const source = filter.sandboxId !== undefined ? this.book.inSandbox(filter.sandboxId) : this.book.containers.values();
    for (const c of source) {
      if (filter.podUid !== undefined && c.sandbox.config.uid !== filter.podUid) continue;
      if (filter.name !== undefined && c.config.name !== filter.name) continue;
      if (filter.state !== undefined && c.state !== filter.state) continue;
      out.push(this.status(c));
    }
    return out;
  }

  async execSync(containerId: string, cmd: readonly string[], _timeoutMs: number): Promise<ExecResult> {
    const c = this.book.container(containerId);
    if (c.state !== 'running') {
      throw new RuntimeError('InvalidState', `container ${containerId} is ${c.state}; exec needs a running container.`);
    }
    const reply = c.behaviour.spec.exec?.[cmd.join(' ')];
    return { exitCode: reply?.exitCode ?? 0, stdout: reply?.stdout ?? '', stderr: reply?.stderr ?? '' };
  }

  readLogs(containerId: string, options: LogOptions = {}): Observable<LogLine> {
    return new Observable<LogLine>((sub) => {
      let c = this.book.containers.get(containerId);
      if (c !== undefined && options.previous === true) c = this.book.previousOf(c);
      if (c === undefined) {
        sub.error(options.previous === true ? notFound('previous terminated container of', containerId) : notFound('container', containerId));
        return undefined;
      }
      const log = c.log ?? (c.state === 'running' || c.state === 'created' ? (c.log = new MemoryLog()) : finishedEmpty);
      return readContainerLog(log, options).subscribe(sub);
    });
  }

  async usage(containerId: string): Promise<ContainerUsage> {
    const c = this.book.container(containerId);
    const now = this.clock.now();
    const end = c.state === 'running' ? now : (c.finishedAt ?? now);
    const runningNs = c.startedAt === undefined ? 0 : Math.max(0, end - c.startedAt) * 1e6;
    const usage = Math.round((c.behaviour.cpuNanoCores * runningNs) / 1e9);
    const prev = c.lastCpuSample;
    c.lastCpuSample = { at: now, usage };
    const rate = prev !== undefined && now > prev.at ? Math.round(((usage - prev.usage) * 1000) / (now - prev.at)) : undefined;
    return {
      timestamp: now,
      usageCoreNanoSeconds: usage,
      ...(rate !== undefined ? { cpuNanoCores: rate } : {}),
      memoryWorkingSetBytes: c.state === 'running' ? c.behaviour.memoryBytes : 0,
    };
  }

  scriptedProbe(containerId: string, kind: ProbeKind, _probe: Probe, _ports: readonly ContainerPort[]): ProbeOutcome {
    const c = this.book.containers.get(containerId);
    if (c === undefined || c.state !== 'running' || c.startedAt === undefined) {
      return { result: 'failure', message: `container ${containerId} is not running` };
    }
    const script = c.behaviour.spec.probes?.[kind];
    if (script === undefined || (script.failFromSeconds === undefined && script.failUntilSeconds === undefined)) {
      return { result: 'success' };
    }
    const elapsed = (this.clock.now() - c.startedAt) / 1000;
    const failing = elapsed >= (script.failFromSeconds ?? 0) && elapsed < (script.failUntilSeconds ?? Infinity);
    return failing ? { result: 'failure', message: `scripted ${kind} probe failure at ${elapsed}s after start` } : { result: 'success' };
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    for (const c of this.book.containers.values()) {
      if (c.state === 'running') this.exit(c, 137, 'Error', 'SIGKILL', 'runtime closed');
    }
    for (const sb of this.book.sandboxes.values()) {
      if (sb.state === 'ready') this.pool.release(sb.podIP);
      sb.state = 'notready';
    }
    this.closing.abort(new RuntimeError('Closed', 'the simulated runtime was closed.'));
    this.events.complete();
  }

  /** How many containers are running (cheap; for scale tests and metrics). */
  runningCount(): number {
    let n = 0;
    for (const c of this.book.containers.values()) if (c.state === 'running') n++;
    return n;
  }

  // -------------------------------------------------------------------------------------- internals

  private checkOpen(): void {
    if (this.closing.signal.aborted) throw new RuntimeError('Closed', 'the simulated runtime was closed; create a new one.');
  }

  private imageBehaviour(image: string): ResolvedBehaviour {
    return lookupImage(this.behaviours, image) ?? this.behaviours.get('*') ?? EMPTY_BEHAVIOUR;
  }

  private behaviourFor(sb: SimSandbox, config: ContainerConfig): ResolvedBehaviour {
    const base = this.imageBehaviour(config.image);
    const sim = sb.simulation;
    if (sim === undefined) return base;
    const { containers, ...podLevel } = sim;
    const perContainer = containers?.[config.name];
    if (Object.keys(podLevel).length === 0 && perContainer === undefined) return base;
    const key = `${config.image}\u0000${config.name}\u0000${sb.config.annotations?.[SIMULATE_ANNOTATION] ?? ''}`;
    let resolved = this.overrideCache.get(key);
    if (resolved === undefined) {
      resolved = resolveBehaviour({ ...base.spec, ...podLevel, ...(perContainer ?? {}) });
      if (this.overrideCache.size < 10_000) this.overrideCache.set(key, resolved);
    }
    return resolved;
  }

  private scheduleEnd(c: SimContainer): void {
    const b = c.behaviour.spec;
    const exitAt = b.exitAfterSeconds;
    const oomAt = b.oomAfterSeconds;
    if (exitAt === undefined && oomAt === undefined) return;
    const oomFirst = oomAt !== undefined && (exitAt === undefined || oomAt <= exitAt);
    const seconds = oomFirst ? (oomAt as number) : (exitAt as number);
    const fire = (): void => {
      c.timer = undefined;
      if (c.state !== 'running') return;
      if (oomFirst) this.exit(c, 137, 'OOMKilled', 'SIGKILL', `scripted OOM kill ${seconds}s after start`);
      else this.exit(c, b.exitCode ?? 0, undefined);
    };
    if (seconds === 0) fire();
    else c.timer = this.clock.setTimeout(fire, seconds * 1000);
  }

  private exit(c: SimContainer, exitCode: number, reason: ContainerExitReason | undefined, signal?: string, message?: string): void {
    if (c.timer !== undefined) {
      this.clock.clearTimeout(c.timer);
      c.timer = undefined;
    }
    const now = this.clock.now();
    c.state = 'exited';
    c.finishedAt = now;
    c.exitCode = exitCode;
    c.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    c.signal = signal;
    c.message = message;
    c.log?.finish();
    this.emit({
      type: 'exited',
      ...containerRef(c),
      at: now,
      exitCode,
      reason: c.reason,
      ...(signal !== undefined ? { signal } : {}),
      ...(message !== undefined ? { message } : {}),
    });
  }

  private forget(containerId: string): void {
    const c = this.book.containers.get(containerId);
    if (c === undefined) return;
    if (c.timer !== undefined) this.clock.clearTimeout(c.timer);
    c.log?.finish();
    this.book.delete(c);
    this.emit({ type: 'removed', ...containerRef(c), at: this.clock.now() });
  }

  private emit(e: ContainerEvent): void {
    if (!this.events.closed) this.events.next(e);
  }

  private status(c: SimContainer): ContainerStatus {
    return containerStatus(c, c.config.image);
  }
}

const finishedEmpty = ((): MemoryLog => {
  const l = new MemoryLog();
  l.finish();
  return l;
})();

function notFound(what: string, id: string): RuntimeError {
  return new RuntimeError('NotFound', `${what} ${id} not found; it may have been removed — list the runtime's containers/sandboxes to find the current id.`);
}
