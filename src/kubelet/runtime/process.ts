import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Observable, Subject } from 'rxjs';
import type { Clock, TimerHandle } from '../../runtime/clock-types.js';
import { realClock } from '../../runtime/clock.js';
import { SandboxBook, containerRef as ref, containerStatus, sandboxStatus, type BookContainer, type BookSandbox } from './book.js';
import { RuntimeError } from './errors.js';
import { PullBackoff } from './image-pull.js';
import { defaultImageMap, resolveCommand, resolveImage, type ImageMap, type ProcessImage } from './images.js';
import { IPPool } from './ip-pool.js';
import { FileLog, StoredFileLog, readContainerLog, type ContainerLog } from './logs.js';
import { CLOCK_TICKS_PER_SECOND, processesByGroup, readRssBytes } from './proc.js';
import type {
  ContainerConfig,
  ContainerEvent,
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
} from './types.js';

/** Options of {@link ProcessRuntime}. @public */
export interface ProcessRuntimeOptions {
  /** The clock for timeouts and memory polling (default the real clock). */
  readonly clock?: Clock;
  /** Image → program mappings, merged over {@link defaultImageMap} (unless `defaultImages` is false). */
  readonly images?: ImageMap;
  /** Start from the default image map (default true). */
  readonly defaultImages?: boolean;
  /** Loopback range pod IPs come from (default `127.42.0.0/16`: 127.42.0.2, 127.42.0.3, …). */
  readonly podCIDR?: string;
  /** Where logs and container working directories go (default a fresh temp dir, removed on close). */
  readonly rootDir?: string;
  /** How often the memory limits are checked (default 250 ms). */
  readonly memoryPollMs?: number;
  /** The environment every container starts from (default just `PATH` of this process). */
  readonly baseEnv?: Readonly<Record<string, string>>;
}

type ProcSandbox = BookSandbox;

interface ProcContainer extends BookContainer<ProcSandbox> {
  readonly mapping: ProcessImage;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly exited: Promise<void>;
  readonly markExited: () => void;
  child?: ChildProcess;
  pgid?: number;
  log?: FileLog;
  oomMessage?: string;
  lastCpu?: { at: number; usage: number };
}

const MAX_EXEC_OUTPUT = 1 << 20;

function signalNumber(signal: string): number {
  const n = (osConstants.signals as Readonly<Record<string, number>>)[signal];
  return n ?? 9;
}

/** Send a signal to a whole process group; a group that is already gone is not an error. */
function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/**
 * A runtime whose containers are OS processes (like Nomad's `raw_exec`): no images, no
 * namespaces, no Docker — for running a real cluster on one machine.
 *
 * - Images resolve through an {@link ImageMap} to a program (`node:20` → this Node binary,
 *   `busybox` → `/bin/sh`); an unmapped image fails with `ErrImagePull` saying how to map it.
 * - Each container is spawned with `detached: true`, so it leads its own process group; stop and
 *   kill signal the whole group, and when the main process exits the rest of its group is killed.
 * - Each sandbox gets its own loopback address from `podCIDR` (Linux routes all of 127/8 to `lo`),
 *   passed to its containers as `POD_IP` (plus `HOSTNAME`, `POD_NAME`, `POD_NAMESPACE`), so
 *   several pods can listen on the same port.
 * - stdout/stderr go to a CRI-format log file per container; the previous instance's log is kept.
 * - `memoryLimitBytes` is enforced by polling the group's VmRSS every `memoryPollMs` on the
 *   Clock: over the limit → SIGKILL, reason `OOMKilled`, exit code 137. CPU usage comes from
 *   /proc/<pid>/stat.
 * - Mounts are not isolated: the host filesystem is shared; mounts are passed as JSON in
 *   `KUBEKIT_MOUNTS` (containerPath → hostPath) and a `workingDir` under a mount's
 *   `containerPath` is translated to the host path. `readOnly` is not enforced.
 *
 * Guarantees: after `stopContainer`, `removeContainer`, `stopPodSandbox` or `close()` resolves, no
 * process of the affected groups remains (a process that calls `setsid` to leave its group is
 * beyond reach). If this Node process exits without `close()`, an exit hook SIGKILLs every group.
 *
 * Caveats: Linux only for memory limits and usage (/proc); CPU limits are not enforced.
 *
 * @example
 * ```ts
 * const rt = new ProcessRuntime({ images: { 'hello:1': { entrypoint: [process.execPath, 'hello.js'] } } });
 * const sb = await rt.runPodSandbox({ uid: 'u1', name: 'hello', namespace: 'default' });
 * await rt.ensureImage('hello:1', 'IfNotPresent');
 * const id = await rt.createContainer(sb.id, { name: 'main', image: 'hello:1' });
 * await rt.startContainer(id);
 * await rt.close();
 * ```
 * @public
 */
export class ProcessRuntime implements ContainerRuntime {
  readonly name = 'process';
  private readonly clock: Clock;
  private readonly images: ImageMap;
  private readonly pool: IPPool;
  private readonly backoff: PullBackoff;
  private readonly rootDir: string;
  private readonly ownsRoot: boolean;
  private readonly pollMs: number;
  private readonly baseEnv: Readonly<Record<string, string>>;
  private readonly book = new SandboxBook<ProcSandbox, ProcContainer>(notFound);
  private readonly execs = new Set<ChildProcess>();
  private readonly events = new Subject<ContainerEvent>();
  private readonly closing = new AbortController();
  private pollTimer: TimerHandle | undefined;
  private nextId = 1;
  private readonly exitHook = (): void => {
    for (const c of this.book.containers.values()) if (c.pgid !== undefined && c.state === 'running') killGroup(c.pgid, 'SIGKILL');
    for (const e of this.execs) if (e.pid !== undefined) killGroup(e.pid, 'SIGKILL');
  };

  /** Container lifecycle events. */
  readonly events$: Observable<ContainerEvent> = this.events.asObservable();

  /** Errors: `InvalidArgument` for a bad `podCIDR`. */
  constructor(options: ProcessRuntimeOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.images = { ...(options.defaultImages === false ? {} : defaultImageMap()), ...(options.images ?? {}) };
    this.pool = new IPPool(options.podCIDR ?? '127.42.0.0/16');
    this.backoff = new PullBackoff(this.clock);
    this.ownsRoot = options.rootDir === undefined;
    this.rootDir = options.rootDir ?? mkdtempSync(join(tmpdir(), 'kubekit-proc-'));
    this.pollMs = options.memoryPollMs ?? 250;
    this.baseEnv = options.baseEnv ?? (process.env.PATH !== undefined ? { PATH: process.env.PATH } : {});
    process.on('exit', this.exitHook);
  }

  // ----------------------------------------------------------------------------------------- images

  async ensureImage(image: string, pullPolicy: ImagePullPolicy): Promise<string> {
    this.checkOpen();
    if (pullPolicy !== 'Never') this.backoff.check(image);
    try {
      const m = resolveImage(this.images, image);
      this.backoff.succeeded(image);
      return m.entrypoint[0];
    } catch (err) {
      if (!(err instanceof RuntimeError)) throw err;
      if (pullPolicy === 'Never') {
        throw new RuntimeError('ErrImageNeverPull', `Container image ${JSON.stringify(image)} is not present with pull policy of Never: ${err.message}`, { cause: err });
      }
      this.backoff.failed(image, err.message);
      throw err;
    }
  }

  // -------------------------------------------------------------------------------------- sandboxes

  async runPodSandbox(config: PodSandboxConfig): Promise<PodSandboxStatus> {
    this.checkOpen();
    const sb: ProcSandbox = {
      id: this.newId('pod'),
      config,
      createdAt: this.clock.now(),
      podIP: this.pool.allocate(),
      state: 'ready',
      byName: new Map(),
    };
    this.book.sandboxes.set(sb.id, sb);
    return sandboxStatus(sb);
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const sb = this.book.sandboxes.get(sandboxId);
    if (sb === undefined || sb.state === 'notready') return;
    sb.state = 'notready';
    await Promise.all([...this.book.inSandbox(sandboxId)].map((c) => this.stopContainer(c.id, 0)));
    this.pool.release(sb.podIP);
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    const sb = this.book.sandboxes.get(sandboxId);
    if (sb === undefined) return;
    await this.stopPodSandbox(sandboxId);
    for (const c of [...this.book.inSandbox(sandboxId)]) await this.removeContainer(c.id);
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
    const mapping = resolveImage(this.images, config.image);
    const id = this.newId('ctr');
    const argv = resolveCommand(mapping, config.command, config.args);
    const mounts = config.mounts ?? [];
    const env: Record<string, string> = {
      ...this.baseEnv,
      ...(mapping.env ?? {}),
      POD_IP: sb.podIP,
      HOSTNAME: sb.config.hostname ?? sb.config.name,
      POD_NAME: sb.config.name,
      POD_NAMESPACE: sb.config.namespace,
      ...(mounts.length > 0 ? { KUBEKIT_MOUNTS: JSON.stringify(Object.fromEntries(mounts.map((m) => [m.containerPath, m.hostPath]))) } : {}),
    };
    for (const e of config.env ?? []) env[e.name] = e.value;
    let cwd = join(this.rootDir, 'containers', id);
    if (config.workingDir !== undefined && config.workingDir !== '') {
      const m = mounts.find((mt) => config.workingDir === mt.containerPath || config.workingDir?.startsWith(`${mt.containerPath}/`));
      cwd = m === undefined ? config.workingDir : join(m.hostPath, config.workingDir.slice(m.containerPath.length));
    } else {
      mkdirSync(cwd, { recursive: true });
    }
    const podDir = join(this.rootDir, 'pods', `${sb.config.namespace}_${sb.config.name}_${sb.config.uid}`, config.name);
    let logPath = config.logPath ?? join(podDir, `${config.attempt ?? 0}.log`);
    if ([...this.book.containers.values()].some((c) => c.logPath === logPath)) logPath = `${logPath.replace(/\.log$/, '')}-${id}.log`;
    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const c: ProcContainer = { id, sandbox: sb, config, mapping, argv, env, cwd, logPath, createdAt: this.clock.now(), exited, markExited, state: 'created' };
    mkdirSync(dirname(logPath), { recursive: true });
    c.log = new FileLog(logPath, () => this.clock.now());
    this.book.add(c);
    for (let old = this.book.surplus(c); old !== undefined; old = this.book.surplus(c)) await this.removeContainer(old);
    this.emit({ type: 'created', ...ref(c), at: c.createdAt });
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    this.checkOpen();
    const c = this.book.container(containerId);
    if (c.state !== 'created' || c.child !== undefined) {
      throw new RuntimeError('InvalidState', `container ${containerId} is ${c.state}; only a created container can be started — create a new one to restart.`);
    }
    const log = c.log as FileLog;
    const child = spawn(c.argv[0], c.argv.slice(1), { cwd: c.cwd, env: c.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    c.child = child;
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } catch (err) {
      const now = this.clock.now();
      c.state = 'exited';
      c.startedAt = now;
      c.finishedAt = now;
      c.exitCode = 128;
      c.reason = 'StartError';
      c.message = `cannot run ${JSON.stringify(c.argv[0])}: ${(err as Error).message}`;
      log.finish();
      c.markExited();
      this.emit({ type: 'exited', ...ref(c), at: now, exitCode: 128, reason: 'StartError', message: c.message });
      throw new RuntimeError(
        'RunContainerError',
        `failed to start container ${c.config.name}: ${c.message}; check the container command or the image map entry for ${JSON.stringify(c.config.image)}.`,
        { cause: err },
      );
    }
    c.pgid = child.pid;
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => log.write('stdout', chunk));
    child.stderr?.on('data', (chunk: string) => log.write('stderr', chunk));
    // The container has exited once its main process exited *and* its output is drained, so a
    // reader that sees the exit also sees every line. The rest of the group is killed on exit; if
    // an escaped process keeps the pipes open, give up on draining after a short while.
    child.once('exit', (code, signal) => {
      if (c.pgid !== undefined) killGroup(c.pgid, 'SIGKILL');
      const fallback = this.clock.setTimeout(() => this.onExit(c, code, signal), 2_000);
      child.once('close', () => {
        this.clock.clearTimeout(fallback);
        this.onExit(c, code, signal);
      });
    });
    c.state = 'running';
    c.startedAt = this.clock.now();
    this.emit({ type: 'started', ...ref(c), at: c.startedAt });
    this.ensurePolling();
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const c = this.book.container(containerId);
    if (c.state === 'created' && c.child === undefined) {
      c.state = 'exited';
      c.finishedAt = this.clock.now();
      c.exitCode = 0;
      c.reason = 'Completed';
      c.message = 'stopped before it started';
      c.log?.finish();
      c.markExited();
      this.emit({ type: 'exited', ...ref(c), at: c.finishedAt, exitCode: 0, reason: 'Completed', message: c.message });
      return;
    }
    if (c.state !== 'running' || c.pgid === undefined) {
      await c.exited;
      return;
    }
    const pgid = c.pgid;
    if (timeoutSeconds <= 0) {
      killGroup(pgid, 'SIGKILL');
    } else {
      killGroup(pgid, 'SIGTERM');
      const grace = new AbortController();
      const timedOut = await Promise.race([
        c.exited.then(() => false),
        this.clock.sleep(timeoutSeconds * 1000, grace.signal).then(
          () => true,
          () => false,
        ),
      ]);
      grace.abort();
      if (timedOut) killGroup(pgid, 'SIGKILL');
    }
    await c.exited;
    await this.waitGroupGone(pgid);
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.book.containers.get(containerId);
    if (c === undefined) return;
    if (c.state === 'running' || c.state === 'created') await this.stopContainer(containerId, 0);
    c.log?.finish();
    rmSync(c.logPath, { force: true });
    if (c.config.workingDir === undefined || c.config.workingDir === '') rmSync(c.cwd, { recursive: true, force: true });
    this.book.delete(c);
    this.emit({ type: 'removed', ...ref(c), at: this.clock.now() });
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    return status(this.book.container(containerId));
  }

  async listContainers(filter: ContainerFilter = {}): Promise<readonly ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const c of this.book.containers.values()) {
      if (filter.sandboxId !== undefined && c.sandbox.id !== filter.sandboxId) continue;
      if (filter.podUid !== undefined && c.sandbox.config.uid !== filter.podUid) continue;
      if (filter.name !== undefined && c.config.name !== filter.name) continue;
      if (filter.state !== undefined && c.state !== filter.state) continue;
      out.push(status(c));
    }
    return out;
  }

  async execSync(containerId: string, cmd: readonly string[], timeoutMs: number): Promise<ExecResult> {
    const c = this.book.container(containerId);
    if (c.state !== 'running') throw new RuntimeError('InvalidState', `container ${containerId} is ${c.state}; exec needs a running container.`);
    if (cmd.length === 0) throw new RuntimeError('InvalidArgument', 'exec needs a command; give at least the program to run.');
    const argv = [...cmd];
    const alias = c.mapping.aliases?.[argv[0]];
    if (alias !== undefined) argv[0] = alias;
    const child = spawn(argv[0], argv.slice(1), { cwd: c.cwd, env: c.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.execs.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => (stdout = (stdout + d).slice(0, MAX_EXEC_OUTPUT)));
    child.stderr?.on('data', (d: string) => (stderr = (stderr + d).slice(0, MAX_EXEC_OUTPUT)));
    const deadline = new AbortController();
    try {
      const done = new Promise<ExecResult>((resolve) => {
        child.once('error', (err) => resolve({ exitCode: 127, stdout, stderr: `${stderr}exec ${JSON.stringify(argv[0])}: ${err.message}` }));
        child.once('close', (code, signal) => resolve({ exitCode: code ?? 128 + signalNumber(signal ?? 'SIGKILL'), stdout, stderr }));
      });
      const timeout = this.clock.sleep(Math.max(0, timeoutMs), deadline.signal).then(
        () => 'timeout' as const,
        () => 'aborted' as const,
      );
      const first = await Promise.race([done, timeout]);
      if (first === 'timeout') {
        if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
        await done;
        throw new RuntimeError('ExecTimeout', `command ${JSON.stringify(cmd.join(' '))} in container ${c.config.name} did not finish within ${timeoutMs} ms and was killed; make it faster or raise the timeout.`);
      }
      if (first === 'aborted') throw new RuntimeError('Closed', 'the process runtime was closed during exec.');
      return first;
    } finally {
      deadline.abort();
      this.execs.delete(child);
    }
  }

  readLogs(containerId: string, options: LogOptions = {}): Observable<LogLine> {
    return new Observable<LogLine>((sub) => {
      let c = this.book.containers.get(containerId);
      if (c !== undefined && options.previous === true) c = this.book.previousOf(c);
      if (c === undefined) {
        sub.error(
          new RuntimeError(
            'NotFound',
            options.previous === true
              ? `no previous terminated instance of container ${containerId} exists; it has not restarted yet.`
              : `container ${containerId} not found; it may have been removed.`,
          ),
        );
        return undefined;
      }
      const log: ContainerLog = c.log ?? new StoredFileLog(c.logPath);
      return readContainerLog(log, options).subscribe(sub);
    });
  }

  async usage(containerId: string): Promise<ContainerUsage> {
    const c = this.book.container(containerId);
    const now = this.clock.now();
    if (c.state !== 'running' || c.pgid === undefined) return { timestamp: now, usageCoreNanoSeconds: c.lastCpu?.usage ?? 0, memoryWorkingSetBytes: 0 };
    const procs = processesByGroup(new Set([c.pgid])).get(c.pgid) ?? [];
    let ticks = 0;
    let rss = 0;
    for (const p of procs) {
      ticks += p.cpuTicks;
      rss += readRssBytes(p.pid);
    }
    const usage = Math.max(ticks * (1e9 / CLOCK_TICKS_PER_SECOND), c.lastCpu?.usage ?? 0);
    const prev = c.lastCpu;
    c.lastCpu = { at: now, usage };
    const rate = prev !== undefined && now > prev.at ? Math.round(((usage - prev.usage) * 1000) / (now - prev.at)) : undefined;
    return { timestamp: now, usageCoreNanoSeconds: usage, ...(rate !== undefined ? { cpuNanoCores: rate } : {}), memoryWorkingSetBytes: rss };
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort(new RuntimeError('Closed', 'the process runtime was closed.'));
    if (this.pollTimer !== undefined) this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    for (const e of this.execs) if (e.pid !== undefined) killGroup(e.pid, 'SIGKILL');
    const running = [...this.book.containers.values()].filter((c) => c.state === 'running');
    await Promise.all(running.map((c) => this.stopContainer(c.id, 0)));
    for (const c of this.book.containers.values()) c.log?.finish();
    for (const sb of this.book.sandboxes.values()) {
      if (sb.state === 'ready') this.pool.release(sb.podIP);
      sb.state = 'notready';
    }
    process.removeListener('exit', this.exitHook);
    this.events.complete();
    if (this.ownsRoot) rmSync(this.rootDir, { recursive: true, force: true });
  }

  /** The process-group id of a running container (for diagnostics and tests). */
  processGroupOf(containerId: string): number | undefined {
    return this.book.containers.get(containerId)?.pgid;
  }

  // -------------------------------------------------------------------------------------- internals

  private onExit(c: ProcContainer, code: number | null, signal: NodeJS.Signals | null): void {
    if (c.state !== 'running') return;
    c.log?.finish();
    const now = this.clock.now();
    c.state = 'exited';
    c.finishedAt = now;
    c.exitCode = code ?? 128 + signalNumber(signal ?? 'SIGKILL');
    if (signal !== null) c.signal = signal;
    c.reason = c.oomMessage !== undefined ? 'OOMKilled' : c.exitCode === 0 ? 'Completed' : 'Error';
    if (c.oomMessage !== undefined) c.message = c.oomMessage;
    c.markExited();
    this.emit({
      type: 'exited',
      ...ref(c),
      at: now,
      exitCode: c.exitCode,
      reason: c.reason,
      ...(c.signal !== undefined ? { signal: c.signal } : {}),
      ...(c.message !== undefined ? { message: c.message } : {}),
    });
  }

  /** Wait (briefly, on the clock) until no process of the group is left. */
  private async waitGroupGone(pgid: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if ((processesByGroup(new Set([pgid])).get(pgid)?.length ?? 0) === 0) return;
      killGroup(pgid, 'SIGKILL');
      await this.clock.sleep(10);
    }
  }

  private ensurePolling(): void {
    if (this.pollTimer !== undefined || this.closing.signal.aborted) return;
    if (![...this.book.containers.values()].some(limited)) return;
    this.pollTimer = this.clock.setTimeout(() => this.pollMemory(), this.pollMs);
  }

  private pollMemory(): void {
    this.pollTimer = undefined;
    const watched = [...this.book.containers.values()].filter(limited);
    const groups = processesByGroup(new Set(watched.map((c) => c.pgid as number)));
    for (const c of watched) {
      const limit = c.config.resources?.memoryLimitBytes as number;
      let rss = 0;
      for (const p of groups.get(c.pgid as number) ?? []) rss += readRssBytes(p.pid);
      if (rss > limit && c.oomMessage === undefined) {
        c.oomMessage = `memory use ${rss} B (resident) exceeded the limit of ${limit} B; raise resources.limits.memory or use less memory`;
        killGroup(c.pgid as number, 'SIGKILL');
      }
    }
    this.ensurePolling();
  }

  private checkOpen(): void {
    if (this.closing.signal.aborted) throw new RuntimeError('Closed', 'the process runtime was closed; create a new one.');
  }

  private newId(kind: string): string {
    return `proc-${kind}-${process.pid.toString(16)}-${(this.nextId++).toString(16)}`;
  }

  private emit(e: ContainerEvent): void {
    if (!this.events.closed) this.events.next(e);
  }
}

function limited(c: ProcContainer): boolean {
  return c.state === 'running' && c.pgid !== undefined && c.config.resources?.memoryLimitBytes !== undefined;
}

function notFound(what: 'pod sandbox' | 'container', id: string): RuntimeError {
  return new RuntimeError(
    'NotFound',
    what === 'container'
      ? `container ${id} not found; it may have been removed — list containers to find the current id.`
      : `pod sandbox ${id} not found; it may have been removed.`,
  );
}

function status(c: ProcContainer): ContainerStatus {
  return containerStatus(c, c.mapping.entrypoint[0]);
}
