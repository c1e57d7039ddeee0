import type { Pod } from '../api/generated/types.js';
import type { Clock, TimerHandle } from '../runtime/clock-types.js';
import type { ClusterEvent, QueuedPodInfo } from './framework/interfaces.js';
import type { Status } from './framework/status.js';
import { PodInfo } from './framework/types.js';
import { KeyedHeap } from './heap.js';

/** Options of {@link SchedulingQueue}. @public */
export interface SchedulingQueueOptions {
  readonly clock: Clock;
  /** QueueSort: true if `a` goes first. */
  readonly less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  /** PreEnqueue: non-success parks the pod until it is updated. */
  readonly preEnqueue?: (pod: Pod) => Status;
  /** Backoff after the first failure (default 1 s); doubles per attempt. */
  readonly initialBackoffMs?: number;
  /** Backoff cap (default 10 s). */
  readonly maxBackoffMs?: number;
  /** Longest stay in the unschedulable pool before a retry anyway (default 5 min). */
  readonly maxUnschedulableMs?: number;
}

interface Unschedulable {
  readonly qpi: QueuedPodInfo;
  readonly since: number;
}

/**
 * Kubernetes' three-part scheduling queue.
 *
 * - **active**: a heap ordered by the QueueSort plugin (default: priority, then age); `pop`
 *   takes from it.
 * - **backoff**: pods that failed, each until `initial × 2^(attempts−1)` (capped) has passed
 *   since its last attempt, on the Clock; then they move to active by themselves.
 * - **unschedulable**: pods no node fit. A cluster event moves those whose rejecting plugins
 *   care about it (see `EnqueueExtensions`) to backoff (still backing off) or active; pods
 *   that stayed `maxUnschedulableMs` move anyway.
 *
 * Guarantees: a pod is in at most one part; an event that arrives while a pod is being
 * scheduled sends it to backoff rather than unschedulable if it then fails (no lost wake-up);
 * timers exist only while backoff/unschedulable are non-empty, and `close()` clears them.
 *
 * @public
 */
export class SchedulingQueue {
  readonly #clock: Clock;
  readonly #active: KeyedHeap<QueuedPodInfo>;
  readonly #backoff: KeyedHeap<QueuedPodInfo>;
  readonly #unschedulable = new Map<string, Unschedulable>();
  /** Pods parked by PreEnqueue. */
  readonly #gated = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet done (being scheduled or bound). */
  readonly #inFlight = new Set<string>();
  readonly #initial: number;
  readonly #max: number;
  readonly #maxStay: number;
  readonly #preEnqueue: ((pod: Pod) => Status) | undefined;
  #schedulingCycle = 0;
  #moveRequestCycle = -1;
  #backoffTimer: TimerHandle | undefined;
  #backoffTimerAt = Infinity;
  #stayTimer: TimerHandle | undefined;
  #waiters: (() => void)[] = [];
  #closed = false;
  /** nodeName → pods nominated there by preemption. */
  readonly #nominated = new Map<string, Map<string, PodInfo>>();
  readonly #nominatedNode = new Map<string, string>();

  constructor(options: SchedulingQueueOptions) {
    this.#clock = options.clock;
    this.#active = new KeyedHeap((q) => q.podInfo.uid, options.less);
    this.#initial = options.initialBackoffMs ?? 1_000;
    this.#max = options.maxBackoffMs ?? 10_000;
    this.#maxStay = options.maxUnschedulableMs ?? 300_000;
    this.#preEnqueue = options.preEnqueue;
    this.#backoff = new KeyedHeap((q) => q.podInfo.uid, (a, b) => this.#backoffExpiry(a) < this.#backoffExpiry(b));
  }

  /** Sizes of each part (for metrics and tests). */
  stats(): { active: number; backoff: number; unschedulable: number; gated: number; inFlight: number } {
    return { active: this.#active.size, backoff: this.#backoff.size, unschedulable: this.#unschedulable.size, gated: this.#gated.size, inFlight: this.#inFlight.size };
  }

  /** The scheduling cycle counter (incremented by each pop). */
  get schedulingCycle(): number {
    return this.#schedulingCycle;
  }

  has(uid: string): boolean {
    return this.#active.has(uid) || this.#backoff.has(uid) || this.#unschedulable.has(uid) || this.#gated.has(uid);
  }

  #backoffExpiry(q: QueuedPodInfo): number {
    const d = Math.min(this.#max, this.#initial * 2 ** Math.max(0, q.attempts - 1));
    return q.timestamp + d;
  }

  #toActive(qpi: QueuedPodInfo): void {
    if (this.#preEnqueue !== undefined && !this.#preEnqueue(qpi.podInfo.pod).isSuccess()) {
      this.#gated.set(qpi.podInfo.uid, qpi);
      return;
    }
    this.#active.push(qpi);
    const ws = this.#waiters;
    if (ws.length > 0) {
      this.#waiters = [];
      for (const w of ws) w();
    }
  }

  /** A new pending pod. */
  add(pod: Pod): void {
    const info = new PodInfo(pod);
    if (this.#inFlight.has(info.uid) || this.has(info.uid)) {
      this.update(pod);
      return;
    }
    this.#nominateFromStatus(info);
    const now = this.#clock.now();
    this.#toActive({ podInfo: info, initialAttemptTimestamp: now, timestamp: now, attempts: 0, unschedulablePlugins: new Set() });
  }

  /** A pending pod changed: refresh it; an unschedulable or gated pod gets another chance. */
  update(pod: Pod): void {
    const info = new PodInfo(pod);
    const uid = info.uid;
    this.#nominateFromStatus(info);
    const a = this.#active.get(uid);
    if (a !== undefined) {
      this.#active.push({ ...a, podInfo: info });
      return;
    }
    const b = this.#backoff.get(uid);
    if (b !== undefined) {
      this.#backoff.push({ ...b, podInfo: info });
      return;
    }
    const g = this.#gated.get(uid);
    const u = this.#unschedulable.get(uid);
    const prev = g ?? u?.qpi;
    if (prev !== undefined) {
      this.#gated.delete(uid);
      this.#unschedulable.delete(uid);
      const q = { ...prev, podInfo: info };
      if (g === undefined && this.#clock.now() < this.#backoffExpiry(q)) this.#addBackoff(q);
      else this.#toActive(q);
      return;
    }
    if (!this.#inFlight.has(uid)) this.add(pod);
  }

  /** A pending pod was deleted (or got bound by someone else). */
  delete(uid: string): void {
    this.#active.delete(uid);
    this.#backoff.delete(uid);
    this.#unschedulable.delete(uid);
    this.#gated.delete(uid);
    this.deleteNominated(uid);
  }

  /** Take the next pod, if any (it is then in flight until `done`). */
  pop(): QueuedPodInfo | undefined {
    const q = this.#active.pop();
    if (q === undefined) return undefined;
    q.attempts++;
    this.#schedulingCycle++;
    this.#inFlight.add(q.podInfo.uid);
    return q;
  }

  /** Resolves when a pod is available or the queue closes / the signal aborts. */
  waitForPod(signal?: AbortSignal): Promise<void> {
    if (this.#active.size > 0 || this.#closed || signal?.aborted === true) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** The pod's scheduling (and binding) is over. */
  done(uid: string): void {
    this.#inFlight.delete(uid);
  }

  /**
   * A scheduling attempt failed. `unschedulable`: no node fit (park it unless a move request
   * arrived during its cycle); otherwise (errors) back off.
   */
  requeue(qpi: QueuedPodInfo, unschedulable: boolean, cycle: number): void {
    const uid = qpi.podInfo.uid;
    this.#inFlight.delete(uid);
    if (this.has(uid)) return;
    qpi.timestamp = this.#clock.now();
    if (unschedulable && this.#moveRequestCycle < cycle) {
      this.#unschedulable.set(uid, { qpi, since: qpi.timestamp });
      this.#armStayTimer();
    } else {
      this.#addBackoff(qpi);
    }
  }

  #addBackoff(qpi: QueuedPodInfo): void {
    if (this.#clock.now() >= this.#backoffExpiry(qpi)) {
      this.#toActive(qpi);
      return;
    }
    this.#backoff.push(qpi);
    this.#armBackoffTimer();
  }

  #armBackoffTimer(): void {
    const top = this.#backoff.peek();
    if (top === undefined || this.#closed) return;
    const at = this.#backoffExpiry(top);
    if (this.#backoffTimer !== undefined && this.#backoffTimerAt <= at) return;
    if (this.#backoffTimer !== undefined) this.#clock.clearTimeout(this.#backoffTimer);
    this.#backoffTimerAt = at;
    this.#backoffTimer = this.#clock.setTimeout(() => {
      this.#backoffTimer = undefined;
      this.#backoffTimerAt = Infinity;
      this.flushBackoff();
    }, at - this.#clock.now());
  }

  /** When the next backed-off pod becomes schedulable again (undefined when none waits). */
  nextBackoffAt(): number | undefined {
    const top = this.#backoff.peek();
    return top === undefined ? undefined : this.#backoffExpiry(top);
  }

  /** Move pods whose backoff has passed to active. Runs on its own timer; public for tests. */
  flushBackoff(): void {
    const now = this.#clock.now();
    for (let top = this.#backoff.peek(); top !== undefined && this.#backoffExpiry(top) <= now; top = this.#backoff.peek()) {
      this.#backoff.pop();
      this.#toActive(top);
    }
    this.#armBackoffTimer();
  }

  #armStayTimer(): void {
    if (this.#stayTimer !== undefined || this.#closed || this.#unschedulable.size === 0) return;
    let first = Infinity;
    for (const u of this.#unschedulable.values()) if (u.since < first) first = u.since;
    this.#stayTimer = this.#clock.setTimeout(() => {
      this.#stayTimer = undefined;
      this.flushUnschedulable();
    }, Math.max(0, first + this.#maxStay - this.#clock.now()));
  }

  /** Move pods that stayed unschedulable longer than the max stay. Runs on its own timer. */
  flushUnschedulable(): void {
    const now = this.#clock.now();
    const due: QueuedPodInfo[] = [];
    for (const [uid, u] of this.#unschedulable) {
      if (now - u.since >= this.#maxStay) {
        this.#unschedulable.delete(uid);
        due.push(u.qpi);
      }
    }
    for (const q of due) this.#addBackoff(q);
    this.#armStayTimer();
  }

  /**
   * A cluster event happened: move unschedulable pods that a plugin interested in it rejected
   * (`interested(plugin)`; pods with no recorded rejector always move).
   */
  moveOnEvent(event: ClusterEvent, interested: (plugin: string, event: ClusterEvent) => boolean): number {
    this.#moveRequestCycle = this.#schedulingCycle;
    let moved = 0;
    for (const [uid, u] of this.#unschedulable) {
      const ps = u.qpi.unschedulablePlugins;
      let move = ps.size === 0;
      if (!move) for (const p of ps) if (interested(p, event)) (move = true);
      if (!move) continue;
      this.#unschedulable.delete(uid);
      this.#addBackoff(u.qpi);
      moved++;
    }
    if (this.#unschedulable.size === 0 && this.#stayTimer !== undefined) {
      this.#clock.clearTimeout(this.#stayTimer);
      this.#stayTimer = undefined;
    }
    return moved;
  }

  // ---- nominated pods (preemption)

  /**
   * A pending pod that carries `status.nominatedNodeName` (from an earlier preemption, maybe by
   * another scheduler instance) holds its place on that node, as kube-scheduler's nominator
   * takes it from the pod; a pod without one keeps a nomination made in memory.
   */
  #nominateFromStatus(info: PodInfo): void {
    const nominated = info.pod.status?.nominatedNodeName;
    if (nominated !== undefined && nominated !== '' && this.#nominatedNode.get(info.uid) !== nominated) this.addNominated(info, nominated);
    else if (this.#nominatedNode.has(info.uid)) this.#refreshNominated(info);
  }

  /** Keep the nominated pod's info current (its resources or priority may have changed). */
  #refreshNominated(info: PodInfo): void {
    const n = this.#nominatedNode.get(info.uid);
    if (n !== undefined) this.#nominated.get(n)?.set(info.uid, info);
  }

  addNominated(info: PodInfo, nodeName: string): void {
    this.deleteNominated(info.uid);
    let m = this.#nominated.get(nodeName);
    if (m === undefined) this.#nominated.set(nodeName, (m = new Map()));
    m.set(info.uid, info);
    this.#nominatedNode.set(info.uid, nodeName);
  }
  deleteNominated(uid: string): void {
    const n = this.#nominatedNode.get(uid);
    if (n === undefined) return;
    this.#nominatedNode.delete(uid);
    const m = this.#nominated.get(n);
    m?.delete(uid);
    if (m?.size === 0) this.#nominated.delete(n);
  }
  /** Pods nominated to a node (undefined when none: the common, fast case). */
  nominatedOn(nodeName: string): ReadonlyMap<string, PodInfo> | undefined {
    return this.#nominated.size === 0 ? undefined : this.#nominated.get(nodeName);
  }

  /** Stop: clear timers and wake waiters. Idempotent. */
  close(): void {
    this.#closed = true;
    if (this.#backoffTimer !== undefined) this.#clock.clearTimeout(this.#backoffTimer);
    if (this.#stayTimer !== undefined) this.#clock.clearTimeout(this.#stayTimer);
    this.#backoffTimer = undefined;
    this.#stayTimer = undefined;
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }
}
