/**
 * The node lifecycle controller: watches nodes' Leases, marks silent nodes Unknown, taints them
 * NoExecute, and evicts their pods once the pods' tolerations run out.
 *
 * @packageDocumentation
 */
import { rfc3339 } from '../../util/time.js';
import { castDraft } from 'immer';
import { Lease, Node, Pod } from '../../api/generated/kinds.js';
import type { Pod as PodT, Taint } from '../../api/generated/types.js';
import { mutate, type Client } from '../../client/client.js';
import { Action, controllerFor, type ControllerDefinition } from '../../runtime/controller.js';
import { StoreError } from '../../store/errors.js';
import { evictionTimeForTaints, planNodeHealth } from './plan.js';

/** Options of {@link createNodeLifecycleController}. @public */
export interface NodeLifecycleOptions {
  /** Controller name (default `nodelifecycle`). */
  readonly name?: string;
  /** How long a node may go without renewing its lease (default 40 000 ms, `--node-monitor-grace-period`). */
  readonly gracePeriodMs?: number;
  /** Delete pods from NoExecute-tainted nodes (default true). */
  readonly evict?: boolean;
}

/**
 * Build a node lifecycle controller definition.
 *
 * Behaviour (Kubernetes' node lifecycle controller and taint manager): a node whose Lease in
 * `kube-node-lease` (or Ready heartbeat) is older than the grace period gets all conditions
 * Unknown and the `node.kubernetes.io/unreachable:NoExecute` taint (`not-ready` for Ready=False);
 * pods on a NoExecute-tainted node are deleted at once without a matching toleration, or after
 * the smallest bounded matching `tolerationSeconds` counted from the taint's `timeAdded` (pods get
 * 300 s by default); every NoExecute taint counts, an administrator's too (one without
 * `timeAdded` counts from when this controller first saw it); the controller's taints go when the
 * node reports Ready again. When a node's Ready condition leaves True, its pods' Ready conditions
 * are set False (endpoints stop sending them traffic).
 *
 * @example
 * ```ts
 * const cluster = await createTestCluster({ controllers: [createNodeLifecycleController()], runnables: kubelets });
 * ```
 * @public
 */
export function createNodeLifecycleController(options: NodeLifecycleOptions = {}): ControllerDefinition<Node> {
  const grace = options.gracePeriodMs ?? 40_000;
  // Ready status last acted on per node (Kubernetes' node health map): pods are marked not
  // Ready on the transition away from True only, so a kubelet still writing Ready=True for its
  // pods is not fought over on every status write.
  const observedReady = new Map<string, string>();
  // When a NoExecute taint without `timeAdded` (an administrator's) was first seen, per node.
  const firstSeen = new Map<string, Map<string, number>>();
  return controllerFor(Node)
    .named(options.name ?? 'nodelifecycle')
    .watches(Lease, (l) => (l.metadata.namespace === 'kube-node-lease' ? [{ name: l.metadata.name ?? '' }] : []))
    .watches(Pod, (p) => (p.spec?.nodeName !== undefined && p.spec.nodeName !== '' ? [{ name: p.spec.nodeName }] : []))
    .reconcile(async ({ object: node, request, client, clock, cache, recorder }) => {
      if (node === undefined) {
        observedReady.delete(request.name);
        firstSeen.delete(request.name);
        return Action.awaitChange();
      }
      const name = node.metadata.name ?? '';
      const now = clock.now();
      const lease = cache(Lease).getByName('kube-node-lease', name);
      const plan = planNodeHealth(node, lease, now, { gracePeriodMs: grace });
      if (plan.conditions !== undefined) {
        const conditions = plan.conditions;
        await mutate(client, Node, { name }, (d) => {
          d.status = castDraft({ ...(d.status ?? {}), conditions });
        }, { subresource: 'status' });
        recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
      const readyNow = (plan.conditions ?? node.status?.conditions ?? []).find((c) => c.type === 'Ready')?.status ?? 'Unknown';
      const readyBefore = observedReady.get(name);
      if (readyNow !== 'True' && (readyBefore === 'True' || plan.conditions !== undefined)) {
        await markPodsNotReady(client, cache(Pod).list().filter((p) => p.spec?.nodeName === name), now);
        recorder.event(node, 'Normal', 'MarkPodsNotReady', `Marked the pods of node ${name} not ready`);
      }
      observedReady.set(name, readyNow);
      if (plan.taints !== undefined) {
        const taints = plan.taints;
        await mutate(client, Node, { name }, (d) => {
          d.spec = castDraft({ ...(d.spec ?? {}), taints: [...taints] });
          if (taints.length === 0 && d.spec !== undefined) delete d.spec.taints;
        });
      }
      let next = plan.recheckAt;
      const noExecute = (plan.taints ?? node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
      const seen = firstSeen.get(name) ?? new Map<string, number>();
      const taintKey = (t: Taint): string => `${t.key}\u0000${t.value ?? ''}`;
      for (const k of [...seen.keys()]) if (!noExecute.some((t) => taintKey(t) === k)) seen.delete(k);
      for (const t of noExecute) if ((t.timeAdded ?? '') === '' && !seen.has(taintKey(t))) seen.set(taintKey(t), now);
      if (seen.size > 0) firstSeen.set(name, seen);
      else firstSeen.delete(name);
      if (noExecute.length > 0 && options.evict !== false) {
        for (const pod of cache(Pod).list()) {
          if (pod.spec?.nodeName !== name || pod.metadata.deletionTimestamp !== undefined) continue;
          const phase = pod.status?.phase;
          if (phase === 'Succeeded' || phase === 'Failed') continue;
          const at = evictionTimeForTaints(pod, noExecute, now, (t) => seen.get(taintKey(t)));
          if (at === undefined) continue;
          if (at > now) {
            next = next === undefined ? at : Math.min(next, at);
            continue;
          }
          recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`);
          try {
            await client.delete(Pod, pod.metadata.name ?? '', { namespace: pod.metadata.namespace ?? 'default', preconditions: { uid: pod.metadata.uid ?? '' } });
          } catch (err) {
            if (!(err instanceof StoreError && (err.code === 'NotFound' || err.code === 'Conflict'))) throw err;
          }
        }
      }
      return next === undefined ? Action.awaitChange() : Action.requeueAfter(Math.max(0, next - now));
    });
}

/**
 * Set `Ready=False` on each of `pods` whose Ready condition is True (Kubernetes'
 * `MarkPodsNotReady`): a pod on a node that stopped reporting must stop receiving traffic.
 * Pods gone meanwhile are skipped.
 */
async function markPodsNotReady(client: Client, pods: readonly PodT[], now: number): Promise<void> {
  const when = rfc3339(now);
  for (const pod of pods) {
    if (!(pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) continue;
    try {
      await mutate(client, Pod, { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default' }, (d) => {
        if (d.metadata.uid !== pod.metadata.uid) return;
        for (const c of d.status?.conditions ?? []) {
          if (c.type !== 'Ready' || c.status !== 'True') continue;
          c.status = 'False';
          c.lastTransitionTime = when;
          delete c.reason;
          delete c.message;
        }
      }, { subresource: 'status' });
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'NotFound')) throw err;
    }
  }
}

/** The node lifecycle controller with default options. @public */
export const nodeLifecycleController: ControllerDefinition<Node> = createNodeLifecycleController();
