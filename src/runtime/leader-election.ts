import { microTime } from '../util/time.js';
import { EventEmitter } from 'eventemitter3';
import { Lease } from '../api/generated/kinds.js';
import type { Lease as LeaseObject, LeaseSpec } from '../api/generated/types.js';
import type { Client } from '../client/client.js';
import { StoreError } from '../store/errors.js';
import { KubekitError } from '../util/errors.js';
import type { Clock, TimerHandle } from './clock-types.js';
import { silentLogger, type Logger } from './logger.js';

/**
 * Why a leader elector call failed.
 * - `InvalidArgument`: the durations or identity are unusable (see {@link LeaderElectorOptions}).
 * - `AlreadyRunning`: `run` was called while a previous `run` has not finished.
 *
 * @public
 */
export type LeaderElectionErrorCode = 'InvalidArgument' | 'AlreadyRunning';

/** An error thrown by {@link LeaderElector}. @public */
export class LeaderElectionError extends KubekitError {
  declare readonly code: LeaderElectionErrorCode;
  constructor(code: LeaderElectionErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Options of a {@link LeaderElector}. Defaults are controller-runtime's. @public */
export interface LeaderElectorOptions {
  readonly client: Client;
  readonly clock: Clock;
  /** Namespace of the Lease. */
  readonly namespace: string;
  /** Name of the Lease, shared by all candidates. */
  readonly name: string;
  /** This candidate's unique identity (e.g. `hostname_uuid`). */
  readonly identity: string;
  /** How long a non-leader waits after the last observed change of the lease before taking it. Default 15 000. */
  readonly leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up leadership. Default 10 000. */
  readonly renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. Default 2 000. */
  readonly retryPeriodMs?: number;
  /**
   * While acquiring, wait `retryPeriod * (1 + random() * jitterFactor)` between attempts (client-go
   * uses 1.2), so candidates do not stampede. Default 0: exactly `retryPeriod`.
   */
  readonly jitterFactor?: number;
  /** Random source for the jitter, in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /** When `run`'s signal aborts while leading, clear `holderIdentity` so another candidate takes over at once. Default false. */
  readonly releaseOnCancel?: boolean;
  readonly logger?: Logger;
}

/** The typed lifecycle events of a {@link LeaderElector}. @public */
export interface LeaderElectorEvents {
  /** This candidate became the leader: start the work only a leader does. */
  'started-leading': [];
  /** This candidate stopped leading (lost the lease, or `run` was cancelled): stop that work. */
  'stopped-leading': [];
  /** The observed holder of the lease changed (also to this candidate). */
  'new-leader': [identity: string];
}

/** The fields of a lease record that matter to election (client-go's `LeaderElectionRecord`). */
interface LeaseRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: string;
  readonly renewTime: string;
  readonly leaseTransitions: number;
}

export { microTime };

function recordOf(spec: LeaseSpec | undefined): LeaseRecord {
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: spec?.acquireTime ?? '',
    renewTime: spec?.renewTime ?? '',
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
}

function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/**
 * Leader election over a coordination.k8s.io/v1 Lease, with client-go's semantics
 * (tools/leaderelection): of all candidates running with the same lease, at most one leads.
 *
 * How it works: every `retryPeriod` a candidate reads the lease. It takes it (a
 * compare-and-swap update carrying the lease's resourceVersion) when nobody holds it, when it
 * holds it already, or when the record has not changed for `leaseDuration` *as observed
 * locally* — the time this candidate first saw the current record, never the remote
 * `renewTime`, so clock skew between candidates is harmless. The leader renews every
 * `retryPeriod`; when no renewal has succeeded for `renewDeadline` (counted from the start of
 * the last successful attempt) it steps down, before any other candidate can consider the lease
 * expired (`renewDeadline < leaseDuration`).
 *
 * Guarantees:
 * - `isLeader()` turns false the moment the renew deadline passes or `run`'s signal aborts, even
 *   if a write is still in flight;
 * - `'stopped-leading'` is emitted before a release is written, so the work stops before
 *   another candidate may start;
 * - `run` resolves after leadership ends (lost or cancelled) or, if never acquired, when the
 *   signal aborts; it never rejects for API errors (they are logged and retried); after it
 *   resolves no timer of this elector is pending.
 *
 * Caveats: like client-go, a candidate that lost leadership does not campaign again by itself;
 * call `run` again (or exit the process, as controller-runtime does).
 *
 * Errors: `LeaderElectionError` `InvalidArgument` from the constructor when
 * `leaseDuration <= renewDeadline`, `renewDeadline <= retryPeriod * (1 + jitterFactor)`, a
 * duration is not positive, or the identity is empty; `AlreadyRunning` from a second `run`.
 *
 * @example
 * ```ts
 * const elector = new LeaderElector({ client, clock, namespace: 'kube-system', name: 'my-operator', identity: hostname });
 * elector.on('started-leading', () => manager.startLeaderOnly());
 * elector.on('stopped-leading', () => process.exit(0));
 * await elector.run(abort.signal);
 * ```
 * @public
 */
export class LeaderElector extends EventEmitter<LeaderElectorEvents> {
  readonly identity: string;
  private readonly client: Client;
  private readonly clock: Clock;
  private readonly namespace: string;
  private readonly name: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly jitterFactor: number;
  private readonly random: () => number;
  private readonly releaseOnCancel: boolean;
  private readonly logger: Logger;

  /** The lease record as last read or written, and the local time it was first seen. */
  private observed: LeaseRecord | undefined;
  private observedAt = 0;
  private observedResourceVersion: string | undefined;
  private reportedLeader: string | undefined;

  private running = false;
  private leading = false;
  /** While leading: leadership ends at this local time unless a renewal succeeds. */
  private deadlineAt = 0;
  private signal: AbortSignal | undefined;

  constructor(options: LeaderElectorOptions) {
    super();
    this.client = options.client;
    this.clock = options.clock;
    this.namespace = options.namespace;
    this.name = options.name;
    this.identity = options.identity;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.jitterFactor = options.jitterFactor ?? 0;
    this.random = options.random ?? Math.random;
    this.releaseOnCancel = options.releaseOnCancel ?? false;
    this.logger = (options.logger ?? silentLogger).child({ component: 'leader-election', lease: `${options.namespace}/${options.name}`, identity: options.identity });
    this.validate();
  }

  private validate(): void {
    const fail = (msg: string): never => {
      throw new LeaderElectionError('InvalidArgument', msg);
    };
    if (this.identity === '') fail('identity must be non-empty and unique per candidate (e.g. hostname plus a random suffix).');
    if (this.name === '' || this.namespace === '') fail('the Lease name and namespace must be non-empty.');
    for (const [k, v] of [['leaseDurationMs', this.leaseDurationMs], ['renewDeadlineMs', this.renewDeadlineMs], ['retryPeriodMs', this.retryPeriodMs]] as const) {
      if (!(v > 0) || !Number.isFinite(v)) fail(`${k} must be a positive number of ms, got ${v}.`);
    }
    if (!(this.jitterFactor >= 0) || !Number.isFinite(this.jitterFactor)) fail(`jitterFactor must be a finite number >= 0, got ${this.jitterFactor}.`);
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      fail(`leaseDurationMs (${this.leaseDurationMs}) must be greater than renewDeadlineMs (${this.renewDeadlineMs}), or two leaders could overlap.`);
    }
    if (this.renewDeadlineMs <= this.retryPeriodMs * (1 + this.jitterFactor)) {
      fail(`renewDeadlineMs (${this.renewDeadlineMs}) must be greater than retryPeriodMs * (1 + jitterFactor) (${this.retryPeriodMs * (1 + this.jitterFactor)}), so a leader gets more than one try to renew.`);
    }
  }

  /** True while this candidate leads: it holds the lease and its renew deadline has not passed. */
  isLeader(): boolean {
    return this.leading && this.signal !== undefined && !this.signal.aborted && this.clock.now() < this.deadlineAt;
  }

  /** The identity of the holder as last observed, or undefined if none (free or never read). */
  leader(): string | undefined {
    const h = this.observed?.holderIdentity;
    return h === undefined || h === '' ? undefined : h;
  }

  /**
   * Campaign for the lease until acquired, then lead and renew until leadership is lost or
   * `signal` aborts. Resolves when done; see the class contract.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) {
      throw new LeaderElectionError('AlreadyRunning', `LeaderElector ${this.identity} is already running; await the previous run() before starting another.`);
    }
    this.running = true;
    this.signal = signal;
    try {
      if (!(await this.acquire(signal))) return;
      await this.lead(signal);
    } finally {
      this.running = false;
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.logger.info('attempting to acquire leader lease');
    while (!signal.aborted) {
      const start = this.clock.now();
      const acquired = await this.tryAcquireOrRenew();
      if (acquired && signal.aborted) {
        // Won the lease just as we were cancelled: do not keep it.
        if (this.releaseOnCancel) await this.release();
        return false;
      }
      if (acquired) {
        this.leading = true;
        this.deadlineAt = start + this.renewDeadlineMs;
        this.logger.info('acquired leader lease');
        return true;
      }
      const wait = this.retryPeriodMs * (1 + (this.jitterFactor > 0 ? this.random() * this.jitterFactor : 0));
      if (!(await this.sleep(wait, signal))) return false;
    }
    return false;
  }

  private async lead(signal: AbortSignal): Promise<void> {
    // Leadership ends at the deadline even if a renewal is hanging: `lost` aborts the waits.
    const lost = new AbortController();
    const onAbort = (): void => lost.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    // Cancelled between winning the lease and getting here: the abort event has fired already.
    if (signal.aborted) lost.abort();
    let deadlineTimer: TimerHandle | undefined;
    const armDeadline = (): void => {
      if (deadlineTimer !== undefined) this.clock.clearTimeout(deadlineTimer);
      deadlineTimer = this.clock.setTimeout(() => {
        deadlineTimer = undefined;
        lost.abort();
      }, Math.max(0, this.deadlineAt - this.clock.now()));
    };
    const lostPromise = new Promise<false>((resolve) => lost.signal.addEventListener('abort', () => resolve(false), { once: true }));
    armDeadline();
    this.emit('started-leading');
    try {
      while (!lost.signal.aborted) {
        if (!(await this.sleep(this.retryPeriodMs, lost.signal))) break;
        const start = this.clock.now();
        const ok = await Promise.race([this.tryAcquireOrRenew(), lostPromise]);
        if (lost.signal.aborted) break;
        if (!ok && this.leader() !== undefined && this.leader() !== this.identity) {
          this.logger.warn('another candidate holds the leader lease; stopping leading', { holder: this.leader() });
          break;
        }
        if (ok) {
          this.deadlineAt = start + this.renewDeadlineMs;
          armDeadline();
        } else {
          this.logger.debug('failed to renew leader lease', { deadlineInMs: this.deadlineAt - this.clock.now() });
        }
      }
    } finally {
      if (deadlineTimer !== undefined) this.clock.clearTimeout(deadlineTimer);
      signal.removeEventListener('abort', onAbort);
      const cancelled = signal.aborted;
      this.leading = false;
      if (cancelled) this.logger.info('leader election cancelled; stopping leading');
      else this.logger.warn('failed to renew the leader lease within the renew deadline; stopping leading', { renewDeadlineMs: this.renewDeadlineMs });
      this.emit('stopped-leading');
      if (cancelled && this.releaseOnCancel) await this.release();
    }
  }

  /** Sleep on the clock; false if the signal aborted first. */
  private async sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await this.clock.sleep(ms, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** One attempt: create the lease, renew it, or take it over when free or expired. Never throws. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const ours: LeaseRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let current: LeaseObject;
    try {
      current = await this.client.get(Lease, this.name, { namespace: this.namespace });
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'NotFound')) {
        this.logger.warn('error retrieving the leader lease', { err });
        return false;
      }
      try {
        const created = await this.client.create(Lease, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.namespace }, spec: ours }, { namespace: this.namespace });
        this.observe(ours, created.metadata.resourceVersion);
        return true;
      } catch (createErr) {
        this.logger.debug('error creating the leader lease', { err: createErr });
        return false;
      }
    }

    const record = recordOf(current.spec);
    if (this.observed === undefined || !sameRecord(record, this.observed)) this.observe(record, current.metadata.resourceVersion);
    const holdsIt = record.holderIdentity === this.identity;
    const durationMs = (record.leaseDurationSeconds > 0 ? record.leaseDurationSeconds * 1000 : this.leaseDurationMs);
    if (record.holderIdentity !== '' && !holdsIt && this.observedAt + durationMs > now) {
      return false; // held by someone else and not expired
    }

    const next: LeaseRecord = holdsIt
      ? { ...ours, acquireTime: record.acquireTime === '' ? ours.acquireTime : record.acquireTime, leaseTransitions: record.leaseTransitions }
      : { ...ours, leaseTransitions: record.leaseTransitions + 1 };
    try {
      const updated = await this.client.update(Lease, { ...current, spec: { ...current.spec, ...next } });
      this.observe(next, updated.metadata.resourceVersion);
      return true;
    } catch (err) {
      if (err instanceof StoreError && err.code === 'Conflict') this.logger.debug('lost the race to update the leader lease');
      else this.logger.warn('error updating the leader lease', { err });
      return false;
    }
  }

  private observe(record: LeaseRecord, resourceVersion: string | undefined): void {
    this.observed = record;
    this.observedAt = this.clock.now();
    this.observedResourceVersion = resourceVersion;
    const holder = record.holderIdentity;
    if (holder !== '' && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.emit('new-leader', holder);
    }
  }

  /** Give the lease up: clear the holder so another candidate can take it at once. Never throws. */
  private async release(): Promise<void> {
    const observed = this.observed;
    if (observed === undefined || observed.holderIdentity !== this.identity || this.observedResourceVersion === undefined) return;
    const now = microTime(this.clock.now());
    const released: LeaseRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: observed.leaseTransitions };
    try {
      const current = await this.client.get(Lease, this.name, { namespace: this.namespace });
      if (current.metadata.resourceVersion !== this.observedResourceVersion) {
        this.logger.info('leader lease changed since our last renewal; not releasing it');
        return;
      }
      const updated = await this.client.update(Lease, { ...current, spec: { ...current.spec, ...released } });
      this.observe(released, updated.metadata.resourceVersion);
      this.logger.info('released leader lease');
    } catch (err) {
      this.logger.warn('could not release the leader lease; others take over when it expires', { err });
    }
  }
}
