import { Observable, Subject, merge } from 'rxjs';
import type { Probe } from '../../api/generated/types.js';
import type { Clock, TimerHandle } from '../../runtime/clock-types.js';
import type { ProbeKind, ProbeOutcome, ProbeResult } from '../runtime/types.js';

/** A change of a probe's effective result, as {@link ProbeWorker} emits it. @public */
export interface ProbeResultChange {
  /** The container's name in the pod. */
  readonly container: string;
  /** The container instance the result is for. */
  readonly containerId: string;
  readonly kind: ProbeKind;
  readonly result: ProbeResult;
  /** The last probe's explanation (output, status code, error), when it had one. */
  readonly message?: string;
  /** When the result changed (clock ms). */
  readonly at: number;
}

/** Runs one probe; the worker applies `timeoutSeconds` around it. Must not reject. @public */
export type Prober = (probe: Probe, kind: ProbeKind) => Promise<ProbeOutcome>;

/** Options of {@link ProbeWorker}. @public */
export interface ProbeWorkerOptions {
  readonly clock: Clock;
  readonly kind: ProbeKind;
  readonly container: string;
  readonly containerId: string;
  readonly probe: Probe;
  readonly prober: Prober;
  /** When the container started (clock ms); `initialDelaySeconds` counts from here. Default now. */
  readonly startedAt?: number;
  /**
   * For liveness/readiness: whether the startup probe has succeeded. While it returns false
   * the worker keeps its schedule but does not probe (Kubernetes' startup gating).
   */
  readonly gate?: () => boolean;
}

/** The Kubernetes defaults of probe fields. */
const DEFAULTS = { periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 } as const;

function positive(v: number | undefined, d: number): number {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : d;
}

/**
 * The probe state machine for one probe kind of one container instance, on a Clock — what the
 * kubelet's prober worker does.
 *
 * Behaviour:
 * - the initial result is `failure` for readiness (not ready), `success` for liveness and
 *   `unknown` for startup; it is emitted when the worker starts;
 * - the first probe runs `initialDelaySeconds` after `startedAt`, then every `periodSeconds`
 *   (default 10); probes never overlap — a slow probe delays the next tick;
 * - each probe is bounded by `timeoutSeconds` (default 1): a timeout counts as a failure;
 * - the result flips to `success` after `successThreshold` consecutive successes (default 1) and
 *   to `failure` after `failureThreshold` consecutive failures (default 3); `unknown` outcomes
 *   change nothing and do not break a run;
 * - liveness/readiness do not probe while `gate()` is false (startup not yet succeeded);
 * - a startup worker stops after success; a liveness or startup worker stops after failure
 *   (the kubelet restarts the container and starts a fresh worker for the new instance);
 *   a readiness worker keeps probing until `stop()`.
 *
 * Guarantees: at most one Clock timer at a time; none after `stop()` (`results$` completes).
 *
 * @public
 */
export class ProbeWorker {
  private readonly subject = new Subject<ProbeResultChange>();
  private timer: TimerHandle | undefined;
  private stopped = false;
  private running = false;
  private current: ProbeResult;
  private lastOutcome: ProbeResult | undefined;
  private run = 0;
  private nextAt = 0;
  private readonly period: number;
  private readonly timeout: number;
  private readonly successThreshold: number;
  private readonly failureThreshold: number;
  private readonly timeoutCtl = new AbortController();

  /** Result changes (the initial result first); completes on `stop()`. */
  readonly results$: Observable<ProbeResultChange> = this.subject.asObservable();

  constructor(private readonly options: ProbeWorkerOptions) {
    const p = options.probe;
    this.period = positive(p.periodSeconds, DEFAULTS.periodSeconds) * 1000;
    this.timeout = positive(p.timeoutSeconds, DEFAULTS.timeoutSeconds) * 1000;
    // Liveness and startup must have successThreshold 1 (API validation); enforce it.
    this.successThreshold = options.kind === 'readiness' ? positive(p.successThreshold, DEFAULTS.successThreshold) : 1;
    this.failureThreshold = positive(p.failureThreshold, DEFAULTS.failureThreshold);
    this.current = options.kind === 'readiness' ? 'failure' : options.kind === 'liveness' ? 'success' : 'unknown';
  }

  /** The current effective result. */
  get result(): ProbeResult {
    return this.current;
  }

  /** Whether the worker has stopped probing (stopped, or finished as described above). */
  get done(): boolean {
    return this.stopped || this.nextAt < 0;
  }

  /** Emit the initial result and schedule the first probe. Calling it twice is a no-op. */
  start(): this {
    if (this.stopped || this.nextAt !== 0) return this;
    const { clock } = this.options;
    this.emit(undefined);
    const startedAt = this.options.startedAt ?? clock.now();
    const initialDelay = Math.max(0, this.options.probe.initialDelaySeconds ?? 0) * 1000;
    this.nextAt = startedAt + initialDelay;
    this.schedule();
    return this;
  }

  /** Stop probing, clear the timer and complete `results$`. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timeoutCtl.abort();
    this.subject.complete();
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = Math.max(0, this.nextAt - this.options.clock.now());
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delay);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const { clock, kind } = this.options;
    const scheduledAt = this.nextAt;
    if (kind === 'startup' || this.options.gate === undefined || this.options.gate()) {
      this.running = true;
      const outcome = await this.probeOnce();
      this.running = false;
      if (this.stopped) return;
      const finished = this.record(outcome);
      if (finished) {
        this.nextAt = -1;
        return;
      }
    }
    // Next tick one period after this one was due; if the probe overran, right away.
    this.nextAt = Math.max(scheduledAt + this.period, clock.now());
    this.schedule();
  }

  private async probeOnce(): Promise<ProbeOutcome> {
    const { clock, probe, prober, kind } = this.options;
    const timer = new AbortController();
    const stop = (): void => timer.abort();
    this.timeoutCtl.signal.addEventListener('abort', stop, { once: true });
    try {
      return await Promise.race([
        prober(probe, kind).catch((err: unknown): ProbeOutcome => ({ result: 'unknown', message: `prober error: ${String(err)}` })),
        clock.sleep(this.timeout, timer.signal).then(
          (): ProbeOutcome => ({ result: 'failure', message: `probe timed out after ${this.timeout / 1000}s` }),
          (): ProbeOutcome => ({ result: 'unknown', message: 'probe worker stopped' }),
        ),
      ]);
    } finally {
      timer.abort();
      this.timeoutCtl.signal.removeEventListener('abort', stop);
    }
  }

  /** Apply the thresholds; returns true when the worker is finished. */
  private record(outcome: ProbeOutcome): boolean {
    if (outcome.result === 'unknown') return false;
    if (outcome.result === this.lastOutcome) this.run++;
    else {
      this.lastOutcome = outcome.result;
      this.run = 1;
    }
    const threshold = outcome.result === 'success' ? this.successThreshold : this.failureThreshold;
    if (this.run < threshold) return false;
    if (outcome.result !== this.current) {
      this.current = outcome.result;
      this.emit(outcome.message);
    }
    const { kind } = this.options;
    return (kind === 'startup' && this.current === 'success') || (kind !== 'readiness' && this.current === 'failure');
  }

  private emit(message: string | undefined): void {
    const { container, containerId, kind, clock } = this.options;
    this.subject.next({ container, containerId, kind, result: this.current, ...(message !== undefined ? { message } : {}), at: clock.now() });
  }
}

/** Options of {@link ContainerProbes}. @public */
export interface ContainerProbesOptions {
  readonly clock: Clock;
  readonly container: string;
  readonly containerId: string;
  /** When the container started (clock ms). Default now. */
  readonly startedAt?: number;
  readonly startupProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly prober: Prober;
}

/**
 * The probes of one container instance: a {@link ProbeWorker} per probe it declares, with the
 * startup probe gating liveness and readiness, and their result changes merged into one stream.
 *
 * `started` / `ready` / `live` answer the kubelet's questions with Kubernetes' defaults for
 * absent probes (no startup probe → started; no readiness probe → ready once started; no
 * liveness probe → live).
 *
 * @example
 * ```ts
 * const probes = new ContainerProbes({ clock, container: 'web', containerId: id, startedAt,
 *   readinessProbe: container.readinessProbe,
 *   prober: (probe, kind) => runProbe(probe, { kind, containerId: id, podIP, ports: container.ports, runtime }, { clock }) });
 * probes.results$.subscribe((c) => statusManager.setProbeResult(c));
 * probes.start();
 * // on container exit:
 * probes.stop();
 * ```
 * @public
 */
export class ContainerProbes {
  private readonly workers: Partial<Record<ProbeKind, ProbeWorker>> = {};
  /** Result changes of every probe of the container; completes on `stop()`. */
  readonly results$: Observable<ProbeResultChange>;

  constructor(options: ContainerProbesOptions) {
    const base = { clock: options.clock, container: options.container, containerId: options.containerId, prober: options.prober, startedAt: options.startedAt ?? options.clock.now() };
    if (options.startupProbe !== undefined) this.workers.startup = new ProbeWorker({ ...base, kind: 'startup', probe: options.startupProbe });
    const gate = (): boolean => this.started;
    if (options.livenessProbe !== undefined) this.workers.liveness = new ProbeWorker({ ...base, kind: 'liveness', probe: options.livenessProbe, gate });
    if (options.readinessProbe !== undefined) this.workers.readiness = new ProbeWorker({ ...base, kind: 'readiness', probe: options.readinessProbe, gate });
    this.results$ = merge(...Object.values(this.workers).map((w) => w.results$));
  }

  /** Whether the startup probe has succeeded (true without one). */
  get started(): boolean {
    const s = this.workers.startup;
    return s === undefined || s.result === 'success';
  }

  /** Whether the container is ready: started, and its readiness probe succeeds (if any). */
  get ready(): boolean {
    const r = this.workers.readiness;
    return this.started && (r === undefined || r.result === 'success');
  }

  /** Whether the container is live: false once its liveness or startup probe has failed. */
  get live(): boolean {
    return this.workers.liveness?.result !== 'failure' && this.workers.startup?.result !== 'failure';
  }

  /** The worker of one kind, if the container declares that probe. */
  worker(kind: ProbeKind): ProbeWorker | undefined {
    return this.workers[kind];
  }

  /** Start every worker. */
  start(): this {
    for (const w of Object.values(this.workers)) w.start();
    return this;
  }

  /** Stop every worker (no timers remain). */
  stop(): void {
    for (const w of Object.values(this.workers)) w.stop();
  }
}
