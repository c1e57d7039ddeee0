import type { KubeObject } from '../api/resource.js';
import { Event } from '../api/generated/kinds.js';
import type { Event as EventObject, EventSource, ObjectReference } from '../api/generated/types.js';
import type { Client } from '../client/client.js';
import { StoreError } from '../store/errors.js';
import { KubekitError } from '../util/errors.js';
import type { Clock } from './clock-types.js';
import type { EventRecorder, EventType } from './event-types.js';
import { silentLogger, type Logger } from './logger.js';

/**
 * Why an event recorder could not be built.
 * - `InvalidArgument`: an option is out of range (empty component, non-positive limit, …).
 *
 * @public
 */
export type EventRecorderErrorCode = 'InvalidArgument';

/** An error thrown when constructing a {@link ClientEventRecorder}. @public */
export class EventRecorderError extends KubekitError {
  declare readonly code: EventRecorderErrorCode;
  constructor(code: EventRecorderErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * Tuning of the event correlator. Defaults are client-go's `EventCorrelator` defaults.
 * @public
 */
export interface EventCorrelatorOptions {
  /** Distinct messages for one (object, type, reason) within `similarWindowMs` before they are combined. Default 10. */
  readonly maxSimilarEvents?: number;
  /** How long similar events are remembered. Default 600 000 (10 minutes). */
  readonly similarWindowMs?: number;
  /** Spam filter: events per (source, object) allowed in a burst. Default 25. */
  readonly spamBurst?: number;
  /** Spam filter: one more token every this many ms. Default 300 000 (5 minutes). */
  readonly spamRefillMs?: number;
  /** Entries kept in each correlator cache (least recently used go first). Default 4096. */
  readonly cacheSize?: number;
}

/** Options of {@link ClientEventRecorder} / {@link createEventRecorder}. @public */
export interface EventRecorderOptions {
  /** Where Events are written. */
  readonly client: Client;
  /** Source of event timestamps and of the spam filter's refill. */
  readonly clock: Clock;
  /** `source.component` and `reportingComponent`, e.g. `"replicaset-controller"`. */
  readonly component: string;
  /** `source.host` and `reportingInstance` (usually the node or pod name). */
  readonly host?: string;
  /** Write failures and dropped events are logged here. Default: silent. */
  readonly logger?: Logger;
  /** Events waiting to be written before new ones are dropped (client-go: 1000). Default 1000. */
  readonly maxQueued?: number;
  readonly correlator?: EventCorrelatorOptions;
}

/** The message prefix of an event that stands for several similar ones (client-go's wording). */
export const COMBINED_EVENT_PREFIX = '(combined from similar events): ';

const SEP = '\u0000';

/** A map that forgets its least recently used entries beyond `max`. */
class LruCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }
}

/** What the recorder remembers about an Event it wrote (client-go's `eventLog`). */
interface EventLog {
  readonly count: number;
  readonly firstTimestamp: string;
  readonly name: string;
}

/** Distinct messages seen for one aggregate key (client-go's `aggregateRecord`). */
interface AggregateRecord {
  readonly messages: Set<string>;
  lastMs: number;
}

interface SpamBucket {
  tokens: number;
  lastMs: number;
}

interface Pending {
  readonly ref: ObjectReference;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly atMs: number;
}

/** A Kubernetes `Time` (seconds precision), as core/v1 Event timestamps are serialized. */
function kubeTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

function positive(name: string, v: number, integer: boolean): number {
  if (!(v > 0) || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new EventRecorderError('InvalidArgument', `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}.`);
  }
  return v;
}

/**
 * An {@link EventRecorder} writing core/v1 Events through a {@link Client}, with client-go's
 * correlation: repeats are counted on one Event, floods of similar messages are combined, and a
 * per-(source, object) token bucket drops spam.
 *
 * Guarantees:
 * - `event()` never throws and never waits: it stamps the time and queues the event; writes
 *   happen one at a time, in call order;
 * - an Event lives in the involved object's namespace (`default` for cluster-scoped objects) and
 *   is named `<object name>.<16 hex digits of the time in ns>`, unique per recorder;
 * - the same (object, type, reason, message, source) again increments the existing Event's
 *   `count` and moves its `lastTimestamp` (merge patch); if that Event is gone, a new one is
 *   created carrying the count;
 * - the 10th distinct message for one (object, type, reason) within 10 minutes, and every one
 *   after it, goes to a single Event whose message starts `(combined from similar events): `;
 * - at most 25 events per (source, object) in a burst, then one per 5 minutes (client-go's spam
 *   filter); the rest are dropped.
 *
 * Errors: none thrown; a failed write is logged (`warn`) and the event is lost, as in client-go
 * (which retries a few times first).
 *
 * @example
 * ```ts
 * const recorder = new ClientEventRecorder({ client, clock, component: 'replicaset-controller' });
 * recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
 * await recorder.flush();
 * ```
 * @public
 */
export class ClientEventRecorder implements EventRecorder {
  private readonly client: Client;
  private readonly clock: Clock;
  private readonly source: EventSource;
  private readonly component: string;
  private readonly host: string;
  private readonly logger: Logger;
  private readonly maxQueued: number;
  private readonly maxSimilar: number;
  private readonly similarWindowMs: number;
  private readonly spamBurst: number;
  private readonly spamRefillMs: number;
  private readonly aggregates: LruCache<AggregateRecord>;
  private readonly logs: LruCache<EventLog>;
  private readonly spam: LruCache<SpamBucket>;
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private lastNanos = 0n;
  private stopped = false;

  constructor(options: EventRecorderOptions) {
    if (options.component === '') {
      throw new EventRecorderError('InvalidArgument', 'component must be a non-empty name such as "replicaset-controller"; it becomes source.component of every Event.');
    }
    this.client = options.client;
    this.clock = options.clock;
    this.component = options.component;
    this.host = options.host ?? '';
    this.source = this.host === '' ? { component: this.component } : { component: this.component, host: this.host };
    this.logger = (options.logger ?? silentLogger).child({ component: 'event-recorder', source: this.component });
    this.maxQueued = positive('maxQueued', options.maxQueued ?? 1000, true);
    const c = options.correlator ?? {};
    this.maxSimilar = positive('correlator.maxSimilarEvents', c.maxSimilarEvents ?? 10, true);
    this.similarWindowMs = positive('correlator.similarWindowMs', c.similarWindowMs ?? 600_000, false);
    this.spamBurst = positive('correlator.spamBurst', c.spamBurst ?? 25, true);
    this.spamRefillMs = positive('correlator.spamRefillMs', c.spamRefillMs ?? 300_000, false);
    const size = positive('correlator.cacheSize', c.cacheSize ?? 4096, true);
    this.aggregates = new LruCache(size);
    this.logs = new LruCache(size);
    this.spam = new LruCache(size);
  }

  /** Record that `reason` happened to `object`. Never throws; the write happens later, in order. */
  event(object: KubeObject, type: EventType, reason: string, message: string): void {
    if (this.stopped) {
      this.logger.debug('event dropped: recorder stopped', { reason });
      return;
    }
    if (type !== 'Normal' && type !== 'Warning') {
      this.logger.error('event dropped: type must be Normal or Warning', { type, reason });
      return;
    }
    const name = object.metadata.name;
    if (name === undefined || name === '') {
      this.logger.error('event dropped: the involved object has no name', { kind: object.kind, reason });
      return;
    }
    if (this.queued >= this.maxQueued) {
      this.logger.warn('event dropped: too many events waiting to be written', { kind: object.kind, name, reason, queued: this.queued });
      return;
    }
    const ref = referenceTo(object, name);
    const pending: Pending = { ref, type, reason, message, atMs: this.clock.now() };
    this.queued++;
    this.tail = this.tail.then(async () => {
      try {
        await this.process(pending);
      } catch (err) {
        this.logger.warn('could not write event', { kind: ref.kind, name: ref.name, namespace: ref.namespace, reason, err });
      } finally {
        this.queued--;
      }
    });
  }

  /** Resolves when every event recorded so far has been written (or has failed and been logged). */
  flush(): Promise<void> {
    return this.tail;
  }

  /** Stop accepting events; resolves once the ones already queued are written. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.tail;
  }

  /** A unique, increasing nanosecond stamp for Event names (ms clock → ns, bumped on ties). */
  private nameStamp(ms: number): string {
    let ns = BigInt(Math.floor(ms)) * 1_000_000n;
    if (ns <= this.lastNanos) ns = this.lastNanos + 1n;
    this.lastNanos = ns;
    return ns.toString(16).padStart(16, '0');
  }

  private async process(p: Pending): Promise<void> {
    const namespace = p.ref.namespace ?? 'default';
    const now = kubeTime(p.atMs);
    const objectKey = [this.component, this.host, p.ref.kind, p.ref.namespace ?? '', p.ref.name, p.ref.uid ?? '', p.ref.apiVersion].join(SEP);

    // 1. aggregate similar events (same object, type and reason; different messages).
    const aggregateKey = [objectKey, p.type, p.reason].join(SEP);
    let agg = this.aggregates.get(aggregateKey);
    if (agg === undefined || p.atMs - agg.lastMs > this.similarWindowMs) {
      agg = { messages: new Set(), lastMs: p.atMs };
      this.aggregates.set(aggregateKey, agg);
    }
    agg.messages.add(p.message);
    agg.lastMs = p.atMs;
    let message = p.message;
    let key = [aggregateKey, p.message].join(SEP);
    if (agg.messages.size >= this.maxSimilar) {
      // Keep the set bounded, as client-go does, and write every further one to one Event.
      const oldest = agg.messages.values().next();
      if (oldest.done !== true) agg.messages.delete(oldest.value);
      message = `${COMBINED_EVENT_PREFIX}${p.message}`;
      key = aggregateKey;
    }

    // 2. observe: a repeat of an Event we wrote becomes a count bump on it.
    const last = this.logs.get(key);
    const log: EventLog =
      last === undefined
        ? { count: 1, firstTimestamp: now, name: `${p.ref.name}.${this.nameStamp(p.atMs)}` }
        : { count: last.count + 1, firstTimestamp: last.firstTimestamp, name: last.name };
    this.logs.set(key, log);

    // 3. spam filter: a token bucket per (source, object).
    if (!this.takeToken(objectKey, p.atMs)) {
      this.logger.debug('event dropped by the spam filter', { kind: p.ref.kind, name: p.ref.name, reason: p.reason });
      return;
    }

    // 4. write.
    const full: EventObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: log.name, namespace },
      involvedObject: p.ref,
      reason: p.reason,
      message,
      type: p.type,
      source: this.source,
      reportingComponent: this.component,
      ...(this.host === '' ? {} : { reportingInstance: this.host }),
      firstTimestamp: log.firstTimestamp,
      lastTimestamp: now,
      count: log.count,
    };
    if (last !== undefined) {
      try {
        await this.client.patch(Event, log.name, { type: 'merge', patch: { count: log.count, lastTimestamp: now, message } }, { namespace });
        return;
      } catch (err) {
        if (!(err instanceof StoreError && err.code === 'NotFound')) throw err;
        // The Event was deleted (TTL, by hand): create it again, carrying the count.
      }
    }
    await this.client.create(Event, full, { namespace });
  }

  private takeToken(key: string, nowMs: number): boolean {
    let bucket = this.spam.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.spamBurst, lastMs: nowMs };
      this.spam.set(key, bucket);
    } else {
      const elapsed = Math.max(0, nowMs - bucket.lastMs);
      bucket.tokens = Math.min(this.spamBurst, bucket.tokens + elapsed / this.spamRefillMs);
      bucket.lastMs = nowMs;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

function referenceTo(object: KubeObject, name: string): ObjectReference {
  const m = object.metadata;
  return {
    kind: object.kind,
    apiVersion: object.apiVersion,
    name,
    ...(m.namespace === undefined || m.namespace === '' ? {} : { namespace: m.namespace }),
    ...(m.uid === undefined ? {} : { uid: m.uid }),
    ...(m.resourceVersion === undefined ? {} : { resourceVersion: m.resourceVersion }),
  };
}

/**
 * Create a {@link ClientEventRecorder}: the recorder controllers use to emit Events.
 *
 * @example
 * ```ts
 * const recorder = createEventRecorder({ client, clock, component: 'deployment-controller' });
 * recorder.event(deployment, 'Normal', 'ScalingReplicaSet', 'Scaled up replica set web-5d9 to 3');
 * ```
 * @public
 */
export function createEventRecorder(options: EventRecorderOptions): ClientEventRecorder {
  return new ClientEventRecorder(options);
}
