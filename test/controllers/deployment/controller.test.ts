import test from 'ava';
import { DeploymentError, REVISION_ANNOTATION, rollbackDeployment } from '../../../src/controllers/deployment/index.js';
import { NS, cluster, deployment, getDeployment, imageOf, podsOf, replicaSetsOf, updateSpec, withImage, PodWatcher } from './_helpers.js';

test('a new Deployment gets one ReplicaSet of revision 1 and becomes Available with all pods ready', async (t) => {
  const c = await cluster([deployment('web')]);
  await c.settle();
  const d = await getDeployment(c, 'web');
  const rss = await replicaSetsOf(c, d);
  t.is(rss.length, 1);
  t.is(rss[0]?.metadata.annotations?.[REVISION_ANNOTATION], '1');
  t.is(d.metadata.annotations?.[REVISION_ANNOTATION], '1');
  t.is((await podsOf(c, 'web')).length, 3);
  t.like(d.status, { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0, observedGeneration: 1 });
  t.is(d.status?.conditions?.find((x) => x.type === 'Available')?.reason, 'MinimumReplicasAvailable');
  t.is(d.status?.conditions?.find((x) => x.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
  t.true(c.events.some((e) => e.reason === 'ScalingReplicaSet' && /^Scaled up replica set web-[a-z0-9]+ to 3 from 0$/.test(e.message)));
  await c.stop();
});

test('an image change rolls with maxSurge 1 and maxUnavailable 0: never more than 4 pods nor fewer than 3 available', async (t) => {
  const c = await cluster([deployment('web', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } })], { startDelayMs: 1000 });
  await c.settle();
  const w = await PodWatcher.start(c, "web");
  await updateSpec(c, 'web', withImage('nginx:2'));
  await c.settle();
  w.stop();
  t.true(w.samples.length > 6);
  t.true(w.samples.every((s) => s.pods <= 4), JSON.stringify(w.samples));
  t.true(w.samples.every((s) => s.available >= 3), JSON.stringify(w.samples));
  const pods = await podsOf(c, 'web');
  t.deepEqual(pods.map(imageOf), ['nginx:2', 'nginx:2', 'nginx:2']);
  await c.stop();
});

test('scaling up and down changes the pod count and records ScalingReplicaSet events', async (t) => {
  const c = await cluster([deployment('web')]);
  await c.settle();
  await updateSpec(c, 'web', (s) => ({ ...s, replicas: 5 }));
  await c.settle();
  t.is((await podsOf(c, 'web')).length, 5);
  t.like((await getDeployment(c, 'web')).status, { replicas: 5, availableReplicas: 5 });
  await updateSpec(c, 'web', (s) => ({ ...s, replicas: 1 }));
  await c.settle();
  t.is((await podsOf(c, 'web')).length, 1);
  const d = await getDeployment(c, 'web');
  t.like(d.status, { replicas: 1, availableReplicas: 1, updatedReplicas: 1 });
  t.is((await replicaSetsOf(c, d)).length, 1);
  t.true(c.events.some((e) => /^Scaled up replica set web-\w+ to 5 from 3$/.test(e.message)));
  t.true(c.events.some((e) => /^Scaled down replica set web-\w+ to 1 from 5$/.test(e.message)));
  await c.stop();
});

test('rollback to revision N reuses its ReplicaSet, renumbers it and restores its change-cause', async (t) => {
  const c = await cluster([deployment('web', {}, { annotations: { 'kubernetes.io/change-cause': 'v1' } })], { startDelayMs: 500 });
  await c.settle();
  await updateSpec(c, 'web', withImage('nginx:2'), { 'kubernetes.io/change-cause': 'v2' });
  await c.settle();
  await updateSpec(c, 'web', withImage('nginx:3'), { 'kubernetes.io/change-cause': 'v3' });
  await c.settle();
  const before = await replicaSetsOf(c, await getDeployment(c, 'web'));
  t.is(before.length, 3);
  const result = await rollbackDeployment(c.admin, { namespace: NS, name: 'web' }, 1);
  t.deepEqual([result.revision, result.changed], [1, true]);
  await c.settle();
  const d = await getDeployment(c, 'web');
  const after = await replicaSetsOf(c, d);
  t.is(after.length, 3, 'no new ReplicaSet');
  const v1 = after.find((rs) => imageOf(rs.spec?.template ?? {}) === 'nginx:1');
  t.like(v1?.metadata.annotations, { [REVISION_ANNOTATION]: '4', 'deployment.kubernetes.io/revision-history': '1', 'kubernetes.io/change-cause': 'v1' });
  t.is(v1?.spec?.replicas, 3);
  t.is(d.metadata.annotations?.['kubernetes.io/change-cause'], 'v1');
  t.is(d.metadata.annotations?.[REVISION_ANNOTATION], '4');
  t.deepEqual((await podsOf(c, 'web')).map(imageOf), ['nginx:1', 'nginx:1', 'nginx:1']);
  // Undo without a revision goes to the previous one (3: nginx:3); again: no change.
  t.is((await rollbackDeployment(c.admin, { namespace: NS, name: 'web' })).revision, 3);
  await c.settle();
  t.false((await rollbackDeployment(c.admin, { namespace: NS, name: 'web' }, 5)).changed);
  await t.throwsAsync(rollbackDeployment(c.admin, { namespace: NS, name: 'web' }, 42), { instanceOf: DeploymentError, message: /revision 42/ });
  await c.stop();
});

test('a paused Deployment keeps its template out of rollout but scales; resuming rolls it out', async (t) => {
  const c = await cluster([deployment('web')]);
  await c.settle();
  await updateSpec(c, 'web', (s) => ({ ...withImage('nginx:2')(s), paused: true }));
  await c.settle();
  let d = await getDeployment(c, 'web');
  t.is((await replicaSetsOf(c, d)).length, 1);
  t.like(d.status?.conditions?.find((x) => x.type === 'Progressing'), { status: 'Unknown', reason: 'DeploymentPaused' });
  await updateSpec(c, 'web', (s) => ({ ...s, replicas: 5 }));
  await c.settle();
  t.deepEqual((await podsOf(c, 'web')).map(imageOf), Array(5).fill('nginx:1'));
  await t.throwsAsync(rollbackDeployment(c.admin, { namespace: NS, name: 'web' }), { instanceOf: DeploymentError, message: /paused/ });
  await updateSpec(c, 'web', (s) => ({ ...s, paused: false }));
  await c.settle();
  d = await getDeployment(c, 'web');
  t.deepEqual((await podsOf(c, 'web')).map(imageOf), Array(5).fill('nginx:2'));
  t.like(d.status?.conditions?.find((x) => x.type === 'Progressing'), { status: 'True', reason: 'NewReplicaSetAvailable' });
  await c.stop();
});

test('a rollout whose pods never become ready exceeds its progress deadline', async (t) => {
  // Pods start after 10 hours: past settle's horizon, so the rollout is stuck.
  const c = await cluster([deployment('web', { progressDeadlineSeconds: 30 })], { startDelayMs: 36_000_000 });
  const start = c.clock.now();
  await c.settle();
  const d = await getDeployment(c, 'web');
  const progressing = d.status?.conditions?.find((x) => x.type === 'Progressing');
  t.like(progressing, { status: 'False', reason: 'ProgressDeadlineExceeded' });
  t.true(c.clock.now() - start >= 30_000 && c.clock.now() - start < 40_000, `advanced ${c.clock.now() - start} ms`);
  t.like(d.status?.conditions?.find((x) => x.type === 'Available'), { status: 'False', reason: 'MinimumReplicasUnavailable' });
  await c.stop();
});

test('scaling in the middle of a rollout spreads the new replicas proportionally, then converges', async (t) => {
  const c = await cluster([deployment('web', { replicas: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } })], { startDelayMs: 1000 });
  await c.settle();
  await updateSpec(c, 'web', withImage('nginx:2'));
  await c.settle({ advance: false });
  let rss = await replicaSetsOf(c, await getDeployment(c, 'web'));
  const size = (image: string): number => rss.find((rs) => imageOf(rs.spec?.template ?? {}) === image)?.spec?.replicas ?? -1;
  t.deepEqual([size('nginx:1'), size('nginx:2')], [8, 5]);
  await updateSpec(c, 'web', (s) => ({ ...s, replicas: 15 }));
  await c.settle({ advance: false });
  rss = await replicaSetsOf(c, await getDeployment(c, 'web'));
  // 15 + 3 surge = 18 allowed; 13 → 18 spread 8:5 → 11:7.
  t.deepEqual([size('nginx:1'), size('nginx:2')], [11, 7]);
  await c.settle();
  t.deepEqual((await podsOf(c, 'web')).map(imageOf), Array(15).fill('nginx:2'));
  await c.stop();
});

test('Recreate brings every old pod down, and waits until they are gone, before the first new pod', async (t) => {
  const c = await cluster([deployment('web', { strategy: { type: 'Recreate' } })], { startDelayMs: 1000 });
  await c.settle();
  const w = await PodWatcher.start(c, 'web');
  await updateSpec(c, 'web', withImage('nginx:2'));
  await c.settle();
  w.stop();
  t.true(w.samples.length > 0);
  t.false(w.samples.some((s) => s.images.includes('nginx:1') && s.images.includes('nginx:2')), JSON.stringify(w.samples));
  t.true(w.samples.some((s) => s.pods === 0));
  t.deepEqual((await podsOf(c, 'web')).map(imageOf), Array(3).fill('nginx:2'));
  await c.stop();
});

test('minReadySeconds holds each step of a rollout until new pods have been ready that long', async (t) => {
  const c = await cluster([deployment('web', { minReadySeconds: 5, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } })]);
  await c.settle();
  const w = await PodWatcher.start(c, 'web', 5);
  const start = c.clock.now();
  await updateSpec(c, 'web', withImage('nginx:2'));
  await c.settle();
  w.stop();
  // Three surge pods, each waited on for 5 s before an old one goes.
  t.true(c.clock.now() - start >= 15_000, `took ${c.clock.now() - start} ms`);
  t.true(w.samples.every((s) => s.pods <= 4 && s.available >= 3), JSON.stringify(w.samples));
  t.deepEqual((await podsOf(c, 'web')).map(imageOf), Array(3).fill('nginx:2'));
  await c.stop();
});

test('revisionHistoryLimit prunes the oldest scaled-down ReplicaSets once a rollout completes', async (t) => {
  const c = await cluster([deployment('web', { revisionHistoryLimit: 1 })]);
  await c.settle();
  for (const v of [2, 3, 4]) {
    await updateSpec(c, 'web', withImage(`nginx:${v}`));
    await c.settle();
  }
  const rss = await replicaSetsOf(c, await getDeployment(c, 'web'));
  t.deepEqual(rss.map((rs) => `${imageOf(rs.spec?.template ?? {})}@${rs.metadata.annotations?.[REVISION_ANNOTATION] ?? ''}`).sort(), ['nginx:3@3', 'nginx:4@4']);
  await c.stop();
});
