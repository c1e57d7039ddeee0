import test from 'ava';
import { lastValueFrom, toArray } from 'rxjs';
import { ConfigMap, Pod } from '../../src/api/generated/kinds.js';
import type { ContainerEvent } from '../../src/kubelet/runtime/types.js';
import { condition, kubeletCluster, pod, START } from './helpers.js';

function starts(events: ContainerEvent[], name = 'app'): number[] {
  return events.filter((e) => e.type === 'started' && e.name === name).map((e) => (e.at - START) / 1000);
}

test('a crash-looping container restarts at once, then after 10, 20, 40, 80, 160 and 300 s, waiting in CrashLoopBackOff', async (t) => {
  const k = await kubeletCluster();
  const events: ContainerEvent[] = [];
  k.runtime.events$.subscribe((e) => events.push(e));
  await k.cluster.admin.create(Pod, pod('crash', { simulate: { crashLoop: true, exitCode: 2 } }));
  await k.cluster.settle({ advance: false });
  let p = await k.get('crash');
  const cs = p.status?.containerStatuses?.[0];
  t.is(cs?.state?.waiting?.reason, 'CrashLoopBackOff');
  t.regex(cs?.state?.waiting?.message ?? '', /^back-off 10s restarting failed container=app pod=crash_default\(/);
  t.is(cs?.lastState?.terminated?.exitCode, 2);
  t.is(cs?.lastState?.terminated?.reason, 'Error');
  t.is(cs?.restartCount, 1);
  t.is(p.status?.phase, 'Running');
  t.is(condition(p, 'Ready'), 'False');
  await k.cluster.settle({ maxAdvanceMs: 700_000 });
  const s = starts(events);
  const gaps = s.slice(1).map((x, i) => x - s[i]);
  t.deepEqual(gaps.slice(0, 8), [0, 10, 20, 40, 80, 160, 300, 300].slice(0, gaps.length));
  t.true(gaps.length >= 7);
  p = await k.get('crash');
  t.is(p.status?.containerStatuses?.[0]?.restartCount, s.length - 1);
  await k.cluster.stop();
});

test('the back-off is reset after a container ran for 10 minutes', async (t) => {
  const k = await kubeletCluster();
  const events: ContainerEvent[] = [];
  k.runtime.events$.subscribe((e) => events.push(e));
  await k.cluster.admin.create(Pod, pod('long', { simulate: { exitAfterSeconds: 700, exitCode: 1 } }));
  for (let i = 0; i < 3; i++) await k.cluster.advance(700_000, { advance: false });
  const s = starts(events);
  // each instance ran 700 s > 10 min, so every restart is immediate
  t.deepEqual(s.slice(0, 4), [0, 700, 1400, 2100]);
  await k.cluster.stop();
});

test('restartPolicy OnFailure restarts a failed container and a pod whose containers exit 0 Succeeds', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(Pod, pod('ok', { restartPolicy: 'OnFailure', simulate: { exitAfterSeconds: 5, exitCode: 0 } }));
  await k.cluster.admin.create(Pod, pod('fails', { restartPolicy: 'OnFailure', simulate: { exitAfterSeconds: 5, exitCode: 1 } }));
  await k.cluster.advance(5_000, { advance: false });
  const ok = await k.get('ok');
  t.is(ok.status?.phase, 'Succeeded');
  t.is(ok.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  t.is(condition(ok, 'Ready'), 'False');
  t.is(ok.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  const fails = await k.get('fails');
  t.is(fails.status?.phase, 'Running');
  t.is(fails.status?.containerStatuses?.[0]?.restartCount, 1);
  await k.cluster.stop();
});

test('restartPolicy Never leaves a failed container terminated and the pod Failed', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(Pod, pod('once', { restartPolicy: 'Never', simulate: { exitAfterSeconds: 3, exitCode: 7 } }));
  await k.cluster.advance(3_000);
  const p = await k.get('once');
  t.is(p.status?.phase, 'Failed');
  t.is(p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 7);
  t.is(p.status?.containerStatuses?.[0]?.restartCount, 0);
  await k.cluster.stop();
});

test('init containers run one at a time, in order, each to completion, before the app containers', async (t) => {
  const k = await kubeletCluster({ behaviours: { 'init:v1': { exitAfterSeconds: 5 } } });
  const events: ContainerEvent[] = [];
  k.runtime.events$.subscribe((e) => events.push(e));
  await k.cluster.admin.create(Pod, pod('with-init', { initContainers: [{ name: 'first', image: 'init:v1' }, { name: 'second', image: 'init:v1' }] }));
  await k.cluster.settle({ advance: false });
  let p = await k.get('with-init');
  t.is(p.status?.phase, 'Pending');
  t.is(condition(p, 'Initialized'), 'False');
  t.is(p.status?.conditions?.find((c) => c.type === 'Initialized')?.message, 'containers with incomplete status: [first second]');
  t.is(p.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
  t.is(p.status?.initContainerStatuses?.[1]?.state?.waiting?.reason, 'PodInitializing');
  await k.cluster.advance(5_000, { advance: false });
  await k.cluster.advance(5_000, { advance: false });
  p = await k.get('with-init');
  t.deepEqual(
    events.filter((e) => e.type === 'started' || e.type === 'exited').map((e) => `${e.type} ${e.name} @${(e.at - START) / 1000}`),
    ['started first @0', 'exited first @5', 'started second @5', 'exited second @10', 'started app @10'],
  );
  t.is(p.status?.phase, 'Running');
  t.is(condition(p, 'Initialized'), 'True');
  t.is(p.status?.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  await k.cluster.stop();
});

test('a failed init container under restartPolicy Never fails the pod without starting the app', async (t) => {
  const k = await kubeletCluster({ behaviours: { 'bad:v1': { exitAfterSeconds: 1, exitCode: 3 } } });
  await k.cluster.admin.create(Pod, pod('bad-init', { restartPolicy: 'Never', initContainers: [{ name: 'setup', image: 'bad:v1' }] }));
  await k.cluster.advance(1_000);
  const p = await k.get('bad-init');
  t.is(p.status?.phase, 'Failed');
  t.is(p.status?.containerStatuses?.[0]?.state?.terminated, undefined);
  t.is(p.status?.containerStatuses?.[0]?.state?.running, undefined);
  await k.cluster.stop();
});

test('readiness follows the readiness probe and its thresholds', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(
    Pod,
    pod('probed', {
      simulate: { probes: { readiness: { failUntilSeconds: 25 } } },
      containers: [{ readinessProbe: { httpGet: { port: 80, path: '/' }, periodSeconds: 10, successThreshold: 2, failureThreshold: 1 } }],
    }),
  );
  await k.cluster.settle({ advance: false });
  let p = await k.get('probed');
  t.is(condition(p, 'Ready'), 'False');
  t.is(p.status?.containerStatuses?.[0]?.ready, false);
  await k.cluster.advance(30_000, { advance: false }); // success at 30 (1 of 2)
  p = await k.get('probed');
  t.is(condition(p, 'Ready'), 'False');
  await k.cluster.advance(10_000, { advance: false }); // second success at 40
  p = await k.get('probed');
  t.is(condition(p, 'Ready'), 'True');
  t.is(condition(p, 'ContainersReady'), 'True');
  await k.cluster.stop();
});

test('a container whose liveness probe fails failureThreshold times is killed and restarted', async (t) => {
  const k = await kubeletCluster();
  const events: ContainerEvent[] = [];
  k.runtime.events$.subscribe((e) => events.push(e));
  await k.cluster.admin.create(
    Pod,
    pod('sick', {
      simulate: { probes: { liveness: { failFromSeconds: 25 } } },
      containers: [{ livenessProbe: { exec: { command: ['true'] }, periodSeconds: 10, failureThreshold: 3 } }],
    }),
  );
  await k.cluster.settle({ advance: false });
  await k.cluster.advance(40_000, { advance: false }); // failures at 30, 40
  t.is(starts(events).length, 1);
  await k.cluster.advance(10_000, { advance: false }); // third failure at 50
  await k.cluster.settle({ advance: false });
  t.deepEqual(starts(events), [0, 50]);
  const p = await k.get('sick');
  t.is(p.status?.containerStatuses?.[0]?.restartCount, 1);
  t.truthy(k.cluster.events.find((e) => e.reason === 'Killing' && /failed liveness probe/.test(e.message)));
  await k.cluster.stop();
});

test('a startup probe holds back liveness and readiness until it succeeds', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(
    Pod,
    pod('slow', {
      simulate: { probes: { startup: { failUntilSeconds: 15 }, liveness: { failUntilSeconds: 15 } } },
      containers: [{ startupProbe: { exec: { command: ['x'] }, periodSeconds: 10, failureThreshold: 5 }, livenessProbe: { exec: { command: ['x'] }, periodSeconds: 5, failureThreshold: 1 } }],
    }),
  );
  await k.cluster.advance(10_000, { advance: false });
  let p = await k.get('slow');
  t.is(p.status?.containerStatuses?.[0]?.started, false);
  await k.cluster.advance(10_000, { advance: false }); // startup succeeds at 20
  p = await k.get('slow');
  t.is(p.status?.containerStatuses?.[0]?.started, true);
  t.is(p.status?.containerStatuses?.[0]?.restartCount, 0);
  t.is(condition(p, 'Ready'), 'True');
  await k.cluster.stop();
});

test('a pod past activeDeadlineSeconds is killed and Failed with reason DeadlineExceeded', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(Pod, pod('deadline', { activeDeadlineSeconds: 30, terminationGracePeriodSeconds: 0 }));
  await k.cluster.settle({ maxAdvanceMs: 60_000 });
  const p = await k.get('deadline');
  t.is(p.status?.phase, 'Failed');
  t.is(p.status?.reason, 'DeadlineExceeded');
  t.is(p.status?.message, 'Pod was active on the node longer than the specified deadline');
  t.truthy(p.status?.containerStatuses?.[0]?.state?.terminated);
  await k.cluster.stop();
});

test('deleting a pod stops its containers within the grace period, then the kubelet removes the object', async (t) => {
  const k = await kubeletCluster();
  const events: ContainerEvent[] = [];
  k.runtime.events$.subscribe((e) => events.push(e));
  await k.cluster.admin.create(Pod, pod('polite', { terminationGracePeriodSeconds: 30, simulate: { stopDelaySeconds: 5 } }));
  await k.cluster.admin.create(Pod, pod('stubborn', { terminationGracePeriodSeconds: 10, simulate: { stopDelaySeconds: 60 } }));
  await k.cluster.settle();
  await k.cluster.admin.delete(Pod, 'polite', { namespace: 'default' });
  await k.cluster.admin.delete(Pod, 'stubborn', { namespace: 'default' });
  t.truthy((await k.get('polite')).metadata.deletionTimestamp);
  await k.cluster.settle({ maxAdvanceMs: 60_000 });
  const exits = events.filter((e) => e.type === 'exited').map((e) => e.type === 'exited' ? `${e.exitCode} @${(e.at - START) / 1000}` : '');
  t.deepEqual(exits.sort(), ['0 @5', '137 @10']);
  await t.throwsAsync(() => k.get('polite'), { code: 'NotFound' } as never);
  await t.throwsAsync(() => k.get('stubborn'), { code: 'NotFound' } as never);
  t.is(k.kubelet.podCount, 0);
  await k.cluster.stop();
});

test('a preStop hook runs before SIGTERM and its time counts against the grace period', async (t) => {
  const k = await kubeletCluster();
  const events: ContainerEvent[] = [];
  k.runtime.events$.subscribe((e) => events.push(e));
  await k.cluster.admin.create(Pod, pod('hooked', { terminationGracePeriodSeconds: 10, simulate: { stopDelaySeconds: 20 }, containers: [{ lifecycle: { preStop: { sleep: { seconds: 4 } } } }] }));
  await k.cluster.settle();
  await k.cluster.admin.delete(Pod, 'hooked', { namespace: 'default' });
  await k.cluster.settle({ maxAdvanceMs: 60_000 });
  const exit = events.find((e) => e.type === 'exited');
  t.is(exit?.type === 'exited' ? exit.exitCode : -1, 137);
  t.is(((exit?.at ?? 0) - START) / 1000, 10); // 4 s hook + 6 s left of SIGTERM grace, then SIGKILL
  await k.cluster.stop();
});

test('a pod that does not fit the node allocatable is rejected with OutOfcpu', async (t) => {
  const k = await kubeletCluster({ kubelet: { capacity: { cpu: '1', memory: '1Gi', pods: '110' } } });
  await k.cluster.admin.create(Pod, pod('big', { containers: [{ resources: { requests: { cpu: '800m' } } }] }));
  await k.cluster.settle();
  await k.cluster.admin.create(Pod, pod('bigger', { containers: [{ resources: { requests: { cpu: '500m' } } }] }));
  await k.cluster.admin.create(Pod, pod('hungry', { containers: [{ resources: { requests: { memory: '2Gi' } } }] }));
  await k.cluster.settle();
  const p = await k.get('bigger');
  t.is(p.status?.phase, 'Failed');
  t.is(p.status?.reason, 'OutOfcpu');
  t.is(p.status?.message, "Pod was rejected: Node didn't have enough resource: cpu, requested: 500, used: 800, capacity: 1000");
  t.is((await k.get('hungry')).status?.reason, 'OutOfmemory');
  t.is((await k.get('big')).status?.phase, 'Running');
  await k.cluster.stop();
});

test('a missing ConfigMap keeps the container waiting with CreateContainerConfigError until it exists', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(Pod, pod('needs-cm', { containers: [{ env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }] }] }));
  await k.cluster.settle({ advance: false });
  let p = await k.get('needs-cm');
  t.is(p.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'CreateContainerConfigError');
  t.regex(p.status?.containerStatuses?.[0]?.state?.waiting?.message ?? '', /configmap "settings" not found/);
  await k.cluster.admin.create(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast' } });
  await k.cluster.advance(10_000, { advance: false });
  p = await k.get('needs-cm');
  t.truthy(p.status?.containerStatuses?.[0]?.state?.running);
  await k.cluster.stop();
});

test('an image that cannot be pulled shows ErrImagePull, then ImagePullBackOff', async (t) => {
  const k = await kubeletCluster({ behaviours: { 'missing:v1': { pullError: 'manifest unknown' } } });
  await k.cluster.admin.create(Pod, pod('nopull', { containers: [{ image: 'missing:v1' }] }));
  await k.cluster.settle({ advance: false });
  t.is((await k.get('nopull')).status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ErrImagePull');
  await k.cluster.advance(10_000, { advance: false });
  t.regex((await k.get('nopull')).status?.containerStatuses?.[0]?.state?.waiting?.reason ?? '', /ImagePullBackOff|ErrImagePull/);
  await k.cluster.stop();
});

test('logs are read per container, with tail and previous; usage reports CPU and memory', async (t) => {
  const k = await kubeletCluster();
  await k.cluster.admin.create(Pod, pod('chatty', { simulate: { logs: ['one', 'two', 'three'], exitAfterSeconds: 60, cpu: '250m', memory: '64Mi' } }));
  await k.cluster.settle({ advance: false });
  const lines = await lastValueFrom(k.kubelet.logs('default', 'chatty', undefined, { tailLines: 2 }).pipe(toArray()));
  t.deepEqual(lines.map((l) => l.text), ['two', 'three']);
  await k.cluster.advance(10_000, { advance: false });
  const usage = await k.kubelet.usage();
  t.is(usage.length, 1);
  t.is(usage[0].memoryWorkingSetBytes, 64 * 1024 * 1024);
  t.is(usage[0].containers[0].usageCoreNanoSeconds, 250e6 * 10);
  await k.cluster.advance(50_000, { advance: false }); // exits at 60, restarts at once
  const previous = await lastValueFrom(k.kubelet.logs('default', 'chatty', 'app', { previous: true }).pipe(toArray()));
  t.deepEqual(previous.map((l) => l.text), ['one', 'two', 'three']);
  await t.throwsAsync(() => lastValueFrom(k.kubelet.logs('default', 'nope', 'app')), { code: 'NotFound' } as never);
  await k.cluster.stop();
});
