import { rfc3339 } from '../../util/time.js';
import { Event, Pod, PodDisruptionBudget } from '../../api/generated/kinds.js';
import type { Pod as PodT } from '../../api/generated/types.js';
import { selectorFromLabelSelector } from '../../api/labels.js';
import { mutate } from '../../client/client.js';
import { StoreError } from '../../store/errors.js';
import type { CycleState } from '../framework/cycle-state.js';
import type { Handle, NodeToStatus, ObjectLister, PostFilterPlugin, PostFilterResult } from '../framework/interfaces.js';
import { Status } from '../framework/status.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';
import { isTerminating } from './helpers.js';

/** Args of DefaultPreemption (Kubernetes' DefaultPreemptionArgs). @public */
export interface DefaultPreemptionArgs {
  /** Dry-run at least this percentage of the nodes (default 10). */
  readonly minCandidateNodesPercentage: number;
  /** …and at least this many (default 100). */
  readonly minCandidateNodesAbsolute: number;
}

/** One node where preemption would help, and what it costs. @public */
export interface PreemptionCandidate {
  readonly nodeName: string;
  readonly victims: readonly PodInfo[];
  readonly pdbViolations: number;
}

interface Budget {
  readonly matches: (p: PodInfo) => boolean;
  /** `status.disruptionsAllowed`. */
  readonly allowed: number;
  /** Pods in `status.disruptedPods`: already accounted for by the API server's eviction. */
  readonly disrupted: ReadonlySet<string>;
}

/** The pod condition type and reason Kubernetes sets on preemption victims. */
const DISRUPTION_TARGET = 'DisruptionTarget';
const PREEMPTION_BY_SCHEDULER = 'PreemptionByScheduler';

const isoSeconds = rfc3339;

/**
 * PostFilter: when no node fits, find a node where evicting lower-priority pods makes room,
 * evict the fewest/least important (honouring PodDisruptionBudgets where possible: a victim
 * whose eviction would exceed a budget's `disruptionsAllowed` is reprieved first), and
 * nominate the node (`status.nominatedNodeName`). The pod is retried when the victims are
 * gone.
 *
 * Budgets: a budget's remaining allowance is its `status.disruptionsAllowed` minus the victims
 * already chosen on the node in this cycle that it selects (pods listed in its
 * `status.disruptedPods` are not counted again); a victim that takes an allowance below zero
 * is a PDB violation.
 *
 * Eviction: each victim first gets the `DisruptionTarget=True` condition (reason
 * `PreemptionByScheduler`) and a `Preempted` Event, then is deleted.
 *
 * Node choice (as Kubernetes, {@link pickCandidate}): fewest PDB violations, then lowest
 * highest-victim priority, then smallest sum of victim priorities, then fewest victims, then
 * the latest start of the earliest-started highest-priority victim. Dry runs stop once the
 * candidate limit is reached and at least one candidate violates no budget.
 *
 * Not eligible: `preemptionPolicy: Never`, or lower-priority pods on the nominated node are
 * still terminating because of preemption (wait for them) — unless the filters now find the
 * nominated node UnschedulableAndUnresolvable.
 *
 * @public
 */
export class DefaultPreemption implements PostFilterPlugin {
  static readonly pluginName = 'DefaultPreemption';
  readonly name = DefaultPreemption.pluginName;
  readonly #pdbs: ObjectLister<PodDisruptionBudget>;

  /**
   * @param random - where the dry run starts among the nodes preemption might help (a number
   *   in [0, 1)); Kubernetes starts at a random one so that preemption does not always land on
   *   the first nodes. Tests pass a fixed one.
   */
  constructor(
    private readonly handle: Handle,
    private readonly args: DefaultPreemptionArgs = { minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 },
    private readonly random: () => number = Math.random,
  ) {
    this.#pdbs = handle.lister(PodDisruptionBudget);
  }

  async postFilter(state: CycleState, pod: PodInfo, filtered: NodeToStatus): Promise<PostFilterResult> {
    const total = this.handle.nodes.list().length;
    if (pod.pod.spec?.preemptionPolicy === 'Never') {
      return { status: Status.unresolvable(`preemption: not eligible due to preemptionPolicy=Never.`) };
    }
    const nominated = pod.pod.status?.nominatedNodeName;
    // A nominated node the filters now call unresolvable no longer counts: preempt again.
    if (nominated !== undefined && nominated !== '' && filtered.get(nominated)?.code !== 'UnschedulableAndUnresolvable') {
      const ni = this.handle.nodes.get(nominated);
      if (ni !== undefined && [...ni.pods.values()].some((p) => p.priority < pod.priority && terminatingByPreemption(p.pod))) {
        return { status: Status.unschedulable('preemption: waiting for victims on the nominated node to terminate') };
      }
    }
    const { candidates, reasons } = this.findCandidates(state, pod, filtered);
    if (candidates.length === 0) {
      return { status: Status.unschedulable(`preemption: ${histogram(total, reasons)}`) };
    }
    const best = pickCandidate(candidates);
    await this.#evict(pod, best);
    return { status: Status.success(), nominatedNodeName: best.nodeName };
  }

  /** Dry-run preemption on every node that failed with plain Unschedulable. */
  findCandidates(state: CycleState, pod: PodInfo, filtered: NodeToStatus): { candidates: PreemptionCandidate[]; reasons: Map<string, number> } {
    const reasons = new Map<string, number>();
    const note = (r: string): void => void reasons.set(r, (reasons.get(r) ?? 0) + 1);
    const candidates: PreemptionCandidate[] = [];
    // Only nodes that failed with plain Unschedulable might be helped by evicting pods.
    const potential: NodeInfo[] = [];
    for (const ni of this.handle.nodes.list()) {
      const s = filtered.get(ni.name);
      if (s === undefined || s.code !== 'Unschedulable') note('Preemption is not helpful for scheduling');
      else potential.push(ni);
    }
    if (potential.length === 0) return { candidates, reasons };
    // As Kubernetes: the number of candidates wanted is a share of those nodes (at least the
    // absolute minimum, at most all), and the dry run starts at a random one and wraps around.
    const limit = Math.min(potential.length, Math.max(this.args.minCandidateNodesAbsolute, Math.floor((potential.length * this.args.minCandidateNodesPercentage) / 100)));
    const offset = Math.min(potential.length - 1, Math.floor(this.random() * potential.length));
    const budgets = this.#budgets();
    // Stop dry-running once enough candidates are found *and* one violates no budget.
    let nonViolating = 0;
    for (let i = 0; i < potential.length; i++) {
      if (nonViolating > 0 && candidates.length >= limit) break;
      const ni = potential[(offset + i) % potential.length] as NodeInfo;
      const c = this.#selectVictims(state, pod, ni, budgets);
      if (c === undefined) note('No preemption victims found for incoming pod');
      else {
        candidates.push(c);
        if (c.pdbViolations === 0) nonViolating++;
      }
    }
    return { candidates, reasons };
  }

  #budgets(): Budget[] {
    return this.#pdbs.list().map((pdb) => {
      const sel = selectorFromLabelSelector(pdb.spec?.selector);
      const ns = pdb.metadata.namespace ?? 'default';
      return {
        matches: (p: PodInfo) => p.namespace === ns && !sel.empty && sel.matches(p.labels),
        allowed: pdb.status?.disruptionsAllowed ?? 0,
        disrupted: new Set(Object.keys(pdb.status?.disruptedPods ?? {})),
      };
    });
  }

  #selectVictims(state: CycleState, pod: PodInfo, ni: NodeInfo, budgets: readonly Budget[]): PreemptionCandidate | undefined {
    const node = ni.clone();
    const st = state.clone();
    const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority && !isTerminating(p.pod));
    if (lower.length === 0) return undefined;
    for (const p of lower) {
      node.removePod(p.uid);
      this.handle.runPreFilterExtension('remove', st, pod, p, node);
    }
    if (!this.handle.runFiltersWithNominatedPods(st, pod, node).isSuccess()) return undefined;
    // Most important first: higher priority, then older.
    lower.sort((a, b) => b.priority - a.priority || cmp(startTime(a), startTime(b)));
    // Order the reprieves as Kubernetes does: pods whose eviction would break a budget
    // (counting every lower-priority pod, most important first) are tried first.
    const counts = (p: PodInfo, b: Budget): boolean => b.matches(p) && !b.disrupted.has(p.pod.metadata.name ?? '');
    const projected = budgets.map((b) => b.allowed);
    const violating: PodInfo[] = [];
    const fine: PodInfo[] = [];
    for (const p of lower) {
      let violates = false;
      budgets.forEach((b, i) => {
        if (counts(p, b) && --projected[i]! < 0) violates = true;
      });
      (violates ? violating : fine).push(p);
    }
    // Remaining allowance: disruptionsAllowed minus the victims chosen so far.
    const remaining = budgets.map((b) => b.allowed);
    const victims: PodInfo[] = [];
    let pdbViolations = 0;
    const reprieve = (p: PodInfo): void => {
      node.addPod(p);
      this.handle.runPreFilterExtension('add', st, pod, p, node);
      if (this.handle.runFiltersWithNominatedPods(st, pod, node).isSuccess()) return;
      node.removePod(p.uid);
      this.handle.runPreFilterExtension('remove', st, pod, p, node);
      victims.push(p);
      let violates = false;
      budgets.forEach((b, i) => {
        if (counts(p, b) && --remaining[i]! < 0) violates = true;
      });
      if (violates) pdbViolations++;
    };
    for (const p of violating) reprieve(p);
    for (const p of fine) reprieve(p);
    if (victims.length === 0) return undefined;
    return { nodeName: ni.name, victims, pdbViolations };
  }

  async #evict(preemptor: PodInfo, c: PreemptionCandidate): Promise<void> {
    const client = this.handle.client;
    const schedulerName = preemptor.pod.spec?.schedulerName ?? this.handle.schedulerName;
    const now = isoSeconds(this.handle.clock.now());
    const message = `${schedulerName}: preempting to accommodate a higher priority pod`;
    await Promise.all(
      c.victims.map(async (v) => {
        const ref = { name: v.pod.metadata.name ?? '', namespace: v.namespace };
        try {
          await mutate(
            client,
            Pod,
            ref,
            (draft) => {
              const status = (draft.status ??= {});
              const conds = (status.conditions ??= []);
              const i = conds.findIndex((x) => x.type === DISRUPTION_TARGET);
              const prev = i >= 0 ? conds[i] : undefined;
              if (prev !== undefined && prev.status === 'True' && prev.reason === PREEMPTION_BY_SCHEDULER && prev.message === message) return;
              const next = { type: DISRUPTION_TARGET, status: 'True', reason: PREEMPTION_BY_SCHEDULER, message, lastTransitionTime: prev?.status === 'True' ? prev.lastTransitionTime : now };
              if (i >= 0) conds[i] = next;
              else conds.push(next);
            },
            { subresource: 'status' },
          );
          await client.delete(Pod, ref.name, { namespace: ref.namespace });
        } catch (err) {
          if (!(err instanceof StoreError && err.code === 'NotFound')) throw err;
          return;
        }
        await this.#preemptedEvent(v, preemptor, c.nodeName, schedulerName).catch(() => undefined);
      }),
    );
  }

  async #preemptedEvent(victim: PodInfo, preemptor: PodInfo, nodeName: string, component: string): Promise<void> {
    const m = victim.pod.metadata;
    const now = this.handle.clock.now();
    const ts = isoSeconds(now);
    await this.handle.client.create(Event, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${m.name ?? 'pod'}.preempted.${now.toString(16)}`, namespace: victim.namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: m.name, namespace: victim.namespace, uid: m.uid },
      reason: 'Preempted',
      message: `Preempted by pod ${preemptor.uid} on node ${nodeName}`,
      type: 'Normal',
      source: { component },
      reportingComponent: component,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
    });
  }
}

/** Ascending comparison that is safe for infinities (subtraction is not). */
const cmp = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A pod's `status.startTime` in ms; a pod that has not started (assumed, or bound but not yet
 * running) counts as the newest, as Kubernetes' `GetPodStartTime` treats it as "now".
 */
function startTime(p: PodInfo): number {
  const t = p.pod.status?.startTime;
  const ms = t === undefined ? Number.NaN : Date.parse(t);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/** Kubernetes' `podTerminatingByPreemption`: being deleted with `DisruptionTarget=True`, reason `PreemptionByScheduler`. */
function terminatingByPreemption(p: PodT): boolean {
  if (!isTerminating(p)) return false;
  const c = p.status?.conditions?.find((x) => x.type === DISRUPTION_TARGET);
  return c !== undefined && c.status === 'True' && c.reason === PREEMPTION_BY_SCHEDULER;
}

/** Kubernetes' `GetEarliestPodStartTime`: the earliest start among the highest-priority victims. */
function earliestHighestPriorityStart(c: PreemptionCandidate): number {
  let prio = Number.NEGATIVE_INFINITY;
  let earliest = Number.POSITIVE_INFINITY;
  for (const v of c.victims) {
    if (v.priority > prio) {
      prio = v.priority;
      earliest = startTime(v);
    } else if (v.priority === prio) earliest = Math.min(earliest, startTime(v));
  }
  return earliest;
}

/**
 * Kubernetes' candidate order (`pickOneNodeForPreemption`): fewest PDB violations, then the
 * lowest highest-victim priority, then the smallest sum of victim priorities, then the fewest
 * victims, then the node whose earliest-started highest-priority victim started latest; ties
 * go to the earlier candidate. Exported for tests.
 *
 * @public
 */
export function pickCandidate(cs: readonly PreemptionCandidate[]): PreemptionCandidate {
  const highest = (c: PreemptionCandidate): number => Math.max(...c.victims.map((v) => v.priority));
  const sum = (c: PreemptionCandidate): number => c.victims.reduce((a, v) => a + v.priority + 2147483648, 0);
  return [...cs].sort(
    (a, b) =>
      a.pdbViolations - b.pdbViolations ||
      highest(a) - highest(b) ||
      sum(a) - sum(b) ||
      a.victims.length - b.victims.length ||
      cmp(earliestHighestPriorityStart(b), earliestHighestPriorityStart(a)),
  )[0]!;
}

/** `0/N nodes are available: 3 reason, 2 other.` with reasons sorted as Kubernetes does. @public */
export function histogram(total: number, reasons: ReadonlyMap<string, number>): string {
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${total} nodes are available: ${parts.join(', ')}.`;
}
