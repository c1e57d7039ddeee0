import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { Observable, Subject } from 'rxjs';
import type { LogLine, LogOptions } from './types.js';

/** Format a time as RFC 3339 with nanoseconds, as CRI log lines carry it. */
function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-01T00:00:00.123Z
  return `${iso.slice(0, 23)}000000Z`;
}

/**
 * Encode one line in the CRI log format: `<RFC3339Nano time> <stream> <F|P> <text>`
 * (`F` a full line, `P` a partial one). This is the format containerd writes and the kubelet
 * reads, so logs written by the process runtime can be read by the same tools.
 *
 * @public
 */
export function encodeCriLogLine(line: LogLine, partial = false): string {
  return `${formatTime(line.time)} ${line.stream} ${partial ? 'P' : 'F'} ${line.text}`;
}

/** Decode one CRI log line; `undefined` when it is malformed. @public */
export function decodeCriLogLine(raw: string): (LogLine & { readonly partial: boolean }) | undefined {
  const a = raw.indexOf(' ');
  const b = a < 0 ? -1 : raw.indexOf(' ', a + 1);
  const c = b < 0 ? -1 : raw.indexOf(' ', b + 1);
  if (c < 0) return undefined;
  const time = Date.parse(raw.slice(0, a));
  const stream = raw.slice(a + 1, b);
  const tag = raw.slice(b + 1, c);
  if (!Number.isFinite(time) || (stream !== 'stdout' && stream !== 'stderr') || (tag !== 'F' && tag !== 'P')) return undefined;
  return { time, stream, text: raw.slice(c + 1), partial: tag === 'P' };
}

/**
 * A container's log: a snapshot of its lines plus a stream of lines appended later, which
 * completes when the container's output ends. Implemented in memory (simulated runtime) and on
 * a CRI-format file (process runtime).
 */
export interface ContainerLog {
  /** All lines written so far. Called synchronously together with subscribing to `appended$`. */
  snapshot(): readonly LogLine[];
  /** Lines appended after now; completes when the log is finished. */
  readonly appended$: Observable<LogLine>;
  /** Whether the log is finished (the container exited and its output was drained). */
  readonly finished: boolean;
}

/**
 * Read a {@link ContainerLog} with `kubectl logs` options (`tailLines`, `sinceTime`, `follow`).
 * `previous` is resolved by the runtime before calling this.
 */
export function readContainerLog(log: ContainerLog, options: LogOptions = {}): Observable<LogLine> {
  return new Observable<LogLine>((sub) => {
    // Snapshot and subscribe in the same synchronous turn: no line is missed or doubled.
    const buffered: LogLine[] = [];
    let live = false;
    const follow = options.follow === true && !log.finished;
    const tail = follow
      ? log.appended$.subscribe({
          next: (l) => (live ? sub.next(l) : buffered.push(l)),
          complete: () => (live ? sub.complete() : undefined),
        })
      : undefined;
    let lines = log.snapshot();
    if (options.sinceTime !== undefined) {
      const since = options.sinceTime;
      lines = lines.filter((l) => l.time >= since);
    }
    if (options.tailLines !== undefined) lines = options.tailLines <= 0 ? [] : lines.slice(-options.tailLines);
    for (const l of lines) sub.next(l);
    if (!follow) {
      sub.complete();
      return undefined;
    }
    for (const l of buffered) sub.next(l);
    live = true;
    if (log.finished) sub.complete();
    return () => tail?.unsubscribe();
  });
}

/** An in-memory container log (simulated runtime). Lines are kept only when written. */
export class MemoryLog implements ContainerLog {
  private readonly lines: LogLine[] = [];
  private subject: Subject<LogLine> | undefined;
  finished = false;

  get appended$(): Observable<LogLine> {
    if (this.finished) return new Observable<LogLine>((s) => s.complete());
    this.subject ??= new Subject<LogLine>();
    return this.subject;
  }

  snapshot(): readonly LogLine[] {
    return this.lines.slice();
  }

  write(line: LogLine): void {
    if (this.finished) return;
    this.lines.push(line);
    this.subject?.next(line);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.subject?.complete();
    this.subject = undefined;
  }
}

/**
 * A container log on disk in CRI format, written synchronously as output arrives so that a
 * reader's snapshot plus `appended$` never misses a line. Partial lines are buffered per stream
 * until their newline (or `finish`).
 */
export class FileLog implements ContainerLog {
  private fd: number | undefined;
  private readonly partial = { stdout: '', stderr: '' };
  private readonly subject = new Subject<LogLine>();
  finished = false;

  constructor(
    readonly path: string,
    private readonly now: () => number,
  ) {
    this.fd = openSync(path, 'a');
  }

  get appended$(): Observable<LogLine> {
    return this.subject;
  }

  snapshot(): readonly LogLine[] {
    return readLogFile(this.path);
  }

  /** Append a chunk of process output. */
  write(stream: 'stdout' | 'stderr', chunk: string): void {
    if (this.finished) return;
    const text = this.partial[stream] + chunk;
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const p of parts) this.emit({ time: this.now(), stream, text: p.endsWith('\r') ? p.slice(0, -1) : p });
  }

  /** Flush partial lines, close the file, complete `appended$`. */
  finish(): void {
    if (this.finished) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') this.emit({ time: this.now(), stream, text: this.partial[stream] });
      this.partial[stream] = '';
    }
    this.finished = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.subject.complete();
  }

  private emit(line: LogLine): void {
    if (this.fd !== undefined) writeSync(this.fd, `${encodeCriLogLine(line)}\n`);
    this.subject.next(line);
  }
}

/** A finished log read back from a file (a previous instance whose writer is gone). */
export class StoredFileLog implements ContainerLog {
  readonly finished = true;
  readonly appended$: Observable<LogLine> = new Observable<LogLine>((s) => s.complete());
  constructor(readonly path: string) {}
  snapshot(): readonly LogLine[] {
    return readLogFile(this.path);
  }
}

/** Read a CRI-format log file, joining partial lines; a missing file reads as empty. */
export function readLogFile(path: string): LogLine[] {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: LogLine[] = [];
  let pending = '';
  for (const row of raw.split('\n')) {
    if (row === '') continue;
    const l = decodeCriLogLine(row);
    if (l === undefined) continue;
    if (l.partial) {
      pending += l.text;
      continue;
    }
    out.push({ time: l.time, stream: l.stream, text: pending + l.text });
    pending = '';
  }
  return out;
}
