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

/** An older version of a key: `kv` absent means "deleted (or not yet created) at `rev`". */
interface OldVersion {
  readonly rev: number;
  readonly kv: KeyValue | undefined;
}

/** Everything known about one key: its latest state and the versions history still needs. */
interface Entry {
  /** The value now; undefined when the key is deleted but its history is still kept. */
  kv: KeyValue | undefined;
  /** Revision of the last change (put or delete). */
  rev: number;
  /** Earlier versions, ascending by rev, kept while history covers them. */
  older: OldVersion[] | null;
}

interface WatchSub {
  readonly prefix: string;
  /** Revision of the last event this subscriber has been offered (delivered or filtered). */
  last: number;
  closed: boolean;
  readonly subscriber: Subscriber<BackendEvent>;
}

/**
 * The synchronous multi-version key/value engine under both the memory and file backends.
 *
 * Writes apply synchronously and bump one revision; the event of each write is kept in a log
 * bounded by count and age (both measured when a write happens), which also bounds the old
 * key versions kept for `range` at a past revision. Watch events are delivered by a single
 * dispatcher in revision order; the owner decides how far delivery may go (`release`), which is
 * how the file backend holds events back until they are on disk.
 *
 * @internal
 */
export class MvccStore {
  private readonly entries = new Map<string, Entry>();
  private readonly keys = new SortedKeys();
  private liveCount = 0;
  private revision = 0;
  private compacted = 0;

  // The event log: events[head + i] has revision compacted + 1 + i.
  private events: BackendEvent[] = [];
  private times: number[] = [];
  /** The entry each event changed (saves a key lookup when the event is dropped). */
  private changed: Entry[] = [];
  private head = 0;

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
      this.entries.set(kv.key, { kv: Object.freeze({ ...kv }), rev: kv.modRevision, older: null });
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
    return this.entries.get(key)?.kv;
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
    this.keys.scan(from, exclusive, (key) => {
      if (!key.startsWith(prefix)) return false;
      const entry = this.entries.get(key) as Entry;
      const kv = current ? entry.kv : versionAt(entry, at);
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
    this.keys.scan(prefix, false, (key) => {
      if (!key.startsWith(prefix)) return false;
      if ((this.entries.get(key) as Entry).kv !== undefined) n++;
      return true;
    });
    return n;
  }

  put(key: string, valueOrStamp: StoredValue | StampValue, condition?: WriteCondition): WriteResult {
    this.checkOpen();
    let entry = this.entries.get(key);
    const prev = entry?.kv;
    if (!conditionHolds(prev, condition)) return prev === undefined ? { ok: false } : { ok: false, current: prev };
    const rev = ++this.revision;
    const value = typeof valueOrStamp === 'function' ? (valueOrStamp as StampValue)(rev) : valueOrStamp;
    const kv: KeyValue = Object.freeze({
      key,
      value,
      createRevision: prev === undefined ? rev : prev.createRevision,
      modRevision: rev,
      version: prev === undefined ? 1 : prev.version + 1,
    });
    if (entry === undefined) {
      entry = { kv, rev, older: null };
      this.entries.set(key, entry);
      this.keys.add(key);
    } else {
      this.pushOlder(entry);
      entry.kv = kv;
      entry.rev = rev;
    }
    if (prev === undefined) this.liveCount++;
    const event: BackendEvent = Object.freeze(
      prev === undefined ? { type: 'put' as const, revision: rev, kv } : { type: 'put' as const, revision: rev, kv, prevKv: prev },
    );
    this.append(event, entry);
    return prev === undefined ? { ok: true, revision: rev, kv } : { ok: true, revision: rev, kv, prevKv: prev };
  }

  delete(key: string, condition?: WriteCondition): WriteResult {
    this.checkOpen();
    const entry = this.entries.get(key);
    const prev = entry?.kv;
    if (entry === undefined || prev === undefined || !conditionHolds(prev, condition)) {
      return prev === undefined ? { ok: false } : { ok: false, current: prev };
    }
    const rev = ++this.revision;
    this.pushOlder(entry);
    entry.kv = undefined;
    entry.rev = rev;
    this.liveCount--;
    const kv: KeyValue = Object.freeze({ ...prev, modRevision: rev });
    this.append(Object.freeze({ type: 'delete' as const, revision: rev, kv, prevKv: prev }), entry);
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
    this.shrinkLog();
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
      this.trim();
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
    this.trim();
    if (at < this.compacted) {
      throw new BackendError(
        'Expired',
        `Cannot ${what} at revision ${at}: history before revision ${this.compacted} has been compacted. ` +
          'Start the list again at the current revision (the continue token is too old).',
      );
    }
  }

  private pushOlder(entry: Entry): void {
    const old: OldVersion = { rev: entry.rev, kv: entry.kv };
    if (entry.older === null) entry.older = [old];
    else entry.older.push(old);
  }

  private append(event: BackendEvent, entry: Entry): void {
    this.events.push(event);
    this.changed.push(entry);
    this.times.push(this.clock.now());
    this.trim();
    if (!this.holdEvents) this.released = this.revision;
    this.pump();
  }

  /** Drop events beyond the count/age bounds (never ones not yet delivered). */
  private trim(): void {
    const len = this.events.length - this.head;
    if (len === 0) return;
    let excess = len - this.maxEvents;
    const oldest = this.clock.now() - this.maxAgeMs;
    let dropped = false;
    while (this.compacted < this.delivered && (excess > 0 || this.times[this.head] < oldest)) {
      this.dropOldest();
      excess--;
      dropped = true;
    }
    if (dropped) this.shrinkLog();
  }

  /** Remove the oldest event from the log and the key versions only it made reachable. */
  private dropOldest(): void {
    const event = this.events[this.head];
    const entry = this.changed[this.head];
    this.head++;
    this.compacted = event.revision;
    const key = event.kv.key;
    const rev = event.revision;
    // Reads now happen at revisions >= rev, so versions older than rev are unreachable.
    const older = entry.older;
    if (older !== null) {
      let n = 0;
      while (n < older.length && older[n].rev < rev) n++;
      if (n === older.length) entry.older = null;
      else if (n > 0) older.splice(0, n);
    }
    if (entry.kv === undefined && entry.rev <= rev && entry.older === null) {
      this.entries.delete(key);
      this.keys.delete(key);
    }
  }

  private shrinkLog(): void {
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.times = this.times.slice(this.head);
      this.changed = this.changed.slice(this.head);
      this.head = 0;
    }
  }

  private eventAt(revision: number): BackendEvent {
    return this.events[this.head + (revision - this.compacted - 1)];
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
        const event = this.eventAt(rev);
        const key = event.kv.key;
        const subs = this.subs;
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
      const event = this.eventAt(rev);
      sub.last = rev;
      if (event.kv.key.startsWith(sub.prefix)) sub.subscriber.next(event);
    }
  }
}

function conditionHolds(current: KeyValue | undefined, condition: WriteCondition | undefined): boolean {
  const expected = condition?.expectModRevision;
  if (expected === undefined) return true;
  if (expected === 0) return current === undefined;
  return current !== undefined && current.modRevision === expected;
}

function versionAt(entry: Entry, at: number): KeyValue | undefined {
  if (entry.rev <= at) return entry.kv;
  const older = entry.older;
  if (older === null) return undefined;
  for (let i = older.length - 1; i >= 0; i--) {
    if (older[i].rev <= at) return older[i].kv;
  }
  return undefined;
}
