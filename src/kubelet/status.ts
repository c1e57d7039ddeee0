import { constants as osConstants } from 'node:os';
import type { ContainerState, ContainerStateTerminated, ContainerStatus, Pod, PodCondition, PodStatus } from '../api/generated/types.js';
import { qosClass } from './admission.js';
import { rfc3339 } from './errors.js';

/** What the kubelet knows of one container instance (from the runtime's status and events). @public */
export interface ContainerRecord {
  readonly id: string;
  readonly attempt: number;
  readonly imageRef: string;
  state: 'created' | 'running' | 'exited' | 'unknown';
  startedAt?: number | undefined;
  finishedAt?: number | undefined;
  exitCode?: number | undefined;
  reason?: string | undefined;
  message?: string | undefined;
  signal?: string | undefined;
}

/** The kubelet's view of one container of a pod, from which its status is built. @public */
export interface ContainerView {
  readonly name: string;
  readonly image: string;
  /** The newest instance. */
  readonly current?: ContainerRecord | undefined;
  /** The instance before it, when one exited. */
  readonly previous?: ContainerRecord | undefined;
  readonly restartCount: number;
  /** A waiting reason that overrides the instance's state (CrashLoopBackOff, ErrImagePull, …). */
  readonly waiting?: { readonly reason: string; readonly message?: string | undefined } | undefined;
  readonly ready: boolean;
  readonly started: boolean;
  /** An init container with `restartPolicy: Always` (a sidecar). */
  readonly sidecar?: boolean;
}

/** The kubelet's view of a pod, from which {@link buildPodStatus} builds `status`. @public */
export interface PodView {
  readonly pod: Pod;
  readonly runtimeName: string;
  readonly hostIP: string;
  readonly podIP?: string | undefined;
  readonly startTime?: number | undefined;
  readonly sandboxReady: boolean;
  readonly init: readonly ContainerView[];
  readonly app: readonly ContainerView[];
  /** A phase decided by the kubelet itself (rejected, deadline exceeded, evicted). */
  readonly terminal?: { readonly phase: 'Failed' | 'Succeeded'; readonly reason?: string | undefined; readonly message?: string | undefined } | undefined;
}

/**
 * The phase of a pod from its containers, as Kubernetes' kubelet computes it (`getPhase`):
 * init containers still to succeed → Pending (Failed if one failed under `restartPolicy: Never`);
 * any app container waiting for its first run → Pending; any running → Running; all stopped →
 * Running under `Always`, Succeeded if all exited 0, else Running under `OnFailure` and Failed
 * under `Never`.
 * @public
 */
export function podPhase(view: PodView): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  if (view.terminal !== undefined) return view.terminal.phase;
  const policy = view.pod.spec?.restartPolicy ?? 'Always';
  let pendingInit = false;
  for (const c of view.init) {
    if (c.sidecar === true) {
      if (c.current?.state !== 'running' || !c.started) pendingInit = pendingInit || c.current === undefined;
      continue;
    }
    const cur = c.current;
    if (cur?.state === 'exited' && cur.exitCode === 0) continue;
    if (cur?.state === 'exited' && policy === 'Never') return 'Failed';
    pendingInit = true;
  }
  if (pendingInit) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of view.app) {
    const cur = c.current;
    if (cur?.state === 'running') running++;
    else if (cur?.state === 'exited') {
      stopped++;
      if (cur.exitCode === 0) succeeded++;
    } else if (c.previous?.state === 'exited') {
      stopped++;
      if (c.previous.exitCode === 0) succeeded++;
    } else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (succeeded === stopped) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function signalNumber(signal: string | undefined): number | undefined {
  if (signal === undefined) return undefined;
  return (osConstants.signals as Readonly<Record<string, number>>)[signal];
}

function terminated(r: ContainerRecord, runtimeName: string): ContainerStateTerminated {
  const signal = signalNumber(r.signal);
  return {
    exitCode: r.exitCode ?? 0,
    ...(signal !== undefined ? { signal } : {}),
    reason: r.reason ?? (r.exitCode === 0 ? 'Completed' : 'Error'),
    ...(r.message !== undefined && r.message !== '' ? { message: r.message } : {}),
    ...(r.startedAt !== undefined ? { startedAt: rfc3339(r.startedAt) } : {}),
    ...(r.finishedAt !== undefined ? { finishedAt: rfc3339(r.finishedAt) } : {}),
    containerID: `${runtimeName}://${r.id}`,
  };
}

function containerStatus(c: ContainerView, runtimeName: string, defaultWaiting: string): ContainerStatus {
  const cur = c.current;
  let state: ContainerState;
  let last: ContainerState = {};
  if (c.waiting !== undefined) {
    state = { waiting: { reason: c.waiting.reason, ...(c.waiting.message !== undefined ? { message: c.waiting.message } : {}) } };
    if (cur?.state === 'exited') last = { terminated: terminated(cur, runtimeName) };
    else if (c.previous !== undefined) last = { terminated: terminated(c.previous, runtimeName) };
  } else if (cur?.state === 'running') {
    state = { running: { ...(cur.startedAt !== undefined ? { startedAt: rfc3339(cur.startedAt) } : {}) } };
    if (c.previous !== undefined) last = { terminated: terminated(c.previous, runtimeName) };
  } else if (cur?.state === 'exited') {
    state = { terminated: terminated(cur, runtimeName) };
    if (c.previous !== undefined) last = { terminated: terminated(c.previous, runtimeName) };
  } else {
    state = { waiting: { reason: defaultWaiting } };
    if (c.previous !== undefined) last = { terminated: terminated(c.previous, runtimeName) };
  }
  const running = cur?.state === 'running';
  return {
    name: c.name,
    state,
    lastState: last,
    ready: running && c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: cur?.imageRef ?? '',
    ...(cur !== undefined ? { containerID: `${runtimeName}://${cur.id}` } : {}),
    started: running && c.started,
  };
}

function condition(type: string, ok: boolean, previous: readonly PodCondition[], now: number, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = previous.find((c) => c.type === type);
  const since = prev !== undefined && prev.status === status && prev.lastTransitionTime !== undefined ? prev.lastTransitionTime : rfc3339(now);
  return {
    type,
    status,
    lastTransitionTime: since,
    ...(!ok && reason !== undefined ? { reason } : {}),
    ...(!ok && message !== undefined ? { message } : {}),
  };
}

/** The pod condition types the kubelet owns and recomputes on every write. @public */
export const KUBELET_CONDITION_TYPES: readonly string[] = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'];

/**
 * Build a pod's status from the kubelet's view, as the kubelet's status manager does: phase,
 * conditions (PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled —
 * `lastTransitionTime` kept while a condition's status does not change), container statuses
 * (waiting / running / terminated with reasons, `lastState`, `restartCount`, `ready`,
 * `started`; app containers sorted by name, init containers in spec order), IPs, `startTime`
 * and `qosClass`.
 *
 * Conditions the kubelet does not own (readiness gates, `DisruptionTarget`, …) are taken from
 * the current pod object (`view.pod.status`) and kept on every write; readiness gates are
 * evaluated against them. `previous` (the kubelet's last written status) only supplies the
 * kubelet's own conditions' transition times.
 *
 * Pure: the same view, previous status and time give the same status.
 * @public
 */
export function buildPodStatus(view: PodView, previous: PodStatus | undefined, now: number): PodStatus {
  const prevConds = previous?.conditions ?? [];
  const serverConds = view.pod.status?.conditions ?? [];
  const foreign = serverConds.filter((c) => !KUBELET_CONDITION_TYPES.includes(c.type));
  const phase = podPhase(view);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const initDone = view.init.every((c) => (c.sidecar === true ? c.current?.state === 'running' || terminal : c.current?.state === 'exited' && c.current.exitCode === 0));
  const incomplete = view.init.filter((c) => !(c.current?.state === 'exited' && c.current.exitCode === 0) && c.sidecar !== true).map((c) => c.name);
  const unready = view.app.filter((c) => !(c.current?.state === 'running' && c.ready)).map((c) => c.name);
  const containersReady = unready.length === 0 && !terminal;
  const gates = view.pod.spec?.readinessGates ?? [];
  const gateProblem = gates
    .map((g) => {
      const c = foreign.find((x) => x.type === g.conditionType);
      if (c === undefined) return `corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`;
      if (c.status !== 'True') return `the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`;
      return undefined;
    })
    .filter((m): m is string => m !== undefined);
  const gatesPass = gateProblem.length === 0;
  const readyReason = terminal && phase === 'Succeeded' ? 'PodCompleted' : containersReady && !gatesPass ? 'ReadinessGatesNotReady' : 'ContainersNotReady';
  const readyMessage = containersReady && !gatesPass ? gateProblem.join(', ') : `containers with unready status: [${unready.join(' ')}]`;
  // Transition times come from the newest known value of each kubelet condition: the server's
  // copy when it differs from what the kubelet last wrote (another writer, e.g. the node
  // lifecycle controller marking the pod not Ready), else the kubelet's own.
  const ownPrev = KUBELET_CONDITION_TYPES.map((type) => serverConds.find((c) => c.type === type) ?? prevConds.find((c) => c.type === type)).filter((c): c is PodCondition => c !== undefined);
  const conditions: PodCondition[] = [
    condition('PodReadyToStartContainers', view.sandboxReady && view.podIP !== undefined, ownPrev, now),
    condition('Initialized', initDone || (terminal && view.init.length === 0), ownPrev, now, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    condition('Ready', containersReady && gatesPass, ownPrev, now, readyReason, terminal && phase === 'Succeeded' ? undefined : readyMessage),
    condition('ContainersReady', containersReady, ownPrev, now, terminal && phase === 'Succeeded' ? 'PodCompleted' : 'ContainersNotReady', terminal && phase === 'Succeeded' ? undefined : `containers with unready status: [${unready.join(' ')}]`),
  ];
  const scheduled = foreign.find((c) => c.type === 'PodScheduled') ?? prevConds.find((c) => c.type === 'PodScheduled');
  conditions.push(scheduled ?? { type: 'PodScheduled', status: 'True', lastTransitionTime: rfc3339(view.startTime ?? now) });
  for (const c of foreign) if (!conditions.some((x) => x.type === c.type)) conditions.push(c);
  const initWaiting = initDone ? 'ContainerCreating' : 'PodInitializing';
  const status: PodStatus = {
    phase,
    conditions,
    ...(view.terminal?.reason !== undefined ? { reason: view.terminal.reason } : {}),
    ...(view.terminal?.message !== undefined ? { message: view.terminal.message } : {}),
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    ...(view.podIP !== undefined ? { podIP: view.podIP, podIPs: [{ ip: view.podIP }] } : {}),
    ...(view.startTime !== undefined ? { startTime: rfc3339(view.startTime) } : {}),
    ...(view.init.length > 0 ? { initContainerStatuses: view.init.map((c) => containerStatus(c, view.runtimeName, 'PodInitializing')) } : {}),
    containerStatuses: [...view.app].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((c) => containerStatus(c, view.runtimeName, initWaiting)),
    qosClass: previous?.qosClass ?? qosClass(view.pod),
  };
  return status;
}

/** Whether two statuses are the same (JSON-equal). @internal */
export function sameStatus(a: PodStatus | undefined, b: PodStatus | undefined): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}
