import { Observable, type Subscriber } from 'rxjs';
import type { Clock } from '../../runtime/clock-types.js';
import { BackendError } from './errors.js';
import { SortedKeys } from './sorted-keys.js';
import type { BackendEvent, KeyValue, RangeOptions, RangeResult, StampValue, StoredValue, WriteCondition, WriteResult } from './types.js';

/** How much history a backend keeps for old reads and resumed watches. @public */
export interface HistoryOptions {
  /** Keep at most this many events (default 100,000). */
  readonly historyMaxEvents?: number;
  /** Keep events at most this old, in ms on the clock (default 5 minutes). */
  readonly historyMaxAgeMs?: number;
}

/** Default number of events kept for resuming watches. @public */
export const DEFAULT_HISTORY_MAX_EVENTS = 100_000;
/** Default age of the oldest event kept for resuming watches (5 minutes). @public */
export const DEFAULT_HISTORY_MAX_AGE_MS = 5 * 60_000;

/**
 * What the key map holds for a key that was deleted while history still covers its delete:
 * reads at the current revision see nothing, reads at a past revision walk back from here.
 */
class Tombstone {
  /** @param kv - the delete's `kv` (the last value, `modRevision` = the delete's revision). */
  constructor(readonly kv: KeyValue) {}
}

/** A key's slot in the key map: its live value or the tombstone of its last delete. */
type Slot = KeyValue | Tombstone;

interface WatchSub {
  readonly prefix: string;
  /** Revision of the last event this subscriber has been offered (delivered or filtered). */
  last: number;
  closed: boolean;
  readonly subscriber: Subscriber<BackendEvent>;
}

const INITIAL_LOG_CAPACITY = 1024;

/**
 * The synchronous multi-version key/value engine under both the memory and file backends.
 *
 * Writes apply synchronously and bump one revision; the history of writes is kept in a log
 * bounded by count and age (both measured when a write happens), which also bounds the old
 * key versions kept for `range` at a past revision. Watch events are delivered by a single
 * dispatcher in revision order; the owner decides how far delivery may go (`release`), which is
 * how the file backend holds events back until they are on disk.
 *
 * Memory layout (what a stored key costs): the key map holds each key's current `KeyValue`
 * directly (one frozen five-field object per version, its `key` the one string instance of
 * the key). The history is a ring of parallel arrays indexed by revision — the version a write
 * made, the version it replaced, the revision of the key's previous change, the write's time
 * and whether it was a delete — so no event object is kept per write: events are built when
 * delivered (once per write, shared by all watchers) or replayed. Older versions of a key stay
 * reachable only through the ring, so they go when history drops the writes that replaced
 * them; a read at a past revision walks a key's changes back through the ring.
 *
 * @internal
 */
export class MvccStore {
  private readonly entries = new Map<string, Slot>();
  private readonly keys = new SortedKeys();
  private liveCount = 0;
  private revision = 0;
  private compacted = 0;

  // The history ring: revisions (compacted, revision] live at index `revision & mask`.
  private mask = INITIAL_LOG_CAPACITY - 1;
  /** The version each write made (for a delete: the last value with the delete's modRevision). */
  private logKv: (KeyValue | undefined)[] = new Array<KeyValue | undefined>(INITIAL_LOG_CAPACITY);
  /** The version each write replaced (undefined for a create). */
  private logPrev: (KeyValue | undefined)[] = new Array<KeyValue | undefined>(INITIAL_LOG_CAPACITY);
  /** Revision of the previous change to the same key (0: none), to walk a key's history back. */
  private logChain = new Float64Array(INITIAL_LOG_CAPACITY);
  private logTime = new Float64Array(INITIAL_LOG_CAPACITY);
  private logDelete = new Uint8Array(INITIAL_LOG_CAPACITY);

  // Watch dispatch.
  private subs: WatchSub[] = [];
  private lagging: WatchSub[] = [];
  private released = 0;
  private delivered = 0;
  private pumping = false;
  private closedFlag = false;

  private readonly maxEvents: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    options: HistoryOptions = {},
    /** When true, events are delivered only up to the revision passed to `release`. */
    private readonly holdEvents = false,
  ) {
    this.maxEvents = Math.max(1, options.historyMaxEvents ?? DEFAULT_HISTORY_MAX_EVENTS);
    this.maxAgeMs = options.historyMaxAgeMs ?? DEFAULT_HISTORY_MAX_AGE_MS;
  }

  /** Replace the (empty) state with `kvs` as of `revision`, with no history before it. */
  load(kvs: readonly KeyValue[], revision: number): void {
    for (const kv of kvs) {
      this.entries.set(kv.key, freezeKv(kv.key, kv.value, kv.createRevision, kv.modRevision, kv.version));
      this.keys.add(kv.key);
    }
    this.liveCount = kvs.length;
    this.revision = this.compacted = this.released = this.delivered = revision;
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  currentRevision(): number {
    return this.revision;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  checkOpen(): void {
    if (this.closedFlag) {
      throw new BackendError('Closed', 'The backend is closed; open a new backend to keep using the data.');
    }
  }

  get(key: string): KeyValue | undefined {
    this.checkOpen();
    const slot = this.entries.get(key);
    return slot === undefined || slot instanceof Tombstone ? undefined : slot;
  }

  range(options: RangeOptions): RangeResult {
    this.checkOpen();
    const at = options.revision ?? this.revision;
    this.checkReadable(at, 'range');
    const { prefix } = options;
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : Infinity;
    const kvs: KeyValue[] = [];
    let more = false;
    const exclusive = options.after !== undefined && options.after >= prefix;
    const from = exclusive ? (options.after as string) : prefix;
    const current = at === this.revision;
    const entries = this.entries;
    this.keys.scan(from, exclusive, (key) => {
      if (!key.startsWith(prefix)) return false;
      const slot = entries.get(key) as Slot;
      const kv = current ? (slot instanceof Tombstone ? undefined : slot) : this.versionAt(slot, at);
      if (kv === undefined) return true;
      if (kvs.length === limit) {
        more = true;
        return false;
      }
      kvs.push(kv);
      return true;
    });
    return { kvs, more, revision: at };
  }

  count(prefix: string): number {
    this.checkOpen();
    if (prefix === '') return this.liveCount;
    let n = 0;
    const entries = this.entries;
    this.keys.scan(prefix, false, (key) => {
      if (!key.startsWith(prefix)) return false;
      if (!(entries.get(key) instanceof Tombstone)) n++;
      return true;
    });
    return n;
  }

  put(key: string, valueOrStamp: StoredValue | StampValue, condition?: WriteCondition): WriteResult {
    this.checkOpen();
    const slot = this.entries.get(key);
    const prev = slot === undefined || slot instanceof Tombstone ? undefined : slot;
    if (!conditionHolds(prev, condition)) return prev === undefined ? { ok: false } : { ok: false, current: prev };
    const rev = this.nextRevision();
    const value = typeof valueOrStamp === 'function' ? (valueOrStamp as StampValue)(rev) : valueOrStamp;
    let kv: KeyValue;
    if (slot === undefined) {
      kv = freezeKv(key, value, rev, rev, 1);
      this.keys.add(key);
      this.record(rev, kv, undefined, 0, false);
    } else if (prev === undefined) {
      // Re-created while the tombstone is still in history: keep the key's one string.
      const tomb = (slot as Tombstone).kv;
      kv = freezeKv(tomb.key, value, rev, rev, 1);
      this.record(rev, kv, undefined, tomb.modRevision, false);
    } else {
      kv = freezeKv(prev.key, value, prev.createRevision, rev, prev.version + 1);
      this.record(rev, kv, prev, prev.modRevision, false);
    }
    this.entries.set(kv.key, kv);
    if (prev === undefined) this.liveCount++;
    this.afterWrite();
    return prev === undefined ? { ok: true, revision: rev, kv } : { ok: true, revision: rev, kv, prevKv: prev };
  }

  delete(key: string, condition?: WriteCondition): WriteResult {
    this.checkOpen();
    const slot = this.entries.get(key);
    const prev = slot === undefined || slot instanceof Tombstone ? undefined : slot;
    if (prev === undefined || !conditionHolds(prev, condition)) {
      return prev === undefined ? { ok: false } : { ok: false, current: prev };
    }
    const rev = this.nextRevision();
    const kv = freezeKv(prev.key, prev.value, prev.createRevision, rev, prev.version);
    this.entries.set(prev.key, new Tombstone(kv));
    this.liveCount--;
    this.record(rev, kv, prev, prev.modRevision, true);
    this.afterWrite();
    return { ok: true, revision: rev, kv, prevKv: prev };
  }

  /** Drop history at and before `revision`. */
  compact(revision: number): void {
    this.checkOpen();
    if (revision > this.revision) {
      throw new BackendError(
        'TooLarge',
        `Cannot compact to revision ${revision}: the current revision is ${this.revision}. Pass a revision at or below currentRevision().`,
      );
    }
    // Never drop events the dispatcher has not delivered yet.
    const target = Math.min(revision, this.delivered);
    while (this.compacted < target) this.dropOldest();
  }

  /**
   * Let watch delivery proceed up to `revision` (only meaningful with `holdEvents`).
   */
  release(revision: number): void {
    if (revision > this.released) {
      this.released = Math.min(revision, this.revision);
      this.pump();
    }
  }

  watch(prefix: string, afterRevision?: number): Observable<BackendEvent> {
    return new Observable<BackendEvent>((subscriber) => {
      if (this.closedFlag) {
        subscriber.complete();
        return undefined;
      }
      this.trim(this.clock.now());
      if (afterRevision !== undefined && afterRevision < this.compacted) {
        subscriber.error(
          new BackendError(
            'Expired',
            `Cannot watch from revision ${afterRevision}: history before revision ${this.compacted} has been compacted. ` +
              'List again (range at the current revision) and watch from the revision of that list.',
          ),
        );
        return undefined;
      }
      const sub: WatchSub = { prefix, last: afterRevision ?? this.revision, closed: false, subscriber };
      this.subs = [...this.subs, sub];
      if (sub.last < this.delivered) this.lagging.push(sub);
      this.pump();
      return () => {
        if (sub.closed) return;
        sub.closed = true;
        this.subs = this.subs.filter((s) => s !== sub);
      };
    });
  }

  /** Complete every watch and refuse further calls. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    const subs = this.subs;
    this.subs = [];
    this.lagging = [];
    for (const sub of subs) {
      sub.closed = true;
      sub.subscriber.complete();
    }
  }

  private checkReadable(at: number, what: string): void {
    if (at > this.revision) {
      throw new BackendError(
        'TooLarge',
        `Cannot ${what} at revision ${at}: the current revision is only ${this.revision}. Retry later or read at the current revision.`,
      );
    }
    this.trim(this.clock.now());
    if (at < this.compacted) {
      throw new BackendError(
        'Expired',
        `Cannot ${what} at revision ${at}: history before revision ${this.compacted} has been compacted. ` +
          'Start the list again at the current revision (the continue token is too old).',
      );
    }
  }

  /** A key's version as of revision `at` (>= compacted), walking its changes back through history. */
  private versionAt(slot: Slot, at: number): KeyValue | undefined {
    const isTomb = slot instanceof Tombstone;
    let rev = isTomb ? slot.kv.modRevision : slot.modRevision;
    if (rev <= at) return isTomb ? undefined : slot;
    // `rev` > at >= compacted, so it is in the ring; find the key's first change after `at`:
    // the version it replaced is the one readable at `at`.
    for (;;) {
      const i = rev & this.mask;
      const before = this.logChain[i];
      if (before <= at) return this.logPrev[i];
      rev = before;
    }
  }

  /** Take the next revision, growing the ring first when it is full. */
  private nextRevision(): number {
    if (this.revision - this.compacted > this.mask) this.growLog();
    return ++this.revision;
  }

  private record(rev: number, kv: KeyValue, prev: KeyValue | undefined, before: number, isDelete: boolean): void {
    const i = rev & this.mask;
    this.logKv[i] = kv;
    this.logPrev[i] = prev;
    this.logChain[i] = before;
    this.logTime[i] = this.clock.now();
    this.logDelete[i] = isDelete ? 1 : 0;
  }

  private afterWrite(): void {
    this.trim(this.logTime[this.revision & this.mask]);
    if (!this.holdEvents) this.released = this.revision;
    this.pump();
  }

  /** Double the ring (history is longer than it: undelivered events, or a larger bound). */
  private growLog(): void {
    const capacity = (this.mask + 1) * 2;
    const mask = capacity - 1;
    const kv = new Array<KeyValue | undefined>(capacity);
    const prev = new Array<KeyValue | undefined>(capacity);
    const chain = new Float64Array(capacity);
    const time = new Float64Array(capacity);
    const del = new Uint8Array(capacity);
    for (let r = this.compacted + 1; r <= this.revision; r++) {
      const from = r & this.mask;
      const to = r & mask;
      kv[to] = this.logKv[from];
      prev[to] = this.logPrev[from];
      chain[to] = this.logChain[from];
      time[to] = this.logTime[from];
      del[to] = this.logDelete[from];
    }
    this.mask = mask;
    this.logKv = kv;
    this.logPrev = prev;
    this.logChain = chain;
    this.logTime = time;
    this.logDelete = del;
  }

  /** Drop events beyond the count/age bounds (never ones not yet delivered). */
  private trim(now: number): void {
    const oldest = now - this.maxAgeMs;
    while (this.compacted < this.delivered && (this.revision - this.compacted > this.maxEvents || this.logTime[(this.compacted + 1) & this.mask] < oldest)) {
      this.dropOldest();
    }
  }

  /** Remove the oldest write from history, and the key if that write deleted it for good. */
  private dropOldest(): void {
    const rev = this.compacted + 1;
    const i = rev & this.mask;
    if (this.logDelete[i] === 1) {
      // Reads now happen at revisions >= rev: a key whose last change is this delete is gone.
      const key = (this.logKv[i] as KeyValue).key;
      const slot = this.entries.get(key);
      if (slot instanceof Tombstone && slot.kv.modRevision === rev) {
        this.entries.delete(key);
        this.keys.delete(key);
      }
    }
    this.logKv[i] = undefined;
    this.logPrev[i] = undefined;
    this.compacted = rev;
  }

  /** The event of the write at `revision` (which history still holds). */
  private eventAt(revision: number): BackendEvent {
    const i = revision & this.mask;
    const kv = this.logKv[i] as KeyValue;
    const prevKv = this.logPrev[i];
    if (this.logDelete[i] === 1) return Object.freeze({ type: 'delete' as const, revision, kv, prevKv });
    return Object.freeze(prevKv === undefined ? { type: 'put' as const, revision, kv } : { type: 'put' as const, revision, kv, prevKv });
  }

  /**
   * The single dispatcher: first bring newly subscribed watchers up to date from the log, then
   * hand each released event to every subscriber before the next one. Re-entrant calls (a
   * handler writing or subscribing) return at once; the running loop picks their work up.
   */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.lagging.length > 0) {
          this.catchUp(this.lagging.shift() as WatchSub);
          continue;
        }
        if (this.delivered >= this.released) break;
        const rev = ++this.delivered;
        const subs = this.subs;
        if (subs.length === 0) continue;
        const event = this.eventAt(rev);
        const key = event.kv.key;
        for (let i = 0; i < subs.length; i++) {
          const sub = subs[i];
          if (sub.closed || sub.last >= rev) continue;
          sub.last = rev;
          if (key.startsWith(sub.prefix)) sub.subscriber.next(event);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private catchUp(sub: WatchSub): void {
    while (!sub.closed && sub.last < this.delivered) {
      const rev = sub.last + 1;
      if (rev <= this.compacted) {
        sub.closed = true;
        this.subs = this.subs.filter((s) => s !== sub);
        sub.subscriber.error(
          new BackendError(
            'Expired',
            `The watch fell behind: history before revision ${this.compacted} was compacted before revision ${rev} could be delivered. List again and watch from the list's revision.`,
          ),
        );
        return;
      }
      sub.last = rev;
      const kv = this.logKv[rev & this.mask] as KeyValue;
      if (kv.key.startsWith(sub.prefix)) sub.subscriber.next(this.eventAt(rev));
    }
  }
}

/** A frozen KeyValue built as one literal (a compact fast object: header + five fields). */
function freezeKv(key: string, value: StoredValue, createRevision: number, modRevision: number, version: number): KeyValue {
  return Object.freeze({ key, value, createRevision, modRevision, version });
}

function conditionHolds(current: KeyValue | undefined, condition: WriteCondition | undefined): boolean {
  const expected = condition?.expectModRevision;
  if (expected === undefined) return true;
  if (expected === 0) return current === undefined;
  return current !== undefined && current.modRevision === expected;
}
