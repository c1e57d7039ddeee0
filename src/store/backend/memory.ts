import type { Observable } from 'rxjs';
import type { Clock } from '../../runtime/clock-types.js';
import { realClock } from '../../runtime/clock.js';
import { MvccStore, type HistoryOptions } from './mvcc.js';
import type { Backend, BackendEvent, KeyValue, RangeOptions, RangeResult, StampValue, StoredValue, WriteCondition, WriteResult } from './types.js';

/** Options of {@link MemoryBackend}. @public */
export interface MemoryBackendOptions extends HistoryOptions {
  /** The clock that ages the event history (only `now()` is used; default: the real clock). */
  readonly clock?: Pick<Clock, 'now'>;
}

/**
 * The embedded, in-process {@link Backend}: an ordered multi-version key/value map with a
 * bounded event history, the default under the typed store.
 *
 * Guarantees:
 * - Every write applies synchronously before its promise is returned; watchers see its event
 *   synchronously too, in revision order, through a single dispatcher (a write made by a watch
 *   handler is delivered to everybody after the event being handled).
 * - Values are stored and handed out by reference, never copied: callers must not mutate them
 *   (the typed layer freezes them). The `KeyValue` and event wrappers are frozen. Events are
 *   built when delivered: one object per write shared by all live watchers, a new one per
 *   write replayed to a watch that resumes from history.
 * - History (events for resumed watches, old versions for `range` at a past revision) is kept
 *   for at most `historyMaxEvents` events (default 100,000) and `historyMaxAgeMs` (default
 *   5 minutes on `clock`); older requests fail with `BackendError('Expired')`.
 * - Deleting an absent key does not bump the revision and returns `{ ok: false }`.
 *
 * Errors: `Expired`, `TooLarge` (a revision in the future), `Closed` (after `close()`).
 *
 * @example
 * ```ts
 * const backend = new MemoryBackend();
 * const r = await backend.put('/pods/default/web', { spec: {} }, { expectModRevision: 0 });
 * backend.watch('/pods/', r.ok ? r.revision : 0).subscribe((e) => console.log(e.type, e.kv.key));
 * ```
 *
 * @public
 */
export class MemoryBackend implements Backend {
  private readonly store: MvccStore;

  constructor(options: MemoryBackendOptions = {}) {
    this.store = new MvccStore(options.clock ?? realClock, options);
  }

  currentRevision(): number {
    return this.store.currentRevision();
  }

  compactedRevision(): number {
    return this.store.compactedRevision();
  }

  get(key: string): Promise<KeyValue | undefined> {
    try {
      return Promise.resolve(this.store.get(key));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  range(options: RangeOptions): Promise<RangeResult> {
    return attempt(() => this.store.range(options));
  }

  count(prefix: string): Promise<number> {
    return attempt(() => this.store.count(prefix));
  }

  // The hot calls avoid a closure per call; the rest go through `attempt`.
  put(key: string, value: StoredValue | StampValue, condition?: WriteCondition): Promise<WriteResult> {
    try {
      return Promise.resolve(this.store.put(key, value, condition));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  delete(key: string, condition?: WriteCondition): Promise<WriteResult> {
    try {
      return Promise.resolve(this.store.delete(key, condition));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  watch(prefix: string, afterRevision?: number): Observable<BackendEvent> {
    return this.store.watch(prefix, afterRevision);
  }

  compact(revision: number): Promise<void> {
    return attempt(() => this.store.compact(revision));
  }

  close(): Promise<void> {
    this.store.close();
    return Promise.resolve();
  }
}

/** Run a synchronous operation, turning a throw into a rejected promise. */
function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}
