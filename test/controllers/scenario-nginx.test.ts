import { readFileSync } from 'node:fs';
import test from 'ava';
import { Deployment, Pod, ReplicaSet } from '../../src/api/generated/kinds.js';
import type * as T from '../../src/api/generated/types.js';
import { loadManifests } from '../../src/api/manifest.js';
import { deploymentController, rollbackDeployment, REVISION_ANNOTATION } from '../../src/controllers/deployment/index.js';
import { garbageCollector } from '../../src/controllers/garbagecollector/index.js';
import { replicaSetController } from '../../src/controllers/replicaset/index.js';
import { createTestCluster, type TestCluster } from '../../src/testing/cluster.js';
import { fakeKubelet } from '../../src/testing/fake-kubelet.js';

// The manifest has no namespace (kubectl would use the context's, "default"); so do we.
const manifest = loadManifests(readFileSync(new URL('../fixtures/seed-manifests/deployment-nginx.yaml', import.meta.url), 'utf8')).map((l) => ({
  ...l.object,
  metadata: { ...l.object.metadata, namespace: 'default' },
}));
const ref = { namespace: 'default', name: 'nginx-deployment' };

async function state(c: TestCluster): Promise<{ d: T.Deployment; rss: readonly T.ReplicaSet[]; pods: readonly T.Pod[] }> {
  const d = await c.admin.get(Deployment, ref.name, { namespace: ref.namespace });
  const rss = (await c.admin.list(ReplicaSet, { namespace: 'default' })).items;
  const pods = (await c.admin.list(Pod, { namespace: 'default', labelSelector: 'app=nginx' })).items;
  return { d, rss, pods };
}
const image = (p: T.Pod): string => p.spec?.containers[0]?.image ?? '';
const ready = (p: T.Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

test('the nginx seed deployment runs 3 pods, scales to 5, rolls an image update, undoes it onto the old ReplicaSet and cascades on delete', async (t) => {
  const c = await createTestCluster({ controllers: [deploymentController, replicaSetController, garbageCollector, fakeKubelet({ startDelayMs: 1000 })], objects: manifest });
  await c.settle();
  let s = await state(c);
  t.is(s.pods.length, 3);
  t.true(s.pods.every(ready));
  t.like(s.d.status, { replicas: 3, availableReplicas: 3, updatedReplicas: 3 });
  const first = s.rss[0];
  t.is(s.rss.length, 1);

  await c.admin.update(Deployment, { ...s.d, spec: { ...(s.d.spec as T.DeploymentSpec), replicas: 5 } });
  await c.settle();
  s = await state(c);
  t.is(s.pods.length, 5);
  t.like(s.d.status, { availableReplicas: 5 });

  const spec = s.d.spec as T.DeploymentSpec;
  const containers = (spec.template.spec?.containers ?? []).map((x) => ({ ...x, image: 'nginx:1.9.1' }));
  await c.admin.update(Deployment, { ...s.d, spec: { ...spec, template: { ...spec.template, spec: { ...(spec.template.spec as T.PodSpec), containers } } } });
  await c.settle();
  s = await state(c);
  t.is(s.rss.length, 2);
  t.deepEqual(s.pods.map(image), Array(5).fill('nginx:1.9.1'));
  t.is(s.d.metadata.annotations?.[REVISION_ANNOTATION], '2');
  t.is(s.rss.find((rs) => rs.metadata.uid === first?.metadata.uid)?.spec?.replicas, 0);

  await rollbackDeployment(c.admin, ref);
  await c.settle();
  s = await state(c);
  t.is(s.rss.length, 2, 'the undo reused the first ReplicaSet');
  const reused = s.rss.find((rs) => rs.metadata.uid === first?.metadata.uid);
  t.is(reused?.spec?.replicas, 5);
  t.is(reused?.metadata.annotations?.[REVISION_ANNOTATION], '3');
  t.deepEqual(s.pods.map(image), Array(5).fill('nginx:1.7.9'));
  t.true(s.pods.every(ready));

  await c.admin.delete(Deployment, ref.name, { namespace: ref.namespace });
  await c.settle();
  t.is((await c.admin.list(ReplicaSet, { namespace: 'default' })).items.length, 0);
  t.is((await c.admin.list(Pod, { namespace: 'default' })).items.length, 0);
  await c.stop();
});
