/**
 * The closed set of outcomes a plugin reports, and what the scheduler does with each:
 *
 * - `Success`: go on to the next plugin / extension point.
 * - `Error`: something broke (not the pod's fault). The cycle stops; the pod goes to the
 *   backoff queue and is retried after its backoff, whatever the cluster does.
 * - `Unschedulable`: this node does not fit now, but preemption or a cluster change might
 *   help. From Filter: the node is out, PostFilter (preemption) may evict pods there. If no
 *   node fits, the pod goes to the unschedulable queue until a relevant cluster event (or the
 *   max stay) moves it back. From Permit/Reserve/PreBind: the pod is unreserved and requeued
 *   the same way.
 * - `UnschedulableAndUnresolvable`: like Unschedulable, but preemption cannot help on this
 *   node (it is skipped by PostFilter). The queue treats it as Unschedulable.
 * - `Wait`: only from Permit: hold the pod (still reserved) until a plugin allows or rejects
 *   it, or the timeout rejects it.
 * - `Skip`: from PreFilter / PreScore: this plugin has nothing to do for this pod, its
 *   Filter / Score is not called. From Bind: let the next binder bind.
 *
 * @public
 */
export type StatusCode = 'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Wait' | 'Skip';

/**
 * The result of a plugin call: a {@link StatusCode}, human-readable reasons (what the
 * FailedScheduling message aggregates, e.g. `Insufficient cpu`), the plugin that reported it,
 * and for `Error` the cause.
 *
 * Guarantees: immutable; `Status.success()` is a shared instance (cheap on the hot path).
 *
 * @example
 * ```ts
 * return node.labels['zone'] === 'a' ? Status.success() : Status.unschedulable('node(s) not in zone a');
 * ```
 * @public
 */
export class Status {
  private static readonly SUCCESS = new Status('Success', []);
  private static readonly SKIP = new Status('Skip', []);

  private constructor(
    readonly code: StatusCode,
    readonly reasons: readonly string[],
    readonly plugin?: string,
    readonly cause?: unknown,
  ) {
    Object.freeze(this);
  }

  static success(): Status {
    return Status.SUCCESS;
  }
  static skip(): Status {
    return Status.SKIP;
  }
  static wait(reason = 'waiting'): Status {
    return new Status('Wait', [reason]);
  }
  static unschedulable(...reasons: string[]): Status {
    return new Status('Unschedulable', reasons);
  }
  static unresolvable(...reasons: string[]): Status {
    return new Status('UnschedulableAndUnresolvable', reasons);
  }
  static error(cause: unknown, reason?: string): Status {
    return new Status('Error', [reason ?? (cause instanceof Error ? cause.message : String(cause))], undefined, cause);
  }
  /** Any code with reasons. */
  static of(code: StatusCode, ...reasons: string[]): Status {
    return code === 'Success' && reasons.length === 0 ? Status.SUCCESS : new Status(code, reasons);
  }

  /** The same status attributed to `plugin` (kept if already set). */
  withPlugin(plugin: string): Status {
    if (this.code === 'Success' || this.code === 'Skip' || this.plugin !== undefined) return this;
    return new Status(this.code, this.reasons, plugin, this.cause);
  }

  isSuccess(): boolean {
    return this.code === 'Success';
  }
  /** Unschedulable or UnschedulableAndUnresolvable. */
  isRejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable';
  }
  /** The reasons joined with ", ". */
  message(): string {
    return this.reasons.join(', ');
  }
}
