import type { Observable } from 'rxjs';

/**
 * A JSON-compatible value as stored by a backend. Backends never mutate values they are
 * given and hand out values that callers must treat as read-only (the memory backend hands
 * out the very object it was given, which the typed layer has frozen).
 *
 * @public
 */
export type StoredValue = unknown;

/**
 * A value computed from the revision the write will get (the typed store stamps
 * `metadata.resourceVersion` into the object this way, so stored objects never need a copy
 * on read). Called exactly once, synchronously, when the write applies; not called when the
 * write's condition fails.
 *
 * @public
 */
export type StampValue = (revision: number) => StoredValue;

/**
 * One key's value at one revision, modelled on etcd's `mvccpb.KeyValue`.
 *
 * @public
 */
export interface KeyValue {
  readonly key: string;
  readonly value: StoredValue;
  /** Revision of the write that created this key (since its last deletion). */
  readonly createRevision: number;
  /** Revision of the last write to this key. Used for compare-and-swap. */
  readonly modRevision: number;
  /** Number of writes to this key since it was created (1 after create). */
  readonly version: number;
}

/**
 * A change to one key.
 *
 * `revision` is the store revision of the write (equal to `kv.modRevision` for puts).
 * For deletes `kv` is the last value with `modRevision` set to the delete's revision.
 *
 * @public
 */
export interface BackendEvent {
  readonly type: 'put' | 'delete';
  readonly revision: number;
  readonly kv: KeyValue;
  /** The value before this change; absent for a create. */
  readonly prevKv?: KeyValue;
}

/** @public */
export interface RangeOptions {
  /** Return keys starting with this prefix. */
  readonly prefix: string;
  /** Return keys strictly greater than this key (a pagination cursor). */
  readonly after?: string;
  /** At most this many keys (0 or absent: no limit). */
  readonly limit?: number;
  /**
   * Read as of this revision. Absent: the current revision. A revision older than the
   * compacted revision fails with `BackendError` code `Expired`; a future one with `TooLarge`.
   */
  readonly revision?: number;
}

/** @public */
export interface RangeResult {
  readonly kvs: readonly KeyValue[];
  /** True when more keys match beyond `limit`. */
  readonly more: boolean;
  /** The revision the range was read at. */
  readonly revision: number;
}

/**
 * A conditional write. `expectModRevision` of `0` means "the key must not exist";
 * a positive number means "the key's current modRevision must equal this"; absent means
 * unconditional.
 *
 * @public
 */
export interface WriteCondition {
  readonly expectModRevision?: number;
}

/**
 * The result of a conditional write: either it applied at `revision`, or the condition
 * failed and `current` is what is there now (absent when the key does not exist).
 *
 * @public
 */
export type WriteResult =
  | { readonly ok: true; readonly revision: number; readonly kv: KeyValue; readonly prevKv?: KeyValue }
  | { readonly ok: false; readonly current?: KeyValue };

/**
 * A revisioned key/value store modelled on etcd's API (mvcc + watch), the lowest layer of
 * the kubekit store. The typed registry layer sits on top of any Backend.
 *
 * Guarantees:
 * - One monotonic revision for the whole store; every successful put or delete bumps it by one.
 * - Watches deliver every change with revision greater than `afterRevision`, in revision
 *   order, exactly once, to every subscriber (a change made by a subscriber while it handles
 *   an event is delivered after the event being handled, never interleaved).
 * - A watch or ranged read from a revision that history no longer covers errors with
 *   `BackendError` code `Expired` (the HTTP 410 of Kubernetes).
 *
 * @public
 */
export interface Backend {
  /** The current revision (the revision of the last write; 0 for an empty new store). */
  currentRevision(): number;
  /** The oldest revision still readable/watchable (history before it is compacted). */
  compactedRevision(): number;
  get(key: string): Promise<KeyValue | undefined>;
  range(options: RangeOptions): Promise<RangeResult>;
  /** Count keys under a prefix at the current revision. */
  count(prefix: string): Promise<number>;
  /** Write a value (or a {@link StampValue} computing it from the write's revision). */
  put(key: string, value: StoredValue | StampValue, condition?: WriteCondition): Promise<WriteResult>;
  delete(key: string, condition?: WriteCondition): Promise<WriteResult>;
  /**
   * Changes under `prefix` with revision greater than `afterRevision` (absent: from now on).
   * The Observable errors with `BackendError('Expired')` when `afterRevision` is older than
   * history; it completes when the backend closes.
   */
  watch(prefix: string, afterRevision?: number): Observable<BackendEvent>;
  /** Drop history at and before `revision` (watches/reads before it then fail Expired). */
  compact(revision: number): Promise<void>;
  /** Stop accepting work, complete all watches, release files/sockets/timers. Idempotent. */
  close(): Promise<void>;
}
