/**
 * Deployment controller at scale: N Deployments × 10 replicas on the in-memory test cluster
 * (ReplicaSet controller + fake kubelet marking pods Running and Ready), until every one is
 * Available; then a rolling update of all of them (new image) until every one is complete.
 *
 * `BENCH_QUICK=1`: 100 Deployments instead of 1,000; `BENCH_DEPLOYMENTS=n`: n Deployments.
 */
import { Deployment, Namespace, Pod } from '../../src/api/generated/kinds.js';
import type * as T from '../../src/api/generated/types.js';
import { createDeploymentController } from '../../src/controllers/deployment/index.js';
import { createReplicaSetController } from '../../src/controllers/replicaset/index.js';
import { createTestCluster, type TestCluster } from '../../src/testing/cluster.js';
import { fakeKubelet } from '../../src/testing/fake-kubelet.js';
import { printBench } from './_util.js';

const quick = process.env['BENCH_QUICK'] === '1';
const DEPLOYMENTS = Number(process.env['BENCH_DEPLOYMENTS'] ?? (quick ? 100 : 1000));
const REPLICAS = 10;
const NAMESPACES = 10;

function deployment(i: number, image: string): T.Deployment {
  const name = `app-${i}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: `ns-${i % NAMESPACES}` },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
    },
  };
}

async function allComplete(c: TestCluster, image: string): Promise<{ complete: number; pods: number }> {
  const ds = (await c.admin.list(Deployment)).items;
  const complete = ds.filter(
    (d) =>
      d.status?.availableReplicas === REPLICAS &&
      d.status.updatedReplicas === REPLICAS &&
      d.status.replicas === REPLICAS &&
      d.spec?.template.spec?.containers[0]?.image === image &&
      d.status.conditions?.some((x) => x.type === 'Available' && x.status === 'True'),
  ).length;
  const pods = (await c.admin.list(Pod)).items.filter((p) => p.status?.phase === 'Running' && p.spec?.containers[0]?.image === image).length;
  return { complete, pods };
}

async function main(): Promise<void> {
  const c = await createTestCluster({
    controllers: [createDeploymentController({ workers: 8 }), createReplicaSetController({ workers: 8 }), fakeKubelet()],
  });
  for (let n = 0; n < NAMESPACES; n++) await c.admin.create(Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${n}` } });
  const huge = { maxReconciles: 100_000_000, maxTurns: 100_000_000 };

  const t0 = performance.now();
  for (let i = 0; i < DEPLOYMENTS; i++) await c.admin.create(Deployment, deployment(i, 'nginx:1'));
  await c.settle(huge);
  const createMs = performance.now() - t0;
  const first = await allComplete(c, 'nginx:1');

  const t1 = performance.now();
  for (let i = 0; i < DEPLOYMENTS; i++) {
    const d = await c.admin.get(Deployment, `app-${i}`, { namespace: `ns-${i % NAMESPACES}` });
    const spec = d.spec as T.DeploymentSpec;
    await c.admin.update(Deployment, { ...d, spec: { ...spec, template: { ...spec.template, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } });
  }
  await c.settle(huge);
  const rollMs = performance.now() - t1;
  const second = await allComplete(c, 'nginx:2');
  const reconciles = c.manager.controllers().map((x) => [x.name, x.stats().reconciles] as const);
  await c.stop();

  if (first.complete !== DEPLOYMENTS || second.complete !== DEPLOYMENTS) {
    throw new Error(`not converged: ${first.complete} then ${second.complete} of ${DEPLOYMENTS} deployments complete`);
  }
  const pods = DEPLOYMENTS * REPLICAS;
  console.log(`${DEPLOYMENTS} deployments × ${REPLICAS}: available in ${(createMs / 1000).toFixed(2)} s (${Math.round(pods / (createMs / 1000))} pods/s); rolling update of all in ${(rollMs / 1000).toFixed(2)} s`);
  console.log(`reconciles: ${reconciles.map(([n, r]) => `${n} ${r}`).join(', ')}`);
  printBench({
    name: 'deployments',
    quick,
    deployments: DEPLOYMENTS,
    replicas: REPLICAS,
    pods,
    availableWallMs: Math.round(createMs),
    podsPerSecond: Math.round(pods / (createMs / 1000)),
    rollingUpdateWallMs: Math.round(rollMs),
    rolledPodsPerSecond: Math.round(pods / (rollMs / 1000)),
    reconciles: Object.fromEntries(reconciles),
  });
}

await main();
