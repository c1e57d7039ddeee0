import test from 'ava';
import type * as T from '../../../src/api/generated/types.js';
import { computeTemplateHash, planRollout, type RolloutAction, type RolloutPlan } from '../../../src/controllers/deployment/index.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const template = (image: string): T.PodTemplateSpec => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });

function deploy(spec: Partial<T.DeploymentSpec> & { image?: string; surge?: number | string; unavailable?: number | string } = {}, extra: { status?: T.DeploymentStatus; annotations?: Record<string, string>; generation?: number; deleting?: boolean } = {}): T.Deployment {
  const { image, surge, unavailable, ...rest } = spec;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web', namespace: 'default', uid: 'd-uid', generation: extra.generation ?? 1,
      ...(extra.annotations !== undefined ? { annotations: extra.annotations } : {}),
      ...(extra.deleting === true ? { deletionTimestamp: iso(NOW) } : {}),
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(image ?? 'v2'),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge ?? 1, maxUnavailable: unavailable ?? 0 } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...rest,
    },
    ...(extra.status !== undefined ? { status: extra.status } : {}),
  };
}

let seq = 0;
/** A ReplicaSet of the Deployment: `image` names its template; created `age` seconds before NOW. */
function rs(image: string, o: { spec: number; available?: number; replicas?: number; revision?: number; desired?: number; max?: number; age?: number; annotations?: Record<string, string> }): T.ReplicaSet {
  const hash = computeTemplateHash(template(image));
  const annotations: Record<string, string> = { ...(o.annotations ?? {}) };
  if (o.revision !== undefined) annotations['deployment.kubernetes.io/revision'] = String(o.revision);
  if (o.desired !== undefined) annotations['deployment.kubernetes.io/desired-replicas'] = String(o.desired);
  if (o.max !== undefined) annotations['deployment.kubernetes.io/max-replicas'] = String(o.max);
  const labels = { app: 'web', 'pod-template-hash': hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`, namespace: 'default', uid: `rs-${image}`, resourceVersion: String(++seq), generation: 1,
      creationTimestamp: iso(NOW - (o.age ?? 100) * 1000), labels, annotations,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }],
    },
    spec: { replicas: o.spec, selector: { matchLabels: labels }, template: { ...template(image), metadata: { labels } }, minReadySeconds: 0 },
    status: { replicas: o.replicas ?? o.spec, availableReplicas: o.available ?? o.spec, readyReplicas: o.available ?? o.spec, observedGeneration: 1 },
  };
}

/** "create web-x 1", "scale v1 3→2": the plan's ReplicaSet writes, by image. */
function summary(plan: RolloutPlan): string[] {
  const out: string[] = [];
  for (const a of plan.actions) {
    const img = (r: T.ReplicaSet): string => r.spec?.template?.spec?.containers[0]?.image ?? '?';
    if (a.kind === 'createReplicaSet') out.push(`create ${img(a.replicaSet)} ${a.replicaSet.spec?.replicas ?? 0}`);
    else if (a.kind === 'updateReplicaSet' && a.scale !== undefined) out.push(`scale ${img(a.replicaSet)} ${a.scale.from}→${a.scale.to}`);
    else if (a.kind === 'deleteReplicaSet') out.push(`delete ${a.name}`);
  }
  return out;
}

const cond = (plan: RolloutPlan, type: string): T.DeploymentCondition | undefined => plan.status?.conditions?.find((c) => c.type === type);

test('a new Deployment creates its first ReplicaSet named by the template hash, with labels, owner and annotations', (t) => {
  const d = deploy({ replicas: 4, surge: '25%', unavailable: '25%' }, { annotations: { 'kubernetes.io/change-cause': 'first', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } });
  const plan = planRollout(d, [], [], NOW);
  const create = plan.actions.find((a): a is Extract<RolloutAction, { kind: 'createReplicaSet' }> => a.kind === 'createReplicaSet');
  const hash = computeTemplateHash(template('v2'));
  t.truthy(create);
  const r = create?.replicaSet as T.ReplicaSet;
  t.is(r.metadata.name, `web-${hash}`);
  t.is(r.spec?.replicas, 4);
  t.deepEqual(r.spec?.selector.matchLabels, { app: 'web', 'pod-template-hash': hash });
  t.deepEqual(r.spec?.template?.metadata?.labels, { app: 'web', 'pod-template-hash': hash });
  t.deepEqual(r.metadata.labels, { app: 'web', 'pod-template-hash': hash });
  t.like(r.metadata.ownerReferences?.[0], { kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true });
  t.deepEqual(r.metadata.annotations, {
    'kubernetes.io/change-cause': 'first',
    'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '4',
    'deployment.kubernetes.io/max-replicas': '5',
  });
  t.true(plan.actions.some((a) => a.kind === 'event' && a.message === `Scaled up replica set web-${hash} to 4 from 0`));
  t.true(plan.actions.some((a) => a.kind === 'updateDeploymentAnnotations' && a.annotations['deployment.kubernetes.io/revision'] === '1'));
  t.like(cond(plan, 'Progressing'), { status: 'True', reason: 'NewReplicaSetCreated' });
  t.like(cond(plan, 'Available'), { status: 'False', reason: 'MinimumReplicasUnavailable' });
});

// [title, deployment options, replica sets (old image v1, new v2), expected writes]
type Row = [string, Parameters<typeof deploy>[0], T.ReplicaSet[], string[]];
const rolling: Row[] = [
  ['maxSurge 1: the new ReplicaSet starts with one pod', {}, [rs('v1', { spec: 3, revision: 1, desired: 3 })], ['create v2 1']],
  ['nothing is scaled down while the surge pod is unavailable', {}, [rs('v1', { spec: 3, revision: 1, desired: 3 }), rs('v2', { spec: 1, available: 0, revision: 2, desired: 3, age: 1 })], []],
  ['an old pod goes once the surge pod is available', {}, [rs('v1', { spec: 3, revision: 1, desired: 3 }), rs('v2', { spec: 1, revision: 2, desired: 3, age: 1 })], ['scale v1 3→2']],
  ['the new ReplicaSet grows into the room an old pod left', {}, [rs('v1', { spec: 2, available: 3, revision: 1, desired: 3 }), rs('v2', { spec: 1, revision: 2, desired: 3, age: 1 })], ['scale v2 1→2']],
  ['an old ReplicaSet just scaled down does not count its leaving pods as available', {}, [rs('v1', { spec: 2, available: 3, revision: 1, desired: 3 }), rs('v2', { spec: 2, available: 1, revision: 2, desired: 3, age: 1 })], []],
  ['25%/25% of 10: 3 surge pods and 2 old ones go at once', { replicas: 10, surge: '25%', unavailable: '25%' }, [rs('v1', { spec: 10, revision: 1, desired: 10 })], ['create v2 3', 'scale v1 10→8']],
  ['maxSurge 0 and maxUnavailable 0 means maxUnavailable 1', { surge: 0, unavailable: 0 }, [rs('v1', { spec: 3, revision: 1, desired: 3 })], ['create v2 0', 'scale v1 3→2']],
  ['unavailable old pods are removed first, even with no availability to spare', { surge: 0, unavailable: 1 }, [rs('v1', { spec: 3, available: 1, revision: 1, desired: 3 }), rs('v2', { spec: 0, revision: 2, desired: 3, age: 1 })], ['scale v1 3→2']],
  ['with maxSurge 0 an unhealthy old pod makes room for a new one', { surge: 0, unavailable: 1 }, [rs('v1', { spec: 2, available: 0, revision: 1, desired: 3 }), rs('v2', { spec: 1, available: 1, revision: 2, desired: 3, age: 1 })], ['scale v1 2→1']],
  ['a finished rollout leaves the old ReplicaSet at 0', {}, [rs('v1', { spec: 1, revision: 1, desired: 3 }), rs('v2', { spec: 3, revision: 2, desired: 3, age: 1 })], ['scale v1 1→0']],
  ['a new ReplicaSet above replicas is scaled down', { replicas: 2 }, [rs('v2', { spec: 3, revision: 1, desired: 2 })], ['scale v2 3→2']],
];
for (const [title, opts, rss, want] of rolling) {
  test(`rolling update: ${title}`, (t) => {
    t.deepEqual(summary(planRollout(deploy(opts), rss, [], NOW)), want);
  });
}

test('rolling update: scale-downs never take availability below replicas - maxUnavailable (by ReplicaSet status)', (t) => {
  for (let oldAvail = 0; oldAvail <= 5; oldAvail++) {
    for (let newAvail = 0; newAvail <= 3; newAvail++) {
      const rss = [rs('v1', { spec: 5, available: oldAvail, revision: 1, desired: 5 }), rs('v2', { spec: 3, available: newAvail, revision: 2, desired: 5, age: 1 })];
      const plan = planRollout(deploy({ replicas: 5, surge: 3, unavailable: 1 }), rss, [], NOW);
      let oldSpec = 5;
      for (const a of plan.actions) if (a.kind === 'updateReplicaSet' && a.scale !== undefined && a.replicaSet.metadata.uid === 'rs-v1') oldSpec = a.scale.to;
      const before = oldAvail + newAvail;
      const after = Math.min(oldAvail, oldSpec) + newAvail;
      t.true(after >= Math.min(before, 4), `old avail ${oldAvail} new avail ${newAvail}: old scaled to ${oldSpec}`);
    }
  }
});

const recreate: Row[] = [
  ['old ReplicaSets are scaled to 0 first and no new one is created yet', { strategy: { type: 'Recreate' } }, [rs('v1', { spec: 3, revision: 1, desired: 3 })], ['scale v1 3→0']],
  ['the new ReplicaSet waits while old ones still report pods', { strategy: { type: 'Recreate' } }, [rs('v1', { spec: 0, replicas: 1, available: 0, revision: 1, desired: 3 })], []],
  ['once old pods are gone the new ReplicaSet is created at full size', { strategy: { type: 'Recreate' } }, [rs('v1', { spec: 0, replicas: 0, available: 0, revision: 1, desired: 3 })], ['create v2 3']],
];
for (const [title, opts, rss, want] of recreate) {
  test(`recreate: ${title}`, (t) => {
    t.deepEqual(summary(planRollout(deploy(opts), rss, [], NOW)), want);
  });
}

test('recreate: a terminating old pod still blocks the new ReplicaSet; a failed one does not', (t) => {
  const old = rs('v1', { spec: 0, replicas: 0, available: 0, revision: 1, desired: 3 });
  const pod = (phase: string, deleting: boolean): T.Pod => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: old.metadata.name ?? '', uid: 'rs-v1', controller: true }], ...(deleting ? { deletionTimestamp: iso(NOW) } : {}) },
    status: { phase },
  });
  const d = deploy({ strategy: { type: 'Recreate' } });
  t.deepEqual(summary(planRollout(d, [old], [pod('Running', true)], NOW)), []);
  t.deepEqual(summary(planRollout(d, [old], [pod('Failed', false)], NOW)), ['create v2 3']);
});

test('proportional scaling mid-rollout spreads new replicas by each ReplicaSet\'s share', (t) => {
  // 10 replicas, surge 3, unavailable 2, mid-rollout: old 8, new 5 (13 = 10 + 3). Scaled to 15 (surge 4): 19 allowed.
  const rss = [rs('v1', { spec: 8, revision: 1, desired: 10, max: 13 }), rs('v2', { spec: 5, available: 0, revision: 2, desired: 10, max: 13, age: 1 })];
  const plan = planRollout(deploy({ replicas: 15, surge: '25%', unavailable: '25%' }), rss, [], NOW);
  t.deepEqual(summary(plan), ['scale v1 8→12', 'scale v2 5→7']);
  for (const a of plan.actions) {
    if (a.kind === 'updateReplicaSet') t.like(a.replicaSet.metadata.annotations, { 'deployment.kubernetes.io/desired-replicas': '15', 'deployment.kubernetes.io/max-replicas': '19' });
  }
  t.true(plan.actions.some((a) => a.kind === 'event' && a.message.startsWith('Scaled up replica set web-')));
});

test('proportional scaling down takes from the larger ReplicaSet first and never goes negative', (t) => {
  const rss = [rs('v1', { spec: 8, revision: 1, desired: 10, max: 13 }), rs('v2', { spec: 5, available: 0, revision: 2, desired: 10, max: 13, age: 1 })];
  const plan = planRollout(deploy({ replicas: 2, surge: '25%', unavailable: '25%' }), rss, [], NOW);
  // 2 + 1 surge = 3 allowed: -10 to spread.
  const sizes = summary(plan).map((s) => Number(s.split('→')[1]));
  t.is(sizes.reduce((a, b) => a + b, 0), 3);
  t.true(sizes.every((n) => n >= 0));
});

test('a scale with one active ReplicaSet sets it to replicas directly', (t) => {
  const plan = planRollout(deploy({ replicas: 5 }), [rs('v2', { spec: 3, revision: 1, desired: 3 })], [], NOW);
  t.deepEqual(summary(plan), ['scale v2 3→5']);
});

test('a paused Deployment does not roll out a new template but still scales, and says DeploymentPaused', (t) => {
  const d = deploy({ paused: true, replicas: 4 });
  const plan = planRollout(d, [rs('v1', { spec: 3, revision: 1, desired: 3 })], [], NOW);
  t.deepEqual(summary(plan), ['scale v1 3→4']);
  t.like(cond(plan, 'Progressing'), { status: 'Unknown', reason: 'DeploymentPaused' });
  t.is(plan.requeueAfterMs, undefined);
});

test('resuming a paused Deployment says DeploymentResumed and rolls out', (t) => {
  const paused = { observedGeneration: 1, replicas: 3, updatedReplicas: 0, readyReplicas: 3, availableReplicas: 3, conditions: [{ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', lastUpdateTime: iso(NOW - 5000), lastTransitionTime: iso(NOW - 5000) }] };
  const plan = planRollout(deploy({}, { status: paused }), [rs('v1', { spec: 3, revision: 1, desired: 3 })], [], NOW);
  t.deepEqual(summary(plan), ['create v2 1']);
  t.like(cond(plan, 'Progressing'), { status: 'True', reason: 'NewReplicaSetCreated' });
  // Resumed with nothing to roll: the condition says so (and the deadline counts from now).
  const waiting = { ...paused, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1 };
  const same = planRollout(deploy({ image: 'v1' }, { status: waiting }), [rs('v1', { spec: 3, available: 1, revision: 1, desired: 3 })], [], NOW);
  t.like(cond(same, 'Progressing'), { status: 'Unknown', reason: 'DeploymentResumed', lastUpdateTime: iso(NOW) });
});

test('rolling back to an old template reuses its ReplicaSet and renumbers it, keeping its old revision in history', (t) => {
  const d = deploy({ image: 'v1' }, { annotations: { 'kubernetes.io/change-cause': 'v1 again' } });
  const old = rs('v1', { spec: 0, revision: 1, desired: 3, annotations: { 'deployment.kubernetes.io/revision-history': '' } });
  const plan = planRollout(d, [old, rs('v2', { spec: 3, revision: 2, desired: 3, age: 1 })], [], NOW);
  t.false(plan.actions.some((a) => a.kind === 'createReplicaSet'));
  const annotated = plan.actions.filter((a): a is Extract<RolloutAction, { kind: 'updateReplicaSet' }> => a.kind === 'updateReplicaSet' && a.replicaSet.metadata.uid === 'rs-v1');
  t.like(annotated.at(-1)?.replicaSet.metadata.annotations, { 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1', 'kubernetes.io/change-cause': 'v1 again' });
  t.true(summary(plan).includes('scale v1 0→1'));
  t.true(plan.actions.some((a) => a.kind === 'updateDeploymentAnnotations' && a.annotations['deployment.kubernetes.io/revision'] === '3'));
});

test('revision history keeps growing across rollbacks', (t) => {
  const d = deploy({ image: 'v1' });
  const old = rs('v1', { spec: 0, revision: 3, desired: 3, annotations: { 'deployment.kubernetes.io/revision-history': '1' } });
  const plan = planRollout(d, [old, rs('v2', { spec: 3, revision: 4, desired: 3, age: 1 })], [], NOW);
  const update = plan.actions.find((a): a is Extract<RolloutAction, { kind: 'updateReplicaSet' }> => a.kind === 'updateReplicaSet' && a.replicaSet.metadata.uid === 'rs-v1');
  t.like(update?.replicaSet.metadata.annotations, { 'deployment.kubernetes.io/revision': '5', 'deployment.kubernetes.io/revision-history': '1,3' });
});

test('a complete rollout deletes scaled-down ReplicaSets beyond revisionHistoryLimit, oldest revision first', (t) => {
  const rss = [
    rs('v0', { spec: 0, revision: 1, age: 400 }),
    rs('va', { spec: 0, revision: 2, age: 300 }),
    rs('vb', { spec: 0, revision: 3, age: 200 }),
    rs('v2', { spec: 3, revision: 4, desired: 3, age: 1 }),
  ];
  const complete = { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3 };
  const plan = planRollout(deploy({ revisionHistoryLimit: 1 }, { status: complete }), rss, [], NOW);
  t.deepEqual(summary(plan), [`delete ${rss[0]?.metadata.name ?? ''}`, `delete ${rss[1]?.metadata.name ?? ''}`]);
  const incomplete = planRollout(deploy({ revisionHistoryLimit: 1 }, { status: { ...complete, availableReplicas: 2 } }), rss, [], NOW);
  t.deepEqual(summary(incomplete), []);
});

test('status counts come from the ReplicaSets and Available follows replicas - maxUnavailable', (t) => {
  const rss = [rs('v1', { spec: 2, available: 1, revision: 1, desired: 3 }), rs('v2', { spec: 2, available: 1, revision: 2, desired: 3, age: 1 })];
  const plan = planRollout(deploy({ surge: 1, unavailable: 1 }), rss, [], NOW);
  // The unhealthy old pod is scaled away (2→1), so 3 replicas are wanted of which 2 are available.
  t.deepEqual(summary(plan), ['scale v1 2→1']);
  t.like(plan.status, { replicas: 4, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1, observedGeneration: 1 });
  t.like(cond(plan, 'Available'), { status: 'True', reason: 'MinimumReplicasAvailable' });
  const worse = planRollout(deploy({ surge: 1, unavailable: 0 }), rss, [], NOW);
  t.like(cond(worse, 'Available'), { status: 'False', reason: 'MinimumReplicasUnavailable' });
});

test('a rollout that makes no progress past progressDeadlineSeconds becomes ProgressDeadlineExceeded; before that, a requeue at the deadline', (t) => {
  const since = NOW - 500_000;
  const status: T.DeploymentStatus = {
    observedGeneration: 1, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: iso(since), lastTransitionTime: iso(since) },
      { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: iso(since), lastTransitionTime: iso(since) },
    ],
  };
  const rss = [rs('v1', { spec: 3, revision: 1, desired: 3 }), rs('v2', { spec: 1, available: 0, revision: 2, desired: 3, age: 1 })];
  const before = planRollout(deploy({}, { status }), rss, [], NOW);
  t.is(before.status, undefined);
  t.is(before.requeueAfterMs, 100_001);
  const after = planRollout(deploy({}, { status }), rss, [], NOW + 100_001);
  t.like(cond(after, 'Progressing'), { status: 'False', reason: 'ProgressDeadlineExceeded' });
  t.is(after.requeueAfterMs, undefined);
});

test('progress (one more available pod) refreshes the Progressing condition and so the deadline', (t) => {
  const since = NOW - 500_000;
  const status: T.DeploymentStatus = {
    observedGeneration: 1, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1,
    conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: iso(since), lastTransitionTime: iso(since) }],
  };
  const rss = [rs('v1', { spec: 3, revision: 1, desired: 3 }), rs('v2', { spec: 1, available: 1, revision: 2, desired: 3, age: 1 })];
  const plan = planRollout(deploy({}, { status }), rss, [], NOW);
  t.like(cond(plan, 'Progressing'), { reason: 'ReplicaSetUpdated', lastUpdateTime: iso(NOW), lastTransitionTime: iso(since) });
});

test('a complete rollout reports NewReplicaSetAvailable', (t) => {
  const status: T.DeploymentStatus = { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3 };
  const plan = planRollout(deploy({}, { status }), [rs('v2', { spec: 3, revision: 1, desired: 3 })], [], NOW);
  t.like(cond(plan, 'Progressing'), { status: 'True', reason: 'NewReplicaSetAvailable' });
  t.is(plan.requeueAfterMs, undefined);
});

test('a Deployment being deleted only gets its status computed', (t) => {
  const plan = planRollout(deploy({}, { deleting: true }), [rs('v1', { spec: 3, revision: 1, desired: 3 })], [], NOW);
  t.deepEqual(summary(plan), []);
  t.like(plan.status, { replicas: 3, updatedReplicas: 0 });
});

test('a name taken by one of its ReplicaSets with another template bumps collisionCount instead of creating', (t) => {
  const clash = rs('v1', { spec: 3, revision: 1, desired: 3 });
  const hash = computeTemplateHash(template('v2'));
  const squatter: T.ReplicaSet = { ...clash, metadata: { ...clash.metadata, name: `web-${hash}` } };
  const plan = planRollout(deploy(), [squatter], [], NOW);
  t.deepEqual(summary(plan), []);
  t.is(plan.status?.collisionCount, 1);
  const next = planRollout(deploy({}, { status: { collisionCount: 1 } }), [squatter], [], NOW);
  t.deepEqual(summary(next), ['create v2 1']);
  const created = next.actions.find((a): a is Extract<RolloutAction, { kind: 'createReplicaSet' }> => a.kind === 'createReplicaSet');
  t.is(created?.replicaSet.metadata.name, `web-${computeTemplateHash(template('v2'), 1)}`);
});

test('the plan is pure: the same inputs give the same plan and inputs are not changed', (t) => {
  const rss = [Object.freeze(rs('v1', { spec: 3, revision: 1, desired: 3 }))];
  const d = Object.freeze(deploy());
  t.deepEqual(planRollout(d, rss, [], NOW), planRollout(d, rss, [], NOW));
});
