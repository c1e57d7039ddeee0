import { Observable, Subject, type Subscription } from 'rxjs';
import type { KubeObject, ResourceType } from '../api/resource.js';
import type { Client, ClientListOptions, ClientWatchOptions, ClientWriteOptions } from '../client/client.js';
import type { ListResult, WatchEvent } from '../client/watch-types.js';
import type { Clock, TimerHandle } from '../runtime/clock-types.js';
import { StoreError } from '../store/errors.js';
import type { DeleteOptions, ObjectRef, Patch } from '../store/store.js';

/** A client call, as recorded by {@link FaultyClient}. @public */
export type Verb = 'get' | 'list' | 'create' | 'update' | 'updateStatus' | 'patch' | 'delete' | 'watch' | 'bind';

/** A write seen by the client (for assertions in reconcile tests). @public */
export interface RecordedWrite {
  readonly verb: 'create' | 'update' | 'updateStatus' | 'patch' | 'delete' | 'bind';
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
  /** The object sent (create/update/updateStatus), the patch (patch), or the node name (bind). */
  readonly body?: unknown;
  /** The result, when the call succeeded. */
  readonly result?: KubeObject | undefined;
  readonly error?: unknown;
}

interface FailRule {
  readonly verbs: readonly Verb[] | undefined;
  readonly kind: string | undefined;
  remaining: number;
  readonly error: () => unknown;
}

/**
 * Wraps a {@link Client} to record writes and inject faults, for tests: fail the next N
 * calls of a verb/kind with a given error, drop watch events, force an Expired relist, delay
 * watch delivery (a slow cache).
 *
 * Caveats: faults apply to calls made through this wrapper only; dropped or delayed events
 * affect watches open at the time or opened later for that kind.
 *
 * @public
 */
export class FaultyClient implements Client {
  readonly writes: RecordedWrite[] = [];
  private readonly rules: FailRule[] = [];
  private readonly drops = new Map<string, number>();
  private readonly delays = new Map<string, number>();
  private readonly expire = new Map<string, Subject<void>>();
  private readonly expireNext = new Set<string>();

  constructor(
    private readonly inner: Client,
    private readonly clock: Clock,
  ) {}

  /** Fail the next `count` calls matching `verbs` (all if absent) on `type` (all if absent). */
  failNext(options: { readonly verbs?: readonly Verb[]; readonly type?: ResourceType; readonly count?: number; readonly error?: unknown | (() => unknown) }): void {
    const error = options.error;
    this.rules.push({
      verbs: options.verbs,
      kind: options.type?.kind,
      remaining: options.count ?? 1,
      error: typeof error === 'function' ? (error as () => unknown) : () => error ?? new StoreError('InternalError', 'injected fault: the server failed this request'),
    });
  }

  /** Drop the next `count` watch events of a kind (an informer then misses them until a relist). */
  dropWatchEvents(type: ResourceType, count = 1): void {
    this.drops.set(type.kind, (this.drops.get(type.kind) ?? 0) + count);
  }

  /** End every open watch of a kind with Expired (410) and refuse the next resume: informers relist. */
  forceExpired(type: ResourceType): void {
    this.expireNext.add(type.kind);
    this.expire.get(type.kind)?.next();
  }

  /**
   * Deliver watch events of a kind `ms` later than they happen (a lagging cache); 0 turns it off.
   * Order is kept: each watch delivers its events in the order they happened, so an event is
   * never delivered before one that happened earlier, even when the delay is lowered or cleared.
   */
  delayWatch(type: ResourceType, ms: number): void {
    if (ms <= 0) this.delays.delete(type.kind);
    else this.delays.set(type.kind, ms);
  }

  private check(verb: Verb, kind: string): void {
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      if (r.verbs !== undefined && !r.verbs.includes(verb)) continue;
      if (r.kind !== undefined && r.kind !== kind) continue;
      r.remaining--;
      throw r.error();
    }
  }

  private async record<R extends KubeObject | void>(verb: RecordedWrite['verb'], type: ResourceType, name: string, namespace: string | undefined, body: unknown, call: () => Promise<R>): Promise<R> {
    try {
      this.check(verb, type.kind);
      const result = await call();
      this.writes.push({ verb, kind: type.kind, name, namespace, body, result: result === undefined ? undefined : (result as KubeObject) });
      return result;
    } catch (error) {
      this.writes.push({ verb, kind: type.kind, name, namespace, body, error });
      throw error;
    }
  }

  async get<T extends KubeObject>(type: ResourceType<T>, name: string, options?: { namespace?: string | undefined }): Promise<T> {
    this.check('get', type.kind);
    return this.inner.get(type, name, options);
  }
  async list<T extends KubeObject>(type: ResourceType<T>, options?: ClientListOptions): Promise<ListResult<T>> {
    this.check('list', type.kind);
    return this.inner.list(type, options);
  }
  create<T extends KubeObject>(type: ResourceType<T>, object: T, options?: ClientWriteOptions & { namespace?: string }): Promise<T> {
    return this.record('create', type as unknown as ResourceType, object.metadata.name ?? object.metadata.generateName ?? '', object.metadata.namespace ?? options?.namespace, object, () => this.inner.create(type, object, options));
  }
  update<T extends KubeObject>(type: ResourceType<T>, object: T, options?: ClientWriteOptions): Promise<T> {
    return this.record('update', type as unknown as ResourceType, object.metadata.name ?? '', object.metadata.namespace, object, () => this.inner.update(type, object, options));
  }
  updateStatus<T extends KubeObject>(type: ResourceType<T>, object: T, options?: ClientWriteOptions): Promise<T> {
    return this.record('updateStatus', type as unknown as ResourceType, object.metadata.name ?? '', object.metadata.namespace, object, () => this.inner.updateStatus(type, object, options));
  }
  patch<T extends KubeObject>(type: ResourceType<T>, name: string, patch: Patch, options?: ClientWriteOptions & { namespace?: string | undefined; subresource?: 'status' }): Promise<T> {
    return this.record('patch', type as unknown as ResourceType, name, options?.namespace, patch, () => this.inner.patch(type, name, patch, options));
  }
  delete<T extends KubeObject>(type: ResourceType<T>, name: string, options?: DeleteOptions & { namespace?: string | undefined }): Promise<T> {
    return this.record('delete', type as unknown as ResourceType, name, options?.namespace, options, () => this.inner.delete(type, name, options));
  }
  bindPod(ref: ObjectRef & { readonly uid?: string }, nodeName: string): Promise<void> {
    const podType = { kind: 'Pod' } as ResourceType;
    return this.record('bind', podType, ref.name, ref.namespace, nodeName, () => this.inner.bindPod(ref, nodeName));
  }

  watch<T extends KubeObject>(type: ResourceType<T>, options?: ClientWatchOptions): Observable<WatchEvent<T>> {
    const kind = type.kind;
    return new Observable<WatchEvent<T>>((subscriber) => {
      try {
        this.check('watch', kind);
      } catch (err) {
        subscriber.error(err);
        return undefined;
      }
      if (this.expireNext.has(kind) && options?.resourceVersion !== undefined && options.resourceVersion !== '' && options.resourceVersion !== '0') {
        this.expireNext.delete(kind);
        subscriber.error(new StoreError('Expired', `too old resource version: ${options.resourceVersion} (injected)`));
        return undefined;
      }
      let trigger = this.expire.get(kind);
      if (trigger === undefined) {
        trigger = new Subject<void>();
        this.expire.set(kind, trigger);
      }
      // One FIFO per subscriber: an event is due no earlier than the one before it, so lowering
      // or clearing the delay never lets a later event overtake an earlier one.
      const pending: { readonly event: WatchEvent<T>; readonly due: number }[] = [];
      let timer: TimerHandle | undefined;
      const flush = (): void => {
        timer = undefined;
        const now = this.clock.now();
        while (pending.length > 0 && (pending[0] as { due: number }).due <= now) {
          const head = pending.shift() as { event: WatchEvent<T> };
          subscriber.next(head.event);
          if (subscriber.closed) return;
        }
        schedule();
      };
      const schedule = (): void => {
        const head = pending[0];
        if (head === undefined || timer !== undefined) return;
        timer = this.clock.setTimeout(flush, Math.max(0, head.due - this.clock.now()));
      };
      const expireSub: Subscription = trigger.subscribe(() => subscriber.error(new StoreError('Expired', 'too old resource version (injected)')));
      const deliver = (e: WatchEvent<T>): void => {
        const delay = this.delays.get(kind);
        const last = pending[pending.length - 1];
        if (delay === undefined && last === undefined) {
          subscriber.next(e);
          return;
        }
        const due = Math.max(this.clock.now() + (delay ?? 0), last?.due ?? -Infinity);
        pending.push({ event: e, due });
        schedule();
      };
      const sub = this.inner.watch(type, options).subscribe({
        next: (e) => {
          const d = this.drops.get(kind) ?? 0;
          if (d > 0 && e.type !== 'BOOKMARK') {
            this.drops.set(kind, d - 1);
            return;
          }
          deliver(e);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        sub.unsubscribe();
        expireSub.unsubscribe();
        if (timer !== undefined) this.clock.clearTimeout(timer);
        pending.length = 0;
      };
    });
  }
}
