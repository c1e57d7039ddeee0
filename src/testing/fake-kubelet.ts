/**
 * A fake kubelet for controller tests: pods become Running and Ready (or Failed) without a
 * scheduler, nodes or containers, on virtual time.
 *
 * @packageDocumentation
 */
import { rfc3339 } from '../util/time.js';
import { Pod } from '../api/generated/kinds.js';
import type { ContainerStatus, PodCondition, PodStatus } from '../api/generated/types.js';
import { Action, controllerFor, type ControllerDefinition, type ReconcileContext } from '../runtime/controller.js';
import { StoreError } from '../store/errors.js';

/** @public */
export interface FakeKubeletOptions {
  /** Controller name (default `fake-kubelet`). */
  readonly name?: string;
  /** The node pods without `spec.nodeName` are bound to (default `node-1`). */
  readonly nodeName?: string;
  /** Bind unscheduled pods to `nodeName` (default true); false: only bound pods are started. */
  readonly bindUnscheduled?: boolean;
  /** Virtual ms between first seeing a pod (bound) and its start (default 0). */
  readonly startDelayMs?: number;
  /** Pods for which this returns true end `Failed` (exit code 1) instead of Running. */
  readonly fail?: (pod: Pod) => boolean;
  /** Finish graceful deletions at once (delete with grace 0) (default true). */
  readonly completeDeletions?: boolean;
}


/**
 * A fake kubelet, as a controller definition over pods (so the test kit hands it the
 * cluster's client and clock, and `settle()` waits for its delays). For each pod:
 * - being deleted (deletionTimestamp): deleted with `gracePeriodSeconds: 0` (the containers
 *   "stopped"), unless `completeDeletions` is false;
 * - not bound: bound to `nodeName` through the binding subresource (unless
 *   `bindUnscheduled` is false);
 * - bound and Pending, `startDelayMs` after it was first seen: status Running with the
 *   conditions PodScheduled, Initialized, ContainersReady and Ready (True, transition time
 *   now), a running, ready containerStatus per container, pod and host IPs — or, when
 *   `fail(pod)`, phase Failed with terminated containers;
 * - Running, Succeeded or Failed: left alone (tests change those states with `updateStatus`).
 *
 * Limits: no probes, restarts, resources or node objects; writes go through the cluster's
 * controller client (so they are recorded in `cluster.writes` and subject to `failNext`).
 *
 * @example
 * ```ts
 * const cluster = await createTestCluster({ controllers: [replicaSetController, fakeKubelet({ startDelayMs: 2_000 })] });
 * ```
 * @public
 */
export function fakeKubelet(options: FakeKubeletOptions = {}): ControllerDefinition<Pod> {
  const nodeName = options.nodeName ?? 'node-1';
  const delay = options.startDelayMs ?? 0;
  const firstSeen = new Map<string, number>();
  let ip = 0;
  const reconcile = async (ctx: ReconcileContext<Pod>): Promise<Action> => {
    const pod = ctx.object;
    if (pod === undefined) return Action.awaitChange();
    const { client, clock } = ctx;
    const uid = pod.metadata.uid ?? '';
    const ref = { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace };
    try {
      if (pod.metadata.deletionTimestamp !== undefined) {
        firstSeen.delete(uid);
        if (options.completeDeletions !== false && (pod.metadata.deletionGracePeriodSeconds ?? 0) > 0) {
          await client.delete(Pod, ref.name, { namespace: ref.namespace, gracePeriodSeconds: 0, preconditions: { uid } });
        }
        return Action.awaitChange();
      }
      const phase = pod.status?.phase ?? 'Pending';
      if (phase !== 'Pending') return Action.awaitChange();
      if (pod.spec?.nodeName === undefined || pod.spec.nodeName === '') {
        if (options.bindUnscheduled !== false) await client.bindPod({ ...ref, uid }, nodeName);
        return Action.awaitChange();
      }
      const now = clock.now();
      let seen = firstSeen.get(uid);
      if (seen === undefined) {
        seen = now;
        firstSeen.set(uid, seen);
      }
      if (seen + delay > now) return Action.requeueAfter(seen + delay - now);
      const failed = options.fail?.(pod) === true;
      const ts = rfc3339(now);
      const containers = pod.spec.containers;
      const cond = (type: string, status: boolean): PodCondition => ({ type, status: status ? 'True' : 'False', lastTransitionTime: ts });
      const containerStatuses: ContainerStatus[] = containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready: !failed,
        restartCount: 0,
        started: !failed,
        containerID: `fake://${uid}/${c.name}`,
        state: failed ? { terminated: { exitCode: 1, reason: 'Error', startedAt: ts, finishedAt: ts } } : { running: { startedAt: ts } },
      }));
      ip = (ip + 1) % 65_000;
      const status: PodStatus = {
        ...(pod.status ?? {}),
        phase: failed ? 'Failed' : 'Running',
        conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', !failed), cond('Ready', !failed)],
        containerStatuses,
        hostIP: '10.0.0.1',
        hostIPs: [{ ip: '10.0.0.1' }],
        podIP: `10.244.${Math.floor(ip / 250)}.${(ip % 250) + 1}`,
        podIPs: [{ ip: `10.244.${Math.floor(ip / 250)}.${(ip % 250) + 1}` }],
        startTime: ts,
        ...(failed ? { reason: 'Error', message: 'fake kubelet: container exited with code 1' } : {}),
      };
      await client.updateStatus(Pod, { ...pod, status });
      firstSeen.delete(uid);
    } catch (err) {
      // The pod moved on (deleted, bound by someone else, updated): the next event brings it back.
      if (err instanceof StoreError && (err.code === 'NotFound' || err.code === 'Conflict')) return Action.awaitChange();
      throw err;
    }
    return Action.awaitChange();
  };
  return controllerFor(Pod).named(options.name ?? 'fake-kubelet').maxConcurrentReconciles(4).reconcile(reconcile);
}
