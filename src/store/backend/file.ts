import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type { Observable } from 'rxjs';
import type { Clock, TimerHandle } from '../../runtime/clock-types.js';
import { realClock } from '../../runtime/clock.js';
import { BackendError } from './errors.js';
import { MvccStore, type HistoryOptions } from './mvcc.js';
import type { Backend, BackendEvent, KeyValue, RangeOptions, RangeResult, StampValue, StoredValue, WriteCondition, WriteResult } from './types.js';
import { encodeRecord, scanRecords } from './wal.js';
import { storedJson } from './json-text.js';

/** When the write-ahead log is flushed to stable storage. @public */
export type FsyncMode = 'always' | 'batch' | 'never';

/** Options of {@link FileBackend.open}. @public */
export interface FileBackendOptions extends HistoryOptions {
  /** The data directory (created when missing). One process at a time may open it. */
  readonly dir: string;
  /** The clock that ages the event history and times `batch` flushes (default: the real clock). */
  readonly clock?: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  /**
   * - `always` (default): a write resolves only after an fsync covering its record; writes that
   *   arrive while an fsync is in flight share the next one (group commit).
   * - `batch`: like `always`, but a flush that would start on an idle log first waits
   *   `batchDelayMs` on the clock to gather more writes into the same fsync.
   * - `never`: a write resolves once its record is handed to the OS (survives a process crash,
   *   not a power loss).
   */
  readonly fsync?: FsyncMode;
  /** Delay before an idle `batch` flush, in ms on the clock (default 2). */
  readonly batchDelayMs?: number;
  /** Write a snapshot and start a new log after this many records (default 10,000). */
  readonly snapshotEveryRecords?: number;
  /** … or after this many log bytes (default 64 MiB). */
  readonly snapshotEveryBytes?: number;
  /** Called with each recovery warning (e.g. a torn log tail dropped); they are also kept in `recoveryWarnings`. */
  readonly onWarning?: (message: string) => void;
}

const LOCK_FILE = 'LOCK';
const SNAPSHOT_FILE = 'snapshot';
const SNAPSHOT_TMP = 'snapshot.tmp';
const WAL_PATTERN = /^wal-(\d{16})\.log$/;

function walName(startRevision: number): string {
  return `wal-${String(startRevision).padStart(16, '0')}.log`;
}

interface Batch {
  readonly records: Buffer[];
  bytes: number;
  maxRevision: number;
  readonly promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers observe the failure through the promises they were given.
  promise.catch(() => undefined);
  return { records: [], bytes: 0, maxRevision: 0, promise, resolve, reject };
}

/**
 * A durable {@link Backend} in a data directory: the memory backend's revisions, history and
 * watch semantics, made durable by a write-ahead log with periodic snapshots.
 *
 * Guarantees:
 * - A write's promise resolves only after its log record is on disk (per `fsync`); its watch
 *   event is delivered only then too, so no watcher ever sees a revision a crash could lose.
 *   Reads resolve once every write they reflect is durable.
 * - Each log record carries its length and a CRC-32. On open the snapshot is loaded and the log
 *   replayed; an incomplete or damaged last record (a crash mid-write) is truncated and reported
 *   in `recoveryWarnings`; damage followed by valid records fails with `Corrupt`.
 * - Snapshots go to a temporary file, are fsynced and renamed into place; only then are the
 *   logs they cover removed. After reopening, history (watch resume, old reads) starts at the
 *   snapshot's revision.
 * - A `LOCK` file (created exclusively, holding the pid) keeps a second process out; a lock
 *   left by a dead process is taken over.
 *
 * Errors: as {@link MemoryBackend}, plus `Locked`, `Corrupt` (from `open`) and `IO` (the
 * backend then refuses further writes: close it and open it again).
 *
 * @example
 * ```ts
 * const backend = await FileBackend.open({ dir: '/var/lib/kubekit' });
 * await backend.put('/registry/pods/default/web', pod);
 * await backend.close();
 * ```
 *
 * @public
 */
export class FileBackend implements Backend {
  /** Warnings raised while recovering the data directory on open. */
  readonly recoveryWarnings: readonly string[];

  private batch: Batch = newBatch();
  private inflight: Batch | undefined;
  private flushRun: Promise<void> | undefined;
  private flushScheduled = false;
  private batchTimer: TimerHandle | undefined;
  private durable: number;
  private failure: BackendError | undefined;
  private closing: Promise<void> | undefined;
  private snapshotting: Promise<void> | undefined;
  private recordsSinceSnapshot: number;
  private bytesSinceSnapshot: number;
  private readonly mode: FsyncMode;
  private readonly clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  private readonly snapshotRecords: number;
  private readonly snapshotBytes: number;

  private constructor(
    private readonly dir: string,
    private readonly options: FileBackendOptions,
    private readonly store: MvccStore,
    private wal: FileHandle,
    private walStart: number,
    replayed: { records: number; bytes: number },
    warnings: string[],
  ) {
    this.recoveryWarnings = warnings;
    this.durable = store.currentRevision();
    this.mode = options.fsync ?? 'always';
    this.clock = options.clock ?? realClock;
    this.snapshotRecords = options.snapshotEveryRecords ?? 10_000;
    this.snapshotBytes = options.snapshotEveryBytes ?? 64 * 1024 * 1024;
    this.recordsSinceSnapshot = replayed.records;
    this.bytesSinceSnapshot = replayed.bytes;
  }

  /**
   * Open (or create) the data directory, take its lock, and recover its contents.
   *
   * Errors: `Locked` when another live process holds the directory; `Corrupt` when the snapshot
   * or the middle of the log is damaged; `IO` when the directory cannot be read or written.
   */
  static async open(options: FileBackendOptions): Promise<FileBackend> {
    const dir = path.resolve(options.dir);
    await io(`create the data directory ${dir}`, () => fsp.mkdir(dir, { recursive: true }));
    await acquireLock(dir);
    try {
      const warnings: string[] = [];
      const warn = (message: string): void => {
        warnings.push(message);
        options.onWarning?.(message);
      };
      const store = new MvccStore(options.clock ?? realClock, options, true);
      await io('remove a leftover temporary snapshot', () => fsp.rm(path.join(dir, SNAPSHOT_TMP), { force: true }));
      await loadSnapshot(dir, store);
      const replayed = await replayLogs(dir, store, warn);
      let walStart = replayed.lastStart;
      if (walStart === undefined) {
        walStart = store.currentRevision() + 1;
      }
      const wal = await io(`open the log in ${dir}`, () => fsp.open(path.join(dir, walName(walStart)), 'a'));
      await syncDir(dir);
      store.release(store.currentRevision());
      // A compaction is durable (as etcd keeps its finished compaction revision): history a
      // caller compacted away never comes back after a restart.
      const compacted = await readCompacted(dir);
      if (compacted > store.compactedRevision()) store.compact(Math.min(compacted, store.currentRevision()));
      return new FileBackend(dir, options, store, wal, walStart, replayed, warnings);
    } catch (err) {
      await releaseLock(dir);
      throw err;
    }
  }

  currentRevision(): number {
    return this.store.currentRevision();
  }

  compactedRevision(): number {
    return this.store.compactedRevision();
  }

  get(key: string): Promise<KeyValue | undefined> {
    return this.read(() => this.store.get(key));
  }

  range(options: RangeOptions): Promise<RangeResult> {
    return this.read(() => this.store.range(options));
  }

  count(prefix: string): Promise<number> {
    return this.read(() => this.store.count(prefix));
  }

  put(key: string, value: StoredValue | StampValue, condition?: WriteCondition): Promise<WriteResult> {
    // A StampValue is computed when the write applies; the log records what was stored.
    let stored: StoredValue = value;
    return this.write(
      () => {
        const r = this.store.put(key, value, condition);
        if (r.ok) stored = r.kv.value;
        return r;
      },
      (rev) => {
        // The record as JSON.stringify({ r, k, v }) writes it, with shared subtrees' text reused.
        const v = storedJson(stored);
        return v === undefined ? `{"r":${rev},"k":${JSON.stringify(key)}}` : `{"r":${rev},"k":${JSON.stringify(key)},"v":${v}}`;
      },
    );
  }

  delete(key: string, condition?: WriteCondition): Promise<WriteResult> {
    return this.write(() => this.store.delete(key, condition), (rev) => JSON.stringify({ r: rev, k: key, d: 1 }));
  }

  watch(prefix: string, afterRevision?: number): Observable<BackendEvent> {
    return this.store.watch(prefix, afterRevision);
  }

  async compact(revision: number): Promise<void> {
    await this.read(() => this.store.compact(revision));
    await writeCompacted(this.dir, this.store.compactedRevision());
  }

  /** Flush pending writes, complete all watches, close the files and release the lock. Idempotent. */
  close(): Promise<void> {
    if (this.closing === undefined) this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    if (this.batchTimer !== undefined) {
      this.clock.clearTimeout(this.batchTimer);
      this.batchTimer = undefined;
      this.flushScheduled = false;
    }
    while (this.flushRun !== undefined || (this.batch.records.length > 0 && this.failure === undefined)) {
      await (this.flushRun ?? this.startFlush());
    }
    await this.snapshotting;
    this.store.close();
    await this.wal.close().catch(() => undefined);
    await releaseLock(this.dir);
  }

  private checkUsable(): void {
    if (this.closing !== undefined) {
      throw new BackendError('Closed', `The backend on ${this.dir} is closed; open it again to keep using the data.`);
    }
    if (this.failure !== undefined) throw this.failure;
  }

  private read<T>(fn: () => T): Promise<T> {
    let result: T;
    try {
      this.checkUsable();
      result = fn();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.whenDurable(this.store.currentRevision()).then(() => result);
  }

  private write(apply: () => WriteResult, encode: (revision: number) => string): Promise<WriteResult> {
    let result: WriteResult;
    try {
      this.checkUsable();
      result = apply();
    } catch (err) {
      return Promise.reject(err);
    }
    if (!result.ok) return this.whenDurable(this.store.currentRevision()).then(() => result);
    let record: Buffer;
    try {
      record = encodeRecord(encode(result.revision));
    } catch (err) {
      // The write is already applied in memory; the store can no longer be trusted.
      this.fail(new BackendError('IO', `Cannot encode the value of ${result.kv.key} as JSON; close and reopen the backend. Values must be JSON.`, { cause: err }));
      return Promise.reject(this.failure);
    }
    const batch = this.batch;
    batch.records.push(record);
    batch.bytes += record.length;
    batch.maxRevision = result.revision;
    this.scheduleFlush();
    return batch.promise.then(() => result);
  }

  private whenDurable(revision: number): Promise<void> {
    if (revision <= this.durable) return Promise.resolve();
    if (this.inflight !== undefined && this.inflight.maxRevision >= revision) return this.inflight.promise;
    return this.batch.promise;
  }

  private scheduleFlush(): void {
    if (this.flushRun !== undefined || this.flushScheduled) return;
    this.flushScheduled = true;
    const start = (): void => {
      this.batchTimer = undefined;
      if (!this.flushScheduled) return;
      this.flushScheduled = false;
      if (this.flushRun === undefined) void this.startFlush();
    };
    if (this.mode === 'batch') this.batchTimer = this.clock.setTimeout(start, this.options.batchDelayMs ?? 2);
    else queueMicrotask(start);
  }

  private startFlush(): Promise<void> {
    const run = this.flushLoop().finally(() => {
      this.flushRun = undefined;
      // Writes queued while the last step (e.g. switching logs) ran.
      if (this.batch.records.length > 0 && this.failure === undefined && this.closing === undefined) this.scheduleFlush();
    });
    this.flushRun = run;
    return run;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.batch.records.length > 0 && this.failure === undefined) {
        const batch = this.batch;
        this.batch = newBatch();
        this.inflight = batch;
        try {
          await this.wal.writev(batch.records);
          if (this.mode !== 'never') await this.wal.sync();
        } catch (err) {
          this.fail(new BackendError('IO', `Writing the log in ${this.dir} failed; close the backend, fix the disk and open it again.`, { cause: err }));
          batch.reject(this.failure);
          break;
        }
        this.durable = batch.maxRevision;
        this.inflight = undefined;
        this.store.release(batch.maxRevision);
        batch.resolve();
        this.recordsSinceSnapshot += batch.records.length;
        this.bytesSinceSnapshot += batch.bytes;
        if (
          this.snapshotting === undefined &&
          (this.recordsSinceSnapshot >= this.snapshotRecords || this.bytesSinceSnapshot >= this.snapshotBytes)
        ) {
          await this.startSnapshot();
        }
      }
    } finally {
      this.inflight = undefined;
      if (this.failure !== undefined && this.batch.records.length > 0) {
        this.batch.reject(this.failure);
        this.batch = newBatch();
      }
    }
  }

  private fail(error: BackendError): void {
    if (this.failure === undefined) this.failure = error;
  }

  /**
   * Switch to a new log starting after the durable revision, then write the snapshot of that
   * revision in the background and remove the logs it covers.
   */
  private async startSnapshot(): Promise<void> {
    const revision = this.durable;
    const { kvs } = this.store.range({ prefix: '', revision });
    const next = await io('start a new log file', () => fsp.open(path.join(this.dir, walName(revision + 1)), 'a')).catch((err: unknown) => {
      this.fail(err instanceof BackendError ? err : new BackendError('IO', String(err)));
      return undefined;
    });
    if (next === undefined) return;
    // Make the new log's directory entry durable before anything is acknowledged in it.
    await syncDir(this.dir).catch((err: unknown) => this.fail(err instanceof BackendError ? err : new BackendError('IO', String(err))));
    const old = this.wal;
    this.wal = next;
    this.walStart = revision + 1;
    this.recordsSinceSnapshot = 0;
    this.bytesSinceSnapshot = 0;
    await old.close().catch(() => undefined);
    this.snapshotting = writeSnapshot(this.dir, revision, kvs, this.walStart)
      .catch((err: unknown) => {
        // A failed snapshot loses nothing (the logs are kept); report it and retry next time.
        this.options.onWarning?.(`Writing a snapshot of revision ${revision} in ${this.dir} failed: ${String(err)}`);
      })
      .finally(() => {
        this.snapshotting = undefined;
      });
  }
}

async function io<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BackendError) throw err;
    throw new BackendError('IO', `Could not ${what}: ${(err as Error).message}. Check the path and its permissions.`, { cause: err });
  }
}

const COMPACTED_FILE = 'COMPACTED';

/** The last compaction revision written by {@link writeCompacted}; 0 when none. */
async function readCompacted(dir: string): Promise<number> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dir, COMPACTED_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new BackendError('IO', `Could not read ${path.join(dir, COMPACTED_FILE)}: ${(err as Error).message}. Check the path and its permissions.`, { cause: err });
  }
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 0) throw corrupt(`The compaction record ${path.join(dir, COMPACTED_FILE)} holds ${JSON.stringify(text.slice(0, 40))}, not a revision.`);
  return n;
}

/** Record the compaction revision atomically (temp file, fsync, rename, directory fsync). */
async function writeCompacted(dir: string, revision: number): Promise<void> {
  const tmp = path.join(dir, `${COMPACTED_FILE}.tmp`);
  const fh = await io(`write ${tmp}`, () => fsp.open(tmp, 'w'));
  try {
    await fh.writeFile(`${revision}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await io(`rename ${tmp}`, () => fsp.rename(tmp, path.join(dir, COMPACTED_FILE)));
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  const fh = await io(`open ${dir}`, () => fsp.open(dir, 'r'));
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on directories; the data files themselves are synced.
  } finally {
    await fh.close();
  }
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

async function acquireLock(dir: string): Promise<void> {
  const lockPath = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await fsp.open(lockPath, 'wx');
      try {
        await fh.writeFile(`${process.pid}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return;
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') {
        throw new BackendError('IO', `Could not create the lock file ${lockPath}: ${(err as Error).message}.`, { cause: err });
      }
    }
    const text = await fsp.readFile(lockPath, 'utf8').catch(() => '');
    const pid = Number.parseInt(text.trim(), 10);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
      throw new BackendError(
        'Locked',
        `The data directory ${dir} is in use by process ${pid}${pid === process.pid ? ' (this process)' : ''}. ` +
          `Stop that process (or close its backend) first; if it is gone, remove ${lockPath}.`,
      );
    }
    // A dead holder (or a lock file never completed): take it over.
    await fsp.rm(lockPath, { force: true });
  }
  throw new BackendError('Locked', `Could not take the lock ${lockPath}: another process keeps taking it. Retry later.`);
}

async function releaseLock(dir: string): Promise<void> {
  const lockPath = path.join(dir, LOCK_FILE);
  const text = await fsp.readFile(lockPath, 'utf8').catch(() => '');
  if (Number.parseInt(text.trim(), 10) === process.pid) await fsp.rm(lockPath, { force: true });
}

/** Snapshot layout: framed records — a header, one array per key, then an end marker. */
interface SnapshotHeader {
  readonly revision: number;
  readonly count: number;
}

async function writeSnapshot(dir: string, revision: number, kvs: readonly KeyValue[], walStart: number): Promise<void> {
  const tmp = path.join(dir, SNAPSHOT_TMP);
  const fh = await fsp.open(tmp, 'w');
  try {
    const header: SnapshotHeader = { revision, count: kvs.length };
    let chunk: Buffer[] = [encodeRecord(JSON.stringify(header))];
    for (const kv of kvs) {
      chunk.push(encodeRecord(`[${JSON.stringify(kv.key)},${kv.createRevision},${kv.modRevision},${kv.version},${storedJson(kv.value) ?? 'null'}]`));
      if (chunk.length >= 1024) {
        await fh.writev(chunk);
        chunk = [];
      }
    }
    chunk.push(encodeRecord(JSON.stringify({ end: true })));
    await fh.writev(chunk);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path.join(dir, SNAPSHOT_FILE));
  await syncDir(dir);
  // The snapshot now covers every log before the current one.
  for (const name of await fsp.readdir(dir)) {
    const m = WAL_PATTERN.exec(name);
    if (m !== null && Number(m[1]) < walStart) await fsp.rm(path.join(dir, name), { force: true });
  }
}

function corrupt(message: string, cause?: unknown): BackendError {
  return new BackendError('Corrupt', `${message} Restore the directory from a backup; the data cannot be recovered automatically.`, {
    cause,
  });
}

async function loadSnapshot(dir: string, store: MvccStore): Promise<void> {
  const file = path.join(dir, SNAPSHOT_FILE);
  let buf: Buffer;
  try {
    buf = await fsp.readFile(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw new BackendError('IO', `Could not read the snapshot ${file}: ${(err as Error).message}.`, { cause: err });
  }
  const scan = scanRecords(buf);
  if (scan.problem !== undefined) {
    throw corrupt(`The snapshot ${file} is damaged at byte ${scan.problem.offset} (${scan.problem.reason}).`);
  }
  try {
    const [first, ...rest] = scan.payloads;
    const header = JSON.parse(first) as SnapshotHeader;
    const end = rest.pop();
    if (end === undefined || rest.length !== header.count || typeof header.revision !== 'number') {
      throw new Error(`expected ${header.count} keys and an end marker, found ${rest.length} records`);
    }
    const kvs: KeyValue[] = rest.map((payload) => {
      const [key, createRevision, modRevision, version, value] = JSON.parse(payload) as [string, number, number, number, unknown];
      return { key, value, createRevision, modRevision, version };
    });
    store.load(kvs, header.revision);
  } catch (err) {
    throw corrupt(`The snapshot ${file} is not a valid snapshot: ${(err as Error).message}.`, err);
  }
}

interface LogRecord {
  readonly r: number;
  readonly k: string;
  readonly v?: unknown;
  readonly d?: 1;
}

function parseRecord(payload: string): LogRecord {
  const rec = JSON.parse(payload) as LogRecord;
  if (typeof rec !== 'object' || rec === null || typeof rec.r !== 'number' || typeof rec.k !== 'string') {
    throw new Error('not a log record');
  }
  return rec;
}

async function replayLogs(
  dir: string,
  store: MvccStore,
  warn: (message: string) => void,
): Promise<{ records: number; bytes: number; lastStart: number | undefined }> {
  const names = (await io(`list ${dir}`, () => fsp.readdir(dir)))
    .map((name) => ({ name, m: WAL_PATTERN.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .map((x) => ({ name: x.name, start: Number(x.m[1]) }))
    .sort((a, b) => a.start - b.start);
  let records = 0;
  let bytes = 0;
  for (let i = 0; i < names.length; i++) {
    const file = path.join(dir, names[i].name);
    const buf = await io(`read the log ${file}`, () => fsp.readFile(file));
    const scan = scanRecords(buf);
    for (const payload of scan.payloads) {
      let rec: LogRecord;
      try {
        rec = parseRecord(payload);
      } catch (err) {
        throw corrupt(`The log ${file} holds a record that passes its checksum but is not valid JSON.`, err);
      }
      if (rec.r <= store.currentRevision()) continue; // already in the snapshot
      if (rec.r !== store.currentRevision() + 1) {
        throw corrupt(`The log ${file} jumps from revision ${store.currentRevision()} to ${rec.r}: records are missing.`);
      }
      const result = rec.d === 1 ? store.delete(rec.k) : store.put(rec.k, rec.v);
      if (!result.ok || result.revision !== rec.r) {
        throw corrupt(`The log ${file} deletes ${rec.k} at revision ${rec.r}, but that key does not exist.`);
      }
      records++;
    }
    bytes += scan.validEnd;
    if (scan.problem !== undefined) {
      const where = `${file} at byte ${scan.problem.offset} (${scan.problem.reason})`;
      if (scan.problem.followedByValid || i < names.length - 1) {
        throw corrupt(`The log ${where} is damaged and valid records follow it, so this is not an interrupted write.`);
      }
      const fh = await io(`truncate ${file}`, () => fsp.open(file, 'r+'));
      try {
        await fh.truncate(scan.validEnd);
        await fh.sync();
      } finally {
        await fh.close();
      }
      warn(
        `Dropped ${buf.length - scan.validEnd} bytes of an incomplete last record in ${where}; ` +
          `writes after revision ${store.currentRevision()} were never acknowledged and are discarded.`,
      );
    }
  }
  return { records, bytes, lastStart: names.length > 0 ? names[names.length - 1].start : undefined };
}
