/**
 * The node lifecycle controller: watches nodes' Leases, marks silent nodes Unknown, taints them
 * NoExecute, and evicts their pods once the pods' tolerations run out.
 *
 * @packageDocumentation
 */
import { castDraft } from 'immer';
import { Lease, Node, Pod } from '../../api/generated/kinds.js';
import { mutate } from '../../client/client.js';
import { Action, controllerFor, type ControllerDefinition } from '../../runtime/controller.js';
import { StoreError } from '../../store/errors.js';
import { evictionTime, planNodeHealth } from './plan.js';

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
 * the smallest matching `tolerationSeconds` counted from the taint's `timeAdded` (pods get 300 s
 * by default); the taints go when the node reports Ready again.
 *
 * @example
 * ```ts
 * const cluster = await createTestCluster({ controllers: [createNodeLifecycleController()], runnables: kubelets });
 * ```
 * @public
 */
export function createNodeLifecycleController(options: NodeLifecycleOptions = {}): ControllerDefinition<Node> {
  const grace = options.gracePeriodMs ?? 40_000;
  return controllerFor(Node)
    .named(options.name ?? 'nodelifecycle')
    .watches(Lease, (l) => (l.metadata.namespace === 'kube-node-lease' ? [{ name: l.metadata.name ?? '' }] : []))
    .watches(Pod, (p) => (p.spec?.nodeName !== undefined && p.spec.nodeName !== '' ? [{ name: p.spec.nodeName }] : []))
    .reconcile(async ({ object: node, client, clock, cache, recorder }) => {
      if (node === undefined) return Action.awaitChange();
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
      if (plan.taints !== undefined) {
        const taints = plan.taints;
        await mutate(client, Node, { name }, (d) => {
          d.spec = castDraft({ ...(d.spec ?? {}), taints: [...taints] });
          if (taints.length === 0 && d.spec !== undefined) delete d.spec.taints;
        });
      }
      let next = plan.recheckAt;
      const taint = plan.noExecute;
      if (taint !== undefined && options.evict !== false) {
        for (const pod of cache(Pod).list()) {
          if (pod.spec?.nodeName !== name || pod.metadata.deletionTimestamp !== undefined) continue;
          const phase = pod.status?.phase;
          if (phase === 'Succeeded' || phase === 'Failed') continue;
          const at = evictionTime(pod, taint, now);
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

/** The node lifecycle controller with default options. @public */
export const nodeLifecycleController: ControllerDefinition<Node> = createNodeLifecycleController();
